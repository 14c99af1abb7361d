"""Coloured areas of a figure: where panels and colour bars are looked for.

Pixels differing from the page (CIELAB, converted once by `detect`) are
grouped after closing the holes axes frames enclose and opening away thin
things (text, tick marks, lines); the near-rectangular groups that remain
(`rectangles`) are candidates, snapped to the content at full resolution
with frame lines trimmed; a colour bar's box is cut inside its outline,
however thick, to the gradient (`_trim_outline`), and lengthened over
ends too pale to be seen as content (`_pale_ends`). Pieces of one thing
are then joined: the halves of a bar split where a diverging map meets
the page's colour (`join_split_bars`), the cells of a matrix drawn with
separator lines (`join_tiles`). `bar_orientation` tells a colour bar from
a panel, and `data_area` cuts a panel drawn on a theme's grey ground to
its data.
"""

from __future__ import annotations

import numpy as np

from napari_heatmap_digitizer.core._bar_pixels import _delta_e
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Orientation
from napari_heatmap_digitizer.core._frames import (
    CONTENT_DELTA,
    SEARCH_PIXELS,
    fill_enclosed,
    meets,
    scaled_box,
)
from napari_heatmap_digitizer.core._morph import far_from, label, opening
from napari_heatmap_digitizer.core._outlines import (
    BAR_ASPECT,
    OUTLINE_MATCH,
    _outline_most,
    _trim_frame,
    _trim_outline,
)

#: A bar's pale end continues while lines across it change by less (ΔE).
PALE_STEP = 3.0
#: ... for at most this share of the bar's length at each end.
PALE_MOST = 0.15
#: On a page of one exact colour, data this close to it (ΔE) is still seen.
FLAT_DELTA = 1.5


