"""Compiled whole-figure masks and square morphology for detection.

Detection reads a figure as masks: where it differs from the page, where
thin things (text, lines) are opened away, where gaps are closed. A square
structuring element is separable, so erosion by a ``(2r+1)``-square is one
erosion along the rows and one down the columns, done together in a single
pass over the mask in memory order that counts the run of set pixels
reaching each pixel: the time does not grow with the square's size. The
results equal `scipy.ndimage`'s
``binary_erosion``/``dilation``/``opening``/``closing`` with
``structure=np.ones((2r+1, 2r+1))`` and the same ``border_value``; `label`
equals ``scipy.ndimage.label`` and measures each part in the same pass.

The kernels run on one thread: a pass over a figure's mask takes a
millisecond or two, less than handing it to several threads costs, and a
machine busy with other work does not slow them tenfold.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(nogil=True, cache=True)
def far_from(pixels: np.ndarray, colour: np.ndarray, delta: float) -> np.ndarray:
    """Where ``pixels`` (``(H, W, 3)`` Lab) lie beyond ``delta`` (ΔE) of ``colour``."""
    H, W = pixels.shape[:2]
    out = np.empty((H, W), dtype=np.bool_)
    limit = delta * delta
    c0, c1, c2 = colour[0], colour[1], colour[2]
    for i in range(H):
        for j in range(W):
            d0 = pixels[i, j, 0] - c0
            d1 = pixels[i, j, 1] - c1
            d2 = pixels[i, j, 2] - c2
            out[i, j] = d0 * d0 + d1 * d1 + d2 * d2 > limit
    return out


@numba.njit(nogil=True, cache=True)
def _erode(mask: np.ndarray, r: int, border: bool) -> np.ndarray:
    """Erosion by a ``(2r+1)``-square; outside the image is ``border``.

    One pass in memory order: each row is eroded along itself, then ends,
    in every column, the run of row-eroded pixels that decides the pixel
    ``r`` rows above.
    """
    H, W = mask.shape
    out = np.empty((H, W), dtype=np.bool_)
    row = np.empty(W, dtype=np.bool_)
    down = np.empty(W, dtype=np.int64)
    need = 2 * r + 1
    start = H + W + 2 * r + 2 if border else 0
    down[:] = start
    for i in range(H):
        run = start
        for q in range(W):
            run = run + 1 if mask[i, q] else 0
            if q >= r:  # the window of pixel q - r ends at q
                row[q - r] = run >= need
        for p in range(max(0, W - r), W):
            row[p] = border and run >= W - p + r
        for j in range(W):
            down[j] = down[j] + 1 if row[j] else 0
        if i >= r:
            for j in range(W):
                out[i - r, j] = down[j] >= need
    for p in range(max(0, H - r), H):
        for j in range(W):
            out[p, j] = border and down[j] >= H - p + r
    return out


@numba.njit(nogil=True, cache=True)
def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Dilation by a ``(2r+1)``-square (outside unset), in one pass as `_erode`."""
    H, W = mask.shape
    out = np.empty((H, W), dtype=np.bool_)
    row = np.empty(W, dtype=np.bool_)
    never = -(H + W + 4 * r + 4)
    last = np.full(W, never, dtype=np.int64)
    for i in range(H):
        seen = never
        for q in range(W):
            if mask[i, q]:
                seen = q
            if q >= r:  # the window of pixel q - r is q - 2r .. q
                row[q - r] = seen >= q - 2 * r
        for p in range(max(0, W - r), W):
            row[p] = seen >= p - r
        for j in range(W):
            if row[j]:
                last[j] = i
        if i >= r:
            for j in range(W):
                out[i - r, j] = last[j] >= i - 2 * r
    for p in range(max(0, H - r), H):
        for j in range(W):
            out[p, j] = last[j] >= p - r
    return out


def erode(mask: np.ndarray, r: int, border: bool = False) -> np.ndarray:
    """Binary erosion of ``mask`` by a ``(2r+1)``-pixel square.

    Parameters
    ----------
    mask : numpy.ndarray
        2-D boolean mask.
    r : int
        The square's half-width: ``r = 2`` is a 5 × 5 square.
    border : bool
        The value taken for pixels outside the image.

    Returns
    -------
    numpy.ndarray
        Where the whole square around a pixel is set.
    """
    mask = np.asarray(mask, dtype=np.bool_)
    if r <= 0:
        return mask.copy()
    return _erode(mask, r, border)


def dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Binary dilation of ``mask`` by a ``(2r+1)``-pixel square (outside unset)."""
    mask = np.asarray(mask, dtype=np.bool_)
    if r <= 0:
        return mask.copy()
    return _dilate(mask, r)


def opening(mask: np.ndarray, r: int) -> np.ndarray:
    """Binary opening by a ``(2r+1)``-square: what the square fits inside.

    Outside the image counts as unset, as in `scipy.ndimage.binary_opening`.
    """
    return dilate(erode(mask, r), r)


def closing(mask: np.ndarray, r: int) -> np.ndarray:
    """Binary closing by a ``(2r+1)``-square, outside unset both times.

    As `scipy.ndimage.binary_closing` with ``border_value=0``: pixels
    within ``r`` of the image's edge come out unset.
    """
    return erode(dilate(mask, r), r)


def colour_count(lab: np.ndarray, step: float = 4.0) -> int:
    """How many distinct colours ``lab`` (``(n, 3)``) holds, quantised by ``step``."""
    if len(lab) == 0:
        return 0
    q = np.rint(np.asarray(lab, dtype=np.float64) / step).astype(np.int64)
    q -= q.min(axis=0)
    span = q.max(axis=0) + 1
    keys = (q[:, 0] * span[1] + q[:, 1]) * span[2] + q[:, 2]
    return len(np.unique(keys))


@numba.njit(nogil=True, cache=True)
def hole_borders(
    holes: np.ndarray, mask: np.ndarray, thick: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What borders each labelled hole, in one pass.

    For labels ``1..n`` of ``holes`` (0: not a hole), counts the set pixels
    of ``mask`` one step up, down, left or right of the hole's pixels, as
    ``counts[i] = (thin, thick)`` by ``thick``; ``extent[i] = (top, bottom,
    left, right)`` is the hole's box (bottom and right exclusive) and
    ``reach[i]`` the same box around its thick neighbours (``-1`` when it
    has none).
    """
    H, W = holes.shape
    counts = np.zeros((n + 1, 2), dtype=np.int64)
    extent = np.empty((n + 1, 4), dtype=np.int64)
    reach = np.empty((n + 1, 4), dtype=np.int64)
    for i in range(n + 1):
        extent[i, 0], extent[i, 1], extent[i, 2], extent[i, 3] = H, -1, W, -1
        reach[i, 0], reach[i, 1], reach[i, 2], reach[i, 3] = H, -1, W, -1
    steps = ((-1, 0), (1, 0), (0, -1), (0, 1))
    for r in range(H):
        for c in range(W):
            k = holes[r, c]
            if k == 0:
                continue
            extent[k, 0] = min(extent[k, 0], r)
            extent[k, 1] = max(extent[k, 1], r + 1)
            extent[k, 2] = min(extent[k, 2], c)
            extent[k, 3] = max(extent[k, 3], c + 1)
            for dr, dc in steps:
                rr = r + dr
                cc = c + dc
                if rr < 0 or rr >= H or cc < 0 or cc >= W or not mask[rr, cc]:
                    continue
                if thick[rr, cc]:
                    counts[k, 1] += 1
                    reach[k, 0] = min(reach[k, 0], rr)
                    reach[k, 1] = max(reach[k, 1], rr + 1)
                    reach[k, 2] = min(reach[k, 2], cc)
                    reach[k, 3] = max(reach[k, 3], cc + 1)
                else:
                    counts[k, 0] += 1
    for i in range(n + 1):
        if counts[i, 1] == 0:
            reach[i, 0], reach[i, 1], reach[i, 2], reach[i, 3] = -1, -1, -1, -1
    return counts, extent, reach


@numba.njit(nogil=True, cache=True)
def line_spread(line: np.ndarray, q: float) -> tuple[np.ndarray, float]:
    """A line's colour and how far its pixels spread from it.

    Returns the median per channel of ``line`` (``(n, 3)`` Lab) and the
    ``q``-th percentile of its pixels' ΔE to that median.
    """
    n = line.shape[0]
    centre = np.empty(3, dtype=np.float64)
    for k in range(3):
        centre[k] = np.median(line[:, k].astype(np.float64))
    d = np.empty(n, dtype=np.float64)
    for i in range(n):
        d0 = line[i, 0] - centre[0]
        d1 = line[i, 1] - centre[1]
        d2 = line[i, 2] - centre[2]
        d[i] = np.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
    return centre, np.percentile(d, q)


@numba.njit(nogil=True, cache=True)
def median_delta(a: np.ndarray, b: np.ndarray) -> float:
    """The median ΔE between the pixels of ``a`` and ``b`` (``(n, 3)`` Lab)."""
    n = a.shape[0]
    d = np.empty(n, dtype=np.float64)
    for i in range(n):
        d0 = a[i, 0] - b[i, 0]
        d1 = a[i, 1] - b[i, 1]
        d2 = a[i, 2] - b[i, 2]
        d[i] = np.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
    return np.median(d)


