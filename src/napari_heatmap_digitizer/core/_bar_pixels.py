"""A colour bar's pixels: the columns it fills, its frame, its ends, its bands.

:class:`~._colorbar.Colorbar` reads a bar through these: the gradient's
columns are found across the box, the background, outline and tick marks
trimmed, the two ends located along it, and flat bands of a stepped bar
recognised.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._bar_levels import fill_forward, regular_levels
from napari_heatmap_digitizer.core._errors import DigitizerError

#: Rows along a colour bar on which its position across the box is judged.
SAMPLE_ROWS = 2048

#: Columns across a colour bar whose median colour is taken at each row.
SAMPLE_COLUMNS = 64


@dataclass
class _Sampled:
    rgb: np.ndarray  # (n, 3) uint8
    lab: np.ndarray  # (n, 3)
    positions: np.ndarray  # (n,)
    edges: tuple[float, float]  # bar ends in "along" pixel-edge coordinates
    lossless: bool = False  # the bar's rows show one exact colour each
    levels: np.ndarray | None = None  # (n,) each row's level centre, if equal
    n_levels: int | None = None  # how many equal levels the bar shows


def _delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((np.asarray(a) - np.asarray(b)) ** 2).sum(axis=-1))


def _sample_bar(
    along: np.ndarray,
    outside: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> _Sampled:
    """Find the bar inside a loose box and sample its colours.

    ``along`` is the cropped box with the bar's length on axis 0 (low end
    first) and its width on axis 1. ``outside`` holds the image's rows just
    beyond the box's low and high end (``(width, 3)``, ``None`` at the image's
    edge): where the box ends on the bar, a uniform row there is the
    background the bar's anti-aliased end row blends into.
    """
    n_along = along.shape[0]
    # Where the bar lies across the box, and what frames it, is judged on at
    # most SAMPLE_ROWS rows along it; the colours are the median of at most
    # SAMPLE_COLUMNS columns across it. Huge bars (poster scans) thus take
    # little time and memory; ordinary ones are read whole.
    some = np.unique(np.linspace(0, n_along - 1, min(n_along, SAMPLE_ROWS)).round())
    sampled_rows = along[some.astype(int)]
    lab = _to_lab(sampled_rows)
    g0, g1 = _bar_columns(lab)
    lossless = _lossless(sampled_rows, g0, g1)
    frame = _frame(lab, g0, g1, lossless)
    width = g1 - g0
    trim = 2 if width >= 12 else 1 if width >= 4 else 0
    inner = np.arange(g0 + trim, g1 - trim)
    if inner.size > SAMPLE_COLUMNS:
        inner = inner[
            np.linspace(0, inner.size - 1, SAMPLE_COLUMNS).round().astype(int)
        ]
    profile = np.median(_to_lab(along[:, inner]), axis=1)
    profile_rgb = np.median(along[:, inner].astype(np.float64), axis=1)
    if lossless:
        beyond = [_uniform(row, inner) for row in outside]
        lo_edge, first = _bar_end(profile, frame, profile_rgb, beyond[0])
        hi_rev, last_rev = _bar_end(profile[::-1], frame, profile_rgb[::-1], beyond[1])
    else:
        # JPEG ringing makes an end row's blend meaningless
        lo_edge, first = _bar_end(profile, frame)
        hi_rev, last_rev = _bar_end(profile[::-1], frame)
    hi_edge, last = n_along - hi_rev, n_along - 1 - last_rev
    if last - first < 2:
        raise DigitizerError(
            "the colour bar box shows no colour gradient along its length; draw the "
            "box over the colour bar itself"
        )
    rows = np.arange(first, last + 1)
    bridged = _bridge_crossings(profile, profile_rgb, first, last)
    rgb = np.rint(profile_rgb[rows]).astype(np.uint8)
    lab = profile[rows]
    levels = regular_levels(rgb, first, lo_edge, hi_edge, bridged) if lossless else None
    centres, n_levels = None, None
    if levels is not None:
        lo_edge, hi_edge, centres, n_levels = levels
        # a mark's rows show the level around it, not a blend across it
        clean = fill_forward(bridged)
        rgb, lab = rgb[clean], lab[clean]
    positions = (rows + 0.5 - lo_edge) / (hi_edge - lo_edge)
    return _Sampled(
        rgb=rgb,
        lab=lab,
        positions=positions,
        edges=(float(lo_edge), float(hi_edge)),
        lossless=lossless,
        levels=centres,
        n_levels=n_levels,
    )


#: Marks crossing a bar (tick marks drawn into it, as gnuplot does) are runs of
#: at most CROSSING rows whose colour lies over CROSSING_DE (ΔE) from the
#: running median of CROSSING_WINDOW rows around them.
CROSSING = 5
CROSSING_DE = 15.0
CROSSING_WINDOW = 11


def _bridge_crossings(
    lab: np.ndarray, rgb: np.ndarray, first: int, last: int
) -> np.ndarray:
    """Replace marks crossing the bar by the colours on either side, in place.

    A colour map does not leave its path for a few rows and come back: a run
    of up to :data:`CROSSING` rows far from the running median of the rows
    around it is a mark drawn over the bar (a tick, a grid line), and those
    rows take the colours interpolated across it. Steps of a stepped bar are
    kept: a running median follows a step. Returns which rows from ``first``
    to ``last`` were replaced.
    """
    n = last - first + 1
    bridged = np.zeros(max(n, 0), dtype=bool)
    if n < CROSSING_WINDOW:
        return bridged
    half = CROSSING_WINDOW // 2
    seg = lab[first : last + 1]
    padded = np.pad(seg, ((half, half), (0, 0)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, CROSSING_WINDOW, 0)
    median = np.median(windows, axis=2)
    off = _delta_e(seg, median) > CROSSING_DE
    if not off.any():
        return bridged
    edges = np.flatnonzero(np.diff(np.concatenate([[0], off.view(np.int8), [0]])))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start > CROSSING:
            continue
        # a row more each side: a blurred (JPEG) mark fades over it
        start, stop = start - 1, stop + 1
        if start < 1 or stop > n - 1:
            continue
        lo, hi = first + start - 1, first + stop
        w = (np.arange(1, stop - start + 1) / (stop - start + 1))[:, None]
        lab[lo + 1 : hi] = (1 - w) * lab[lo] + w * lab[hi]
        rgb[lo + 1 : hi] = (1 - w) * rgb[lo] + w * rgb[hi]
        bridged[start:stop] = True
    return bridged


def _to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB of an ``(rows, cols, 3)`` ``uint8`` array."""
    rows, cols = rgb.shape[:2]
    flat = np.ascontiguousarray(rgb).reshape(-1, 3)
    return kernel.rgb8_to_lab(flat, kernel.SRGB_LINEAR).reshape(rows, cols, 3)


