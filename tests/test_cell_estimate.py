"""Per-cell values at the limit of the image: quantisation, JPEG, uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from napari_heatmap_digitizer.core import Colorbar, digitize
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cell_estimate import (
    cell_stats,
    estimate,
    positions,
    quantisation,
)

BAR = Box(300, 20, 320, 420)  # 400 px tall
PANEL = Box(20, 20, 260, 260)  # 240 px: 12 x 12 cells of 20 px


def _lut(n: int, name: str = "viridis") -> np.ndarray:
    return Colorbar.from_name(name, 0, 1, n=n).rgb


def _figure(n: int, rng: np.random.Generator, name: str = "viridis"):
    """A bar of ``n`` colours (low end at the bottom) and cells of those colours.

    Returns the image, each cell's true value (0-1) and the cell edges.
    """
    lut = _lut(n, name)
    n = len(lut)  # a map repeating an 8-bit colour has fewer
    img = np.full((440, 340, 3), 255, np.uint8)
    length = BAR.height
    along = (np.arange(length) + 0.5) / length  # bottom to top
    idx = np.minimum((along * n).astype(int), n - 1)
    img[BAR.top : BAR.bottom, BAR.left : BAR.right] = lut[idx[::-1]][:, None]
    truth = rng.uniform(0, 1, (12, 12))
    level = np.minimum((truth * n).astype(int), n - 1)
    cells = np.repeat(np.repeat(lut[level], 20, axis=0), 20, axis=1)
    img[PANEL.top : PANEL.bottom, PANEL.left : PANEL.right] = cells
    edges = np.arange(13) * 20.0
    return img, truth, edges


@pytest.mark.parametrize("n", [16, 32, 64, 256])
def test_levels_of_a_bar_of_n_colours(n):
    img, _, _ = _figure(n, np.random.default_rng(n))
    bar = Colorbar.from_image(img, BAR, vmin=0, vmax=1)
    q = quantisation(bar)
    n = len(_lut(n))
    assert q.levels == n
    # half a level: 0.5 / n of the bar, to a pixel of the bar's length
    assert np.allclose(np.median(q.half_step), 0.5 / n, atol=0.5 / BAR.height)


def test_a_smooth_bar_has_unknown_levels():
    img = np.full((440, 340, 3), 255, np.uint8)
    lut = _lut(1024)
    along = np.linspace(0, len(lut) - 1, BAR.height).round().astype(int)[::-1]
    img[BAR.top : BAR.bottom, BAR.left : BAR.right] = lut[along][:, None]
    q = quantisation(Colorbar.from_image(img, BAR, vmin=0, vmax=1))
    assert q.levels is None
    named = quantisation(Colorbar.from_name("viridis", 0, 1, n=256))
    # viridis repeats a few 8-bit colours: those entries merge
    assert named.levels is not None and 250 <= named.levels <= 256
    assert np.allclose(np.median(named.half_step), 0.5 / 256)


@pytest.mark.parametrize("n", [16, 64])
@pytest.mark.parametrize("vmax", [1.0, 50.0])
def test_cells_of_n_levels_within_half_a_step(n, vmax):
    rng = np.random.default_rng(n)
    img, truth, edges = _figure(n, rng)
    bar = Colorbar.from_image(img, BAR, vmin=0, vmax=vmax)
    r = digitize(img, bar, PANEL)
    e = estimate(r, edges, edges, image=img)
    err = np.abs(e.values / vmax - truth)
    half = 0.5 / n
    # the level's centre, to a pixel of the bar
    assert err.max() <= half + 1.0 / BAR.height
    # each cell's stated uncertainty is about half a step and covers its error
    assert np.all(err * vmax <= e.uncertainty)
    assert np.median(e.uncertainty / vmax) < 2 * half + 0.01


def _jpeg_case(rows, cols, cell, grid, cmap, seed, jpeg=True):
    pytest.importorskip("matplotlib")
    from napari_heatmap_digitizer.testing import render_matrix

    m = render_matrix(
        rows,
        cols,
        grid=grid,
        cmap=cmap,
        size=(cols * cell[0], rows * cell[1]),
        seed=seed,
    )
    if jpeg:
        m = m.as_jpeg(75)
    bar = Colorbar.from_image(m.image, m.colorbar, vmin=m.vmin, vmax=m.vmax)
    r = digitize(m.image, bar, m.panel)
    return m, r


@pytest.mark.parametrize(
    ("rows", "cols", "cell", "grid", "cmap"),
    [
        (30, 40, (12, 14), "black", "magma"),
        (20, 20, (16, 16), None, "viridis"),
        (15, 15, (20, 20), "white", "RdBu_r"),
        # pale cells beside black lines: their chroma is pulled towards grey
        (30, 30, (12, 12), "black", "Blues"),
    ],
)
def test_jpeg_cells(rows, cols, cell, grid, cmap):
    m, r = _jpeg_case(rows, cols, cell, grid, cmap, seed=1)
    e = estimate(r, m.col_edges, m.row_edges, image=m.image)
    err = np.abs(e.values - m.values) * 100  # % of the range (0-1)
    old = r.colorbar.scale.to_value(
        cell_stats(positions(r), m.col_edges, m.row_edges)[0]
    )
    old_err = np.abs(old - m.values) * 100
    assert np.isfinite(err).all()
    assert np.median(err) <= 0.35
    assert np.percentile(err, 95) <= 1.0
    assert err.max() <= (2.0 if cell[0] < 16 else 1.2)
    assert err.max() < old_err.max()
    assert np.mean(err) < 0.75 * np.mean(old_err)
    # the stated uncertainty covers the error on most cells
    assert np.mean(err / 100 <= e.uncertainty) >= 0.98


def test_png_cells_and_whole_figure_or_panel_pixels():
    m, r = _jpeg_case(15, 15, (20, 20), "white", "RdBu_r", seed=2, jpeg=False)
    e = estimate(r, m.col_edges, m.row_edges, image=m.image)
    crop = m.image[m.panel.top : m.panel.bottom, m.panel.left : m.panel.right]
    same = estimate(r, m.col_edges, m.row_edges, image=crop)
    assert np.array_equal(e.values, same.values, equal_nan=True)
    err = np.abs(e.values - m.values) * 100
    assert np.percentile(err, 95) <= 0.5
    # matplotlib truncates the cells' colours and rounds the bar's
    assert err.max() <= 0.55
    assert np.mean(err / 100 <= e.uncertainty) >= 0.9


def test_without_pixels_jpeg_is_still_better_than_the_shorth():
    m, r = _jpeg_case(30, 40, (12, 14), "black", "magma", seed=3)
    e = estimate(r, m.col_edges, m.row_edges)
    old = r.colorbar.scale.to_value(
        cell_stats(positions(r), m.col_edges, m.row_edges)[0]
    )
    assert np.median(np.abs(e.values - m.values)) < 0.8 * np.median(
        np.abs(old - m.values)
    )
    assert np.isfinite(e.uncertainty).all()


def test_cells_truncated_where_the_bar_is_rounded():
    """Cells a unit below the bar's colours take the levels they truncate."""
    rng = np.random.default_rng(7)
    # a bar of 256 rounded colours; cells truncated from the same map's
    # unrounded colours (between the bar's neighbours)
    pytest.importorskip("matplotlib")
    from matplotlib import colormaps

    floats = colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255
    img = np.full((440, 340, 3), 255, np.uint8)
    along = ((np.arange(BAR.height) + 0.5) / BAR.height * 256).astype(int)
    img[BAR.top : BAR.bottom, BAR.left : BAR.right] = np.rint(floats)[along[::-1]][
        :, None
    ]
    level = rng.integers(0, 256, (12, 12))
    cells = np.floor(floats[level]).astype(np.uint8)
    img[PANEL.top : PANEL.bottom, PANEL.left : PANEL.right] = np.repeat(
        np.repeat(cells, 20, axis=0), 20, axis=1
    )
    truth = (level + 0.5) / 256
    edges = np.arange(13) * 20.0
    bar = Colorbar.from_image(img, BAR, vmin=0, vmax=1)
    r = digitize(img, bar, PANEL)
    e = estimate(r, edges, edges, image=img)
    nearest = estimate(r, edges, edges)  # without the pixels: nearest colour
    err = np.abs(e.values - truth)
    # within a level and a pixel of the bar, better than the nearest colour
    assert err.max() <= 1 / 256 + 1 / BAR.height
    assert err.mean() < 0.7 * np.abs(nearest.values - truth).mean()