@numba.njit(nogil=True, cache=True)
def one_colour_3x3(rgb: np.ndarray) -> np.ndarray:
    """Where a pixel's 3 × 3 neighbourhood (inside the image) is one colour.

    ``rgb`` is ``(H, W, 3)`` ``uint8``; every channel must match exactly.
    """
    H, W = rgb.shape[:2]
    out = np.empty((H, W), dtype=np.bool_)
    for i in range(H):
        for j in range(W):
            same = True
            for di in range(-1, 2):
                ii = i + di
                if ii < 0 or ii >= H:
                    continue
                for dj in range(-1, 2):
                    jj = j + dj
                    if jj < 0 or jj >= W:
                        continue
                    if (
                        rgb[ii, jj, 0] != rgb[i, j, 0]
                        or rgb[ii, jj, 1] != rgb[i, j, 1]
                        or rgb[ii, jj, 2] != rgb[i, j, 2]
                    ):
                        same = False
                        break
                if not same:
                    break
            out[i, j] = same
    return out


@numba.njit(inline="always", nogil=True, cache=True)
def _root(parent: np.ndarray, k: int) -> int:
    while parent[k] != k:
        k = parent[k]
    return k


@numba.njit(nogil=True, cache=True)
def label(mask: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """Connected parts of ``mask`` (4-connected) and what each covers.

    The labels and their numbering equal `scipy.ndimage.label`'s (1, 2, ...
    in the order of each part's first pixel row by row; 0 where unset).
    Returns the labels (``int32``), their number ``n`` and ``stats[k] =
    (pixels, top, bottom, left, right, on_edge)`` for label ``k`` (row 0
    unused; bottom and right exclusive; ``on_edge`` 1 when the part reaches
    the image's edge). Runs of set pixels along the rows are joined, not
    single pixels.
    """
    H, W = mask.shape
    most = H * ((W + 1) // 2) + 1
    starts = np.empty(most, dtype=np.int32)
    stops = np.empty(most, dtype=np.int32)
    # each run's first label; a part's lowest label is its root
    runs = np.empty(most, dtype=np.int32)
    parent = np.empty(most + 1, dtype=np.int32)
    row_runs = np.zeros(H + 1, dtype=np.int64)  # the first run of each row
    n_runs = 0
    count = 0
    for i in range(H):
        row_runs[i] = n_runs
        above, above_end = (row_runs[i - 1], row_runs[i]) if i > 0 else (0, 0)
        q = above
        j = 0
        while j < W:
            if not mask[i, j]:
                j += 1
                continue
            s = j
            while j < W and mask[i, j]:
                j += 1
            e = j
            # runs above overlapping columns s..e-1
            while q < above_end and stops[q] <= s:
                q += 1
            k = 0
            while q < above_end and starts[q] < e:
                r = _root(parent, runs[q])
                if k == 0:
                    k = r
                elif r != k:
                    lo = min(r, k)
                    parent[r] = lo
                    parent[k] = lo
                    k = lo
                if stops[q] > e:
                    break  # it may reach the next run too
                q += 1
            if k == 0:
                count += 1
                parent[count] = count
                k = count
            starts[n_runs] = s
            stops[n_runs] = e
            runs[n_runs] = k
            n_runs += 1
    row_runs[H] = n_runs
    # roots have the lowest label of their part: one pass numbers the parts
    # in the order of their first pixel
    final = np.zeros(count + 1, dtype=np.int32)
    n = 0
    for k in range(1, count + 1):
        if parent[k] == k:
            n += 1
            final[k] = n
        else:
            final[k] = final[parent[k]]
    labels = np.zeros((H, W), dtype=np.int32)
    stats = np.zeros((n + 1, 6), dtype=np.int64)
    for k in range(1, n + 1):
        stats[k, 1] = H
        stats[k, 3] = W
    for i in range(H):
        for r in range(row_runs[i], row_runs[i + 1]):
            k = final[runs[r]]
            s, e = starts[r], stops[r]
            labels[i, s:e] = k
            stats[k, 0] += e - s
            stats[k, 1] = min(stats[k, 1], i)
            stats[k, 2] = max(stats[k, 2], i + 1)
            stats[k, 3] = min(stats[k, 3], s)
            stats[k, 4] = max(stats[k, 4], e)
            if i == 0 or i == H - 1 or s == 0 or e == W:
                stats[k, 5] = 1
    return labels, n, stats


@numba.njit(nogil=True, cache=True)
def grey_far_from(
    pixels: np.ndarray, colour: np.ndarray, delta: float, chroma: float
) -> np.ndarray:
    """Where ``pixels`` (Lab) are grey (C* at most ``chroma``) and far from ``colour``.

    Far as in `far_from`; C* rounded to ``float32`` as ``numpy.hypot`` of
    ``float32`` channels gives it.
    """
    H, W = pixels.shape[:2]
    out = np.empty((H, W), dtype=np.bool_)
    limit = delta * delta
    c0, c1, c2 = colour[0], colour[1], colour[2]
    for i in range(H):
        for j in range(W):
            a = np.float64(pixels[i, j, 1])
            b = np.float64(pixels[i, j, 2])
            if np.float32(np.sqrt(a * a + b * b)) > chroma:
                out[i, j] = False
                continue
            d0 = pixels[i, j, 0] - c0
            d1 = pixels[i, j, 1] - c1
            d2 = pixels[i, j, 2] - c2
            out[i, j] = d0 * d0 + d1 * d1 + d2 * d2 > limit
    return out


@numba.njit(nogil=True, cache=True)
def _down_runs(mask: np.ndarray, least: int) -> np.ndarray:
    """The long runs down the columns, in the order they end."""
    H, W = mask.shape
    # runs of ``least`` or more, a pixel apart: at most this many a column
    out = np.empty((W * (H // (least + 1) + 1), 3), dtype=np.int64)
    n = 0
    top = np.full(W, -1, dtype=np.int64)  # where each column's run began
    for i in range(H):
        for j in range(W):
            if mask[i, j]:
                if top[j] < 0:
                    top[j] = i
            elif top[j] >= 0:
                if i - top[j] >= least:
                    out[n, 0] = j
                    out[n, 1] = top[j]
                    out[n, 2] = i
                    n += 1
                top[j] = -1
    for j in range(W):
        if top[j] >= 0 and H - top[j] >= least:
            out[n, 0] = j
            out[n, 1] = top[j]
            out[n, 2] = H
            n += 1
    return out[:n].copy()


@numba.njit(nogil=True, cache=True)
def _across_runs(mask: np.ndarray, least: int) -> np.ndarray:
    """The long runs along the rows, row by row."""
    H, W = mask.shape
    out = np.empty((H * (W // (least + 1) + 1), 3), dtype=np.int64)
    n = 0
    for i in range(H):
        start = -1
        for j in range(W):
            if mask[i, j]:
                if start < 0:
                    start = j
            elif start >= 0:
                if j - start >= least:
                    out[n, 0] = i
                    out[n, 1] = start
                    out[n, 2] = j
                    n += 1
                start = -1
        if start >= 0 and W - start >= least:
            out[n, 0] = i
            out[n, 1] = start
            out[n, 2] = W
            n += 1
    return out[:n].copy()


def line_runs(mask: np.ndarray, least: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs of at least ``least`` set pixels down the columns and along the rows.

    Returns ``(down, across)``: rows ``(column, start, stop)`` ordered by
    column, then start; and ``(row, start, stop)`` ordered by row, then
    start (``stop`` exclusive).
    """
    mask = np.asarray(mask, dtype=np.bool_)
    least = max(1, int(least))
    down = _down_runs(mask, least)
    return down[np.lexsort((down[:, 1], down[:, 0]))], _across_runs(mask, least)


@numba.njit(nogil=True, cache=True)
def _colours_at_least(
    lab: np.ndarray, mask: np.ndarray, least: int, every: int, step: float
) -> bool:
    seen = np.empty((max(least, 1), 3), dtype=np.float64)
    n = 0
    k = -1
    H, W = mask.shape
    for i in range(H):
        for j in range(W):
            if not mask[i, j]:
                continue
            k += 1
            if k % every:
                continue
            q0 = np.rint(np.float64(lab[i, j, 0]) / step)
            q1 = np.rint(np.float64(lab[i, j, 1]) / step)
            q2 = np.rint(np.float64(lab[i, j, 2]) / step)
            new = True
            for m in range(n):
                if seen[m, 0] == q0 and seen[m, 1] == q1 and seen[m, 2] == q2:
                    new = False
                    break
            if new:
                if n + 1 >= least:
                    return True
                seen[n, 0], seen[n, 1], seen[n, 2] = q0, q1, q2
                n += 1
    return least <= 0


def colours_at_least(
    lab: np.ndarray, mask: np.ndarray, least: int, every: int = 7, step: float = 4.0
) -> bool:
    """Whether ``colour_count(lab[mask][::every], step) >= least``, stopping early.

    ``lab`` is ``(H, W, 3)`` and ``mask`` ``(H, W)``; the pixels are read
    row by row until ``least`` distinct quantised colours are seen.
    """
    return bool(_colours_at_least(lab, mask, int(least), int(every), float(step)))
