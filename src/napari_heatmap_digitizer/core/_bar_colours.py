"""A colour bar's colours as a panel's cells are placed on them.

The bar's own levels (less the entries continuing its ends, plus levels an
outline hides), how a panel's cell colours were rounded against them, and
the dense table of the bar's colours (Y'CbCr) that a mean colour is placed
on, smoothed along the bar where its colours carry noise or rounding.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from napari_heatmap_digitizer.core._bar_maps import level_table
from napari_heatmap_digitizer.core._colorbar import Colorbar

__all__ = [
    "YCC",
    "Against",
    "against_bar",
    "cell_colours",
    "dense_table",
    "hidden_ends",
    "own_entries",
    "rounded_like_bar",
    "smooth_along",
    "smoothing_error",
    "table_rounding",
    "to_ends",
]

#: Entries of the dense table a mean colour is placed on.
TABLE = 4096
#: A lossy bar's colours are smoothed along it, each replaced by a straight
#: line fitted to this share of the bar's length around it (at least
#: SMOOTH_MIN and at most SMOOTH_MAX pixels, about two 8-px JPEG blocks).
SMOOTH = 0.04
SMOOTH_MIN = 5
SMOOTH_MAX = 17
#: Rows of a compressed bar that vary together (one 8-px JPEG block).
BLOCK_ROWS = 8
#: How far (8-bit units) a colour rounded to 8 bits may be from the colour
#: it stands for.
ROUNDING = 0.5
#: Share of a lossless panel's one-colour cells showing no colour of the bar
#: above which the panel's colours were rounded apart from the bar's.
OFF_BAR = 0.2
#: Share of a panel's off-bar cells that must fit one rounding of the bar's
#: colours for the panel to have been rounded that way.
FITS = 0.95
#: At most this many levels are taken to be hidden at each end of a bar.
HIDDEN = 2
#: Share of the off-bar cells the other rounding must miss at least.
ONE_SIDED = 0.05
#: A table's unrounded colour may lie this far (8-bit units) beyond the
#: interval that rounds to a colour: the catalogue's tables and a
#: program's own differ by about a hundredth.
TABLE_SLACK = 0.02

YCC = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)


def own_entries(bar: Colorbar) -> tuple[np.ndarray, np.ndarray]:
    """The bar's colours and positions less the entries continuing its ends.

    The entries at 0 and 1 that repeat the end colours continue the bar past
    its sampled ends: they are not levels of their own.
    """
    p = np.asarray(bar.positions, dtype=np.float64)
    rgb = np.asarray(bar.rgb)
    keep = np.ones(len(p), dtype=bool)
    if len(p) > 2 and p[0] == 0.0 and np.array_equal(rgb[0], rgb[1]):
        keep[0] = False
    if len(p) > 2 and p[-1] == 1.0 and np.array_equal(rgb[-1], rgb[-2]):
        keep[-1] = False
    return rgb[keep], p[keep]


def cell_colours(
    cells: np.ndarray,
    est: np.ndarray,
    pos: np.ndarray,
    rgb: np.ndarray,
    r0: np.ndarray,
    c0: np.ndarray,
    r1: np.ndarray,
    c1: np.ndarray,
) -> np.ndarray:
    """The one colour most of each of ``cells`` shows, ``(n, 3)`` int."""
    out = np.empty((int(cells.sum()), 3), np.int64)
    for n, (r, c) in enumerate(np.argwhere(cells)):
        sub = pos[r0[r] : r1[r], c0[c] : c1[c]]
        y, x = np.argwhere(sub == est[r, c])[0]
        out[n] = rgb[r0[r] + y, c0[c] + x]
    return out


def hidden_ends(rgb: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bar's levels and those hidden under its ends, ``(rgb, positions)``.

    An outline drawn over a bar's ends can cover its first or last level
    whole (matplotlib's, over a bar longer than its colour table). Where the
    first level lies more than half a level's width from the end, the levels
    that fit there are added, their colours continuing the trend of the next
    four levels.
    """
    if len(p) < 5:
        return rgb, p
    step = float(np.median(np.diff(p)))
    if step <= 0:
        return rgb, p
    colours = rgb.astype(np.float64)
    head_n = int(min(HIDDEN, max(0, round(p[0] / step - 0.5))))
    tail_n = int(min(HIDDEN, max(0, round((1 - p[-1]) / step - 0.5))))
    head_slope, tail_slope = (
        (colours[3] - colours[0]) / 3,
        (colours[-1] - colours[-4]) / 3,
    )
    head = [colours[0] - k * head_slope for k in range(head_n, 0, -1)]
    tail = [colours[-1] + k * tail_slope for k in range(1, tail_n + 1)]
    out_rgb = np.rint(np.clip(np.vstack([*head, colours, *tail]), 0, 255))
    out_p = np.concatenate(
        [
            p[0] - step * np.arange(head_n, 0, -1),
            p,
            p[-1] + step * np.arange(1, tail_n + 1),
        ]
    )
    return out_rgb.astype(rgb.dtype), out_p


