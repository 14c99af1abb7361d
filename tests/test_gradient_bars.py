"""Lossless figures whose bar is a gradient computed pixel by pixel.

ggplot2, plotly, Vega-Lite and gnuplot colour each bar pixel and each cell
from the continuous colour map, rounding each to 8 bits on its own: a cell's
colour is seldom one of the bar's. Their bars have no outline, so the bar's
anti-aliased end rows blend into the background. The figures here are drawn
pixel by pixel from known values to test both.
"""

from __future__ import annotations

import numpy as np
import pytest

from napari_heatmap_digitizer import Colorbar, digitize
from napari_heatmap_digitizer.core._bar_colours import hidden_ends
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cell_estimate import estimate


def _gentle(x: np.ndarray) -> np.ndarray:
    """A dark-to-light blue ramp changing about one unit per bar pixel."""
    lo, hi = np.array([19.0, 43.0, 67.0]), np.array([86.0, 177.0, 247.0])
    return lo + np.asarray(x)[..., None] * (hi - lo)


def _kinked(x: np.ndarray) -> np.ndarray:
    """Channels ``sqrt(x)``, ``x**3`` and ``sin(2 pi x)`` cut at 0 (a kink)."""
    x = np.asarray(x)
    rgb = np.stack([np.sqrt(x), x**3, np.clip(np.sin(2 * np.pi * x), 0, None)], -1)
    return 255.0 * rgb


BACKGROUND = np.array([255.0, 255.0, 255.0])


def _figure(
    cmap,
    bar_ends: tuple[float, float],
    rows: int = 14,
    cell: int = 12,
    seed: int = 0,
    side_blend: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, Box, Box]:
    """A matrix of cells and a vertical bar from ``bar_ends[0]`` (top, pixel
    edge) to ``bar_ends[1]`` (bottom), anti-aliased into a white background.

    Returns the image, the cell values (0-1), the panel and the bar's box
    (the whole pixel rows the bar touches).
    """
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, (rows, rows))
    height = max(rows * cell + 40, int(bar_ends[1]) + 20)
    image = np.full((height, rows * cell + 80, 3), 255.0)
    panel = Box(10, 10, 10 + rows * cell, 10 + rows * cell)
    cells = np.rint(cmap(values))
    image[10 : 10 + rows * cell, 10 : 10 + rows * cell] = np.repeat(
        np.repeat(cells, cell, 0), cell, 1
    )
    top, bottom = bar_ends
    left, right = rows * cell + 40, rows * cell + 60
    for y in range(int(np.floor(top)), int(np.ceil(bottom))):
        cover = min(y + 1, bottom) - max(y, top)
        centre = (max(y, top) + min(y + 1, bottom)) / 2
        colour = cmap(np.clip((bottom - centre) / (bottom - top), 0, 1))
        image[y, left:right] = np.rint(cover * colour + (1 - cover) * BACKGROUND)
    if side_blend:  # the bar's sides anti-aliased too, one column each
        for x in (left - 1, right):
            image[:, x] = np.rint(
                side_blend * image[:, left] + (1 - side_blend) * BACKGROUND
            )
        left, right = left - 1, right + 1
    box = Box(left, int(np.floor(top)), right, int(np.ceil(bottom)))
    return image.astype(np.uint8), values, panel, box


@pytest.mark.parametrize("loose", [False, True])
@pytest.mark.parametrize("ends", [(30.4, 151.6), (30.0, 150.5), (29.7, 180.2)])
def test_anti_aliased_bar_ends_are_read_to_a_fraction_of_a_pixel(ends, loose):
    image, _, _, box = _figure(_gentle, ends)
    if loose:  # a box drawn by hand, with background inside it
        box = Box(box.left - 6, box.top - 5, box.right + 6, box.bottom + 5)
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    bottom, top = bar.source["edges"]
    assert bar.source["lossless"]
    assert top == pytest.approx(ends[0], abs=0.1)
    assert bottom == pytest.approx(ends[1], abs=0.1)


@pytest.mark.parametrize("share", [0.1, 0.2])
def test_anti_aliased_sides_in_a_tight_box_are_no_outline(share):
    # a column that is 10-20 % bar follows the bar's colours faintly: taken
    # for an outline, it put an end at a pale blend row (here the top row,
    # 10 % bar)
    ends = (30.9, 151.1)
    image, _, _, box = _figure(_gentle, ends, side_blend=share)
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    bottom, top = bar.source["edges"]
    assert top == pytest.approx(ends[0], abs=0.1)
    assert bottom == pytest.approx(ends[1], abs=0.1)


def test_levels_hidden_under_an_outline_are_added_at_the_ends():
    # ten levels a tenth of the bar apart; an outline hides the first one
    step = 0.1
    p = np.arange(1, 10) * step + step / 2
    rgb = np.stack([np.arange(1, 10) * 20, np.full(9, 100), np.full(9, 50)], 1)
    out_rgb, out_p = hidden_ends(rgb.astype(np.uint8), p)
    assert out_p == pytest.approx(np.arange(10) * step + step / 2)
    assert out_rgb[0].tolist() == [0, 100, 50]
    assert np.array_equal(out_rgb[1:], rgb)
    # nothing hidden: the bar is left as it is
    whole_p = np.arange(10) * step + step / 2
    same_rgb, same_p = hidden_ends(out_rgb, whole_p)
    assert np.array_equal(same_p, whole_p)
    assert np.array_equal(same_rgb, out_rgb)


@pytest.mark.parametrize("cmap", [_gentle, _kinked])
@pytest.mark.parametrize("seed", [0, 1])
def test_cells_of_a_gradient_bar_within_half_a_percent(cmap, seed):
    image, values, panel, box = _figure(cmap, (30.4, 151.6), seed=seed)
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    result = digitize(image, bar, panel)
    edges = np.arange(0, panel.width + 1, 12)
    est = estimate(result, edges, edges, image=image)
    err = np.abs(est.values - values) * 100
    # the nearest bar colour alone: off by a pixel or two of the bar
    nearest = np.abs(estimate(result, edges, edges).values - values) * 100
    assert np.isfinite(err).all()
    assert err.max() <= 0.5
    assert np.mean(err) < np.mean(nearest)
    if cmap is _gentle:  # a bar pixel changes the colour by about one unit
        assert nearest.max() > 0.7
        assert np.mean(err) < 0.6 * np.mean(nearest)
    assert np.median(err) <= 0.2
    # the stated uncertainty covers the error on most cells
    assert np.mean(err / 100 <= est.uncertainty) >= 0.9
