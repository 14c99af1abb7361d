"""Numba kernels: colour conversion, the nearest-colour search and pixel passes.

The kernels are kept small and free of Python logic; :mod:`.lookup` drives
them. Every kernel is compiled with ``nogil=True`` so that napari workers and
dask threads run them concurrently, and with ``cache=True`` so the compilation
happens once per machine rather than once per process.

A pixel colour is addressed by its 24-bit code ``r << 16 | g << 8 | b``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numba
import numpy as np
from llvmlite import ir
from numba.core import types
from numba.core.typing.templates import Signature
from numba.extending import intrinsic

#: Number of distinct 8-bit RGB colours.
N_CODES = 1 << 24

_D65 = (0.95047, 1.0, 1.08883)
_EPS = (6.0 / 29.0) ** 3
_KAPPA_INV = 1.0 / (3.0 * (6.0 / 29.0) ** 2)

#: A colour channel as the kernels get it (a ``uint8`` or ``int64`` scalar).
_Int = int | np.integer


def _srgb_linear_table() -> np.ndarray:
    c = np.arange(256, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


SRGB_LINEAR = _srgb_linear_table()


#: What an intrinsic's typing function returns: signature and code generator.
_Typed = tuple[Signature, Callable[[Any, Any, Signature, Any], Any]]


def _f32_bits_typing(typingctx: object, x: types.Type) -> _Typed | None:
    """The bits of a ``float32`` as ``uint32`` (no conversion)."""
    if x != types.float32:
        return None
    sig = types.uint32(types.float32)

    def codegen(context: Any, builder: Any, signature: Signature, args: Any) -> Any:
        return builder.bitcast(args[0], ir.IntType(32))

    return sig, codegen


def _bits_f32_typing(typingctx: object, x: types.Type) -> _Typed | None:
    """A ``uint32`` read back as the ``float32`` with those bits."""
    if x != types.uint32:
        return None
    sig = types.float32(types.uint32)

    def codegen(context: Any, builder: Any, signature: Signature, args: Any) -> Any:
        return builder.bitcast(args[0], ir.FloatType())

    return sig, codegen


# Callable from numba code only, without the typing context. (numba's stubs
# give intrinsics the typing function's parameters and no return value.)
_f32_bits = cast("Callable[[np.float32], np.uint32]", intrinsic(_f32_bits_typing))
_bits_f32 = cast("Callable[[np.uint32], np.float32]", intrinsic(_bits_f32_typing))


@numba.njit(inline="always", nogil=True, cache=True)
def _memo_index(r: _Int, g: _Int, b: _Int) -> _Int:
    """Memo slot of a colour: 8x8x8 colour cubes are stored contiguously.

    Similar colours then share memory pages, so a figure touches far fewer
    pages of the memo than with the plain ``r << 16 | g << 8 | b`` order.
    """
    r = np.int64(r)
    g = np.int64(g)
    b = np.int64(b)
    cube = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)
    return (cube << 9) | ((r & 7) << 6) | ((g & 7) << 3) | (b & 7)


@numba.njit(inline="always", nogil=True, cache=True)
def _f(t: float) -> float:
    if t > _EPS:
        return np.cbrt(t)
    return t * _KAPPA_INV + 4.0 / 29.0


@numba.njit(inline="always", nogil=True, cache=True)
def _lab(r: _Int, g: _Int, b: _Int, lin: np.ndarray) -> tuple[float, float, float]:
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


@numba.njit(inline="always", nogil=True, cache=True)
def _lower_bound(
    L: float, a: float, b: float, centres: np.ndarray, radii: np.ndarray, g: int
) -> float:
    """No point of group ``g`` is closer to ``L, a, b`` than this."""
    dl = L - centres[g, 0]
    da = a - centres[g, 1]
    db = b - centres[g, 2]
    return np.sqrt(dl * dl + da * da + db * db) - radii[g]


@numba.njit(inline="always", nogil=True, cache=True)
def _nearest(
    L: float,
    a: float,
    b: float,
    table: np.ndarray,
    positions: np.ndarray,
    discrete: bool,
    group_size: int,
    centres: np.ndarray,
    radii: np.ndarray,
) -> tuple[float, float]:
    """Position (0-1) and squared ΔE of the table point nearest to ``L, a, b``.

    Continuous tables are polylines: the colour is projected onto every
    segment and the position interpolated along the nearest one. Discrete
    tables are point sets. Segments come in groups of ``group_size`` with a
    bounding sphere (``centres``, ``radii``) each; the group with the smallest
    lower bound is searched first and its best distance prunes the rest.
    """
    n_segments = table.shape[0] if discrete else table.shape[0] - 1
    n_groups = centres.shape[0]
    first = 0
    first_lb = np.inf
    for g in range(n_groups):
        lb = _lower_bound(L, a, b, centres, radii, g)
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
            lb = _lower_bound(L, a, b, centres, radii, g)
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
    return best_pos, best


@numba.njit(inline="always", nogil=True, cache=True)
def _to_value(
    p: float, anchor_pos: np.ndarray, anchor_val: np.ndarray, log: bool
) -> float:
    """Piecewise-linear anchors (``anchor_val`` already log10 for log scales)."""
    n = anchor_pos.shape[0]
    i = 0
    while i < n - 2 and p >= anchor_pos[i + 1]:
        i += 1
    t = (p - anchor_pos[i]) / (anchor_pos[i + 1] - anchor_pos[i])
    v = anchor_val[i] + t * (anchor_val[i + 1] - anchor_val[i])
    if log:
        return 10.0**v
    return v


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
    """Bar position and ΔE of the nearest table point for each colour code."""
    n = codes.shape[0]
    out_pos = np.empty(n, dtype=np.float64)
    out_dist = np.empty(n, dtype=np.float64)
    for k in numba.prange(n):
        code = codes[k]
        L, a, b = _lab((code >> 16) & 255, (code >> 8) & 255, code & 255, lin)
        p, d2 = _nearest(
            L, a, b, table, positions, discrete, group_size, centres, radii
        )
        out_pos[k] = p
        out_dist[k] = np.sqrt(d2)
    return out_pos, out_dist


@numba.njit(nogil=True, cache=True)
def _solve_word(
    r: _Int,
    g: _Int,
    b: _Int,
    lin: np.ndarray,
    table: np.ndarray,
    positions: np.ndarray,
    discrete: bool,
    group_size: int,
    centres: np.ndarray,
    radii: np.ndarray,
    anchor_pos: np.ndarray,
    anchor_val: np.ndarray,
    log: bool,
) -> np.uint64:
    """Memo word of one colour: ``float32`` value (low) and ``1 + ΔE`` (high).

    Kept out of line so the per-pixel loop stays small.
    """
    L, a_, b_ = _lab(r, g, b, lin)
    p, d2 = _nearest(L, a_, b_, table, positions, discrete, group_size, centres, radii)
    v = np.float32(_to_value(p, anchor_pos, anchor_val, log))
    d = np.float32(np.sqrt(d2)) + np.float32(1.0)
    return np.uint64(_f32_bits(v)) | (np.uint64(_f32_bits(d)) << np.uint64(32))


@numba.njit(parallel=True, nogil=True, cache=True)
def digitize_pixels(
    rgb: np.ndarray,
    nodata: np.ndarray,
    has_mask: bool,
    memo: np.ndarray,
    lin: np.ndarray,
    table: np.ndarray,
    positions: np.ndarray,
    discrete: bool,
    group_size: int,
    centres: np.ndarray,
    radii: np.ndarray,
    anchor_pos: np.ndarray,
    anchor_val: np.ndarray,
    log: bool,
    max_distance: float,
    out_value: np.ndarray,
    out_distance: np.ndarray,
) -> None:
    """Value and ΔE of every pixel, solving each colour once.

    ``memo`` (``uint64``, one word per colour at :func:`_memo_index`; zero =
    not solved yet)
    holds each solved colour's ``float32`` value and ``1 + ΔE`` packed in one
    word. It is written and read as a single aligned 64-bit access, so a
    thread sees either a complete entry or zero; two threads that meet a new
    colour at once both solve it and store identical bits.
    Pixels beyond ``max_distance`` get a NaN value; no-data pixels get NaN for
    both outputs.
    """
    rows, cols = rgb.shape[0], rgb.shape[1]
    nan = np.float32(np.nan)
    n_chunks = min(rows, 256)
    for c in numba.prange(n_chunks):
        # Neighbouring pixels of smooth heat maps often share a colour, and
        # then the previous answer is reused. In noisy images (scans, strong
        # JPEG) they rarely do and checking only costs mispredicted branches:
        # each row decides from how often the previous row repeated.
        reuse = True
        for i in range(c * rows // n_chunks, (c + 1) * rows // n_chunks):
            last = np.int64(-1)
            value = nan
            distance = nan
            hits = 0
            for j in range(cols):
                if has_mask and nodata[i, j]:
                    out_value[i, j] = nan
                    out_distance[i, j] = nan
                    continue
                r = rgb[i, j, 0]
                g = rgb[i, j, 1]
                b = rgb[i, j, 2]
                code = (np.int64(r) << 16) | (np.int64(g) << 8) | np.int64(b)
                same = code == last
                hits += same
                if not (reuse and same):
                    last = code
                    slot = _memo_index(r, g, b)
                    word = memo[slot]
                    if word == 0:
                        word = _solve_word(
                            r,
                            g,
                            b,
                            lin,
                            table,
                            positions,
                            discrete,
                            group_size,
                            centres,
                            radii,
                            anchor_pos,
                            anchor_val,
                            log,
                        )
                        memo[slot] = word
                    distance = _bits_f32(np.uint32(word >> np.uint64(32))) - np.float32(
                        1
                    )
                    value = _bits_f32(np.uint32(word & np.uint64(0xFFFFFFFF)))
                    if not distance <= max_distance:
                        value = nan
                out_distance[i, j] = distance
                out_value[i, j] = value
            reuse = 2 * hits >= cols