class Against(NamedTuple):
    """Cells' colours against a bar's own (:func:`against_bar`).

    ``which`` gives each cell's index among the distinct colours, ``diff``
    each bar colour less each distinct colour (``(n_distinct, n_bar, 3)``),
    ``on`` whether each cell's colour is one of the bar's, ``bar_p`` the
    bar colours' positions (with the levels hidden at its ends) and
    ``distinct`` the distinct colours (``(n_distinct, 3)``).
    """

    which: np.ndarray
    diff: np.ndarray
    on: np.ndarray
    bar_p: np.ndarray
    distinct: np.ndarray


def against_bar(colours: np.ndarray, bar: Colorbar) -> Against:
    """Cells' colours (``(n, 3)`` int) against the bar's own colours."""
    unique, inverse = np.unique(colours, axis=0, return_inverse=True)
    rgb, bp = hidden_ends(*own_entries(bar))
    diff = rgb.astype(np.int64)[None, :, :] - unique[:, None, :]
    on = np.all(diff == 0, axis=2).any(axis=1)[inverse.ravel()]
    return Against(inverse.ravel(), diff, on, bp, unique)


def rounded_like_bar(against: Against, p: np.ndarray) -> np.ndarray | None:
    """Positions of cells of one colour each, allowing for the renderer's rounding.

    Renderers round a colour map's colours to 8 bits differently for images
    and for their colour bar: matplotlib truncates an image's colours and
    rounds the bar's. Then most cells show a colour one unit off every bar
    colour in some channels, and the nearest bar colour is often a level or
    two away. When most cells are off the bar and nearly all of them are one
    unit below (or above) a bar colour in each channel, while clearly fewer
    are one unit the other way, the panel was rounded that way: each cell
    takes the mean position of the bar colours it is consistent with.
    Otherwise ``None``.
    """
    inverse, diff, on, bp, _ = against
    if len(on) < 3:
        return None
    if (~on).sum() <= max(2, OFF_BAR * len(on)):
        return None
    fits = [np.all((diff >= lo) & (diff <= lo + 1), axis=2) for lo in (0, -1)]
    fit = _one_way(fits, inverse, on)
    if fit is None:
        return None
    return _mean_places(fit, bp, inverse, p)


def _one_way(
    fits: list[np.ndarray], which: np.ndarray, on: np.ndarray
) -> np.ndarray | None:
    """The one of two roundings that fits the panel, or None.

    Each rounding says which levels each distinct colour is consistent with
    (``(n_distinct, n_levels)``). The one that fits `FITS` of the off-bar
    cells wins while the other misses clearly more: on a gentle gradient
    both fit most cells by chance.
    """
    share = [float(np.any(f, axis=1)[which][~on].mean()) for f in fits]
    best, other = max(share), min(share)
    if best < FITS or 1.0 - other < max(ONE_SIDED, 3.0 * (1.0 - best)):
        return None
    return fits[int(np.argmax(share))]


def _mean_places(
    fit: np.ndarray, places: np.ndarray, which: np.ndarray, p: np.ndarray
) -> np.ndarray:
    """Each cell's mean place over the levels consistent with its colour."""
    count = fit.sum(axis=1)
    mean = (fit * places[None, :]).sum(axis=1) / np.maximum(count, 1)
    return np.where(count[which] > 0, mean[which], p)


def table_rounding(against: Against, bar: Colorbar, p: np.ndarray) -> np.ndarray | None:
    """Positions of cells of one colour each, on the bar's unrounded levels.

    A bar that is a catalogue map's table of N levels (``source["table"]``,
    see `_bar_maps.match_levels`) gives every level's colour unrounded, so
    how the panel's colours were made 8-bit can be told exactly: rounded
    like the bar's when nearly all cells show bar colours; else truncated
    (matplotlib's images) or rounded up, whichever fits `FITS` of the
    off-bar cells while the other misses clearly more. Each cell takes the
    mean centre, ``(k + 0.5) / N``, of the levels that this rounding takes
    to its colour. ``None`` without such a table or when neither fits.
    """
    table = bar.source.get("table")
    if table is None or len(against.on) < 3:
        return None
    lut = level_table(table["colormap"], int(table["levels"]))
    n, slack = len(lut), TABLE_SLACK
    d = lut[None, :, :] - against.distinct[:, None, :].astype(np.float64)
    on, which = against.on, against.which
    if (~on).sum() <= max(2, OFF_BAR * len(on)):
        fit = np.all(np.abs(d) <= 0.5 + slack, axis=2)
    else:
        down = np.all((d >= -slack) & (d < 1 + slack), axis=2)  # truncated
        up = np.all((d <= slack) & (d > -1 - slack), axis=2)
        found = _one_way([down, up], which, on)
        if found is None:
            return None
        fit = found
    return _mean_places(fit, (np.arange(n) + 0.5) / n, which, p)