def _bar_columns(lab: np.ndarray) -> tuple[int, int]:
    """The run of columns (across the bar) that show the gradient."""
    n_across = lab.shape[1]
    spread = np.sqrt(lab.var(axis=0).sum(axis=1))  # colour variation per column
    if spread.max() < 1.0:
        raise DigitizerError(
            "the colour bar box shows a single colour; draw the box over the "
            "colour bar itself"
        )
    candidates = spread >= 0.5 * spread.max()
    reference = np.median(lab[:, candidates], axis=1)
    mismatch = np.median(_delta_e(lab, reference[:, None, :]), axis=0)
    good = mismatch < max(4.0, 2.0 * np.median(mismatch[candidates]))
    # The longest run of consistent columns is the bar.
    best, start = (0, 0), None
    for c in range(n_across + 1):
        if c < n_across and good[c]:
            start = c if start is None else start
        elif start is not None:
            if c - start > best[1] - best[0]:
                best = (start, c)
            start = None
    return best


#: A column beside the bar whose colour changes along the bar by more than this
#: share of the bar's own change, in step with it, is part of the bar.
FOLLOWS = 0.02


@dataclass
class _Frame:
    """What surrounds the bar: background and outline colours (Lab)."""

    background: np.ndarray | None
    outline: np.ndarray | None
    thickness: int