def test_a_lossy_bar_is_smoothed_along_its_length():
    from napari_heatmap_digitizer.core._bar_colours import smooth_along as _smoothed

    p = np.linspace(0, 1, 300)
    line = np.stack([20 + 200 * p, 100 - 50 * p, 30 + 0 * p], axis=1)
    # straight lines are kept, to the ends
    assert np.allclose(_smoothed(p, line), line)
    noisy = line + np.random.default_rng(0).normal(0, 2, line.shape)
    assert np.abs(_smoothed(p, noisy) - line).std() < 0.5 * np.abs(noisy - line).std()


def _truncated_figure(name: str, levels: np.ndarray):
    """A matplotlib-like figure: the bar rounds a 256-level table, the cells
    truncate it (``imshow``); cell ``k`` shows level ``levels[k]``."""
    pytest.importorskip("matplotlib")
    from matplotlib import colormaps

    floats = colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255
    img = np.full((440, 340, 3), 255, np.uint8)
    along = ((np.arange(BAR.height) + 0.5) / BAR.height * 256).astype(int)
    img[BAR.top : BAR.bottom, BAR.left : BAR.right] = np.rint(floats)[along[::-1]][
        :, None
    ]
    cells = np.floor(floats[levels]).astype(np.uint8)
    img[PANEL.top : PANEL.bottom, PANEL.left : PANEL.right] = np.repeat(
        np.repeat(cells, 20, axis=0), 20, axis=1
    )
    return img, (levels + 0.5) / 256, np.arange(13) * 20.0


