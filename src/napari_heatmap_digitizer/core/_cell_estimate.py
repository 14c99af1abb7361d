"""One value per cell from its pixels, with the value's uncertainty.

:func:`estimate` reduces each cell of a grid to one robust colour-bar position
(the middle of the densest half of its matched pixels: text, grid lines and
JPEG ringing are ignored as long as most of the cell shows its colour) and
maps it to a value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from napari_heatmap_digitizer.core._result import Result

__all__ = ["MARGIN", "CellEstimate", "cell_stats", "estimate", "positions", "shorth"]

#: Fraction of a cell's width/height left out at each edge.
MARGIN = 0.15
#: Interquartile range of a cell's positions above which it holds more than one
#: colour (10 % of the bar).
MIXED = 0.1


@dataclass
class CellEstimate:
    """Per-cell values of a grid, all ``(rows, cols)``.

    Attributes
    ----------
    values : numpy.ndarray
        ``float64``; NaN where no pixel of the cell matched.
    uncertainty : numpy.ndarray
        How far the value may be from the cell's true value (value units),
        NaN where not known.
    matched : numpy.ndarray
        Fraction of each cell's interior pixels that matched.
    spread : numpy.ndarray
        Interquartile range of the matched pixels' values (value units).
    mixed : numpy.ndarray
        ``True`` for cells holding more than one colour.
    """

    values: np.ndarray
    uncertainty: np.ndarray
    matched: np.ndarray
    spread: np.ndarray
    mixed: np.ndarray


def positions(result: Result, max_distance: float | None = None) -> np.ndarray:
    """Colour-bar position (0-1) of every pixel of a result, NaN where none.

    Parameters
    ----------
    result : Result
    max_distance : float, optional
        Leave out pixels farther than this (ΔE) from the bar's colours.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` ``float64``, C-contiguous.
    """
    values = result.values.astype(np.float64)
    if max_distance is not None:
        values[~(result.distance <= max_distance)] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        pos = np.asarray(result.colorbar.scale.to_position(values), dtype=np.float64)
    return np.ascontiguousarray(pos)


def estimate(
    result: Result, col_edges: np.ndarray, row_edges: np.ndarray, margin: float = MARGIN
) -> CellEstimate:
    """One robust value per cell of a grid.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel (in memory).
    col_edges, row_edges : numpy.ndarray
        The cells' edges in panel pixels.
    margin : float
        Fraction of each cell's size left out at each edge.

    Returns
    -------
    CellEstimate
    """
    pos = positions(result)
    est, matched, q25, q75 = cell_stats(pos, col_edges, row_edges, margin)
    with np.errstate(invalid="ignore"):
        # positions map to values monotonically: quartiles map to quartiles
        values, v25, v75 = (
            np.asarray(result.colorbar.scale.to_value(a), dtype=np.float64)
            for a in (est, q25, q75)
        )
    return CellEstimate(
        values=values,
        uncertainty=np.full(values.shape, np.nan),
        matched=matched,
        spread=np.abs(v75 - v25),
        mixed=q75 - q25 > MIXED,
    )


def _interiors(edges: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    size = np.diff(edges)
    m = np.maximum(1.0, margin * size)
    lo = np.ceil(edges[:-1] + m - 1e-9).astype(np.int64)
    hi = np.floor(edges[1:] - m + 1e-9).astype(np.int64)
    centre = ((edges[:-1] + edges[1:]) / 2).astype(np.int64)
    bad = hi <= lo
    lo[bad] = centre[bad]
    hi[bad] = centre[bad] + 1
    return lo, hi


def cell_stats(
    pos: np.ndarray,
    col_edges: np.ndarray,
    row_edges: np.ndarray,
    margin: float = MARGIN,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: shorth estimate, matched fraction and quartiles (positions).

    Parameters
    ----------
    pos : numpy.ndarray
        ``(h, w)`` colour-bar position (0-1) of every pixel, NaN where none.
    col_edges, row_edges : numpy.ndarray
        The cells' edges in panel pixels.
    margin : float
        Fraction of each cell's size left out at each edge.

    Returns
    -------
    tuple of numpy.ndarray
        ``(rows, cols)`` estimate, matched fraction, 25th and 75th percentiles.
    """
    c0, c1 = _interiors(col_edges, margin)
    r0, r1 = _interiors(row_edges, margin)
    return _cells_kernel(pos, r0, r1, c0, c1)


@numba.njit(cache=True, nogil=True)
def shorth(v: np.ndarray) -> float:
    """Middle of the shortest interval holding half of ``v`` (sorted in place)."""
    n = v.size
    if n == 0:
        return math.nan
    v.sort()
    k = (n + 1) // 2
    best = 0
    width = math.inf
    for i in range(n - k + 1):
        d = v[i + k - 1] - v[i]
        if d < width:
            width = d
            best = i
    return np.median(v[best : best + k])


@numba.njit(cache=True, nogil=True, parallel=True)
def _cells_kernel(
    pos: np.ndarray, r0: np.ndarray, r1: np.ndarray, c0: np.ndarray, c1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = r0.size, c0.size
    est = np.full((rows, cols), math.nan)
    matched = np.zeros((rows, cols))
    q25 = np.full((rows, cols), math.nan)
    q75 = np.full((rows, cols), math.nan)
    for r in numba.prange(rows):
        for c in range(cols):
            total = (r1[r] - r0[r]) * (c1[c] - c0[c])
            buf = np.empty(total)
            n = 0
            for y in range(r0[r], r1[r]):
                for x in range(c0[c], c1[c]):
                    v = pos[y, x]
                    if not math.isnan(v):
                        buf[n] = v
                        n += 1
            matched[r, c] = n / max(total, 1)
            if n:
                est[r, c] = shorth(buf[:n])  # sorts buf[:n]
                q25[r, c] = buf[(n - 1) // 4]
                q75[r, c] = buf[(3 * (n - 1)) // 4]
    return est, matched, q25, q75
