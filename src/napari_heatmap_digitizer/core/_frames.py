"""Find plot panels from their axes frames and from their outlines.

Colour alone misses panels that are mostly background: a sparse 2-D
histogram or hexbin on white, a matrix of near-white cells. Their axes
still show where the data area is. Long straight lines of a dark or grey
colour (1-4 px thick) are found along the rows and columns; a left line
meeting a bottom line at a corner is an axes (the "L" of plots drawn
without top and right spines), and top and right lines lying at the far
ends of that "L" close the frame. The panel is the inside of the lines.

Non-rectangular data areas drawn without a frame (maps, triangles of a
correlation matrix, polar discs) are found as large, many-coloured areas
that fill part of their bounding box; the panel is that bounding box.

Either kind counts only when colour-map-like content lies inside: areas of
colour (not text, tick marks or lines) in several colours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._morph import (
    closing,
    colours_at_least,
    far_from,
    grey_far_from,
    hole_borders,
    label,
    line_runs,
    opening,
)

#: A pixel belongs to the figure's content when it is this far (ΔE) from the
#: background colour (for panels found by colour and by frame alike).
CONTENT_DELTA = 6.0
#: Largest number of pixels a search works on; bigger figures are searched
#: at a reduced scale and the boxes refined at full resolution.
SEARCH_PIXELS = 4_000_000
#: A frame line differs from the background by at least this (ΔE) ...
LINE_DELTA = 25.0
#: ... and is grey: its chroma is at most this.
LINE_CHROMA = 12.0
#: A frame line is at most this many pixels thick.
LINE_THICKNESS = 4
#: Content of a panel drawn inside a frame: areas of colour (what survives an
#: opening of this many pixels each way) covering at least this share ...
FRAMED_CONTENT = 0.02
#: ... in at least this many colours (Lab quantised by 4).
FRAMED_COLOURS = 4
#: An outline (frameless, non-rectangular) panel's pixels differ from the
#: background by at least this (ΔE): light grid lines do not join it.
OUTLINE_DELTA = 12.0
#: It fills at least this share of its bounding box (a triangle: a half) ...
OUTLINE_FILL = 0.45
#: ... and shows at least this many colours.
OUTLINE_COLOURS = 8


#: Slots of the memo of colours converted to Lab while a figure is read.
_MEMO_SLOTS = 1 << 14


@numba.njit(nogil=True, cache=True)
def _lab_image(rgb: np.ndarray, lin: np.ndarray) -> np.ndarray:
    """CIELAB (``float32``) of ``(H, W, C)`` ``uint8`` pixels, one thread.

    A figure holds few colours, mostly in runs (the page, flat cells), so
    each colour is converted once: a small memo keyed by the colour's code
    keeps the last colour seen in each slot.
    """
    H, W = rgb.shape[:2]
    out = np.empty((H, W, 3), dtype=np.float32)
    codes = np.full(_MEMO_SLOTS, -1, dtype=np.int64)
    memo = np.empty((_MEMO_SLOTS, 3), dtype=np.float32)
    for i in range(H):
        for j in range(W):
            r = np.int64(rgb[i, j, 0])
            g = np.int64(rgb[i, j, 1])
            b = np.int64(rgb[i, j, 2])
            code = (r << 16) | (g << 8) | b
            slot = ((code * 40503) >> 8) & (_MEMO_SLOTS - 1)
            if codes[slot] != code:
                L, A, B = kernel._lab(r, g, b, lin)
                codes[slot] = code
                memo[slot, 0] = np.float32(L)
                memo[slot, 1] = np.float32(A)
                memo[slot, 2] = np.float32(B)
            out[i, j, 0] = memo[slot, 0]
            out[i, j, 1] = memo[slot, 1]
            out[i, j, 2] = memo[slot, 2]
    return out


def lab(rgb: np.ndarray) -> np.ndarray:
    """8-bit RGB pixels (``(H, W, C)``) as CIELAB, ``float32``.

    Equal to `_kernel.rgb8_to_lab` rounded to ``float32``, on one thread
    (each distinct colour converted once).
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.dtype != np.uint8 or rgb.shape[2] < 3:
        flat = np.ascontiguousarray(rgb[..., :3]).reshape(-1, 3)
        out = kernel.rgb8_to_lab(flat, kernel.SRGB_LINEAR).astype(np.float32)
        return out.reshape(*rgb.shape[:2], 3)
    # one compiled layout: a view (a screenshot's sheet) is copied
    return _lab_image(np.ascontiguousarray(rgb), kernel.SRGB_LINEAR)


