"""find_grid: cell grids from colour steps, lines, tick labels and printed numbers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from napari_heatmap_digitizer import Colorbar, DigitizerError, digitize
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._grid import detect_grid
from napari_heatmap_digitizer.core._grid_evidence import find_grid

PALE = np.array([247.0, 251.0, 255.0])
DARK = np.array([8.0, 48.0, 107.0])
PANEL = Box(60, 20, 360, 320)  # 300 x 300 px
BAR = Box(390, 20, 405, 320)


def _colour(f: float) -> np.ndarray:
    return PALE + f * (DARK - PALE)


def _figure(
    values: np.ndarray,
    *,
    separator: tuple[int, int, int] | None = None,
    labels: tuple[int, int] | None = None,
    numbers: bool = False,
) -> np.ndarray:
    """A matrix of ``values`` (0-1) on white, a Blues-like bar beside it.

    ``labels``: how many tick labels (0, 1, ...) to set at equal spacing
    under and left of the panel (columns, rows).
    """
    rows, cols = values.shape
    img = np.full((360, 440, 3), 255, dtype=np.uint8)
    xe = np.linspace(PANEL.left, PANEL.right, cols + 1).round().astype(int)
    ye = np.linspace(PANEL.top, PANEL.bottom, rows + 1).round().astype(int)
    for r in range(rows):
        for c in range(cols):
            img[ye[r] : ye[r + 1], xe[c] : xe[c + 1]] = _colour(values[r, c])
    if separator is not None:
        for x in xe[1:-1]:
            img[PANEL.top : PANEL.bottom, x - 1 : x + 1] = separator
        for y in ye[1:-1]:
            img[y - 1 : y + 1, PANEL.left : PANEL.right] = separator
    for y in range(BAR.top, BAR.bottom):
        f = (BAR.bottom - 1 - y) / (BAR.height - 1)
        img[y, BAR.left : BAR.right] = _colour(f)
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    if labels is not None:
        ncol, nrow = labels
        for i in range(ncol):
            x = PANEL.left + (i + 0.5) * PANEL.width / ncol
            draw.text((x, PANEL.bottom + 6), str(i), fill=(0, 0, 0), anchor="mt")
        for i in range(nrow):
            y = PANEL.top + (i + 0.5) * PANEL.height / nrow
            draw.text((PANEL.left - 6, y), str(i), fill=(0, 0, 0), anchor="rm")
    if numbers:
        for r in range(rows):
            for c in range(cols):
                x, y = (xe[c] + xe[c + 1]) / 2, (ye[r] + ye[r + 1]) / 2
                ink = (255, 255, 255) if values[r, c] > 0.5 else (0, 0, 0)
                draw.text((x, y), f"{values[r, c]:.2f}", fill=ink, anchor="mm")
    return np.asarray(pil)


def _result(image: np.ndarray):
    bar = Colorbar.from_image(image, BAR, vmin=0.0, vmax=1.0)
    return digitize(image, bar, PANEL)


def _regular(grid, cols: int, rows: int) -> bool:
    return (
        grid.shape == (rows, cols)
        and np.abs(grid.col_edges - np.linspace(0, 300, cols + 1)).max() <= 1
        and np.abs(grid.row_edges - np.linspace(0, 300, rows + 1)).max() <= 1
    )


def test_confusion_matrix_from_its_tick_labels():
    # only three dark cells: colour steps alone see three of nine edges
    values = np.zeros((10, 10))
    values[[0, 1, 2], [0, 1, 2]] = 0.9
    image = _figure(values, labels=(10, 10))
    result = _result(image)
    grid = find_grid(image, result)
    assert _regular(grid, 10, 10)
    assert grid.warnings == []
    # the colours alone hold no 10x10 grid
    try:
        steps_only = detect_grid(result).shape
    except DigitizerError:
        steps_only = None
    assert steps_only != (10, 10)


def test_separator_lines():
    # one cell differs: the grey separators, not the colours, show the grid
    values = np.full((6, 6), 0.5)
    values[0, 0] = 0.9
    image = _figure(values, separator=(60, 60, 60))
    grid = find_grid(image, _result(image))
    assert _regular(grid, 6, 6)
    assert grid.warnings == []


def test_printed_numbers_give_the_columns():
    # every row one colour: no colour step between columns at all
    values = np.repeat(np.array([[0.1], [0.4], [0.6], [0.9], [0.25]]), 4, axis=1)
    image = _figure(values, numbers=True)
    grid = find_grid(image, _result(image))
    assert _regular(grid, 4, 5)


def test_labels_disagreeing_with_the_colours_are_doubtful():
    rng = np.random.default_rng(5)
    values = rng.uniform(0.05, 1.0, (5, 5))
    image = _figure(values, labels=(10, 5))  # ten column labels, five columns
    try:
        grid = find_grid(image, _result(image))
    except DigitizerError as exc:
        assert "--cells" in str(exc)
    else:
        assert grid.warnings, grid.shape


def test_one_colour_and_no_marks_is_an_error():
    image = _figure(np.full((4, 4), 0.5))
    with pytest.raises(DigitizerError, match="--cells"):
        find_grid(image, _result(image))


def test_needs_an_rgb_figure():
    image = _figure(np.eye(3))
    with pytest.raises(DigitizerError, match="RGB"):
        find_grid(image[..., 0], _result(image))