def test_pale_truncated_cells_placed_on_the_tables_unrounded_levels():
    """A bar that is a catalogue map's 256 levels gives their exact colours.

    In pale ``Blues`` a channel changes less than a unit a level, so a
    truncated colour is a unit off several rounded bar colours each way and
    the bar alone cannot tell which; the map's unrounded table can.
    """
    import dataclasses

    levels = np.random.default_rng(11).integers(0, 40, (12, 12))
    img, truth, edges = _truncated_figure("Blues", levels)
    bar = Colorbar.from_image(img, BAR, vmin=0, vmax=1)
    assert bar.source["table"] == {"colormap": "Blues", "levels": 256}
    e = estimate(digitize(img, bar, PANEL), edges, edges, image=img)
    err = np.abs(e.values - truth)
    # the levels a truncated colour can come from: at most two, so within
    # half a level (and a pixel of the bar)
    assert err.max() <= 0.5 / 256 + 1 / BAR.height
    own = {k: v for k, v in bar.source.items() if k != "table"}
    plain = dataclasses.replace(bar, source=own)
    old = estimate(digitize(img, plain, PANEL), edges, edges, image=img)
    assert np.abs(old.values - truth).max() > 2 * err.max()


@pytest.mark.parametrize("cmap", ["viridis", "magma"])
def test_jpeg_cells_aligned_with_its_blocks(cmap):
    """Cells of three whole 8-px blocks decode flat; they are still JPEG cells."""
    m, r = _jpeg_case(15, 15, (24, 24), None, cmap, seed=0)
    # the panel starts on the blocks' grid: each cell is 3x3 blocks
    assert m.panel.left % 8 == 0 and m.panel.top % 8 == 0
    assert r.colorbar.source["lossless"] is False
    e = estimate(r, m.col_edges, m.row_edges, image=m.image)
    err = np.abs(e.values - m.values)
    # read through the bar's exact colours, these cells were off by up to 1.7 %
    # with no uncertainty to show it (a fifth of them beyond theirs)
    assert err.max() <= 0.013
    assert np.mean(err <= e.uncertainty) >= 0.99