def _lossless(rows: np.ndarray, g0: int, g1: int) -> bool:
    """Whether most rows show one colour across the bar, to an 8-bit unit.

    A renderer's dithering changes a colour by one unit; compression by more.
    """
    inner = rows[:, g0 + 1 : g1 - 1].astype(np.int16)
    if inner.shape[1] < 2:
        return False
    spread = np.abs(inner - inner[:, :1]).max(axis=(1, 2))
    return bool(np.mean(spread <= 1) > 0.5)


def _frame(lab: np.ndarray, g0: int, g1: int, lossless: bool = False) -> _Frame:
    """Read the background and the outline from the columns beside the bar.

    Going outwards from the bar on each side, uniform columns of similar
    colour are grouped. Two groups mean outline then background; a single
    thin group touching the box edge is an outline, a wide one background.
    On a ``lossless`` image, a column whose colour follows the bar's, faintly,
    is the bar anti-aliased into the background, not an outline (JPEG
    ringing makes an outline follow the bar too).
    """
    n_along, n_across = lab.shape[:2]
    middle = lab[n_along // 4 : max(n_along // 4 + 1, 3 * n_along // 4)]
    centres = np.median(middle, axis=0)  # (n_across, 3)
    wander = np.median(_delta_e(middle, centres[None]), axis=0)
    # JPEG ringing makes flat columns next to the bar vary a little; they
    # still vary much less than the bar's own columns.
    uniform = wander < float(np.clip(0.4 * np.median(wander[g0:g1]), 3.0, 8.0))
    if lossless:
        deviation = middle - centres[None]
        for ref, side in ((g0, range(g0)), (g1 - 1, range(g1, n_across))):
            bar_dev = deviation[:, ref].ravel()
            power = float(np.dot(bar_dev, bar_dev))
            for c in side:
                own = deviation[:, c].ravel()
                share = float(np.dot(own, bar_dev)) / max(power, 1e-9)
                rest = own - share * bar_dev
                if share > FOLLOWS and np.dot(rest, rest) < 0.3 * np.dot(own, own):
                    uniform[c] = False
    best = _Frame(None, None, 0)
    for side in (range(g0 - 1, -1, -1), range(g1, n_across)):
        groups: list[list[int]] = []
        for c in side:
            if not uniform[c]:
                if groups:
                    break
                continue  # anti-aliased columns next to the bar
            if groups and _delta_e(centres[c], centres[groups[-1][0]]) < 10.0:
                groups[-1].append(c)
            else:
                groups.append([c])
        if len(groups) >= 2:
            outline = np.median(centres[groups[0]], axis=0)
            return _Frame(centres[groups[1][-1]], outline, len(groups[0]))
        if len(groups) == 1:
            color = centres[groups[0][-1]]
            if len(groups[0]) <= 3 and best.outline is None:
                best = _Frame(best.background, color, len(groups[0]))
            elif len(groups[0]) > 3 and best.background is None:
                best = _Frame(color, best.outline, best.thickness)
    return best


def _bar_end(
    profile: np.ndarray,
    frame: _Frame,
    rgb: np.ndarray | None = None,
    beyond: np.ndarray | None = None,
) -> tuple[float, int]:
    """Locate the low end of the bar along ``profile``.

    The outline, when the bar has one, is the marker: the first row from the
    box edge that has the outline's colour starts it, and since an outline is
    drawn centred on the bar's edge, the edge is the middle of the line.
    Without an outline, background rows are skipped. The first row after them
    (or the box's first row, given the uniform colour ``beyond`` the box) may
    blend the background with the bar's first colour (an anti-aliased edge):
    the edge then lies inside it by the share of the bar it shows (``rgb`` is
    the profile in sRGB, where renderers blend). Returns the edge (pixel-edge
    coordinate) and the first row of clean bar colour.
    """
    n = profile.shape[0]
    depth = max(3, min(n // 8, int(0.04 * n) + 4))
    if frame.outline is not None:
        inside = profile[min(depth + frame.thickness, n - 1)]
        # JPEG shifts dark colours a lot; judge closeness against the contrast
        # between the outline and the bar just inside it.
        limit = max(10.0, 0.4 * float(_delta_e(frame.outline, inside)))
        d = _delta_e(profile[:depth], frame.outline)
        hits = np.flatnonzero(d < limit)
        if hits.size:
            start = int(hits[0])
            first = start + frame.thickness + 1
            return start + frame.thickness / 2.0, int(min(first, n - 1))
    r = 0
    if frame.background is not None:
        while r < depth and _close(profile[r], frame.background, frame.outline):
            r += 1
    if r == 0:
        # The box edge is the bar edge; drop one row of possible anti-aliasing.
        if beyond is None or rgb is None or n <= 8:
            return 0.0, 1 if n > 8 else 0
        return 1.0 - _coverage(beyond, rgb[0], rgb[1]), 1
    if r + 1 >= n or rgb is None:
        return float(r), int(min(r + 1, n - 1))
    return r + 1.0 - _coverage(rgb[r - 1], rgb[r], rgb[r + 1]), r + 1


#: An end row blends the background and the bar's first colour only when the
#: two differ by at least BLEND_CONTRAST (8-bit units, Euclidean) and the row
#: lies within BLEND_OFF of the line between them.
BLEND_CONTRAST = 30.0
BLEND_OFF = 12.0
#: A row beyond the box is background if its pixels lie within this of their
#: median (8-bit units, Euclidean).
UNIFORM = 6.0


def _uniform(row: np.ndarray | None, columns: np.ndarray) -> np.ndarray | None:
    """The median colour of ``row`` over ``columns`` if they all show it."""
    if row is None:
        return None
    part = row[columns].astype(np.float64)
    centre = np.median(part, axis=0)
    if float(_delta_e(part, centre[None]).max()) > UNIFORM:
        return None
    return np.asarray(centre)


def _coverage(background: np.ndarray, row: np.ndarray, inner: np.ndarray) -> float:
    """Share of an end ``row`` covered by the bar, from the two colours beside it.

    A row that is not a blend of the two counts as covered whole.
    """
    bg = np.asarray(background, dtype=np.float64)
    ab = np.asarray(inner, dtype=np.float64) - bg
    contrast = float(np.dot(ab, ab))
    if contrast < BLEND_CONTRAST**2:
        return 1.0
    alpha = float(np.clip(np.dot(np.asarray(row) - bg, ab) / contrast, 0.0, 1.0))
    if float(_delta_e(row, bg + alpha * ab)) > BLEND_OFF:
        return 1.0
    return alpha


def _close(color: np.ndarray, a: np.ndarray, b: np.ndarray | None) -> bool:
    """Whether ``colour`` is ``a`` or a blend of ``a`` towards ``b``."""
    if float(_delta_e(color, a)) < 10.0:
        return True
    if b is None:
        return False
    ab = b - a
    t = float(np.clip(np.dot(color - a, ab) / max(float(np.dot(ab, ab)), 1e-9), 0, 1))
    return t < 0.9 and float(_delta_e(color, a + t * ab)) < 10.0


def _find_bands(lab: np.ndarray) -> list[tuple[int, int]] | None:
    """Runs of constant colour if the table is stepped, else ``None``.

    A stepped bar is mostly long runs of one colour each, neighbouring runs
    clearly different; the rows between runs (anti-aliasing, JPEG ringing)
    are left out. A continuous bar has no long run of one colour.
    """
    n = lab.shape[0]
    if n < 8:
        return None
    steps = _delta_e(lab[1:], lab[:-1])
    min_len = max(3, n // 100)
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(n):
        if i == n - 1 or steps[i] >= 1.5:
            runs.append((start, i + 1))
            start = i + 1
    bands: list[tuple[int, int]] = []
    for a, b in runs:
        # Trim ringing off the ends of a run, then require one colour.
        centre = np.median(lab[a:b], axis=0)
        while b - a > min_len and _delta_e(lab[a], centre) > 2.0:
            a += 1
        while b - a > min_len and _delta_e(lab[b - 1], centre) > 2.0:
            b -= 1
        if b - a >= min_len and np.percentile(_delta_e(lab[a:b], centre), 95) <= 3.0:
            if (
                bands
                and _delta_e(
                    np.median(lab[bands[-1][0] : bands[-1][1]], axis=0), centre
                )
                < 3.0
            ):
                bands[-1] = (bands[-1][0], b)  # one band split by noise
            else:
                bands.append((a, b))
    if len(bands) < 2 or sum(b - a for a, b in bands) < 0.5 * n:
        return None
    colors = np.array([np.median(lab[a:b], axis=0) for a, b in bands])
    if np.median(_delta_e(colors[1:], colors[:-1])) < 4.0:
        return None
    gaps = [a1 - b0 for (_, b0), (a1, _) in itertools.pairwise(bands)]
    if max(gaps) > max(3, 0.6 * np.median([b - a for a, b in bands])):
        return None
    return bands


def _band_table(
    rgb: np.ndarray,
    lab: np.ndarray,
    positions: np.ndarray,
    bands: list[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One colour per band and the band edges (positions)."""
    band_lab = np.array([np.median(lab[a:b], axis=0) for a, b in bands])
    band_rgb = np.array(
        [np.rint(np.median(rgb[a:b].astype(float), axis=0)) for a, b in bands]
    ).astype(np.uint8)
    edges = [0.0]
    for k, ((_, b0), (a1, _)) in enumerate(itertools.pairwise(bands)):
        edges.append(
            _crossing(lab, positions, b0 - 1, a1, band_lab[k], band_lab[k + 1])
        )
    edges.append(1.0)
    return band_rgb, band_lab, np.array(edges)


def _crossing(
    lab: np.ndarray,
    positions: np.ndarray,
    lo: int,
    hi: int,
    c0: np.ndarray,
    c1: np.ndarray,
) -> float:
    """Where, between rows ``lo`` and ``hi``, one band turns into the next.

    That is the position where the colour is half way from band colour ``c0``
    to ``c1``; unlike the gap's midpoint, it is not moved by JPEG ringing.
    """
    axis = c1 - c0
    t = (lab[lo : hi + 1] - c0) @ axis / max(float(axis @ axis), 1e-9)
    above = np.flatnonzero(t >= 0.5)
    if above.size == 0 or above[0] == 0:
        return float((positions[lo] + positions[hi]) / 2)
    i = int(above[0])
    f = (0.5 - t[i - 1]) / max(t[i] - t[i - 1], 1e-9)
    p = positions[lo + i - 1] + f * (positions[lo + i] - positions[lo + i - 1])
    return float(p)


def _extend_to_ends(
    rgb: np.ndarray, lab: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extrapolate the table linearly to positions 0 and 1.

    The rows next to the bar's ends are not sampled (outline, anti-aliasing);
    their colours continue the trend of the nearest sampled rows.
    """

    def extend(p_end: float, idx: slice) -> np.ndarray:
        p = positions[idx]
        c = lab[idx]
        if len(p) < 2 or np.ptp(p) == 0:
            return c[0 if p_end < p[0] else -1]
        slope = np.polyfit(p, c, 1)
        out = slope[0] * p_end + slope[1]
        out[0] = np.clip(out[0], 0.0, 100.0)
        return out

    head = extend(0.0, slice(0, min(5, len(positions))))
    tail = extend(1.0, slice(max(0, len(positions) - 5), len(positions)))
    new_lab = np.vstack([head, lab, tail])
    new_rgb = np.vstack([rgb[:1], rgb, rgb[-1:]])
    new_pos = np.concatenate([[0.0], positions, [1.0]])
    return new_rgb, new_lab, new_pos
