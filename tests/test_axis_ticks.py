"""Axis tick labels read into panel extents (OCR) and filled into recipes."""

from __future__ import annotations

import numpy as np
import pytest

from napari_heatmap_digitizer.core._autofill import complete_recipe
from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._axis_ticks import (
    AxisReading,
    _ends,
    _fit,
    read_axis_ticks,
)
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._detect import Detection, detect
from napari_heatmap_digitizer.core._recipe import Panel, Recipe
from napari_heatmap_digitizer.core._ticks import ocr_available

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="needs Tesseract")


def _reading(box: Box, x: list[float], y: list[float]) -> AxisReading:
    """An axis reading of evenly spaced labels spanning ``box`` exactly.

    ``x`` (``y``) holds the labels' values from the left (bottom) edge to the
    right (top) edge.
    """
    lo, hi = _ends(box, "x")
    px = np.linspace(lo, hi, len(x))
    xr = _fit(
        [(float(p), v) for p, v in zip(px, x, strict=True)],
        [f"{v:g}" for v in x],
        (lo, hi),
        "columns",
    )
    lo, hi = _ends(box, "y")
    py = np.linspace(lo, hi, len(y))
    yr = _fit(
        [(float(p), v) for p, v in zip(py, y, strict=True)],
        [f"{v:g}" for v in y],
        (lo, hi),
        "rows",
    )
    return AxisReading(xr, yr, panel=box)


# -- positions to extents (no OCR) ----------------------------------------


def test_extent_is_the_value_at_the_panels_outer_pixel_edges():
    # labels showing each tick's pixel-centre column (times 3, plus 0.7):
    # the extent must give every column centre back exactly as Extent maps it
    box = Box(10, 5, 40, 25)
    cols = [10.0, 19.0, 28.0, 37.0]
    rows = [24.0, 18.0, 12.0, 6.0]  # y grows upwards: values fall with rows
    x = _fit([(c, 3 * c + 0.7) for c in cols], ["a"] * 4, _ends(box, "x"), "columns")
    y = _fit([(r, -2 * r + 0.3) for r in rows], ["b"] * 4, _ends(box, "y"), "rows")
    extent = AxisReading(x, y, panel=box).extent
    assert extent is not None
    # ends near a round number are rounded to it (by at most 0.5 % of the
    # span); half a pixel off would be 1.7 % of these 30 and 20 px spans
    centres = np.arange(box.left, box.right, dtype=float)
    x_true = 3 * centres + 0.7
    np.testing.assert_allclose(
        extent.x_centres(box.width), x_true, atol=0.005 * 3 * box.width
    )
    centres = np.arange(box.top, box.bottom, dtype=float)
    np.testing.assert_allclose(
        extent.y_centres(box.height), -2 * centres + 0.3, atol=0.005 * 2 * box.height
    )
    assert extent.xmin == pytest.approx(3 * (box.left - 0.5) + 0.7, abs=0.3)
    assert extent.ymax == pytest.approx(-2 * (box.top - 0.5) + 0.3, abs=0.2)


def test_an_axis_growing_downwards_gives_a_reversed_extent():
    box = Box(0, 0, 100, 50)
    reading = _reading(box, [0, 50, 100], [50, 25, 0])  # y = row index
    assert reading.extent == Extent(0, 100, 50, 0)


def test_extent_for_another_box_refits_to_its_edges():
    found = Box(10, 10, 110, 60)
    reading = _reading(found, [0, 5, 10], [0, 2.5, 5])
    wider = Box(0, 10, 120, 60)  # 10 px more each side: 1 unit
    extent = reading.extent_for(wider)
    assert extent is not None
    assert extent.xmin == pytest.approx(-1.0) and extent.xmax == pytest.approx(11.0)
    assert (extent.ymin, extent.ymax) == (0.0, 5.0)


# -- complete_recipe -------------------------------------------------------


def _found(reading: AxisReading | None) -> Detection:
    box = reading.panel if reading is not None and reading.panel else Box(0, 0, 100, 50)
    found = Detection([box], [])
    if reading is not None:
        found.axes[0] = reading
    return found


def test_complete_recipe_fills_an_open_extent_from_the_axes():
    box = Box(0, 0, 100, 50)
    done = complete_recipe(Recipe(), _found(_reading(box, [0, 5, 10], [0, 2.5, 5])))
    assert done.recipe.panels[0].extent == Extent(0, 10, 0, 5)
    assert "axes of panel 0 read: x 0 to 10 (linear), y 0 to 5 (linear)" in done.notes


def test_a_given_extent_wins_over_the_axes_read():
    box = Box(0, 0, 100, 50)
    given = Recipe(panels=[Panel(box, Extent(1, 2, 3, 4))])
    done = complete_recipe(given, _found(_reading(box, [0, 5, 10], [0, 2.5, 5])))
    assert done.recipe.panels[0].extent == Extent(1, 2, 3, 4)
    assert not any(n.startswith("axes of panel") for n in done.notes)


def test_a_given_box_without_extent_takes_the_axes_at_its_edges():
    found = Box(10, 10, 110, 60)
    given = Recipe(panels=[Panel(Box(0, 10, 120, 60))])
    done = complete_recipe(given, _found(_reading(found, [0, 5, 10], [0, 2.5, 5])))
    extent = done.recipe.panels[0].extent
    assert extent is not None and extent.xmin == pytest.approx(-1.0)


def test_one_axis_read_leaves_the_extent_open_with_a_note():
    box = Box(0, 0, 100, 50)
    reading = _reading(box, [0, 5, 10], [0, 2.5, 5])
    reading.y = None
    done = complete_recipe(Recipe(), _found(reading))
    assert done.recipe.panels[0].extent is None
    assert any(
        n.startswith("axes of panel 0 not read") and "--extent" in n for n in done.notes
    )


