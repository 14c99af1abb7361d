"""Compiled per-cell loops of :mod:`._cell_estimate`.

Each kernel walks the cells of a grid in parallel (one row of cells per
thread) and reduces each cell's interior pixels: :func:`shorth` finds the
densest half of its colour-bar positions, :func:`estimate_kernel` also finds
the cell's main colour and its statistics, and :func:`place` puts a mean
colour on a dense table of the bar's colours.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["cells_kernel", "estimate_kernel", "place", "shorth"]


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


@numba.njit(cache=True, nogil=True)
def _gather(
    pos: np.ndarray, y0: int, y1: int, x0: int, x1: int, buf: np.ndarray
) -> int:
    """Copy the non-NaN values of ``pos[y0:y1, x0:x1]`` into ``buf``; how many."""
    n = 0
    for y in range(y0, y1):
        for x in range(x0, x1):
            v = pos[y, x]
            if not math.isnan(v):
                buf[n] = v
                n += 1
    return n


@numba.njit(cache=True, nogil=True, parallel=True)
def cells_kernel(
    pos: np.ndarray, r0: np.ndarray, r1: np.ndarray, c0: np.ndarray, c1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: shorth of the positions, matched fraction and quartiles."""
    rows, cols = r0.size, c0.size
    est = np.full((rows, cols), math.nan)
    matched = np.zeros((rows, cols))
    q25 = np.full((rows, cols), math.nan)
    q75 = np.full((rows, cols), math.nan)
    for r in numba.prange(rows):
        for c in range(cols):
            total = (r1[r] - r0[r]) * (c1[c] - c0[c])
            buf = np.empty(total)
            n = _gather(pos, r0[r], r1[r], c0[c], c1[c], buf)
            matched[r, c] = n / max(total, 1)
            if n:
                est[r, c] = shorth(buf[:n])  # sorts buf[:n]
                q25[r, c] = buf[(n - 1) // 4]
                q75[r, c] = buf[(3 * (n - 1)) // 4]
    return est, matched, q25, q75


@numba.njit(cache=True, nogil=True)
def _main_colour(
    ycc: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    floor: float,
    spread: float,
    keep: np.ndarray,
) -> int:
    """Mark in ``keep`` the pixels of the box showing its main colour.

    The main colour is the per-channel median, refined once to the mean of
    the pixels near it; near is within ``spread`` times the median distance
    from it, and at least ``floor`` (colour units). Text, lines and ringing
    around them lie farther. Returns how many pixels are kept.
    """
    w = x1 - x0
    n = (y1 - y0) * w
    if n <= 0:
        return 0
    ch = np.empty((3, n))
    for y in range(y0, y1):
        for x in range(x0, x1):
            for k in range(3):
                ch[k, (y - y0) * w + x - x0] = ycc[y, x, k]
    centre = np.empty(3)
    for k in range(3):
        centre[k] = np.median(ch[k])
    d = np.empty(n)
    kept = 0
    for _ in range(2):
        for i in range(n):
            d[i] = math.sqrt(
                (ch[0, i] - centre[0]) ** 2
                + (ch[1, i] - centre[1]) ** 2
                + (ch[2, i] - centre[2]) ** 2
            )
        t = max(floor, spread * np.median(d))
        s = np.zeros(3)
        kept = 0
        for i in range(n):
            if d[i] <= t:
                kept += 1
                for k in range(3):
                    s[k] += ch[k, i]
        for k in range(3):
            centre[k] = s[k] / kept
    kept = 0
    for i in range(n):
        keep[i] = (
            math.sqrt(
                (ch[0, i] - centre[0]) ** 2
                + (ch[1, i] - centre[1]) ** 2
                + (ch[2, i] - centre[2]) ** 2
            )
            <= t
        )
        kept += keep[i]
    return kept


@numba.njit(cache=True, nogil=True, parallel=True)
def estimate_kernel(
    pos: np.ndarray,
    dist: np.ndarray,
    ycc: np.ndarray,
    with_colour: bool,
    r0: np.ndarray,
    r1: np.ndarray,
    c0: np.ndarray,
    c1: np.ndarray,
    params: np.ndarray,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    """Per cell: shorth, matched, quartiles, one exact colour, main colour.

    ``params`` holds the window around the shorth (positions; used without
    colours), the colour floor and spread of :func:`_main_colour`, the
    distance (ΔE) within which a colour is the bar's own, and the number of
    pixels that vary together. The main colour's pixels give its mean
    position, standard error, mean distance from the bar and (with colours)
    mean Y'CbCr colour.
    """
    window, floor, spread, on_bar, correlated = (
        params[0],
        params[1],
        params[2],
        params[3],
        params[4],
    )
    rows, cols = r0.size, c0.size
    est = np.full((rows, cols), math.nan)
    matched = np.zeros((rows, cols))
    q25 = np.full((rows, cols), math.nan)
    q75 = np.full((rows, cols), math.nan)
    exact = np.zeros((rows, cols), dtype=np.bool_)
    w_mean = np.full((rows, cols), math.nan)
    w_se = np.full((rows, cols), math.nan)
    w_de = np.full((rows, cols), math.nan)
    mean_ycc = np.full((rows, cols, 3), math.nan)
    for r in numba.prange(rows):
        for c in range(cols):
            y0, y1, x0, x1 = r0[r], r1[r], c0[c], c1[c]
            total = (y1 - y0) * (x1 - x0)
            buf = np.empty(total)
            n = _gather(pos, y0, y1, x0, x1, buf)
            matched[r, c] = n / max(total, 1)
            if n == 0:
                continue
            e = shorth(buf[:n])  # sorts buf[:n]
            est[r, c] = e
            q25[r, c] = buf[(n - 1) // 4]
            q75[r, c] = buf[(3 * (n - 1)) // 4]
            same = 0
            for i in range(n):
                if buf[i] == e:
                    same += 1
            if 2 * same > n:
                # one colour in most of the cell: exact if it lies on the bar
                closest = math.inf
                for y in range(y0, y1):
                    for x in range(x0, x1):
                        if pos[y, x] == e:
                            closest = min(closest, dist[y, x])
                exact[r, c] = closest <= on_bar
            # the main colour's pixels: near the cell's main colour (with the
            # colours), else within `window` of the shorth
            keep = np.zeros(total, dtype=np.bool_)
            if with_colour:
                _main_colour(ycc, y0, y1, x0, x1, floor, spread, keep)
            else:
                for y in range(y0, y1):
                    for x in range(x0, x1):
                        v = pos[y, x]
                        keep[(y - y0) * (x1 - x0) + x - x0] = (
                            not math.isnan(v) and abs(v - e) <= window
                        )
            # the colour from every kept pixel; positions from the matched
            kc = 0
            k = 0
            s = 0.0
            s2 = 0.0
            sd = 0.0
            sc = np.zeros(3)
            for y in range(y0, y1):
                for x in range(x0, x1):
                    if keep[(y - y0) * (x1 - x0) + x - x0]:
                        kc += 1
                        for ch in range(3):
                            sc[ch] += ycc[y, x, ch] if with_colour else 0.0
                        v = pos[y, x]
                        if not math.isnan(v):
                            k += 1
                            s += v
                            s2 += v * v
                            sd += dist[y, x]
            if with_colour and kc:
                for ch in range(3):
                    mean_ycc[r, c, ch] = sc[ch] / kc
            if k == 0:
                continue
            m = s / k
            w_mean[r, c] = m
            w_de[r, c] = sd / k
            var = max(s2 / k - m * m, 0.0)
            w_se[r, c] = math.sqrt(var / max(1.0, k / correlated))
    return est, matched, q25, q75, exact, w_mean, w_se, mean_ycc, w_de


@numba.njit(cache=True, nogil=True, parallel=True)
def place(
    mean_ycc: np.ndarray, table_p: np.ndarray, table_ycc: np.ndarray, chroma: float
) -> tuple[np.ndarray, np.ndarray]:
    """Table position nearest each cell's mean colour, luma weighted.

    Also gives the squared weighted distance to it.
    """
    rows, cols = mean_ycc.shape[0], mean_ycc.shape[1]
    out = np.full((rows, cols), math.nan)
    off = np.full((rows, cols), math.nan)
    for r in numba.prange(rows):
        for c in range(cols):
            y, cb, cr = mean_ycc[r, c, 0], mean_ycc[r, c, 1], mean_ycc[r, c, 2]
            if math.isnan(y):
                continue
            best = math.inf
            for k in range(table_p.size):
                d = (table_ycc[k, 0] - y) ** 2 + chroma * (
                    (table_ycc[k, 1] - cb) ** 2 + (table_ycc[k, 2] - cr) ** 2
                )
                if d < best:
                    best = d
                    out[r, c] = table_p[k]
            off[r, c] = best
    return out, off
