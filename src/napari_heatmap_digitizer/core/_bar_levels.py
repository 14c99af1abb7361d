"""A colour bar's equal levels: a colour table drawn level by level.

Octave, pheatmap, matplotlib and seaborn draw N levels of equal width along
the bar, each pixel row showing one level's colour, so a level repeats over
a run of rows one pixel longer or shorter. :func:`regular_levels` fits the
runs' boundaries by equal steps: each level's centre, the bar's true ends
and the level count, to a fraction of a pixel.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fill_forward", "regular_levels"]

#: A bar whose colour runs are this many levels or more, and whose run
#: boundaries lie within LEVEL_FIT pixels of equal steps, shows its renderer's
#: equal levels.
MIN_LEVELS = 8
LEVEL_FIT = 0.6
#: Levels of a colour run narrower than this (pixels) are not resolved.
MIN_LEVEL_WIDTH = 1.25
#: Two neighbouring levels of one 8-bit colour share a run: the levels may
#: outnumber the runs by this share. The level width is sought among
#: STEP_TRIALS widths.
MERGED = 0.2
STEP_TRIALS = 1024
#: Widths whose boundaries agree within this share of the best are equally good.
ALIAS = 0.9


def _equal_steps(bounds: np.ndarray) -> tuple[float, float] | None:
    """The equal step ``bounds`` fall on: ``(width, origin)`` or ``None``.

    Each bound lies within LEVEL_FIT of ``origin + k * width``, ``k`` rising
    by 1 from run to run, or more where levels share a colour. The width
    is the one on which the boundaries' phases agree best.
    """
    # one level per run, the first and last boundary each half a pixel off
    widest = (bounds[-1] - bounds[0] + 1.0) / (len(bounds) - 1)
    trial = np.linspace(widest / (1.0 + MERGED), widest, STEP_TRIALS)
    phase = np.exp(2j * np.pi * bounds[None, :] / trial[:, None]).mean(axis=1)
    agree = np.abs(phase)
    # integer pixel boundaries agree as well on w / (w - 1) as on w: of the
    # widths that agree nearly best, the widest (fewest shared colours)
    peak = np.flatnonzero(
        (agree >= np.maximum(np.roll(agree, 1), np.roll(agree, -1)))
        & (agree >= ALIAS * agree.max())
    )
    best = int(peak[-1]) if peak.size else int(np.argmax(agree))
    width = float(trial[best])
    origin = width * float(np.angle(phase[best])) / (2 * np.pi)
    k = np.rint((bounds - origin) / width)
    if np.any(np.diff(k) < 1):
        return None
    width, origin = np.polyfit(k, bounds, 1)
    if width < MIN_LEVEL_WIDTH or np.abs(bounds - origin - width * k).max() > LEVEL_FIT:
        return None
    return float(width), float(origin)


#: At most this many levels may lie hidden under each end (an outline), each
#: where the levels seen end more than HIDDEN_PX pixels inside the end read.
HIDDEN_LEVELS = 2
HIDDEN_PX = 0.6


def fill_forward(unsure: np.ndarray) -> np.ndarray:
    """Each row's index, or the last sure row's before it where unsure."""
    index = np.where(unsure, 0, np.arange(len(unsure)))
    return np.maximum.accumulate(index) if len(index) else index


def regular_levels(
    rgb: np.ndarray,
    first: int,
    lo_edge: float,
    hi_edge: float,
    bridged: np.ndarray | None = None,
) -> tuple[float, float, np.ndarray, int] | None:
    """A lossless bar's equal levels: its true ends and each row's level centre.

    A renderer draws N levels of equal width over the bar's whole length; each
    pixel row shows one level's colour (a level repeats over a run of rows, or
    two neighbouring levels of one 8-bit colour share a longer run). The
    boundaries between runs, fitted by equal steps, give the level width and
    where each level lies to a fraction of a pixel, and so the bar's ends,
    even where an outline hides part of (or up to two) end levels or the
    end rows blend into the background. ``rgb`` are the rows from ``first``
    (along coordinates); returns the ends, each row's position (the centre of
    the level or levels its run shows, on the new ends) and the number of
    levels, or ``None`` where the runs do not show equal levels. Rows
    ``bridged`` over a mark crossing the bar count as the run before them,
    and the boundaries beside them, not known, are left out of the fit.
    """
    unsure = np.zeros(len(rgb), bool) if bridged is None else bridged
    filled = fill_forward(unsure)
    rgb = rgb[filled]
    starts = np.flatnonzero(np.any(rgb[1:] != rgb[:-1], axis=1)) + 1
    runs = len(starts) + 1
    if runs < MIN_LEVELS or runs * MIN_LEVEL_WIDTH > hi_edge - lo_edge:
        return None
    bounds = first + starts.astype(np.float64)
    known = ~(unsure[starts - 1] | unsure[starts])
    if known.sum() < MIN_LEVELS - 1:
        return None
    fit = _equal_steps(bounds[known])
    if fit is None:
        return None
    width, origin = fit
    # a boundary after marked rows lies somewhere among them: the middle
    marked = (starts - 1 - filled[starts - 1]).astype(np.float64)
    k = np.rint((bounds - marked / 2 - origin) / width)
    if np.any(np.diff(k) < 1):
        return None
    lengths = np.diff(np.concatenate([[0], starts, [len(rgb)]]))
    head = max(1, round(lengths[0] / width))
    tail = max(1, round(lengths[-1] / width))
    # level index of each run's first level and one past its last
    lo_level = np.concatenate([[k[0] - head], k])
    hi_level = np.concatenate([k, [k[-1] + tail]])
    start, stop = origin + lo_level[0] * width, origin + hi_level[-1] * width
    # a level lies hidden at an end (under an outline, or in the rows blended
    # into it) where the levels seen end over HIDDEN_PX inside the end read
    for _ in range(HIDDEN_LEVELS):
        if start - lo_edge > HIDDEN_PX:
            start -= width
        if hi_edge - stop > HIDDEN_PX:
            stop += width
    if max(abs(start - lo_edge), abs(stop - hi_edge)) > max(1.5, width / 2 + 0.5):
        return None
    centre = origin + (lo_level + hi_level) / 2 * width
    per_row = np.repeat((centre - start) / (stop - start), lengths)
    return float(start), float(stop), per_row, round((stop - start) / width)
