"""Snap a hand-drawn plot box to the inside of the axes frame.

A box drawn by hand around a plot panel often holds some of the figure's
background and the axes frame (spines) as well. Each edge is moved inwards
past such lines only: first margin lines (mostly the figure's background
colour), then a thin frame (lines of one colour, spanning the side, that
sit on the background and end in a sharp change of colour). Anything else
stops the edge, so a box already inside the frame, or inside the data, comes
back as drawn. Each edge moves at most a tenth of the box's side (and at most
:data:`MOST_PIXELS`), and only a strip along each edge is read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._read import as_rgb8, float_top

#: An edge moves at most this share of the box's side ...
MOST_SHARE = 0.1
#: ... and at most this many pixels.
MOST_PIXELS = 30
#: A frame is at most this many lines thick (blended lines included).
FRAME_LINES = 6
#: A line is margin when its median colour and at least this share of its
#: pixels are the background colour (tick labels may cover the rest).
MARGIN_SHARE = 0.5
#: How far (ΔE, hue and chroma counted half) a pixel may be from the
#: background colour and count as it.
BACKGROUND_DELTA = 4.0
#: A frame line is one colour: 80 % of its pixels this close (ΔE) to its median.
FRAME_SPREAD = 8.0
#: The lines of one frame are this close (ΔE) to one another.
FRAME_ALIKE = 6.0
#: At most this many outer lines of a frame may blend it with the background.
BLENDS = 2
#: The plot inside a frame differs from the frame by at least this (ΔE).
FRAME_CONTRAST = 15.0
#: Pixels judged along each line (evenly spaced), at most.
SAMPLES_ALONG = 2048
#: Lines read outside the box, to see what the box's edge sits on.
OUTSIDE = 2


@dataclass
class _Lines:
    """Statistics of the lines parallel to one edge, from outside inwards."""

    median: np.ndarray  # (n, 3) Lab
    spread: np.ndarray  # (n,) 80th percentile ΔE to the median
    background: np.ndarray  # (n,) share of pixels of the background colour
    outside: int  # how many of the lines lie outside the box
    colour: np.ndarray  # the figure's background colour (Lab)

    def margin(self, i: int) -> bool:
        """Mostly background (text and tick marks may cross it)."""
        return bool(
            self.background[i] >= MARGIN_SHARE
            and _lightness_first(self.median[i], self.colour) < BACKGROUND_DELTA
        )

    def one_colour(self, i: int) -> bool:
        """A line of one colour, unlike the background.

        JPEG blurs a thin line, spreading its colours; the spread allowed
        grows with how much the line differs from the next one inwards.
        """
        after = self.median[min(i + 1, len(self.median) - 1)]
        allowed = max(FRAME_SPREAD, 0.3 * float(_delta_e(self.median[i], after)))
        return bool(self.spread[i] < allowed) and not self.margin(i)


def snap_panel(image: Any, box: Box | Sequence[float] | str) -> Box:
    """Shrink a hand-drawn plot box to the inside of the axes frame.

    Each edge of ``box`` moves inwards past lines of the figure's background
    (the margin a loose box takes in) and then past a frame: at most
    :data:`FRAME_LINES` lines of one colour that span the side, lie on the
    background and end in a sharp change of colour into the plot. A frame
    counts only when at least two sides show one alike (axes frames are
    drawn so); the thinnest says how thick it is. Nothing else is trimmed,
    so a box that is already tight (inside the frame, or inside the data)
    comes back unchanged, and data at the box's edge that fades into the
    background colour is left where it was drawn. An edge moves at most
    10 % of the box's side and at most :data:`MOST_PIXELS` pixels; an edge
    whose margin is wider than that is left where it was drawn. Data of
    exactly the background colour along a whole side, ending sharply, cannot
    be told from margin.

    Parameters
    ----------
    image : numpy.ndarray or dask.array.Array
        The whole figure: grey, RGB or RGBA, of any integer or float type.
        Only strips along the box's edges (and the figure's outermost pixels,
        for the background colour) are read.
    box : Box, str or sequence of 4 numbers
        The drawn box, pixel ``LEFT,TOP,RIGHT,BOTTOM`` (right and bottom
        exclusive).

    Returns
    -------
    Box
        The snapped box, inside ``box``.

    Raises
    ------
    DigitizerError
        If ``image`` is not an image array or ``box`` is not a box inside it.

    Examples
    --------
    >>> from napari_heatmap_digitizer.data import load_sample
    >>> s = load_sample("single")
    >>> snap_panel(s.image, "70,30,490,430")
    Box(left=81, top=41, right=480, bottom=420)
    """
    _check_image(image)
    box = Box.parse(box) if not isinstance(box, Box) else Box.parse(list(box))
    box.check_inside(image.shape)
    top = float_top(image)
    background = _background(image, top)
    if background is None:
        return box
    most_x = min(MOST_PIXELS, int(MOST_SHARE * box.width))
    most_y = min(MOST_PIXELS, int(MOST_SHARE * box.height))
    edges = []
    for side in ("left", "top", "right", "bottom"):
        vertical = side in ("left", "right")
        most = most_x if vertical else most_y
        across = most_y if vertical else most_x
        if most < 2:
            edges.append(_Edge())
            continue
        lab, outside = _lines(image, box, side, most + FRAME_LINES + 1, across, top)
        edges.append(_edge(_stats(lab, outside, background), most))
    left, top_, right, bottom = _frames(edges)
    return Box(box.left + left, box.top + top_, box.right - right, box.bottom - bottom)


def _check_image(image: Any) -> None:
    if isinstance(image, (str, os.PathLike)):
        raise DigitizerError(
            "snap_panel needs the figure's pixels, not a file name: pass "
            "load_image(path)"
        )
    if not all(hasattr(image, a) for a in ("shape", "dtype", "ndim")):
        raise DigitizerError(
            "snap_panel needs the figure as an array of pixels (NumPy or dask, "
            f"rows x cols [x 3 or 4]), not {type(image).__name__}"
        )
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] > 4):
        raise DigitizerError(
            f"snap_panel needs a 2-D grey, RGB or RGBA image; got shape {image.shape}"
        )


def _read(part: Any, top: float) -> np.ndarray:
    """``part`` of the figure as ``(rows, cols, 3)`` CIELAB."""
    if is_dask_collection(part):
        part = part.compute(scheduler="threads")
    rgb, _ = as_rgb8(np.asarray(part), top=top)
    rows, cols = rgb.shape[:2]
    flat = np.ascontiguousarray(rgb).reshape(-1, 3)
    return kernel.rgb8_to_lab(flat, kernel.SRGB_LINEAR).reshape(rows, cols, 3)


def _delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a - b) ** 2).sum(axis=-1))


def _lightness_first(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ΔE with hue and chroma counted half.

    JPEG keeps colour at half resolution, so a thin line's colour is blurred
    far more than its lightness.
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return np.sqrt(d[..., 0] ** 2 + (d[..., 1] ** 2 + d[..., 2] ** 2) / 4)


def _background(image: Any, top: float) -> np.ndarray | None:
    """The figure's background colour (Lab), or None when it has none.

    The background is the commonest colour of the outermost pixels and must
    cover at least half of them.
    """
    rows, cols = image.shape[:2]
    if rows < 3 or cols < 3:
        return None
    step_r = max(1, rows // (4 * SAMPLES_ALONG))
    step_c = max(1, cols // (4 * SAMPLES_ALONG))
    border = np.concatenate(
        [
            _read(image[0:1, ::step_c], top).reshape(-1, 3),
            _read(image[rows - 1 : rows, ::step_c], top).reshape(-1, 3),
            _read(image[::step_r, 0:1], top).reshape(-1, 3),
            _read(image[::step_r, cols - 1 : cols], top).reshape(-1, 3),
        ]
    )
    colours, counts = np.unique(np.round(border, 1), axis=0, return_counts=True)
    best = colours[np.argmax(counts)]
    near = _delta_e(border, best) < 3.0
    if near.mean() < 0.5:
        return None
    return np.asarray(np.median(border[near], axis=0))


def _lines(
    image: Any, box: Box, side: str, depth: int, across: int, top: float
) -> tuple[np.ndarray, int]:
    """The lines along one edge of ``box``, outermost first, as Lab.

    Returns ``(lines, outside)``: ``lines`` is ``(n, m, 3)`` with up to
    :data:`OUTSIDE` lines outside the box first, then up to ``depth`` inside
    it; each line covers the middle of the side (``across`` pixels from each
    end are left out, since the other edges may move that far), at most
    :data:`SAMPLES_ALONG` pixels of it.
    """
    rows, cols = image.shape[:2]
    vertical = side in ("left", "right")
    lo, hi = (box.top, box.bottom) if vertical else (box.left, box.right)
    lo, hi = lo + across, hi - across
    step = max(1, -(-(hi - lo) // SAMPLES_ALONG))
    depth = min(depth, box.width if vertical else box.height)
    if side in ("left", "top"):
        start = box.left if side == "left" else box.top
        first = max(0, start - OUTSIDE)
        stop = start + depth
    else:
        end = box.right if side == "right" else box.bottom
        first = end - depth
        stop = min(cols if side == "right" else rows, end + OUTSIDE)
    if vertical:
        lab = _read(image[lo:hi:step, first:stop], top).transpose(1, 0, 2)
    else:
        lab = _read(image[first:stop, lo:hi:step], top)
    if side in ("left", "top"):
        outside = start - first
    else:
        lab = lab[::-1]
        outside = stop - end
    return lab, outside


def _stats(lab: np.ndarray, outside: int, background: np.ndarray) -> _Lines:
    median = np.median(lab, axis=1)
    spread = np.percentile(_delta_e(lab, median[:, None, :]), 80, axis=1)
    share = (_lightness_first(lab, background) < BACKGROUND_DELTA).mean(axis=1)
    return _Lines(median, spread, share, outside, background)


def _edge(lines: _Lines, most: int) -> _Edge:
    """What lies inside one edge: how much margin, then what frame."""
    o = lines.outside
    n = len(lines.median) - o
    # What the box's edge sits on: margin (a loose box) or the frame or data
    # (a tight box, which stays). At the figure's edge, only margin goes.
    if o and not lines.margin(o - 1):
        return _Edge()
    i = 0
    while i < min(most, n) and lines.margin(o + i):
        i += 1
    if i >= min(most, n) - 1 or (o == 0 and i == 0):
        return _Edge()  # margin as far as the edge may go: leave it as drawn
    # The plot (or its frame) starts sharply after the margin: within a
    # blended line, far from the background. Light data fading into the
    # background is never taken for margin.
    step = _delta_e(lines.median[o + i : o + i + 2], lines.colour).max()
    if step < FRAME_CONTRAST:
        return _Edge()
    return _frame(lines, o + i, min(o + most, o + n - 1), i)


@dataclass
class _Edge:
    """Margin and frame lines found inside one edge of the box."""

    margin: int = 0
    blends: int = 0
    core: int = 0
    colour: Any = None  # the frame's colour (Lab); None: no frame


def _frames(edges: list[_Edge]) -> list[int]:
    """How far each edge moves: its margin, and its frame when that is one.

    Axes frames are drawn alike on several sides; a frame seen on one side
    only, or of another colour than the others, is taken for data. The
    thinnest frame of that colour says how thick the frame is.
    """
    found = [e for e in edges if e.colour is not None]
    best: list[_Edge] = []
    for e in found:
        group = [
            f for f in found if _lightness_first(f.colour, e.colour) < 2 * FRAME_ALIKE
        ]
        if len(group) > len(best):
            best = group
    if len(best) < 2:
        return [e.margin for e in edges]
    core = min(e.core for e in best)
    return [
        e.margin + (e.blends + min(e.core, core) if any(e is f for f in best) else 0)
        for e in edges
    ]


def _frame(lines: _Lines, first: int, last: int, margin: int) -> _Edge:
    """The frame from line ``first`` on, after ``margin`` lines of margin.

    The frame is one colour unlike the background (its outermost lines may
    blend it with the background), at most :data:`FRAME_LINES` thick, and
    the line after it, the plot's first, differs sharply from it. ``last``
    is the innermost line the frame may end before.
    """
    end = first
    while end < min(last, first + FRAME_LINES) and lines.one_colour(end):
        end += 1
    # The frame's colour is its innermost line's; the plot starts after it.
    for stop in range(end, first, -1):
        colour = lines.median[stop - 1]
        if (
            min(_delta_e(lines.median[stop], colour), _delta_e(lines.colour, colour))
            < FRAME_CONTRAST
        ):
            continue
        seen = lines.median[first:stop]
        alike = _delta_e(seen, colour) < FRAME_ALIKE
        # Only the outermost lines may differ: blends of the frame's colour
        # with the background, lying between the two.
        between = _between(seen, lines.colour, colour)
        blends = int(np.argmax(alike))
        if alike[blends:].all() and blends <= BLENDS and between[:blends].all():
            return _Edge(margin, blends, stop - first - blends, colour)
    # No frame (or one merged with data of its colour): a line blending the
    # background into the line after it still goes.
    line, after = lines.median[first], lines.median[first + 1]
    blend = (
        lines.one_colour(first)
        and bool(_between(line, lines.colour, after))
        and _delta_e(line, after) > FRAME_ALIKE
        and _delta_e(after, lines.colour) >= FRAME_CONTRAST
    )
    return _Edge(margin + int(blend))


def _between(colours: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether colours lie between ``a`` and ``b`` (blends of the two)."""
    detour = _lightness_first(colours, a) + _lightness_first(colours, b)
    return np.asarray(detour < _lightness_first(a, b) + FRAME_ALIKE)
