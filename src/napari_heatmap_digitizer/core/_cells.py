"""One value per cell of a matrix heat map.

:func:`panel_cells` finds (or takes) the cell grid of a digitized panel
(:mod:`._grid`) and :func:`cell_values` reduces each cell to one robust value:
the middle of the densest half of its matched pixels' colour-bar positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from napari_heatmap_digitizer.core._cell_estimate import MARGIN, estimate
from napari_heatmap_digitizer.core._errors import DigitizerError, wrong
from napari_heatmap_digitizer.core._grid import (
    Grid,
    check_grid,
    detect_grid,
    parse_cells,
)
from napari_heatmap_digitizer.core._result import Result, check_result

__all__ = [
    "Cells",
    "Grid",
    "Printed",
    "cell_values",
    "check_grid",
    "detect_grid",
    "mixed_cells",
    "panel_cells",
    "parse_cells",
]


@dataclass
class Printed:
    """The text printed in each cell, all ``(rows, cols)``.

    Attributes
    ----------
    text : numpy.ndarray
        Object array of the text as read; ``""`` where a cell holds none.
    values : numpy.ndarray
        The number the text shows, NaN where no text or not a number.
    precision : numpy.ndarray
        Half a unit of the text's last digit (``0.005`` for ``0.53``); NaN
        where no number.
    percent : numpy.ndarray
        ``True`` where the text ends in ``%`` (the value may be a fraction
        shown as a percentage).
    """

    text: np.ndarray
    values: np.ndarray
    precision: np.ndarray
    percent: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return (self.values.shape[0], self.values.shape[1])

    @property
    def found(self) -> np.ndarray:
        """``True`` where a cell holds text."""
        return self.text != ""


@dataclass
class Cells:
    """One value per cell of a panel.

    Attributes
    ----------
    values : numpy.ndarray
        ``(rows, cols)`` ``float64``, row 0 at the top; NaN where no pixel of
        the cell matched the colour bar.
    matched : numpy.ndarray
        ``(rows, cols)`` fraction of each cell's interior pixels that matched.
    spread : numpy.ndarray
        ``(rows, cols)`` interquartile range of the matched pixels' values
        (value units): large for cells that do not hold one colour.
    grid : Grid
        The cell edges used.
    result : Result
        The per-pixel result the cells were taken from.
    """

    values: np.ndarray
    matched: np.ndarray
    spread: np.ndarray
    grid: Grid
    result: Result
    #: ``True`` for cells whose matched pixels' quartiles lie more than 10 % of
    #: the bar apart (they hold more than one colour).
    mixed: np.ndarray | None = None
    #: ``(rows, cols)`` how far each value may be from the cell's true value
    #: (value units; NaN where not known).
    uncertainty: np.ndarray | None = None
    #: ``(rows, cols)`` the values the cells' colours give (``values`` may
    #: come from the printed numbers instead); None: the same as ``values``.
    colour: np.ndarray | None = None
    #: The numbers printed in the cells, when read.
    printed: Printed | None = None
    #: ``(rows, cols)`` where each value came from: ``"both"`` (the printed
    #: number, agreeing with the colour), ``"printed"`` (the colour matched
    #: nothing), ``"colour"`` (nothing printed, or the printed text disagreed
    #: or was unreadable) or ``"none"``; None when no numbers were read.
    source: np.ndarray | None = None
    #: ``(rows, cols)`` ``True`` where a printed number disagrees with the
    #: cell's colour (the colour's value is kept).
    disagrees: np.ndarray | None = None
    #: Names of the rows (top first) and columns, as printed beside the panel.
    row_labels: list[str] | None = None
    col_labels: list[str] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return self.grid.shape

    @property
    def x(self) -> np.ndarray:
        """X of cell centres: data units with an extent, else figure pixels."""
        c = (self.grid.col_edges[:-1] + self.grid.col_edges[1:]) / 2
        box, extent = self.result.box, self.result.extent
        if extent is not None:
            return extent.x_at(c / box.width)
        return box.left + c

    @property
    def y(self) -> np.ndarray:
        """Y of cell centres (top first): data units with an extent, else pixels."""
        c = (self.grid.row_edges[:-1] + self.grid.row_edges[1:]) / 2
        box, extent = self.result.box, self.result.extent
        if extent is not None:
            return extent.y_at(c / box.height)
        return box.top + c

    @property
    def warnings(self) -> list[str]:
        """The grid's warnings."""
        return self.grid.warnings

    def doubtful(self, min_matched: float = 0.5) -> np.ndarray:
        """``True`` for cells with fewer than ``min_matched`` pixels matched.

        Parameters
        ----------
        min_matched : float

        Returns
        -------
        numpy.ndarray
        """
        return ~(self.matched >= min_matched)

    def summary(self) -> str:
        """One line: grid shape, value range, doubtful cells, printed numbers."""
        rows, cols = self.shape
        v = self.values[np.isfinite(self.values)]
        rng = f"{v.min():.6g}..{v.max():.6g}" if v.size else "none"
        return (
            f"panel {self.result.box.as_text()}: {cols}x{rows} cells, values {rng}, "
            f"{int(self.doubtful().sum())} doubtful{self.printed_summary()}"
        )

    def printed_summary(self) -> str:
        """What the printed numbers gave (``""`` when none were read)."""
        if self.source is None or self.printed is None:
            return ""
        found = int(self.printed.found.sum())
        if not found:
            return "; no numbers printed in the cells"
        both = int((self.source == "both").sum())
        alone = int((self.source == "printed").sum())
        disagree = int(self.disagrees.sum()) if self.disagrees is not None else 0
        unread = found - both - alone - disagree
        parts = [f"{both} agree with their colour"]
        if alone:
            parts.append(f"{alone} with no colour to check")
        if disagree:
            parts.append(f"{disagree} disagree (colour kept)")
        if unread:
            parts.append(f"{unread} unreadable (colour kept)")
        return f"; {found} printed numbers: " + ", ".join(parts)


