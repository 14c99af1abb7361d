"""The bundled samples' printed axes agree with their recipes' extents.

``render(extent=...)`` labels a panel's axes in data coordinates; the ticks
it reports are checked against the tick marks drawn in the image and against
the coordinates a digitized `Result` gives at those pixels.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from napari_heatmap_digitizer.core import Box, Extent, run_recipe
from napari_heatmap_digitizer.data import SAMPLES, load_sample
from napari_heatmap_digitizer.testing import SAMPLE_FIGURES, AxisTicks, render

pytest.importorskip("matplotlib")


def _tick_marks_drawn(image: np.ndarray, box: Box, ticks: AxisTicks) -> None:
    """Each tick's mark is drawn in pixel ``floor(position)``, outside the box."""
    grey = image[..., :3].min(axis=2).astype(int)
    below = grey[box.bottom + 1 : box.bottom + 5]  # x tick marks, under the spine
    left = grey[:, box.left - 4 : box.left]  # y tick marks, left of the spine
    for p in ticks.x_pixels:
        c = math.floor(p)
        assert below[:, c].min() < 80, f"no x tick mark in column {c}"
        assert below[:, c - 2].min() > 200 and below[:, c + 2].min() > 200
    for q in ticks.y_pixels:
        r = math.floor(q)
        assert left[r].min() < 80, f"no y tick mark in row {r}"
        assert left[r - 2].min() > 200 and left[r + 2].min() > 200


def _extent_agrees(extent: Extent, box: Box, ticks: AxisTicks) -> None:
    """The extent maps every tick's position to its value."""
    fx = (ticks.x_pixels - box.left) / box.width
    fy = (ticks.y_pixels - box.top) / box.height
    np.testing.assert_allclose(extent.x_at(fx), ticks.x_values, atol=1e-9)
    np.testing.assert_allclose(extent.y_at(fy), ticks.y_values, atol=1e-9)


def _result_agrees(result, ticks: AxisTicks) -> None:
    """A result's x/y at a tick's pixel lie within half a pixel of its value."""
    box = result.box
    half_x = abs(result.extent.xmax - result.extent.xmin) / box.width / 2
    half_y = abs(result.extent.ymax - result.extent.ymin) / box.height / 2
    checked = 0
    for p, v in zip(ticks.x_pixels, ticks.x_values, strict=True):
        c = math.floor(p) - box.left
        if 0 <= c < box.width:
            assert abs(result.x[c] - v) <= half_x * (1 + 1e-9)
            checked += 1
    for q, v in zip(ticks.y_pixels, ticks.y_values, strict=True):
        r = math.floor(q) - box.top
        if 0 <= r < box.height:
            assert abs(result.y[r] - v) <= half_y * (1 + 1e-9)
            checked += 1
    assert checked >= 6


def test_default_axes_show_pixel_indices():
    fig = render()
    (box,) = fig.panels
    (ticks,) = fig.axis_ticks
    assert fig.extent is None
    np.testing.assert_allclose(ticks.x_pixels, box.left + ticks.x_values)
    np.testing.assert_allclose(ticks.y_pixels, box.top + ticks.y_values)
    _tick_marks_drawn(fig.image, box, ticks)


@pytest.mark.parametrize("kind", ["imshow", "contourf"])
def test_extent_labels_axes_without_moving_pixels(kind):
    plain = render(kind=kind, seed=3)
    fig = render(kind=kind, seed=3, extent=Extent(-1.0, 3.0, 10.0, 20.0))
    (box,) = fig.panels
    (ticks,) = fig.axis_ticks
    assert fig.extent == (-1.0, 3.0, 10.0, 20.0) and box == plain.panels[0]
    np.testing.assert_array_equal(fig.image[box.slices], plain.image[box.slices])
    np.testing.assert_array_equal(fig.truth[0], plain.truth[0])
    np.testing.assert_array_equal(fig.judged[0], plain.judged[0])
    # y grows upwards: the lowest tick is drawn lowest in the image.
    assert ticks.y_pixels[np.argmin(ticks.y_values)] == ticks.y_pixels.max()
    assert len(ticks.x_values) >= 3 and len(ticks.y_values) >= 3
    _tick_marks_drawn(fig.image, box, ticks)
    _extent_agrees(Extent(-1.0, 3.0, 10.0, 20.0), box, ticks)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_axes_agree_with_recipe(name):
    sample = load_sample(name)
    fig = render(**SAMPLE_FIGURES[name])
    assert [p.box for p in sample.recipe.panels] == fig.panels
    for truth, judged, t, j in zip(
        sample.truth, sample.judged, fig.truth, fig.judged, strict=True
    ):
        np.testing.assert_array_equal(truth, t.astype(np.float32))
        np.testing.assert_array_equal(judged, j)
    results = [p.result for p in run_recipe(sample.recipe, sample.image)]
    for panel, result, ticks in zip(
        sample.recipe.panels, results, fig.axis_ticks, strict=True
    ):
        assert panel.extent == Extent(*fig.extent)
        # The bundled image shows those ticks where render put them ...
        _tick_marks_drawn(sample.image, panel.box, ticks)
        # ... and the recipe reads them as the values they print.
        _extent_agrees(panel.extent, panel.box, ticks)
        _result_agrees(result, ticks)
