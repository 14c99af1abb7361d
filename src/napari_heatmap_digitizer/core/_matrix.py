"""A matrix heat map's cells: the grid, each cell's value, and where it came from.

:func:`matrix_cells` is what the pipeline runs for values per cell: the grid
(given, or found from the colours and, with the figure at hand, from the
evidence around and inside the panel), one value per cell from its colour
(:mod:`._cell_estimate`) and, when the cells print their numbers and the OCR
engine is installed, the printed numbers checked against the colours
(:mod:`._printed`).
"""

from __future__ import annotations

import numpy as np

from napari_heatmap_digitizer.core._cells import (
    Cells,
    cell_values,
    mixed_cells,
    panel_cells,
)
from napari_heatmap_digitizer.core._errors import DigitizerError, shown
from napari_heatmap_digitizer.core._grid import Grid
from napari_heatmap_digitizer.core._grid_evidence import find_grid
from napari_heatmap_digitizer.core._labels import matrix_labels
from napari_heatmap_digitizer.core._printed import read_printed, reconcile
from napari_heatmap_digitizer.core._result import Result
from napari_heatmap_digitizer.core._ticks import ocr_available

__all__ = ["NUMBERS", "check_numbers", "matrix_cells"]

#: What ``numbers`` may be: read the printed numbers when the OCR engine is
#: installed (``"auto"``), or never (``"off"``).
NUMBERS = ("auto", "off")
#: A panel whose printed numbers disagree with their colours in more than this
#: share of the cells read is doubtful: its range or colour map is likely wrong.
DISAGREE = 0.25
#: Numbers are read as printed in the cells only when text is found in at least
#: this share of the cells with data (else it is labels or marks).
SOME = 0.5


def check_numbers(numbers: object, where: str = "numbers") -> str:
    """``numbers`` as one of :data:`NUMBERS`, or a one-line error.

    Parameters
    ----------
    numbers : object
    where : str
        What the value is called in the message.

    Returns
    -------
    str

    Raises
    ------
    DigitizerError
        If it is none of :data:`NUMBERS`.
    """
    if isinstance(numbers, str) and numbers.strip().lower() in NUMBERS:
        return numbers.strip().lower()
    raise DigitizerError(
        f"{where} {shown(numbers)} must be 'auto' (read the numbers printed in "
        "the cells when Tesseract is installed) or 'off'"
    )


def matrix_cells(
    result: Result,
    rgb: np.ndarray | None,
    cells: str | tuple[int, int] | None = "auto",
    grid: Grid | None = None,
    *,
    numbers: str = "auto",
    figure: np.ndarray | None = None,
) -> Cells:
    """The cells of a panel, with their printed numbers where the cells show them.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel (in memory).
    rgb : numpy.ndarray or None
        ``(h, w, 3)`` ``uint8`` pixels of the panel (``result.box`` of the
        figure): JPEG cells are placed by their mean colour and the printed
        numbers read from them; without them no numbers are read.
    cells : str or (int, int), optional
        ``"auto"``, ``"COLSxROWS"`` or ``(cols, rows)``; see
        :func:`~napari_heatmap_digitizer.core._cells.panel_cells`.
    grid : Grid, optional
        Explicit cell edges.
    numbers : {"auto", "off"}
        Read the numbers printed in the cells and, with ``figure``, the names
        of the rows and columns printed beside them (when Tesseract is
        installed).
    figure : numpy.ndarray, optional
        The whole figure, ``(H, W, 3)`` ``uint8``: with ``cells="auto"`` the
        grid is then found from the tick marks, tick labels, separator lines
        and printed numbers too (:func:`~._grid_evidence.find_grid`), not
        only from the colours.

    Returns
    -------
    Cells
        With ``colour``, ``printed``, ``source`` and ``disagrees`` set when
        numbers were read; ``values`` are then the printed numbers where they
        agree with the colours.

    Raises
    ------
    DigitizerError
        As :func:`~napari_heatmap_digitizer.core._cells.panel_cells`, or when
        the OCR engine fails.
    """
    numbers = check_numbers(numbers)
    if grid is None and figure is not None and cells == "auto":
        out = cell_values(result, find_grid(figure, result), image=rgb)
        out.grid.warnings += mixed_cells(out)
    else:
        out = panel_cells(result, cells, grid, image=rgb)
    out.colour = out.values
    if numbers == "off" or rgb is None or not ocr_available():
        return out
    if figure is not None:
        rows, cols = matrix_labels(
            figure, result.box, out.grid.col_edges, out.grid.row_edges
        )
        out.row_labels, out.col_labels = rows, cols
    printed = read_printed(rgb, out.grid.col_edges, out.grid.row_edges)
    drawn = int((out.matched >= 0.5).sum())
    if printed.found.sum() < SOME * max(drawn, 1):
        return out  # text in a few cells only: labels or marks, no numbers
    scale = result.colorbar.scale
    both = reconcile(printed, out.values, out.uncertainty, scale.to_position)
    u = out.uncertainty if out.uncertainty is not None else np.full(out.shape, np.nan)
    from_print = np.isin(both.source, ("both", "printed"))
    out.uncertainty = np.where(from_print, printed.precision, u)
    out.values = both.values
    out.printed = printed
    out.source = both.source
    out.disagrees = both.disagrees
    out.grid.warnings += _disagreement(both.disagrees, both.source, out.colour)
    return out


def _disagreement(
    disagrees: np.ndarray, source: np.ndarray, colour: np.ndarray
) -> list[str]:
    """A warning when many printed numbers disagree with their colours."""
    checked = int((source == "both").sum() + disagrees.sum())
    n = int(disagrees.sum())
    if not checked or n <= DISAGREE * checked:
        return []
    said = f"the numbers printed in {n} of {checked} cells disagree with their colours"
    shown = colour[disagrees]
    if n >= 3 and np.ptp(shown) <= 1e-6 * max(1.0, float(np.abs(shown).max())):
        return [
            f"{said}, all of which show one colour (value {float(shown[0]):.4g}): "
            "cells blanked by the figure? Their colour values are kept"
        ]
    return [f"{said}: check the range and the colour map"]