# -- detection -----------------------------------------------------------------


def cell_values(
    result: Result,
    grid: Grid,
    *,
    margin: float = MARGIN,
    image: np.ndarray | None = None,
) -> Cells:
    """One robust value per cell.

    Each cell's interior (the cell less ``margin`` of its size, at least one
    pixel, at each edge) is reduced to the middle of the densest half of its
    matched pixels' colour-bar positions (a *shorth* estimate: text, grid lines
    and JPEG ringing are ignored as long as most of the cell shows its colour).

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel.
    grid : Grid
        Cell edges in panel pixels.
    margin : float
        Fraction of each cell's size left out at each edge.
    image : numpy.ndarray, optional
        The panel's pixels (or the whole figure): cells that do not show one
        exact colour (JPEG) are then placed on the bar by their mean colour.

    Returns
    -------
    Cells
    """
    grid.check_size()
    e = estimate(result, grid.col_edges, grid.row_edges, margin, image=image)
    return Cells(e.values, e.matched, e.spread, grid, result, e.mixed, e.uncertainty)


def panel_cells(
    result: Result,
    cells: str | tuple[int, int] | None = "auto",
    grid: Grid | None = None,
    *,
    image: np.ndarray | None = None,
) -> Cells:
    """Cells of one panel from ``"auto"``, ``"COLSxROWS"`` or explicit edges.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel.
    cells : str or (int, int), optional
        ``"auto"`` to detect the grid, ``"COLSxROWS"`` or ``(cols, rows)`` for
        equal cells. Ignored when ``grid`` is given.
    grid : Grid, optional
        Explicit cell edges (e.g. corrected in napari).
    image : numpy.ndarray, optional
        The panel's pixels; see :func:`cell_values`.

    Returns
    -------
    Cells

    Raises
    ------
    DigitizerError
        If an argument is of the wrong kind (the message says what to pass),
        there are more cells than pixels, or no grid is found.
    """
    check_result(result)
    if grid is not None and not isinstance(grid, Grid):
        raise wrong("grid", "a Grid (or None)", grid)
    if grid is None:
        shape = parse_cells(cells) if isinstance(cells, str) else cells
        if shape is not None and not (
            isinstance(shape, (tuple, list))
            and len(shape) == 2
            and all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool)
                for n in shape
            )
        ):
            raise wrong("cells", "'auto', 'COLSxROWS' or (cols, rows)", cells)
        if shape is None:
            grid = detect_grid(result)
        else:
            h, w = result.values.shape
            if shape[0] > w or shape[1] > h:
                raise DigitizerError(
                    f"{shape[0]}x{shape[1]} cells do not fit the {w}x{h} px panel: "
                    "give at most one cell per pixel"
                )
            grid = check_grid(result, Grid.regular(w, h, *shape))
    else:
        grid = check_grid(result, Grid(grid.col_edges.copy(), grid.row_edges.copy()))
    out = cell_values(result, grid, image=image)
    out.grid.warnings += mixed_cells(out)
    return out


def mixed_cells(cells: Cells) -> list[str]:
    """Name the rows and columns whose cells mostly hold more than one colour."""
    mixed = cells.mixed if cells.mixed is not None else np.zeros(cells.shape, bool)
    notes = []
    for name, axis in (("columns", 0), ("rows", 1)):
        bad = np.flatnonzero(mixed.mean(axis=axis) > 0.5)
        if bad.size:
            listed = ", ".join(str(i) for i in bad[:8])
            more = "" if bad.size <= 8 else f" and {bad.size - 8} more"
            notes.append(
                f"cells in {name} {listed}{more} (0 = first) hold more than one "
                "colour: the grid does not match the image there"
            )
    return notes