def dense_table(
    bar: Colorbar, smooth: bool = False, within: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The bar's colours (Y'CbCr) at TABLE positions, or its bands' colours.

    With ``smooth``, a continuous bar read from an image is first smoothed
    along its length (:func:`smooth_along`): a lossy bar's colours carry the
    compression's noise, row by row, and a lossless one's their rounding to 8
    bits. ``within`` keeps each smoothed colour within that many 8-bit units
    of the bar's own (the rounding of a lossless bar): a kink in the colour
    map (a channel reaching 0 or 255) is not smoothed away.
    """
    rgb = bar.rgb.astype(np.float64)
    p = np.asarray(bar.positions, dtype=np.float64)
    if bar.discrete or len(p) < 2:
        return np.ascontiguousarray(p), np.ascontiguousarray(rgb @ YCC.T)
    if smooth and "colormap" not in bar.source:
        own_rgb, own_p = own_entries(bar)
        own_rgb = own_rgb.astype(np.float64)
        smoothed = smooth_along(own_p, own_rgb)
        if within is not None:
            smoothed = np.clip(smoothed, own_rgb - within, own_rgb + within)
        # the bar continues its smoothed trend to its ends, not its end colours
        p, rgb = to_ends(own_p, smoothed)
    dense = np.linspace(p[0], p[-1], TABLE)
    table = np.stack([np.interp(dense, p, rgb[:, k]) for k in range(3)], axis=1)
    return dense, np.ascontiguousarray(table @ YCC.T)


def smoothing_error(bar: Colorbar) -> np.ndarray:
    """How far the smoothed colours of a bar read from an image may be off.

    The root mean square of the bar's colours about their smoothed colours
    (:func:`smooth_along`), per Y'CbCr channel, over the square root of the
    independent samples each smoothed colour is fitted to (a window's rows
    over :data:`BLOCK_ROWS`, as a compressed bar's rows vary together by
    blocks). Zeros for a bar from the catalogue or of bands.
    """
    if bar.discrete or "colormap" in bar.source:
        return np.zeros(3)
    own_rgb, own_p = own_entries(bar)
    n = len(own_p)
    window = 2 * _half_window(n) + 1
    if n < window:
        return np.zeros(3)
    rgb = own_rgb.astype(np.float64)
    residual = (rgb - smooth_along(own_p, rgb)) @ YCC.T
    rms = np.sqrt((residual**2).mean(axis=0))
    return np.asarray(rms / np.sqrt(max(1.0, window / BLOCK_ROWS)))


def to_ends(p: np.ndarray, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The colours extended in a straight line to positions 0 and 1."""
    if len(p) < 2:
        return p, rgb
    head, tail = [], []
    if p[0] > 0 and p[1] > p[0]:
        slope = (rgb[1] - rgb[0]) / (p[1] - p[0])
        head = [(0.0, np.clip(rgb[0] - slope * p[0], 0, 255))]
    if p[-1] < 1 and p[-1] > p[-2]:
        slope = (rgb[-1] - rgb[-2]) / (p[-1] - p[-2])
        tail = [(1.0, np.clip(rgb[-1] + slope * (1 - p[-1]), 0, 255))]
    ends_p = [e[0] for e in head] + list(p) + [e[0] for e in tail]
    ends_rgb = [e[1] for e in head] + list(rgb) + [e[1] for e in tail]
    return np.asarray(ends_p), np.asarray(ends_rgb)


def _half_window(n: int) -> int:
    """Entries each side of a colour in :func:`smooth_along`'s window."""
    return int(np.clip(round(SMOOTH * n), SMOOTH_MIN, SMOOTH_MAX)) // 2


def smooth_along(p: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Each colour replaced by a straight line fitted to its neighbours.

    The neighbours are the :data:`SMOOTH` share of the bar around it (within
    :data:`SMOOTH_MIN` to :data:`SMOOTH_MAX` entries); straight lines keep a
    gradient's slope and ends unbiased.
    """
    n = len(p)
    half = _half_window(n)
    if n < 2 * half + 1:
        return rgb
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)

    def window_sum(a: np.ndarray) -> np.ndarray:
        c = np.concatenate([np.zeros((1, *a.shape[1:])), np.cumsum(a, axis=0)])
        return c[hi] - c[lo]

    t = p - p.mean()
    s0 = (hi - lo).astype(np.float64)
    s1, s2 = window_sum(t), window_sum(t * t)
    sx, stx = window_sum(rgb), window_sum(t[:, None] * rgb)
    det = s0 * s2 - s1 * s1
    ok = det > 1e-12 * np.maximum(s0 * s2, 1e-300)
    b = np.where(ok[:, None], (s0[:, None] * stx - s1[:, None] * sx), 0.0)
    b /= np.where(ok, det, 1.0)[:, None]
    a = (sx - b * s1[:, None]) / s0[:, None]
    return a + b * t[:, None]