def content_mask(pixels: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Where the figure (Lab) differs from the page by `CONTENT_DELTA`."""
    return far_from(pixels, np.asarray(background, np.float64), CONTENT_DELTA)


def rectangles(pixels: np.ndarray, background: np.ndarray) -> list[Box]:
    """Boxes around the near-rectangular coloured areas of the figure (Lab).

    On a figure whose page is one exact colour (no JPEG noise), areas are
    also searched with a far finer threshold (`FLAT_DELTA`): data paler than
    `CONTENT_DELTA` (a diverging map's white middle crossing a panel) then
    joins the rest, and such a box, when nearly all of it differs from the
    page, replaces the boxes it contains (and crosses no other).
    """
    refined: dict[Box, Box | None] = {}
    content = far_from(pixels, np.asarray(background, np.float64), CONTENT_DELTA)
    boxes = _rectangles_at(pixels, background, CONTENT_DELTA, refined, content)
    border = np.concatenate(
        [pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]
    ).reshape(-1, 3)
    if (_delta_e(border, background) < 0.5).mean() < 0.98:
        return boxes
    for box in _rectangles_at(pixels, background, FLAT_DELTA, refined, content):
        # nearly every pixel differs from the page: a field, not a frame or
        # an outline around sparse data or a map
        page = np.asarray(background, np.float64)
        if far_from(pixels[box.slices], page, FLAT_DELTA).mean() < 0.9:
            continue
        inside = [b for b in boxes if _contains(box, b)]
        # it must grow what was found, and cut across nothing found
        crossed = [b for b in boxes if meets(box, b) and b not in inside]
        if inside and not crossed and not any(box.iou(b) >= 0.9 for b in boxes):
            boxes = [b for b in boxes if b not in inside] + [box]
    return boxes


def _contains(outer: Box, inner: Box) -> bool:
    return (
        outer.left <= inner.left
        and outer.top <= inner.top
        and outer.right >= inner.right
        and outer.bottom >= inner.bottom
    )


def _rectangles_at(
    pixels: np.ndarray,
    background: np.ndarray,
    delta: float,
    refined: dict[Box, Box | None],
    content: np.ndarray,
) -> list[Box]:
    """`rectangles` with content differing from the page by ``delta``.

    ``refined`` keeps each rough box's refined box: both searches find most
    areas alike. ``content`` is where the figure differs from the page by
    `CONTENT_DELTA`, at full resolution.
    """
    H, W = pixels.shape[:2]
    f = max(1, int(np.ceil(np.sqrt(H * W / SEARCH_PIXELS))))
    small = pixels[::f, ::f]
    if delta == CONTENT_DELTA:
        mask = content[::f, ::f]
    else:
        mask = far_from(small, np.asarray(background, np.float64), delta)
    filled = fill_enclosed(np.ascontiguousarray(mask), trees=True)
    k = max(1, round(max(3.0, min(H, W) / 150) / f))
    opened = opening(filled, k)
    _, n, stats = label(opened)
    boxes = []
    for i in range(1, n + 1):
        size, top, bottom, left, right, _ = (int(v) for v in stats[i])
        if size / ((bottom - top) * (right - left)) < 0.85:
            continue
        where = (slice(top, bottom), slice(left, right))
        rough = scaled_box(where, f, (H, W))
        if rough not in refined:
            refined[rough] = _refine(pixels, rough, background, f, content)
        box = refined[rough]
        if box is not None:
            boxes.append(box)
    return boxes


def data_area(pixels: np.ndarray, box: Box, background: np.ndarray) -> Box:
    """The data inside a panel drawn on a plain ground of its own.

    ggplot2, seaborn's and plotly's themes draw the axes on a light grey or
    tinted ground, with a margin of it around the data. When a panel's
    outermost pixels are mostly one light, nearly grey colour unlike the
    page, the panel is cut to the largest area differing from that ground
    (grid lines and text opened away; a facet's title strip is another
    area), if that trims at least three sides. A panel on
    the page's own colour keeps its box (a sparse plot keeps its axes).
    """
    from scipy import ndimage as ndi

    lab = pixels[box.slices]
    if min(lab.shape[:2]) < 16:
        return box
    sides = (lab[:2], lab[-2:], lab[:, :2], lab[:, -2:])
    ring = np.concatenate([side.reshape(-1, 3) for side in sides])
    ground = np.median(ring, axis=0)
    if (
        _delta_e(ground, background) <= CONTENT_DELTA
        or ground[0] < 70
        or np.hypot(ground[1], ground[2]) > 12
        or (_delta_e(ring, ground) < 3).mean() < 0.6
    ):
        return box
    content = opening(far_from(lab, ground.astype(np.float64), CONTENT_DELTA), 2)
    # the largest area: not a facet's title strip above it
    labels, n = ndi.label(content)
    if n > 1:
        sizes = np.bincount(labels.ravel())[1:]
        content = labels == 1 + int(np.argmax(sizes))
    rows, cols = (
        np.flatnonzero(content.any(axis=1)),
        np.flatnonzero(content.any(axis=0)),
    )
    if len(rows) == 0 or len(cols) == 0:
        return box
    inner = Box(
        box.left + int(cols[0]),
        box.top + int(rows[0]),
        box.left + int(cols[-1]) + 1,
        box.top + int(rows[-1]) + 1,
    )
    trimmed = [
        inner.left - box.left,
        inner.top - box.top,
        box.right - inner.right,
        box.bottom - inner.bottom,
    ]
    if sum(t >= 2 for t in trimmed) < 3 or inner.width * inner.height < 0.5 * (
        box.width * box.height
    ):
        return box
    return inner


def join_tiles(pixels: np.ndarray, boxes: list[Box]) -> list[Box]:
    """Join the cells of a matrix drawn with separator lines into one box.

    Boxes lying side by side on the same rows, or one above the other on
    the same columns, with a gap of at most a tenth of their size (3 px at
    least, 12 at most) between them, are tiles of one area: each group of
    two or more tiles alike in size (within 25 %), each of one colour
    (`_flat`: a cell, a band), that covers at least half of the box around
    it (cells may be missing) becomes that box. Panels of a multi-panel
    figure show fields, not one colour each, even when they stand close.
    """
    n = len(boxes)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(boxes):
        for j in range(i + 1, n):
            b = boxes[j]
            most = min(12.0, max(3.0, 0.1 * min(*a.shape, *b.shape)))
            rows = abs(a.top - b.top) <= 2 and abs(a.bottom - b.bottom) <= 2
            cols = abs(a.left - b.left) <= 2 and abs(a.right - b.right) <= 2
            gap_h = max(a.left, b.left) - min(a.right, b.right)
            gap_v = max(a.top, b.top) - min(a.bottom, b.bottom)
            if (rows and 0 <= gap_h <= most) or (cols and 0 <= gap_v <= most):
                parent[root(i)] = root(j)
    groups: dict[int, list[Box]] = {}
    for i, box in enumerate(boxes):
        groups.setdefault(root(i), []).append(box)
    out = []
    for members in groups.values():
        union = Box(
            min(b.left for b in members),
            min(b.top for b in members),
            max(b.right for b in members),
            max(b.bottom for b in members),
        )
        covered = sum(b.width * b.height for b in members)
        w = np.median([b.width for b in members])
        h = np.median([b.height for b in members])
        alike = all(
            abs(b.width - w) <= 0.25 * w and abs(b.height - h) <= 0.25 * h
            for b in members
        )
        if (
            len(members) > 1
            and alike
            and covered >= 0.5 * union.width * union.height
            and all(_flat(pixels[b.slices]) for b in members)
        ):
            out.append(union)
        else:  # not tiles of one rectangle (strips of a theme's grid, say)
            out.extend(members)
    return out


def _meet_in_gap(
    pixels: np.ndarray, a: Box, b: Box, union: Box, vertical: bool
) -> bool:
    """Whether ``a`` and ``b`` end, facing each other, near their gap's colour."""
    lab = pixels[union.slices]
    if not vertical:
        lab = lab.transpose(1, 0, 2)
        a = Box(a.top, a.left, a.bottom, a.right)
        b = Box(b.top, b.left, b.bottom, b.right)
        union = Box(union.top, union.left, union.bottom, union.right)
    end_a, start_b = a.bottom - union.top, b.top - union.top
    if start_b <= end_a:
        return True
    gap = np.median(lab[end_a:start_b].reshape(-1, 3), axis=0)
    last = np.median(lab[max(0, end_a - 2) : end_a].reshape(-1, 3), axis=0)
    first = np.median(lab[start_b : start_b + 2].reshape(-1, 3), axis=0)
    return bool(_delta_e(last, gap) < 20 and _delta_e(first, gap) < 20)


def _flat(lab: np.ndarray) -> bool:
    """Whether most (60 %) of an area is one colour (ΔE < 5): a cell, a band."""
    flat = lab.reshape(-1, 3)[:: max(1, lab.shape[0] * lab.shape[1] // 4096)]
    return bool((_delta_e(flat, np.median(flat, axis=0)) < 5.0).mean() >= 0.6)


def join_split_bars(pixels: np.ndarray, boxes: list[Box]) -> list[Box]:
    """Join the two halves of a bar split where its colours meet the page's.

    A diverging map through white (or the page's grey) leaves a gap in the
    middle of its bar that the colour search cannot see. Two boxes lying
    end to end on the same columns (or rows), at most 15 % of their joint
    length apart, whose facing ends fade into the gap's colour
    (`_meet_in_gap`) and whose union is a colour bar (`bar_orientation`:
    the gap's lines across are one colour too), are that bar. Two bars of
    two panels, one above the other, end in colours of their own.
    """
    out = list(boxes)
    joined = True
    while joined:
        joined = False
        for a in out:
            for b in out:
                if b is a:
                    continue
                gap_v = b.top - a.bottom
                gap_h = b.left - a.right
                same_cols = abs(a.left - b.left) <= 2 and abs(a.right - b.right) <= 2
                same_rows = abs(a.top - b.top) <= 2 and abs(a.bottom - b.bottom) <= 2
                if same_cols and gap_v >= 0:
                    union = Box(
                        max(a.left, b.left), a.top, min(a.right, b.right), b.bottom
                    )
                    gap = gap_v
                elif same_rows and gap_h >= 0:
                    union = Box(
                        a.left, max(a.top, b.top), b.right, min(a.bottom, b.bottom)
                    )
                    gap = gap_h
                else:
                    continue
                if gap > 0.15 * max(union.shape):
                    continue
                if not _meet_in_gap(pixels, a, b, union, gap_v >= 0 and same_cols):
                    continue
                if bar_orientation(pixels[union.slices], union) is None:
                    continue
                out = [x for x in out if x is not a and x is not b] + [union]
                joined = True
                break
            if joined:
                break
    return out


def _refine(
    pixels: np.ndarray, rough: Box, background: np.ndarray, f: int, content: np.ndarray
) -> Box | None:
    """Snap a rough box to the content at full resolution, then trim frames.

    ``content``: where the figure differs from the page (`CONTENT_DELTA`).
    """
    H, W = pixels.shape[:2]
    pad = f + 1
    outer = Box(
        max(0, rough.left - pad),
        max(0, rough.top - pad),
        min(W, rough.right + pad),
        min(H, rough.bottom + pad),
    )
    lab = pixels[outer.slices]
    content = content[outer.slices]
    # Judge rows on the middle of the box's columns and vice versa, so tick
    # marks and labels next to a corner do not widen it.
    h, w = content.shape
    rows = content[:, w // 8 : w - w // 8].mean(axis=1) > 0.5
    cols = content[h // 8 : h - h // 8, :].mean(axis=0) > 0.5
    if not rows.any() or not cols.any():
        return None
    top, bottom = np.flatnonzero(rows)[[0, -1]]
    left, right = np.flatnonzero(cols)[[0, -1]]
    edges = _trim_frame(lab, int(top), int(bottom) + 1, int(left), int(right) + 1)
    t, b, le, r = _trim_outline(lab, *edges, _outline_most(H, W))
    if b - t < 4 or r - le < 4:
        return None
    box = Box(outer.left + le, outer.top + t, outer.left + r, outer.top + b)
    return _tapered_ends(pixels, _pale_ends(pixels, box, background))


def _tapered_ends(pixels: np.ndarray, box: Box) -> Box:
    """Cut a bar's ``extend`` triangles: ends narrowing steadily to a tip.

    From each end inwards, the share of a line across the bar in the colour
    at its middle grows steadily (from 85 % of a bar line's or less) to a
    bar line's within twice the bar's width; the triangle's base is where
    that growth, fitted, reaches a bar line's (at most 3 lines past the
    first such line).
    """
    h, w = box.shape
    if min(h, w) < 3 or max(h, w) < BAR_ASPECT * min(h, w):
        return box
    vertical = h > w
    lab = pixels[box.slices]
    if not vertical:
        lab = lab.transpose(1, 0, 2)
    # the share of each line across the bar in the colour at its middle (a
    # triangle's fill, not its outline or the page beside it)
    middle = lab[:, lab.shape[1] // 2][:, None]
    cover = (_delta_e(lab, middle) < OUTLINE_MATCH).mean(axis=1)
    n = len(cover)
    plateau = float(np.median(cover))  # a line of the bar itself
    cut = [0, 0]
    for k, seq in enumerate((cover, cover[::-1])):
        c = seq[: min(n // 4, 2 * min(h, w))]
        full = np.flatnonzero(c >= plateau - 0.02)
        if len(full) == 0 or full[0] < 3:
            continue
        part = c[: full[0]]
        if part[0] > 0.85 * plateau or (np.diff(part) < -0.05).any():
            continue  # no end narrowing steadily towards its tip
        base = int(full[0])
        grow = part > 0.3
        if grow.sum() >= 2:
            slope, icpt = np.polyfit(np.flatnonzero(grow), part[grow], 1)
            if slope > 0:
                reach = int(np.ceil((plateau - icpt) / slope + 0.5))
                base = min(max(reach, base), base + 3)
        cut[k] = base
    start, stop = cut[0], n - cut[1]
    if stop - start < 0.5 * n:
        return box
    if vertical:
        return Box(box.left, box.top + start, box.right, box.top + stop)
    return Box(box.left + start, box.top, box.left + stop, box.bottom)


def _pale_ends(pixels: np.ndarray, box: Box, background: np.ndarray) -> Box:
    """Lengthen a bar over the ends paler than `CONTENT_DELTA` from the page.

    A map ending near white (Blues' #f7fbff) on a white page, drawn without
    an outline, fades below the content threshold. Beyond each end of a
    box shaped like a bar, lines across it are taken while each is of one
    exact colour (ΔE spread < `FLAT_DELTA`), differs from the page, follows
    on from the line before (ΔE < `PALE_STEP`) and the page lies on both
    sides of it; at most `PALE_MOST` of the bar's length on each end.
    """
    H, W = pixels.shape[:2]
    h, w = box.shape
    if min(h, w) < 3 or max(h, w) < BAR_ASPECT * min(h, w):
        return box
    vertical = h > w
    view = pixels if vertical else pixels.transpose(1, 0, 2)
    # (start, stop) along the bar, (first, last + 1) across it
    start, stop = (box.top, box.bottom) if vertical else (box.left, box.right)
    lo, hi = (box.left, box.right) if vertical else (box.top, box.bottom)
    if lo < 1 or hi >= (W if vertical else H):
        return box
    most = round(PALE_MOST * (stop - start))
    ends = []
    for edge, step in ((start, -1), (stop - 1, 1)):
        previous = np.median(view[edge, lo:hi], axis=0)
        at = edge
        for _ in range(most):
            nxt = at + step
            if not 0 <= nxt < view.shape[0]:
                break
            line = view[nxt, lo:hi]
            centre = np.median(line, axis=0)
            beside = np.stack([view[nxt, lo - 1], view[nxt, hi]])
            if (
                np.percentile(_delta_e(line, centre), 80) >= FLAT_DELTA
                or _delta_e(centre, background) <= 0.5
                or _delta_e(centre, previous) >= PALE_STEP
                or _delta_e(beside, background).max() > 0.5
            ):
                break
            previous, at = centre, nxt
        ends.append(at)
    start, stop = ends[0], ends[1] + 1
    if vertical:
        return Box(box.left, start, box.right, stop)
    return Box(start, box.top, stop, box.bottom)


def bar_orientation(lab: np.ndarray, box: Box) -> Orientation | None:
    """'vertical'/'horizontal' when the box shows a colour bar, else None."""
    h, w = box.shape
    if max(h, w) < BAR_ASPECT * min(h, w) or min(h, w) < 3:
        return None
    orientation: Orientation = "vertical" if h > w else "horizontal"
    along = lab if orientation == "vertical" else lab.transpose(1, 0, 2)
    n_across = along.shape[1]
    inner = along[:, n_across // 5 : n_across - n_across // 5 or None]
    profile = np.median(inner, axis=1)
    # Every line across a bar is one colour (JPEG noise aside); a matrix of
    # a few long rows is not.
    across = np.percentile(_delta_e(inner, profile[:, None, :]), 75)
    steps = _delta_e(profile[1:], profile[:-1])
    travelled = steps.sum()
    if across > 6.0 or travelled < 20.0:
        return None
    # A strip of one colour crossed by a line or two (a panel's background
    # between grid lines) is no bar: no colour of a bar covers most of it.
    sample = profile[:: max(1, len(profile) // 256)]
    same = _delta_e(sample[:, None, :], sample[None, :, :]) < 3.0
    if same.sum(axis=1).max() > 0.6 * len(sample):
        return None
    return orientation