def test_no_axes_read_changes_nothing():
    done = complete_recipe(Recipe(), _found(None))
    assert done.recipe.panels[0].extent is None
    assert not any("axes of panel" in n for n in done.notes)


# -- OCR on rendered figures -----------------------------------------------


def _true_extent(layout: Box, limits: tuple[float, ...], box: Box) -> list[float]:
    """What the axes drawn over ``layout`` show at ``box``'s edges."""
    x0, x1, y0, y1 = limits
    return [
        x0 + (box.left - layout.left) / layout.width * (x1 - x0),
        x0 + (box.right - layout.left) / layout.width * (x1 - x0),
        y0 + (layout.bottom - box.bottom) / layout.height * (y1 - y0),
        y0 + (layout.bottom - box.top) / layout.height * (y1 - y0),
    ]


def _assert_close(read: Extent, truth: list[float], log: tuple[bool, bool]) -> None:
    got = read.as_list()
    for k, axis_log in ((0, log[0]), (2, log[1])):
        a, b = got[k : k + 2], truth[k : k + 2]
        if axis_log:
            a, b = list(np.log10(a)), list(np.log10(b))
        span = abs(b[1] - b[0])
        assert abs(a[0] - b[0]) <= 0.005 * span, (got, truth)
        assert abs(a[1] - b[1]) <= 0.005 * span, (got, truth)


@needs_ocr
def test_bundled_samples_axes_read_as_their_recipes_extents():
    from napari_heatmap_digitizer.data import load_sample

    found = detect(load_sample("single").image)
    assert found.axes[0].extent == Extent(0, 10, 0, 5)
    assert found.to_dict()["axes"]["0"]["extent"] == [0, 10, 0, 5]
    done = complete_recipe(Recipe(), found)
    assert done.recipe.panels[0].extent == Extent(0, 10, 0, 5)
    multi = detect(load_sample("multi").image)
    assert len(multi.panels) == 3
    for i in range(3):
        assert multi.axes[i].extent == Extent(0, 1, 0, 1)


@needs_ocr
@pytest.mark.parametrize(
    "limits",
    [(-5.0, 5.0, -100.0, 300.0), (0.5, 0.75, 2000.0, 1000.0), (-30.0, -10.0, 0.0, 1.0)],
)
def test_rendered_axes_read_within_half_a_percent(limits):
    from napari_heatmap_digitizer.testing import render

    fig = render(extent=limits)
    box = fig.inside_spines(fig.panels[0])
    reading = read_axis_ticks(fig.image, box, [fig.colorbar])
    assert reading is not None and reading.extent is not None, reading
    _assert_close(
        reading.extent, _true_extent(fig.panels[0], limits, box), (False, False)
    )


@needs_ocr
def test_pixel_index_axes_read_as_pixels_y_downwards():
    from napari_heatmap_digitizer.testing import render

    fig = render()  # axes show pixel indices, y growing downwards
    layout = fig.panels[0]
    box = fig.inside_spines(layout)
    reading = read_axis_ticks(fig.image, box, [fig.colorbar])
    assert reading is not None and reading.extent is not None
    limits = (0.0, float(layout.width), float(layout.height), 0.0)
    _assert_close(reading.extent, _true_extent(layout, limits, box), (False, False))


def _mpl_figure(**kw):
    """A 640x480 pcolormesh with its axes box at (80, 40, 480, 420)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.8), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((80 / 640, 1 - 420 / 480, 400 / 640, 380 / 480))
    z = np.random.default_rng(0).random((30, 40))
    if "xwords" in kw:
        ax.imshow(z[:5, :6], aspect="auto")
        ax.set_xticks(range(6), kw["xwords"])
    else:
        x0, x1, y0, y1 = kw["limits"]
        xs = (np.geomspace if kw["xscale"] == "log" else np.linspace)(x0, x1, 41)
        ys = (np.geomspace if kw["yscale"] == "log" else np.linspace)(y0, y1, 31)
        ax.pcolormesh(xs, ys, z)
        ax.set_xscale(kw["xscale"])
        ax.set_yscale(kw["yscale"])
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


@needs_ocr
@pytest.mark.parametrize(
    ("limits", "xscale", "yscale"),
    [
        ((1.0, 1000.0, 0.0, 5.0), "log", "linear"),
        ((-3.0, 3.0, 0.01, 100.0), "linear", "log"),
    ],
)
def test_log_axes_read_as_log_within_half_a_percent(limits, xscale, yscale):
    image = _mpl_figure(limits=limits, xscale=xscale, yscale=yscale)
    found = detect(image, colormaps=False)
    box = found.panels[0]
    extent = found.axes[0].extent
    assert extent is not None
    assert (extent.xscale, extent.yscale) == (xscale, yscale)
    layout = Box(80, 40, 480, 420)
    logs = (xscale == "log", yscale == "log")
    # the truth in each axis' own spacing
    lin = [np.log10(v) if logs[k // 2] else v for k, v in enumerate(limits)]
    truth = _true_extent(layout, tuple(lin), box)
    truth = [10**v if logs[k // 2] else v for k, v in enumerate(truth)]
    _assert_close(extent, truth, logs)


@needs_ocr
def test_words_on_an_axis_are_refused():
    image = _mpl_figure(xwords=["apple", "banana", "cherry", "date", "fig", "grape"])
    found = detect(image, colormaps=False)
    reading = found.axes[0]
    assert reading.extent is None
    assert reading.x is not None and "no numbers" in (reading.x.problem or "")
    done = complete_recipe(Recipe(), found)
    assert done.recipe.panels[0].extent is None
    assert any(n.startswith("axes of panel 0 not read") for n in done.notes)
