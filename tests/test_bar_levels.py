"""Bars of equal levels: a renderer's colour table drawn over the bar's length.

Octave, pheatmap, matplotlib and seaborn draw N levels of equal width along
the bar; each pixel row shows the level at its centre, so a level repeats
over a run of rows whose length varies by one pixel. The boundaries between
runs give the level width, each level's centre and the bar's true ends to a
fraction of a pixel, even where an outline covers part of an end level or
the whole of one. The figures here are drawn pixel by pixel from known
levels.
"""

from __future__ import annotations

import numpy as np
import pytest

from napari_heatmap_digitizer import Colorbar, digitize
from napari_heatmap_digitizer.core._bar_colours import own_entries
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cell_estimate import estimate, quantisation

OUTLINE = np.array([84.0, 84.0, 84.0])


def _table(n: int, merged: tuple[int, ...] = ()) -> np.ndarray:
    """``n`` distinct 8-bit colours from dark blue to yellow; each level in
    ``merged`` takes the colour of the level after it."""
    x = (np.arange(n) + 0.5) / n
    rgb = np.rint(np.stack([40 + 210 * x, 20 + 200 * np.sqrt(x), 160 - 130 * x**2], -1))
    for k in sorted(merged, reverse=True):
        rgb[k] = rgb[k + 1]
    return rgb


def _figure(
    table: np.ndarray,
    ends: tuple[float, float],
    outline: bool = True,
    shift: float = 0.0,
    rows: int = 12,
    cell: int = 14,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, Box, Box]:
    """A matrix of cells and a vertical bar of ``table``'s levels from
    ``ends[0]`` (top, pixel edge) to ``ends[1]`` (bottom), low values at the
    bottom. With ``outline``, a grey line one pixel wide is drawn over each
    end, centred on it or moved ``shift`` pixels down (as a renderer snaps
    it to the pixel grid), and blends into the rows it partly covers.

    Returns the image, the cell values (0-1), the panel and the bar's box
    (the rows between the outline's two lines).
    """
    n = len(table)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, (rows, rows))
    top, bottom = ends
    image = np.full((int(bottom) + 30, rows * cell + 80, 3), 255.0)
    panel = Box(10, 10, 10 + rows * cell, 10 + rows * cell)
    levels = np.minimum((values * n).astype(int), n - 1)
    image[10 : 10 + rows * cell, 10 : 10 + rows * cell] = np.repeat(
        np.repeat(table[levels], cell, 0), cell, 1
    )
    left, right = rows * cell + 40, rows * cell + 60
    lines = (
        (top - 0.5 + shift, top + 0.5 + shift),
        (
            bottom - 0.5 + shift,
            bottom + 0.5 + shift,
        ),
    )
    for y in range(int(np.floor(top)) - 1, int(np.ceil(bottom)) + 1):
        centre = y + 0.5
        if not top <= centre < bottom:
            colour = np.full(3, 255.0)
        else:
            colour = table[min(int((bottom - centre) / (bottom - top) * n), n - 1)]
        if outline:
            line = sum(max(0.0, min(y + 1, b) - max(y, a)) for a, b in lines)
            colour = line * OUTLINE + (1 - line) * colour
        image[y, left:right] = np.rint(colour)
    box = Box(left, int(np.ceil(top + 0.5)), right, int(np.floor(bottom - 0.5)))
    return image.astype(np.uint8), values, panel, box


@pytest.mark.parametrize(
    "n, ends",
    [(64, (32.64, 388.25)), (100, (7.3, 215.67)), (256, (84.0, 623.02))],
)
def test_equal_levels_give_each_level_its_centre_and_the_bar_its_ends(n, ends):
    image, _, _, box = _figure(_table(n), ends)
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    assert bar.source["levels"] == n
    bottom, top = bar.source["edges"]
    assert top == pytest.approx(ends[0], abs=0.3)
    assert bottom == pytest.approx(ends[1], abs=0.3)
    # every colour seen stands for its level's centre, or the middle of two
    # levels sharing it (at 256 levels some neighbours round alike); the end
    # levels the outline covers are not seen
    _, p = own_entries(bar)
    assert len(p) >= len(np.unique(_table(n), axis=0)) - 2
    halves = 2 * p * n - 1
    assert np.abs(halves - np.rint(halves)).max() < 0.2


def test_a_level_hidden_under_the_outline_is_counted():
    # 256 levels of 1.8 px; the outline, snapped half a pixel down, covers
    # the first level but for a blend in the box's first row
    n, ends = 256, (75.0, 540.0)
    image, _, _, box = _figure(_table(n), ends, shift=0.56)
    box = Box(box.left, 76, box.right, 540)
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    assert bar.source["levels"] == n
    assert bar.source["edges"][1] == pytest.approx(ends[0], abs=0.3)
    assert bar.source["edges"][0] == pytest.approx(ends[1], abs=0.3)
    _, p = own_entries(bar)
    halves = 2 * p * n - 1
    assert np.abs(halves - np.rint(halves)).max() < 0.2


def test_neighbouring_levels_of_one_colour_share_a_run():
    n = 100
    image, _, _, box = _figure(_table(n, merged=(10, 40, 41)), (7.3, 215.67))
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    assert bar.source["levels"] == n
    _, p = own_entries(bar)
    # levels 10-11 share one colour: it stands for the middle of the two,
    # and half of its step is a whole level
    q = quantisation(bar)
    shared = int(np.argmin(np.abs(p - 11 / n)))
    assert p[shared] == pytest.approx(11 / n, abs=0.1 / n)
    assert q.half_step[shared] == pytest.approx(1 / n)
    three = int(np.argmin(np.abs(p - 41.5 / n)))
    assert p[three] == pytest.approx(41.5 / n, abs=0.1 / n)
    assert q.half_step[three] == pytest.approx(1.5 / n)
    assert q.half_step[shared + 1] == pytest.approx(0.5 / n)


def test_tick_marks_drawn_across_the_bar_leave_its_levels():
    # Octave draws its ticks into the bar: a mark hides where a level ends
    n, ends = 64, (32.64, 388.25)
    image, _, _, box = _figure(_table(n), ends)
    for y in (100, 171, 243, 314):
        image[y, box.left : box.right] = 40
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    assert bar.source["levels"] == n
    _, p = own_entries(bar)
    k = p * n - 0.5
    assert np.abs(k - np.rint(k)).max() < 0.1


def test_a_bar_whose_runs_are_not_equal_has_no_levels():
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 9, 60)
    table = _table(len(lengths))
    column = np.repeat(table[::-1], lengths, axis=0)
    image = np.full((len(column) + 20, 40, 3), 255, np.uint8)
    image[10 : 10 + len(column), 10:30] = column[:, None, :]
    bar = Colorbar.from_image(image, Box(10, 10, 30, 10 + len(column)), vmin=0, vmax=1)
    assert "levels" not in bar.source


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n, ends", [(64, (32.64, 388.25)), (100, (7.3, 215.67))])
def test_cells_of_equal_levels_are_read_within_half_a_level(n, ends, seed):
    image, values, panel, box = _figure(_table(n), ends, seed=seed)
    bar = Colorbar.from_image(image, box, vmin=0, vmax=1)
    result = digitize(image, bar, panel)
    edges = np.arange(13) * 14.0
    cells = estimate(result, edges, edges, image=image)
    error = np.abs(cells.values - values)
    assert error.max() <= 0.5 / n + 0.05 / n
    # the uncertainty covers every cell's error
    assert np.all(error <= cells.uncertainty)
