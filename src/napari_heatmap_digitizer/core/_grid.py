"""Cell grids: find the rows and columns of a matrix heat map.

A matrix heat map (imshow of a small array, seaborn, pcolormesh, correlation
matrices) shows one colour per cell, often with grid lines between cells and
numbers printed in them. :func:`detect_grid` finds the cells' edges from a
digitized panel (``_cell_estimate.estimate`` then reduces each cell to one value).

Detection works on the colour-bar *position* of every pixel (0-1, so log and
tick scales behave like linear ones) one axis at a time:

1. *Evidence*: for every boundary between two pixel columns, the fraction of
   rows in which the median of the three pixels left of it differs from the
   median of the three pixels right of it by more than ``step`` (unmatched
   pixels are ignored, so 1-2 px grid lines and thin text strokes drop out).
2. *Peaks*: local maxima of the evidence above 40 % of its maximum.
3. *Regular grids*: for every column count ``n`` (cells of at least 3 px), the
   edges ``k * width / n``. A count is accepted when every predicted edge sits on
   a peak, most predicted edges are *necessary* (the robust values of the cells
   on either side differ in at least 30 % of rows) and every necessary peak is
   one of the predicted edges. Sub-multiples of the true count fail the last
   test, multiples (and the middles of numbers printed in the cells) the second.
4. *Irregular grids*: otherwise the peaks themselves, dropping the least
   necessary one until all are necessary.
5. At least 80 % of the cells must then hold one colour (interquartile range
   within 5 % of the bar); otherwise there is no grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from napari_heatmap_digitizer.core._cell_estimate import cell_stats, positions
from napari_heatmap_digitizer.core._errors import DigitizerError, shown, wrong
from napari_heatmap_digitizer.core._result import Result, check_result

#: Smallest cell the detector and :func:`cell_values` accept, in pixels.
MIN_CELL = 3
#: Colour-bar position difference counted as a colour step (2.5 % of the bar).
STEP = 0.025
#: Colour distance (ΔE) of the pixels grid detection looks at.
DETECT_DISTANCE = 6.0


@dataclass
class Grid:
    """Cell edges of a panel, in panel pixels (0 = the panel's left/top edge).

    Attributes
    ----------
    col_edges : numpy.ndarray
        ``(cols + 1,)`` increasing x positions, first 0, last the panel width.
    row_edges : numpy.ndarray
        ``(rows + 1,)`` increasing y positions, top first.
    warnings : list of str
        Anything doubtful found while detecting or checking the grid.
    """

    col_edges: np.ndarray
    row_edges: np.ndarray
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        try:
            self.col_edges = np.asarray(self.col_edges, dtype=np.float64)
            self.row_edges = np.asarray(self.row_edges, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise DigitizerError(
                "grid edges must be two sequences of numbers (column, row)"
            ) from None
        for name, e in (("column", self.col_edges), ("row", self.row_edges)):
            if e.ndim != 1 or e.size < 2 or not np.all(np.isfinite(e)):
                raise DigitizerError(f"a grid needs at least two {name} edges")
            if np.any(np.diff(e) <= 0):
                raise DigitizerError(f"grid {name} edges must increase")

    @classmethod
    def regular(cls, width: float, height: float, cols: int, rows: int) -> Grid:
        """Equal cells filling a ``width`` x ``height`` panel.

        Parameters
        ----------
        width, height : float
            Panel size in pixels.
        cols, rows : int
            Number of cells across and down.

        Returns
        -------
        Grid

        Raises
        ------
        DigitizerError
            If a count is not a whole number of at least one.
        """
        for name, count in (("cols", cols), ("rows", rows)):
            if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
                raise wrong(name, "a whole number of cells", count)
        if cols < 1 or rows < 1:
            raise DigitizerError("a grid needs at least one row and one column")
        return cls(np.linspace(0, width, cols + 1), np.linspace(0, height, rows + 1))

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return self.row_edges.size - 1, self.col_edges.size - 1

    def check_size(self) -> None:
        """Raise if a cell is smaller than :data:`MIN_CELL` pixels."""
        for name, e in (("columns", self.col_edges), ("rows", self.row_edges)):
            small = float(np.diff(e).min())
            if small < MIN_CELL:
                raise DigitizerError(
                    f"cells of {small:.1f} px are too small to digitize (the "
                    f"grid's {name} must be at least {MIN_CELL} px apart): give "
                    "fewer cells or a larger image"
                )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"col_edges": [...], "row_edges": [...]}``."""
        return {
            "col_edges": [float(x) for x in self.col_edges],
            "row_edges": [float(y) for y in self.row_edges],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grid:
        """Inverse of :meth:`to_dict`."""
        try:
            return cls(data["col_edges"], data["row_edges"])
        except (KeyError, TypeError, ValueError):
            raise DigitizerError(
                "a grid needs 'col_edges' and 'row_edges' lists of numbers"
            ) from None


def parse_cells(text: str) -> tuple[int, int] | None:
    """Parse ``"auto"`` (``None``) or ``"COLSxROWS"`` (``(cols, rows)``).

    Parameters
    ----------
    text : str

    Returns
    -------
    tuple of int or None

    Raises
    ------
    DigitizerError
        If ``text`` is not a string, ``"auto"`` or ``"COLSxROWS"``.

    Examples
    --------
    >>> parse_cells("12x8")
    (12, 8)
    >>> parse_cells("auto") is None
    True
    """
    if not isinstance(text, str):
        raise wrong("cells", "text 'auto' or 'COLSxROWS' (e.g. '12x8')", text)
    text = text.strip().lower()
    if text == "auto":
        return None
    parts = text.replace("×", "x").split("x")
    try:
        if len(parts) != 2:
            raise ValueError
        cols, rows = int(parts[0]), int(parts[1])
        if cols < 1 or rows < 1:
            raise ValueError
    except ValueError:
        raise DigitizerError(
            f"cells {shown(text)} must be 'auto' or COLSxROWS, e.g. 12x8"
        ) from None
    return cols, rows


def detect_grid(result: Result, *, step: float = STEP) -> Grid:
    """Find the cell grid of a digitized panel.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel.
    step : float
        Colour-bar position difference (0-1) that counts as a colour change.

    Returns
    -------
    Grid
        With ``warnings`` naming irregular rows or columns.

    Raises
    ------
    DigitizerError
        If ``result`` is not a :class:`Result`, no grid is found or its
        cells are smaller than :data:`MIN_CELL`.
    """
    check_result(result)
    # only pixels close to a colour-bar colour: anti-aliased text and the halos
    # JPEG puts around it are off the colour map's curve
    pos = positions(result, DETECT_DISTANCE)
    where = f"panel {result.box.as_text()}"
    cols = _detect_axis(pos, step)
    rows = _detect_axis(np.ascontiguousarray(pos.T), step)
    grid = Grid(cols, rows)
    grid.check_size()
    _, _, q25, q75 = cell_stats(pos, grid.col_edges, grid.row_edges)
    mixed = np.mean(~(q75 - q25 <= 2 * step))
    if mixed > 0.2:
        raise DigitizerError(
            f"no cell grid found in {where}: its colours do not come in uniform "
            "cells; give the grid with --cells COLSxROWS (or draw it in the grid "
            "layer) or digitize it per pixel"
        )
    if grid.shape == (1, 1):
        raise DigitizerError(
            f"no cell grid found in {where}: it holds one colour; give the grid "
            "with --cells COLSxROWS"
        )
    grid.warnings += _irregular(grid)
    return grid


def check_grid(result: Result, grid: Grid, *, step: float = STEP) -> Grid:
    """Check a given grid against the panel and note edges with no colour change.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel.
    grid : Grid
        The grid given by the user (panel pixels).
    step : float
        Colour-bar position difference that counts as a colour change.

    Returns
    -------
    Grid
        ``grid``, with warnings added.

    Raises
    ------
    DigitizerError
        If the grid does not fit the panel or its cells are too small.
    """
    h, w = result.values.shape
    for name, e, size in (
        ("column", grid.col_edges, w),
        ("row", grid.row_edges, h),
    ):
        if e[0] < -0.5 or e[-1] > size + 0.5:
            raise DigitizerError(
                f"the grid's {name} edges {e[0]:g}..{e[-1]:g} reach outside the "
                f"panel (0..{size} px)"
            )
    grid.check_size()
    pos = positions(result)
    for name, edges, arr in (
        ("column", grid.col_edges, pos),
        ("row", grid.row_edges, np.ascontiguousarray(pos.T)),
    ):
        need = _necessity(arr, np.round(edges).astype(np.int64), step)[1:-1]
        weak = [i + 1 for i, v in enumerate(need) if v < 0.1]
        if weak and len(weak) >= max(1, len(need) // 4):
            listed = ", ".join(str(i) for i in weak[:8])
            more = "" if len(weak) <= 8 else f" and {len(weak) - 8} more"
            grid.warnings.append(
                f"{name} edges {listed}{more} of the {grid.shape[1]}x"
                f"{grid.shape[0]} grid show no colour change: the grid may not "
                "match the image"
            )
    grid.warnings += _irregular(grid)
    return grid


def _detect_axis(pos: np.ndarray, step: float) -> np.ndarray:
    """Edges along the second axis of ``pos`` (columns), including 0 and width."""
    w = pos.shape[1]
    ends = np.array([0.0, float(w)])
    s = _evidence(pos, step)
    if s.max() <= 0.05:
        return ends
    peaks = _peaks(s, 0.4 * s.max())
    # a boundary this close to the panel's edge would make a too-small cell;
    # it is the axes' frame (or JPEG ringing from it), not a cell edge
    peaks = peaks[(peaks > 2 * MIN_CELL) & (peaks < w - 2 * MIN_CELL)]
    if peaks.size == 0:
        return ends
    peaks = _prune(pos, peaks, step)
    if peaks.size == 0:
        return ends
    peaks = _merge_close(peaks, s)
    strong = 0.4 * s.max()
    for n in range(max(2, peaks.size + 1 - int(0.1 * peaks.size)), w // MIN_CELL + 1):
        pred = np.arange(1, n) * (w / n)
        idx = np.round(pred).astype(np.int64)
        near = np.maximum(np.maximum(s[idx - 1], s[idx]), s[np.minimum(idx + 1, w)])
        if np.mean(near >= strong) < 0.9:
            continue
        # every necessary peak must be one of the predicted edges
        slack = max(1.5, 0.15 * w / n)
        # (a few may be text lined up along a row of cells)
        off = np.abs(peaks[:, None] - pred[None, :]).min(axis=1) > slack
        if off.sum() > int(0.1 * peaks.size):
            continue
        bounds = np.concatenate([[0], idx, [w]])
        if np.percentile(_necessity(pos, bounds, step)[1:-1], 25) < 0.3:
            continue
        return np.linspace(0.0, w, n + 1)
    return np.array([0.0, *_on_lines(pos, peaks), float(w)])


def _on_lines(pos: np.ndarray, peaks: np.ndarray) -> list[float]:
    """Move edges onto the middle of a grid line drawn within 3 px of them."""
    w = pos.shape[1]
    unmatched = np.isnan(pos).mean(axis=0)
    out = []
    for p in peaks:
        lo, hi = max(0, p - 3), min(w, p + 3)
        near = unmatched[lo:hi]
        if near.size and near.max() >= 0.5:
            cols = lo + np.flatnonzero(near >= 0.5 * near.max())
            out.append(float(cols.mean()) + 0.5)
        else:
            out.append(float(p))
    return out


def _prune(pos: np.ndarray, peaks: np.ndarray, step: float) -> np.ndarray:
    """Drop the least necessary peak until every one separates different cells."""
    w = pos.shape[1]
    kept = list(peaks)
    while kept:
        bounds = np.array([0, *kept, w], dtype=np.int64)
        need = _necessity(pos, bounds, step)[1:-1]
        i = int(np.argmin(need))
        if need[i] >= 0.5:
            break
        kept.pop(i)
    return np.array(kept, dtype=np.int64)


def _peaks(s: np.ndarray, threshold: float) -> np.ndarray:
    """Boundary positions of local maxima of ``s`` above ``threshold``.

    Plateaus (a grid line between two cells gives a flat top) count once, at
    their middle; maxima closer than :data:`MIN_CELL` keep the higher one.
    """
    out: list[int] = []
    n = s.size
    i = 1
    while i < n - 1:
        if s[i] >= threshold and s[i] >= s[i - 1]:
            j = i
            while j + 1 < n - 1 and s[j + 1] == s[i]:
                j += 1
            if s[j + 1] < s[i] or j + 1 == n - 1:
                out.append((i + j + 1) // 2)
            i = j + 1
        else:
            i += 1
    keep: list[int] = []
    for p in sorted(out, key=lambda p: -s[p]):
        if all(abs(p - q) >= MIN_CELL for q in keep):
            keep.append(p)
    return np.array(sorted(keep), dtype=np.int64)


def _merge_close(peaks: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Merge peaks much closer than the usual spacing into one, between them.

    Both sides of a grid line (after JPEG ringing) can show up as peaks a few
    pixels apart; the cell edge is between them.
    """
    pos = [float(p) for p in peaks]
    weight = [float(s[p]) for p in peaks]
    while len(pos) > 1:
        gaps = np.diff(pos)
        usual = float(np.median(np.diff([0.0, *pos, float(s.size - 1)])))
        i = int(np.argmin(gaps))
        if gaps[i] >= max(MIN_CELL + 1, 0.3 * usual):
            break
        a, b = weight[i], weight[i + 1]
        pos[i] = (a * pos[i] + b * pos[i + 1]) / (a + b)
        weight[i] = max(a, b)
        del pos[i + 1], weight[i + 1]
    return np.round(pos).astype(np.int64)


def _irregular(grid: Grid) -> list[str]:
    notes = []
    for name, e in (("columns", grid.col_edges), ("rows", grid.row_edges)):
        widths = np.diff(e)
        if widths.size < 3:
            continue
        med = float(np.median(widths))
        odd = np.flatnonzero(np.abs(widths - med) > max(1.5, 0.1 * med))
        if odd.size:
            listed = ", ".join(str(i) for i in odd[:8])
            more = "" if odd.size <= 8 else f" and {odd.size - 8} more"
            notes.append(
                f"irregular {name}: {listed}{more} (0 = first) differ in size from "
                f"the usual {med:.1f} px; check the grid"
            )
    return notes


# -- checks and masks shared with the evidence of find_grid -------------------

#: Grey-level difference of a drawn line or a glyph's stroke from its
#: surroundings.
INK = 40.0


def _mixed(pos: np.ndarray, grid: Grid, step: float, where: str) -> list[str]:
    """A warning when many cells of ``grid`` hold more than one colour."""
    _, _, q25, q75 = cell_stats(pos, grid.col_edges, grid.row_edges)
    known = np.isfinite(q25)
    if not known.any():
        return []
    mixed = float(np.mean(q75[known] - q25[known] > 2 * step))
    if mixed <= 0.2:
        return []
    return [
        f"{100 * mixed:.0f} % of the cells of the {grid.shape[1]}x{grid.shape[0]} "
        f"grid found in {where} hold more than one colour: check the grid, or give "
        "it with --cells COLSxROWS"
    ]


# -- choosing a count -------------------------------------------------------------


def _line_mask(g: np.ndarray) -> np.ndarray:
    """Pixels of thin lines running down ``g`` (lighter or darker than both sides)."""
    out = np.zeros(g.shape, dtype=bool)
    for d in (2, 3):
        left = g[:, d:-d] - g[:, : -2 * d]
        right = g[:, d:-d] - g[:, 2 * d :]
        hit = ((left > INK) & (right > INK)) | ((left < -INK) & (right < -INK))
        out[:, d:-d] |= hit
    return out


def _in_long_runs(mask: np.ndarray, least: int) -> np.ndarray:
    """The pixels of ``mask`` in vertical runs at least ``least`` long."""
    h, w = mask.shape
    flat = np.zeros((w, h + 1), dtype=bool)
    flat[:, :h] = mask.T
    flat = flat.ravel()
    starts = flat & ~np.concatenate([[False], flat[:-1]])
    ids = np.cumsum(starts) * flat
    length = np.bincount(ids)
    length[0] = 0
    long = (length[ids] >= least).reshape(w, h + 1)[:, :h]
    return long.T


# -- per-cell values --------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _median3(a: float, b: float, c: float) -> float:
    n = 0
    x0 = x1 = x2 = 0.0
    for v in (a, b, c):
        if not math.isnan(v):
            if n == 0:
                x0 = v
            elif n == 1:
                x1 = v
            else:
                x2 = v
            n += 1
    if n == 0:
        return math.nan
    if n == 1:
        return x0
    if n == 2:
        return 0.5 * (x0 + x1)
    return max(min(x0, x1), min(max(x0, x1), x2))


@numba.njit(cache=True, nogil=True, parallel=True)
def _evidence(pos: np.ndarray, step: float) -> np.ndarray:
    """Fraction of rows with a colour step at each column boundary (0..w)."""
    h, w = pos.shape
    out = np.zeros(w + 1)
    for x in numba.prange(1, w):
        hits = 0
        seen = 0
        for y in range(h):
            a = pos[y, x - 3] if x >= 3 else math.nan
            b = pos[y, x - 2] if x >= 2 else math.nan
            left = _median3(a, b, pos[y, x - 1])
            c = pos[y, x + 1] if x + 1 < w else math.nan
            d = pos[y, x + 2] if x + 2 < w else math.nan
            right = _median3(pos[y, x], c, d)
            if math.isnan(left) or math.isnan(right):
                continue
            seen += 1
            if abs(left - right) > step:
                hits += 1
        if seen > 0:
            out[x] = hits / max(seen, h // 4)
    return out


@numba.njit(cache=True, nogil=True)
def _segment_median(row: np.ndarray, lo: int, hi: int, buf: np.ndarray) -> float:
    n = 0
    for x in range(lo, hi):
        v = row[x]
        if not math.isnan(v):
            buf[n] = v
            n += 1
    if n == 0:
        return math.nan
    return np.median(buf[:n])


@numba.njit(cache=True, nogil=True, parallel=True)
def _necessity(pos: np.ndarray, bounds: np.ndarray, step: float) -> np.ndarray:
    """For each boundary, the fraction of rows where the cells beside it differ.

    ``bounds`` are integer boundaries including 0 and the width; the result has
    the same length (the two ends are 1).
    """
    h, w = pos.shape
    nseg = bounds.size - 1
    lo = np.empty(nseg, np.int64)
    hi = np.empty(nseg, np.int64)
    for j in range(nseg):
        size = bounds[j + 1] - bounds[j]
        m = max(1, int(0.15 * size))
        lo[j] = bounds[j] + m
        hi[j] = bounds[j + 1] - m
        if hi[j] <= lo[j]:
            lo[j] = (bounds[j] + bounds[j + 1]) // 2
            hi[j] = lo[j] + 1
    med = np.empty((h, nseg))
    for y in numba.prange(h):
        buf = np.empty(w)
        for j in range(nseg):
            med[y, j] = _segment_median(pos[y], lo[j], hi[j], buf)
    out = np.ones(nseg + 1)
    for k in range(1, nseg):
        hits = 0
        seen = 0
        for y in range(h):
            a = med[y, k - 1]
            b = med[y, k]
            if math.isnan(a) or math.isnan(b):
                continue
            seen += 1
            if abs(a - b) > step:
                hits += 1
        out[k] = hits / max(seen, h // 4, 1)
    return out