def fill_enclosed(mask: np.ndarray, trees: bool = False) -> np.ndarray:
    """Fill holes enclosed by content, except very large ones.

    A frame around the whole figure must not turn the figure into one block.
    With ``trees``, a hole closed by thin lines and, on one side only, by the
    straight edge of an area of colour (the "U" of a dendrogram's branch
    standing on a heat map's edge, `_tree_holes`) stays open.
    """
    holes, n, stats = label(~mask)
    if n == 0:
        return mask
    fill = stats[:, 0] < 0.25 * mask.size
    fill[0] = False
    fill[stats[:, 5] == 1] = False  # reaching the edge: not enclosed
    if trees and fill.any():
        fill &= ~_tree_holes(mask, holes, n, fill)
    return _filled(mask, holes, fill)


@numba.njit(nogil=True, cache=True)
def _filled(mask: np.ndarray, holes: np.ndarray, fill: np.ndarray) -> np.ndarray:
    """``mask | fill[holes]``."""
    H, W = mask.shape
    out = np.empty((H, W), dtype=np.bool_)
    for i in range(H):
        for j in range(W):
            out[i, j] = mask[i, j] or fill[holes[i, j]]
    return out


#: Lines at most this thick (an opening of one more pixel removes them).
_THIN = 5


def _tree_holes(
    mask: np.ndarray, holes: np.ndarray, n: int, candidates: np.ndarray
) -> np.ndarray:
    """Which holes (by label) are closed by thin lines and one straight edge.

    Each hole's neighbouring content pixels are thin (gone after an opening
    of `_THIN` pixels: lines, text) or thick (areas of colour). A hole is a
    tree's when at least 30 % of them are thin and the thick ones all lie
    on one row or column (within 2 px) just beyond one side of the hole's
    box, in an area reaching past the hole's other sides: a frame's inside
    holds its data within, a map's holes are closed by areas of colour all
    round, a bar's pale end by an outline as wide as the gradient. Only
    the ``candidates`` (a boolean per label) are judged.
    """
    thick = opening(mask, _THIN // 2)
    counts, extent, reach = hole_borders(holes, mask, thick, n)
    n_thin, n_thick = counts[:, 0], counts[:, 1]
    judged = candidates & (n_thick > 0) & (n_thin >= 0.3 * (n_thin + n_thick))
    return _tree_judged(thick, extent, reach, judged)


@numba.njit(nogil=True, cache=True)
def _tree_judged(
    thick: np.ndarray, extent: np.ndarray, reach: np.ndarray, judged: np.ndarray
) -> np.ndarray:
    out = np.zeros(len(judged), dtype=np.bool_)
    for i in range(len(judged)):
        if judged[i]:
            out[i] = _tree_hole(thick, extent[i], reach[i])
    return out


@numba.njit(nogil=True, cache=True)
def _tree_hole(thick: np.ndarray, extent: np.ndarray, reach: np.ndarray) -> bool:
    """Whether one hole, of box ``extent``, is a tree's (see `_tree_holes`)."""
    top, bottom, left, right = extent[0], extent[1], extent[2], extent[3]
    r0, r1, c0, c1 = reach[0], reach[1], reach[2], reach[3]
    # rows r0..r1-1 and columns c0..c1-1 hold the thick neighbours
    row = r1 - 1 - r0 <= 2 and (abs(r0 - (top - 1)) <= 2 or abs(r1 - 1 - bottom) <= 2)
    col = c1 - 1 - c0 <= 2 and (abs(c0 - (left - 1)) <= 2 or abs(c1 - 1 - right) <= 2)
    # the area of colour reaches past both sides of the hole (a heat map
    # under a branch), not only to an outline as wide as the hole (a bar's
    # pale end inside its outline)
    if row and _beyond(thick, r0, r1, left - _THIN, right - 1 + _THIN, False):
        return True
    return col and _beyond(thick, c0, c1, top - _THIN, bottom - 1 + _THIN, True)


@numba.njit(nogil=True, cache=True)
def _beyond(
    thick: np.ndarray, start: int, stop: int, a: int, b: int, down: bool
) -> bool:
    """Whether ``thick`` holds pixels near rows ``start``-``stop`` at ``a`` and ``b``.

    ``a`` and ``b`` are columns (the area is clipped); with ``down``, rows
    and columns swap.
    """
    H, W = thick.shape
    if down:
        H, W = W, H
    r0, r1 = max(0, start - 2), min(H, stop + 2)
    if a < 0 or b >= W:
        return False
    for lo, hi in ((max(0, a - 3), a + 1), (b, min(W, b + 4))):
        hit = False
        for r in range(r0, r1):
            for c in range(lo, hi):
                if thick[c, r] if down else thick[r, c]:
                    hit = True
        if not hit:
            return False
    return True


@dataclass
class _Line:
    """A straight line: ``lo``-``hi`` across (thickness), ``start``-``stop`` along."""

    lo: int
    hi: int
    start: int
    stop: int


def _lines(mask: np.ndarray, runs: np.ndarray) -> list[_Line]:
    """Thin straight lines running down the columns of ``mask``.

    ``runs`` are the long runs down its columns (`line_runs`): runs in
    neighbouring columns that mostly overlap are one line; lines thicker
    than `LINE_THICKNESS` (filled dark areas) are dropped.
    """
    open_: list[_Line] = []
    done: list[_Line] = []
    for col, start, stop in runs.tolist():
        for line in open_:
            overlap = min(stop, line.stop) - max(start, line.start)
            longer = max(stop - start, line.stop - line.start)
            if line.hi == col and overlap >= 0.8 * longer:
                line.hi = col + 1
                line.start, line.stop = min(start, line.start), max(stop, line.stop)
                break
        else:
            open_.append(_Line(col, col + 1, start, stop))
        done.extend(line for line in open_ if line.hi < col)
        open_ = [line for line in open_ if line.hi >= col]
    done.extend(open_)
    return [
        line
        for line in done
        if line.hi - line.lo <= LINE_THICKNESS and _alone(mask, line)
    ]


def _alone(mask: np.ndarray, line: _Line) -> bool:
    """Whether ``line`` is a line, not the edge of a dark area.

    On each side, one pixel away, at most half of its length is dark.
    """
    for col in (line.lo - 2, line.hi + 1):
        if 0 <= col < mask.shape[1] and mask[line.start : line.stop, col].mean() > 0.5:
            return False
    return True


class Frame(NamedTuple):
    """The inside of an axes frame; ``closed``: top and right lines were seen."""

    box: Box
    closed: bool


def frame_boxes(pixels: np.ndarray, background: np.ndarray) -> list[Frame]:
    """The insides of the axes frames of a figure (``pixels`` in Lab).

    An axes is a left line and a bottom line meeting at a corner; the inside
    runs from the left line's top to the bottom line's right end, or to the
    top and right lines when lines lie there along the same sides.
    """
    H, W = pixels.shape[:2]
    mask = grey_far_from(
        pixels, np.asarray(background, np.float64), LINE_DELTA, LINE_CHROMA
    )
    least = max(24, int(0.06 * min(H, W)))
    tol = max(3, int(0.01 * min(H, W)))
    # tick marks may prolong a line past the corner
    reach = max(10, int(0.03 * min(H, W)))
    down, across = line_runs(mask, least)
    columns = _lines(mask, down)  # vertical lines: lo-hi columns
    rows = _lines(mask.T, across)  # horizontal lines: lo-hi rows
    boxes = []
    for left in columns:
        for bottom in rows:
            if not (
                left.lo - reach <= bottom.start <= left.hi + tol
                and bottom.lo - tol <= left.stop <= bottom.hi + reach
            ):
                continue
            top, right = left.start, bottom.stop
            closed = 0
            if right - left.hi < least:
                continue
            for line in rows:
                if (
                    abs(line.lo - top) <= tol
                    and line is not bottom
                    and _spans(line, left.lo, right, tol)
                ):
                    top, closed = max(top, line.hi), closed | 1
            for line in columns:
                if (
                    abs(line.hi - right) <= tol
                    and line is not left
                    and _spans(line, top, bottom.lo, tol)
                ):
                    right, closed = min(right, line.lo), closed | 2
            box = Box(left.hi, top, right, bottom.lo)
            if box.width < least or box.height < least:
                continue
            if box.width >= 0.95 * W and box.height >= 0.95 * H:
                continue  # the figure's (or a window's) border
            boxes.append(Frame(box, closed == 3))
    return _unique(boxes)


def _spans(line: _Line, start: int, stop: int, tol: int) -> bool:
    """Whether ``line`` runs (nearly) from ``start`` to ``stop``."""
    return line.start <= start + 2 * tol and line.stop >= stop - 2 * tol


def _unique(frames: list[Frame]) -> list[Frame]:
    out: list[Frame] = []
    for frame in sorted(frames, key=lambda f: (-f.closed, -f.box.width * f.box.height)):
        if all(frame.box.iou(f.box) < 0.8 for f in out):
            out.append(frame)
    return out


def has_content(pixels: np.ndarray, background: np.ndarray, delta: float) -> bool:
    """Whether colour-map-like content lies in ``pixels`` (Lab; inside a frame).

    Areas of colour differing from the background by more than ``delta``,
    text, tick marks and thin lines opened away, cover at least
    `FRAMED_CONTENT` of it in at least `FRAMED_COLOURS` colours.
    """
    content = far_from(pixels, np.asarray(background, np.float64), delta)
    areas = opening(content, 2)
    if areas.mean() < FRAMED_CONTENT:
        return False
    return colours_at_least(pixels, areas, FRAMED_COLOURS)


def outline_boxes(
    pixels: np.ndarray, background: np.ndarray, f: int, smallest: float
) -> list[Box]:
    """Bounding boxes of large many-coloured areas that are not rectangles (Lab).

    Searched at ``1/f`` scale like the coloured rectangles, after closing
    gaps of up to 4 pixels (thin borders of the background colour between
    a map's regions or a matrix's cells); an area must be
    at least ``smallest`` pixels across both ways, fill `OUTLINE_FILL` to
    85 % of its bounding box (fuller ones are rectangles, found as such), be
    at least 30 % areas of colour (text and lines opened away) and show at
    least `OUTLINE_COLOURS` colours in them.
    """
    H, W = pixels.shape[:2]
    pixels = pixels[::f, ::f]
    # thin borders of the background colour (between the counties of a
    # map, the cells of a matrix) are closed; enclosed gaps filled
    content = closing(
        far_from(pixels, np.asarray(background, np.float64), OUTLINE_DELTA), 2
    )
    labels, n, stats = label(fill_enclosed(content))
    boxes = []
    for i in range(1, n + 1):
        size, top, bottom, left, right, _ = (int(v) for v in stats[i])
        if not OUTLINE_FILL <= size / ((bottom - top) * (right - left)) < 0.85:
            continue
        where = (slice(top, bottom), slice(left, right))
        part = labels[where] == i
        box = scaled_box(where, f, (H, W))
        if min(box.shape) < smallest:
            continue
        if box.width >= 0.95 * W and box.height >= 0.95 * H:
            continue
        # areas of colour, not text: what survives an opening
        areas = part & opening(
            far_from(pixels[where], np.asarray(background, np.float64), OUTLINE_DELTA),
            2,
        )
        if areas.sum() < 0.3 * part.sum():
            continue
        if colours_at_least(pixels[where], areas, OUTLINE_COLOURS):
            boxes.append(box)
    return boxes


def scaled_box(where: tuple[slice, ...], f: int, shape: tuple[int, int]) -> Box:
    """The figure box of ``where`` (slices found at ``1/f`` scale), inside it."""
    H, W = shape
    return Box(
        where[1].start * f,
        where[0].start * f,
        min(W, where[1].stop * f),
        min(H, where[0].stop * f),
    )


def meets(a: Box, b: Box) -> bool:
    """Whether boxes ``a`` and ``b`` overlap."""
    return min(a.right, b.right) > max(a.left, b.left) and min(
        a.bottom, b.bottom
    ) > max(a.top, b.top)


def axes_panels(
    pixels: np.ndarray,
    background: np.ndarray,
    panels: list[Box],
    bars: list[Box],
    is_bar: Callable[[Box], bool],
) -> list[Box]:
    """Panels found from axes frames and outlines that colour alone missed.

    The inside of an axes frame (`frame_boxes`) replaces a coloured panel
    it matches (IoU >= 0.8; only its left and bottom when no top and right
    lines close the frame); otherwise it is a new panel when it meets no
    panel or bar (a bar's outline, a border around panels and bars), is no
    bar itself (``is_bar``), is large enough and holds colour-map-like content
    (`has_content`). Large many-coloured areas that are not rectangles
    (`outline_boxes`: maps, triangles, discs drawn without a frame) are new
    panels when they meet no panel or bar, or only panels that are its
    pieces (`_pieces`), which it replaces. ``panels`` is updated in place;
    the new panels are returned.
    """
    H, W = pixels.shape[:2]
    smallest = max(16, 0.06 * min(H, W))
    added: list[Box] = []
    for box, closed in frame_boxes(pixels, background):
        if min(box.shape) < smallest or any(meets(box, b) for b in bars):
            continue
        same = [i for i, p in enumerate(panels) if p.iou(box) >= 0.8]
        if same:
            # where no line closes the frame, the colour's edge is sharper
            p = panels[same[0]]
            panels[same[0]] = (
                box if closed else Box(box.left, p.top, p.right, box.bottom)
            )
            continue
        if any(meets(box, p) for p in panels + added):
            continue
        if is_bar(box):
            continue
        if has_content(pixels[box.slices], background, CONTENT_DELTA):
            added.append(box)
    f = max(1, int(np.ceil(np.sqrt(H * W / SEARCH_PIXELS))))
    for box in outline_boxes(pixels, background, f, smallest):
        if any(meets(box, b) for b in added + bars):
            continue
        met = [p for p in panels if meets(box, p)]
        if met and not _pieces(box, met):
            continue
        # pieces of one map (split by borders of the page's colour) give way
        panels[:] = [p for p in panels if p not in met]
        added.append(box)
    return added


def _pieces(outline: Box, met: list[Box]) -> bool:
    """Whether boxes are pieces of one non-rectangular area ``outline``.

    A map split by borders of the page's colour (a choropleth's state lines)
    is found as several areas whose boxes interlock: two or more, all inside
    the outline, some overlapping. Panels of a figure, even close together,
    never overlap.
    """
    return (
        len(met) >= 2
        and all(
            outline.left <= p.left
            and outline.top <= p.top
            and outline.right >= p.right
            and outline.bottom >= p.bottom
            for p in met
        )
        and any(meets(p, q) for i, p in enumerate(met) for q in met[i + 1 :])
    )
