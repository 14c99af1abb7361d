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

from napari_heatmap_digitizer.core._cells import Cells, panel_cells
from napari_heatmap_digitizer.core._errors import DigitizerError, shown
from napari_heatmap_digitizer.core._grid import Grid
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
) -> Cells:
    """The cells of a panel, with their printed numbers where the cells show them.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel (in memory).
    rgb : numpy.ndarray or None
        ``(h, w, 3)`` ``uint8`` pixels of the panel (``result.box`` of the
        figure); without them no numbers are read.
    cells : str or (int, int), optional
        ``"auto"``, ``"COLSxROWS"`` or ``(cols, rows)``; see
        :func:`~napari_heatmap_digitizer.core._cells.panel_cells`.
    grid : Grid, optional
        Explicit cell edges.
    numbers : {"auto", "off"}
        Read the numbers printed in the cells (when Tesseract is installed).

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
    out = panel_cells(result, cells, grid)
    out.colour = out.values
    if numbers == "off" or rgb is None or not ocr_available():
        return out
    printed = read_printed(rgb, out.grid.col_edges, out.grid.row_edges)
    if not printed.found.any():
        out.printed = printed
        return out
    scale = result.colorbar.scale
    both = reconcile(printed, out.values, out.uncertainty, scale.to_position)
    u = out.uncertainty if out.uncertainty is not None else np.full(out.shape, np.nan)
    from_print = np.isin(both.source, ("both", "printed"))
    out.uncertainty = np.where(from_print, printed.precision, u)
    out.values = both.values
    out.printed = printed
    out.source = both.source
    out.disagrees = both.disagrees
    checked = int((both.source == "both").sum() + both.disagrees.sum())
    if checked and both.disagrees.sum() > DISAGREE * checked:
        out.grid.warnings.append(
            f"the numbers printed in {int(both.disagrees.sum())} of {checked} cells "
            "disagree with their colours: check the range and the colour map"
        )
    return out
