"""Numba kernels: colour conversion, the nearest-colour search and pixel passes.

The kernels are kept small and free of Python logic; :mod:`.lookup` drives
them. Every kernel is compiled with ``nogil=True`` so that napari workers and
dask threads run them concurrently, and with ``cache=True`` so the compilation
happens once per machine rather than once per process.

A pixel colour is addressed by its 24-bit code ``r << 16 | g << 8 | b``.
"""

from __future__ import annotations

import numba
import numpy as np

#: Number of distinct 8-bit RGB colours.
N_CODES = 1 << 24

_D65 = (0.95047, 1.0, 1.08883)
_EPS = (6.0 / 29.0) ** 3
_KAPPA_INV = 1.0 / (3.0 * (6.0 / 29.0) ** 2)


def _srgb_linear_table() -> np.ndarray:
    c = np.arange(256, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


SRGB_LINEAR = _srgb_linear_table()


@numba.njit(inline="always", nogil=True, cache=True)
def _f(t: float) -> float:
    if t > _EPS:
        return np.cbrt(t)
    return t * _KAPPA_INV + 4.0 / 29.0


@numba.njit(inline="always", nogil=True, cache=True)
def _lab(r, g, b, lin):  # type: ignore[no-untyped-def]
    rl = lin[r]
    gl = lin[g]
    bl = lin[b]
    x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / _D65[0]
    y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl
    z = (0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl) / _D65[2]
    fx = _f(x)
    fy = _f(y)
    fz = _f(z)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


@numba.njit(parallel=True, nogil=True, cache=True)
def rgb8_to_lab(rgb: np.ndarray, lin: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of an ``(n, 3)`` ``uint8`` array of sRGB colours."""
    n = rgb.shape[0]
    out = np.empty((n, 3), dtype=np.float64)
    for i in numba.prange(n):
        L, a, b = _lab(rgb[i, 0], rgb[i, 1], rgb[i, 2], lin)
        out[i, 0] = L
        out[i, 1] = a
        out[i, 2] = b
    return out


@numba.njit(parallel=True, nogil=True, cache=True)
def mark_new_colours(
    rgb: np.ndarray, nodata: np.ndarray, has_mask: bool, known: np.ndarray
) -> None:
    """Set ``known[code] = 2`` for every colour in ``rgb`` not seen before.

    ``known`` holds 0 for unseen colours, 1 for solved ones. Concurrent writes
    of the same value from two threads are harmless.
    """
    rows, cols = rgb.shape[0], rgb.shape[1]
    for i in numba.prange(rows):
        for j in range(cols):
            if has_mask and nodata[i, j]:
                continue
            code = (
                (np.int64(rgb[i, j, 0]) << 16)
                | (np.int64(rgb[i, j, 1]) << 8)
                | np.int64(rgb[i, j, 2])
            )
            if known[code] == 0:
                known[code] = 2


@numba.njit(parallel=True, nogil=True, cache=True)
def collect_new_colours(known: np.ndarray) -> np.ndarray:
    """Codes whose ``known`` flag is 2, ascending; their flags become 1."""
    n_chunks = 256
    size = known.shape[0] // n_chunks
    counts = np.zeros(n_chunks + 1, dtype=np.int64)
    for c in numba.prange(n_chunks):
        k = 0
        for code in range(c * size, (c + 1) * size):
            if known[code] == 2:
                k += 1
        counts[c + 1] = k
    for c in range(n_chunks):
        counts[c + 1] += counts[c]
    codes = np.empty(counts[n_chunks], dtype=np.int32)
    for c in numba.prange(n_chunks):
        k = counts[c]
        for code in range(c * size, (c + 1) * size):
            if known[code] == 2:
                codes[k] = code
                known[code] = 1
                k += 1
    return codes


@numba.njit(parallel=True, nogil=True, cache=True)
def nearest_on_table(
    codes: np.ndarray,
    lin: np.ndarray,
    table: np.ndarray,
    positions: np.ndarray,
    discrete: bool,
    group_size: int,
    centres: np.ndarray,
    radii: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest point of the colour table for each colour code, in CIELAB.

    Continuous tables are polylines: the colour is projected onto every
    segment and the position is interpolated along the nearest one. Discrete
    tables are point sets. Segments are grouped in runs of ``group_size``
    with a bounding sphere (``centres``, ``radii``) each, so that most groups
    are skipped by a lower bound on their distance.

    Returns the bar position (0-1) and the distance ΔE (CIE76) per code.
    """
    n = codes.shape[0]
    n_entries = table.shape[0]
    n_segments = n_entries if discrete else n_entries - 1
    n_groups = centres.shape[0]
    out_pos = np.empty(n, dtype=np.float64)
    out_dist = np.empty(n, dtype=np.float64)
    for k in numba.prange(n):
        code = codes[k]
        L, a, b = _lab((code >> 16) & 255, (code >> 8) & 255, code & 255, lin)
        # The group with the smallest lower bound is searched first; its best
        # distance then prunes the others.
        first = 0
        first_lb = np.inf
        for g in range(n_groups):
            dl = L - centres[g, 0]
            da = a - centres[g, 1]
            db = b - centres[g, 2]
            lb = np.sqrt(dl * dl + da * da + db * db) - radii[g]
            if lb < first_lb:
                first_lb = lb
                first = g
        best = np.inf
        best_pos = 0.0
        for step in range(n_groups + 1):
            if step == 0:
                g = first
            else:
                g = step - 1
                if g == first:
                    continue
                dl = L - centres[g, 0]
                da = a - centres[g, 1]
                db = b - centres[g, 2]
                lb = np.sqrt(dl * dl + da * da + db * db) - radii[g]
                if lb > 0.0 and lb * lb >= best:
                    continue
            start = g * group_size
            stop = min(start + group_size, n_segments)
            for s in range(start, stop):
                pl = table[s, 0]
                pa = table[s, 1]
                pb = table[s, 2]
                t = 0.0
                if not discrete:
                    dl = table[s + 1, 0] - pl
                    da = table[s + 1, 1] - pa
                    db = table[s + 1, 2] - pb
                    len2 = dl * dl + da * da + db * db
                    if len2 > 0.0:
                        t = ((L - pl) * dl + (a - pa) * da + (b - pb) * db) / len2
                        t = min(max(t, 0.0), 1.0)
                    pl += t * dl
                    pa += t * da
                    pb += t * db
                el = L - pl
                ea = a - pa
                eb = b - pb
                d2 = el * el + ea * ea + eb * eb
                if d2 < best:
                    best = d2
                    if discrete:
                        best_pos = positions[s]
                    else:
                        best_pos = positions[s] + t * (positions[s + 1] - positions[s])
        out_pos[k] = best_pos
        out_dist[k] = np.sqrt(best)
    return out_pos, out_dist


@numba.njit(parallel=True, nogil=True, cache=True)
def scatter_results(
    codes: np.ndarray, values: np.ndarray, distances: np.ndarray, lut: np.ndarray
) -> None:
    """Write per-colour value and distance into the ``(2**24, 2)`` table."""
    for k in numba.prange(codes.shape[0]):
        lut[codes[k], 0] = values[k]
        lut[codes[k], 1] = distances[k]


@numba.njit(parallel=True, nogil=True, cache=True)
def gather_values(
    rgb: np.ndarray,
    nodata: np.ndarray,
    has_mask: bool,
    lut: np.ndarray,
    max_distance: float,
    out_value: np.ndarray,
    out_distance: np.ndarray,
) -> None:
    """Per pixel: value and distance from ``lut``; NaN beyond ``max_distance``.

    No-data pixels get NaN for both.
    """
    rows, cols = rgb.shape[0], rgb.shape[1]
    nan = np.float32(np.nan)
    for i in numba.prange(rows):
        for j in range(cols):
            if has_mask and nodata[i, j]:
                out_value[i, j] = nan
                out_distance[i, j] = nan
                continue
            code = (
                (np.int64(rgb[i, j, 0]) << 16)
                | (np.int64(rgb[i, j, 1]) << 8)
                | np.int64(rgb[i, j, 2])
            )
            d = lut[code, 1]
            out_distance[i, j] = d
            out_value[i, j] = lut[code, 0] if d <= max_distance else nan
