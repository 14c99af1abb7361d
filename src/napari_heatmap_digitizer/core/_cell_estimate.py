"""One value per cell from its pixels, with the value's uncertainty.

:func:`estimate` reduces each cell of a grid to one colour-bar position and
maps it to a value:

* The cell's interior (less a margin at each edge) is reduced to the middle
  of the densest half of its matched pixels' positions (a *shorth*): text,
  grid lines and JPEG ringing are ignored as long as most of the cell shows
  its colour. When most pixels show one exact colour (a lossless image), that
  colour's position is the value.
* Otherwise (JPEG: the bar read from the figure shows rows of more than one
  colour, or most cells are off its colours), and when the panel's pixels
  are given, the pixels within
  :data:`WINDOW` of that position are averaged in Y'CbCr and the mean colour is
  placed on the bar weighting luma above chroma: JPEG keeps luma at full
  resolution and quantises it finer, while chroma is halved in resolution and
  smeared across 16-px blocks at the cell's edges. Averaging before placing
  the colour lets the zero-mean compression noise cancel.
* On a lossless figure whose bar shows a new colour at every pixel (a
  gradient computed value by value, as ggplot2, plotly, Vega-Lite and gnuplot
  draw), most cells' colours, rounded to 8 bits on their own, are none of the
  bar's: every cell is then placed by its colour on the bar smoothed along
  its length within its rounding. When instead nearly all cells are one
  8-bit unit off the bar's colours one way (matplotlib truncates an image's
  colours and rounds its bar's), each takes the bar colours it is
  consistent with.
* The renderer's quantisation is read from the bar (:func:`quantisation`): a
  bar of N distinct colours gives N levels, and a value is known to half a
  level's width at best; an estimate much more precise than a level is snapped
  to the level.

Each value's uncertainty combines, in quadrature, half the level's width, the
colour resolution of the bar there (one 8-bit step of colour over the bar's
local colour slope), the bar's own reading (half a pixel of its length),
twice the standard error of the cell's estimate and, on a lossy figure, twice
that of the bar's smoothed colour there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from napari_heatmap_digitizer.core._bar_colours import (
    OFF_BAR,
    ROUNDING,
    YCC,
    against_bar,
    cell_colours,
    dense_table,
    own_entries,
    rounded_like_bar,
    smoothing_error,
    table_rounding,
)
from napari_heatmap_digitizer.core._cell_kernels import (
    cells_kernel,
    estimate_kernel,
    place,
    shorth,
)
from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._result import Result

__all__ = [
    "MARGIN",
    "CellEstimate",
    "Quantisation",
    "cell_stats",
    "estimate",
    "positions",
    "quantisation",
    "shorth",
]

#: Fraction of a cell's width/height left out at each edge.
MARGIN = 0.15
#: Interquartile range of a cell's positions above which it holds more than one
#: colour (10 % of the bar).
MIXED = 0.1
#: Pixels within this much of the bar (positions) of a cell's shorth estimate
#: make its mean colour.
WINDOW = 0.05
#: Weight of the squared chroma difference against the squared luma
#: difference when a mean colour is placed on the bar.
CHROMA_WEIGHT = 0.1
#: A bar showing fewer distinct colours than this share of its length in
#: pixels repeats colours: it shows its renderer's levels.
REPEATS = 0.8
#: Pixels of a JPEG-compressed cell that vary together (one 8x8 luma block
#: halved, as neighbouring blocks share their chroma): the number of
#: independent samples is a cell's pixel count over this.
CORRELATED = 16.0

#: A cell's main colour (given its pixels) is made of the pixels within
#: MAIN_SPREAD times the median distance from it (Y'CbCr units), and at least
#: MAIN_FLOOR: JPEG noise is kept whole, text and lines are left out.
MAIN_SPREAD = 3.0
MAIN_FLOOR = 8.0


#: A colour this close to the bar (ΔE) is one of the bar's own colours.
ON_BAR = 1.0
#: 8-bit colour steps by which a cell's colour may differ from the bar's
#: (renderers round colours differently for images and for the bar).
COLOUR_STEPS = 2.0


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


@dataclass
class Quantisation:
    """The levels a colour bar's renderer can show.

    Attributes
    ----------
    levels : int or None
        Number of distinct colours (``None``: not known, the bar shows a new
        colour at every pixel or was compressed).
    positions : numpy.ndarray
        ``(levels,)`` position of each level (empty when not known).
    half_step : numpy.ndarray
        ``(levels,)`` half the width of each level (positions).
    pixel : float
        One pixel of the bar's length (positions; 0 for a bar from the
        colour-map catalogue).
    """

    levels: int | None
    positions: np.ndarray
    half_step: np.ndarray
    pixel: float

    def half_step_at(self, p: np.ndarray) -> np.ndarray:
        """Half the width of the level nearest each position (0 if not known)."""
        p = np.asarray(p, dtype=np.float64)
        if self.levels is None:
            return np.zeros_like(p)
        i = _nearest_level(self.positions, np.nan_to_num(p))
        return np.where(np.isnan(p), np.nan, self.half_step[i])

    def snap(self, p: np.ndarray) -> np.ndarray:
        """The level nearest each position (the positions when not known)."""
        p = np.asarray(p, dtype=np.float64)
        if self.levels is None:
            return p
        i = _nearest_level(self.positions, np.nan_to_num(p))
        return np.where(np.isnan(p), np.nan, self.positions[i])


def _nearest_level(levels: np.ndarray, p: np.ndarray) -> np.ndarray:
    i = np.clip(np.searchsorted(levels, p), 1, len(levels) - 1)
    return np.where(p - levels[i - 1] <= levels[i] - p, i - 1, i)


def quantisation(colorbar: Colorbar) -> Quantisation:
    """The renderer's levels, as far as the colour bar shows them.

    A stepped bar's bands are its levels. A catalogue map's table entries are
    (the renderer's look-up table). A continuous bar read from an image that
    shows fewer distinct colours than pixels along it repeats each colour over
    a run of pixels: its renderer had that many levels, each as wide as the
    local spacing of the runs (a single-pixel blend between two runs, from
    anti-aliasing, does not widen or narrow it: the spacing is the median over
    five neighbours). A bar showing a new colour at nearly every pixel (a
    smooth gradient, a bar shorter than its look-up table, or a compressed
    image) has unknown levels.

    Parameters
    ----------
    colorbar : Colorbar

    Returns
    -------
    Quantisation
    """
    p = np.asarray(colorbar.positions, dtype=np.float64)
    edges = colorbar.source.get("edges")
    length = abs(edges[1] - edges[0]) if edges is not None else 0.0
    pixel = 1.0 / length if length > 0 else 0.0
    if colorbar.discrete and colorbar.band_edges is not None:
        half = np.diff(np.asarray(colorbar.band_edges, dtype=np.float64)) / 2
        return Quantisation(len(p), p, half, pixel)
    if len(p) < 2:
        return Quantisation(None, np.empty(0), np.empty(0), pixel)
    if "colormap" in colorbar.source:
        gaps = np.diff(p)
        half = np.concatenate([[gaps[0]], gaps]) / 2
        return Quantisation(len(p), p, half, 0.0)
    rgb, p = own_entries(colorbar)
    # a compressed bar's noisy colours can repeat by chance; on a lossless bar
    # neighbouring entries never show the same 8-bit colour
    noisy = bool(np.all(rgb[1:] == rgb[:-1], axis=1).any())
    if noisy or length <= 0 or len(p) < 2 or len(p) > REPEATS * length:
        return Quantisation(None, np.empty(0), np.empty(0), pixel)
    if "levels" in colorbar.source:
        # the renderer's n equal levels: each entry stands for the middle of
        # the levels sharing its colour, so two neighbours' centres lie half
        # their counts apart, and each count is at most twice the distance to
        # either neighbour less the neighbour's one level (to an end, twice)
        n = int(colorbar.source["levels"])
        c = p * n
        left = np.concatenate([[2.0 * c[0]], 2.0 * np.diff(c) - 1.0])
        right = np.concatenate([2.0 * np.diff(c) - 1.0, [2.0 * (n - c[-1])]])
        count = np.maximum(np.rint(np.minimum(left, right)), 1.0)
        return Quantisation(len(p), p, count / (2.0 * n), pixel)
    gaps = np.diff(p)
    # the spacing around entry i: the median of the five gaps nearest it
    padded = np.pad(gaps, (3, 3), mode="edge")
    window = np.lib.stride_tricks.sliding_window_view(padded, 6)[: len(p)]
    spacing = np.median(window, axis=1)
    return Quantisation(len(p), p, spacing / 2, pixel)


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
    result: Result,
    col_edges: np.ndarray,
    row_edges: np.ndarray,
    margin: float = MARGIN,
    *,
    image: np.ndarray | None = None,
) -> CellEstimate:
    """One robust value per cell of a grid, with its uncertainty.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel (in memory).
    col_edges, row_edges : numpy.ndarray
        The cells' edges in panel pixels.
    margin : float
        Fraction of each cell's size left out at each edge.
    image : numpy.ndarray, optional
        The panel's pixels, ``(h, w, 3)`` RGB as ``result.values``, or the
        whole figure the result was read from (cropped to ``result.box``).
        Cells that do not show one exact colour (JPEG) are then placed on the
        bar by their mean colour, luma first; without it, by the mean
        position of their main colour's pixels.

    Returns
    -------
    CellEstimate
    """
    pos = positions(result)
    bar = result.colorbar
    rgb = _panel_rgb(image, result)
    c0, c1 = _interiors(np.asarray(col_edges, dtype=np.float64), margin)
    r0, r1 = _interiors(np.asarray(row_edges, dtype=np.float64), margin)
    ycc = (
        np.ascontiguousarray(rgb.astype(np.float32) @ YCC.T.astype(np.float32))
        if rgb is not None
        else np.zeros((1, 1, 3), np.float32)
    )
    dist = np.ascontiguousarray(result.distance, dtype=np.float32)
    params = np.array([WINDOW, MAIN_FLOOR, MAIN_SPREAD, ON_BAR, CORRELATED])
    out = estimate_kernel(pos, dist, ycc, rgb is not None, r0, r1, c0, c1, params)
    est, matched, q25, q75, exact, window_mean, window_se, mean_ycc, window_de = out
    noisy = ~exact & np.isfinite(est)
    # a bar read from the figure whose rows are not one colour each, or most
    # cells off the bar's exact colours: the figure (and bar) is lossy, and a
    # cell of one colour on the bar only seems exact (a flat JPEG block: cells
    # aligned with the 8-px blocks are all flat)
    lossy = (
        bar.source.get("lossless") is False
        or noisy.sum() > 0.5 * np.isfinite(est).sum()
    )
    q = quantisation(bar)
    p = est.copy()
    gradient = False
    own = not bar.discrete and "colormap" not in bar.source  # read from the image
    if rgb is not None and not lossy and own:
        cells = np.isfinite(est) & ~noisy
        against = against_bar(cell_colours(cells, est, pos, rgb, r0, c0, r1, c1), bar)
        rounded = table_rounding(against, bar, p[cells])
        if rounded is None:
            rounded = rounded_like_bar(against, p[cells])
        if rounded is not None:
            p[cells] = rounded
        else:
            # most cells off the colours of a lossless bar that shows a new
            # colour at every pixel (a gradient computed value by value): the
            # cells' colours and the bar's were each rounded to 8 bits, and
            # every cell is placed by colour on the bar smoothed within its
            # rounding
            gradient = (
                q.levels is None
                and bool(bar.source.get("lossless"))
                and against.on.size > 0
                and against.on.mean() < 1.0 - OFF_BAR
            )
    if lossy or gradient:
        noisy = np.isfinite(est)
    table_p, table_ycc = dense_table(
        bar, smooth=lossy or gradient, within=ROUNDING if gradient else None
    )
    chroma = 1.0 if gradient else CHROMA_WEIGHT
    # luma-weighted colour units: what placing a mean colour minimises
    weighted = table_ycc * np.array([1.0, math.sqrt(chroma), math.sqrt(chroma)])
    if rgb is not None:
        placed, off = place(mean_ycc, table_p, table_ycc, chroma)
        p[noisy] = placed[noisy]
        # how far the mean colour lies off the bar, over the bar's colour slope
        off_bar = np.sqrt(off) / _slope(table_p, weighted, p, nonzero=True)
    else:
        p[noisy] = window_mean[noisy]
        lab_p = np.asarray(bar.positions, dtype=np.float64)
        off_bar = window_de / _slope(lab_p, np.asarray(bar.lab), p, nonzero=True)
    off_bar = np.where(noisy, off_bar, 0.0)
    # a lossy bar's smoothed colours are themselves uncertain
    bar_error = np.zeros_like(p)
    if lossy:
        scatter = smoothing_error(bar) * np.array([1.0, chroma, chroma]) ** 0.5
        bar_error = float(np.sqrt((scatter**2).sum())) / _slope(
            table_p, weighted, p, nonzero=True
        )
    half = q.half_step_at(p)
    se = np.where(noisy, window_se, 0.0)
    if q.levels is not None:
        snapped = q.snap(p)
        sure = noisy & (2 * se <= half)
        p[sure] = snapped[sure]
    slope = _slope(table_p, table_ycc, p)
    resolution = np.where(slope > 0, COLOUR_STEPS / np.maximum(slope, 1e-9), 0.0)
    u_pos = np.sqrt(
        half**2
        + resolution**2
        + (q.pixel / 2) ** 2
        + (2 * se) ** 2
        + off_bar**2
        + (2 * bar_error) ** 2
    )
    with np.errstate(invalid="ignore"):
        # positions map to values monotonically: quartiles map to quartiles
        values, v25, v75, lo, hi = (
            np.asarray(bar.scale.to_value(a), dtype=np.float64)
            for a in (
                p,
                q25,
                q75,
                np.clip(p - u_pos, 0.0, 1.0),
                np.clip(p + u_pos, 0.0, 1.0),
            )
        )
    uncertainty = np.maximum(np.abs(hi - values), np.abs(values - lo))
    uncertainty[np.isnan(values)] = np.nan
    return CellEstimate(
        values=values,
        uncertainty=uncertainty,
        matched=matched,
        spread=np.abs(v75 - v25),
        mixed=q75 - q25 > MIXED,
    )


def _panel_rgb(image: np.ndarray | None, result: Result) -> np.ndarray | None:
    """The panel's RGB pixels from ``image`` (the panel or the whole figure)."""
    if image is None:
        return None
    img = np.asarray(image)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    img = img[..., :3]
    h, w = result.values.shape
    if img.shape[:2] != (h, w):
        b = result.box
        img = img[b.top : b.top + h, b.left : b.left + w]
        if img.shape[:2] != (h, w):
            raise ValueError(
                f"image of {img.shape[1]}x{img.shape[0]} px is neither the "
                f"{w}x{h} px panel nor a figure holding it"
            )
    if img.dtype != np.uint8:
        top = 1.0 if np.issubdtype(img.dtype, np.floating) else 65535.0
        img = np.rint(np.clip(img / top, 0, 1) * 255).astype(np.uint8)
    return img


def _slope(
    table_p: np.ndarray, table_ycc: np.ndarray, p: np.ndarray, nonzero: bool = False
) -> np.ndarray:
    """The bar's colour change (its colour units) per unit of position at ``p``.

    With ``nonzero``, at least one colour unit over the whole bar.
    """
    if len(table_p) < 3:
        return np.ones_like(p) if nonzero else np.zeros_like(p)
    if not (np.diff(table_p) > 0).all():
        keep = np.concatenate([[True], np.diff(table_p) > 0])
        table_p, table_ycc = table_p[keep], table_ycc[keep]
        if len(table_p) < 3:
            return np.ones_like(p) if nonzero else np.zeros_like(p)
    step = np.sqrt((np.diff(table_ycc, axis=0) ** 2).sum(axis=1))
    rate = step / np.maximum(np.diff(table_p), 1e-12)
    # smooth over about 1 % of the bar: one table entry can be flat
    k = max(1, len(rate) // 100)
    rate = np.convolve(rate, np.ones(k) / k, mode="same")
    mid = (table_p[1:] + table_p[:-1]) / 2
    out = np.interp(np.nan_to_num(p), mid, rate)
    return np.maximum(out, 1.0) if nonzero else out


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
    return cells_kernel(pos, r0, r1, c0, c1)
