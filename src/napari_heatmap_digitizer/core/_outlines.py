"""A colour bar's or a panel's frame and outline, cut away to what it holds.

Candidate boxes found at reduced scale are snapped to the content at full
resolution (`_areas`); their edges may still hold a frame's line
(`_trim_frame`) or, around a colour bar, an outline several pixels thick
with a gap inside it (`_trim_outline`). Both are judged line by line: a
line of one colour unlike what lies inside it is frame; a gradient's lines
across the bar change colour.
"""

from __future__ import annotations

import numpy as np

from napari_heatmap_digitizer.core._bar_pixels import _delta_e
from napari_heatmap_digitizer.core._morph import line_spread, median_delta

#: A colour bar is at least this many times longer than wide.
BAR_ASPECT = 3.0
#: Lines whose colours lie this close (80th percentile ΔE to their median)
#: are of one colour: an outline's line, not a gradient's.
OUTLINE_SPREAD = 6.0
#: A line at a bar's end is the side outline's layer this close to its colour.
OUTLINE_MATCH = 10.0


def _outline_most(height: int, width: int) -> int:
    """The widest outline cut from a bar: 2 % of the figure's size, 8 px least."""
    return max(8, round(0.02 * max(height, width)))


def _trim_frame(
    lab: np.ndarray, top: int, bottom: int, left: int, right: int, most: int = 4
) -> tuple[int, int, int, int]:
    """Move each edge inwards past lines of one colour unlike the inside."""

    def is_line(line: np.ndarray, inner: np.ndarray) -> bool:
        spread = line_spread(line, 80.0)[1]
        differs = median_delta(line, inner)
        # JPEG ringing spreads a 1-px line's colour, so judge its spread
        # against how much it differs from the inside.
        return differs > 10.0 and spread < max(6.0, 0.5 * differs)

    edges = [top, bottom, left, right]
    # (edge index, step inwards, is it a row); a row edge's line spans the
    # current columns and vice versa.
    for k, step, is_row in ((0, 1, True), (1, -1, True), (2, 1, False), (3, -1, False)):
        for _ in range(most):
            t, b, le, r = edges
            if (b - t if is_row else r - le) <= 2:
                break
            outer = edges[k] if step > 0 else edges[k] - 1
            if is_row:
                line, inner = lab[outer, le:r], lab[outer + step, le:r]
            else:
                line, inner = lab[t:b, outer], lab[t:b, outer + step]
            if not is_line(line, inner):
                break
            edges[k] += step
    return edges[0], edges[1], edges[2], edges[3]


def _layers(lines: np.ndarray, most: int) -> list[tuple[np.ndarray, int]]:
    """The outline's layers at one long side of a bar, outermost first.

    ``lines`` runs from the side inwards (axis 0), each line along the bar.
    Lines of one colour each (`OUTLINE_SPREAD`) are an outline, grouped into
    layers of one colour (a black line, a white gap); the first line that is
    not one colour is the gradient. No such line within ``most`` lines: no
    outline (empty).
    """
    layers: list[tuple[np.ndarray, int]] = []
    for i, line in enumerate(lines[: most + 1]):
        centre = np.median(line, axis=0)
        # the outermost line may be half outline and half what lies next to
        # it (anti-aliasing), before a line of one colour
        blend = i == 0 and len(lines) > 1 and _one_colour(lines[1])
        if not _one_colour(line) and not blend:
            return layers
        if layers and _delta_e(centre, layers[-1][0]) < OUTLINE_SPREAD:
            layers[-1] = (layers[-1][0], layers[-1][1] + 1)
        else:
            layers.append((centre, 1))
    return []


def _one_colour(line: np.ndarray) -> bool:
    """Whether a line's colours lie within `OUTLINE_SPREAD` of their median."""
    return bool(line_spread(line, 80.0)[1] < OUTLINE_SPREAD)


def _end_depth(lines: np.ndarray, layers: list[tuple[np.ndarray, int]]) -> int:
    """How many of ``lines`` (across a bar, from one end inwards) are outline.

    Each layer of the long sides' outline is matched in turn by lines of its
    colour, never more than the layer is wide there: the end of a map whose
    colour is the outline's (magma's black, Blues' white next to a white
    gap) stays. A one-line layer missing at the end (anti-aliasing) is
    passed over, its line left to the next layer.
    """
    depth = spare = 0
    for colour, width in layers:
        run = 0
        while run < width + spare and depth + run < len(lines) // 3:
            line = lines[depth + run]
            centre = np.median(line, axis=0)
            if not _one_colour(line) or _delta_e(centre, colour) >= OUTLINE_MATCH:
                break
            run += 1
        if run == 0 and width > 1:
            break
        spare = width if run == 0 else 0
        depth += run
    return depth


def _trim_outline(
    lab: np.ndarray, top: int, bottom: int, left: int, right: int, most: int
) -> tuple[int, int, int, int]:
    """Cut a colour bar's box to its gradient, inside a thick outline.

    GMT, plotly and others draw a bar's outline several pixels wide (a
    line, perhaps a gap between it and the gradient). Along the bar's long
    sides every line across the gradient changes colour, so the outline is
    the lines of one colour before it (`_layers`, at most ``most`` and a
    third of the bar's width); at the ends, where a gradient's lines are of
    one colour too, the same layers are cut no wider than at the sides
    (`_end_depth`). A box not shaped like a bar, or with no outline on
    either long side, is returned as it is.
    """
    h, w = bottom - top, right - left
    if min(h, w) < 3 or max(h, w) < BAR_ASPECT * min(h, w):
        return top, bottom, left, right
    view = lab[top:bottom, left:right]
    if h > w:  # lines along the bar are the box's columns
        view = view.transpose(1, 0, 2)
    n_across, n_along = view.shape[:2]
    limit = min(most, n_across // 3)
    margin = n_along // 10
    middle = view[:, margin : n_along - margin]
    near, far = _layers(middle, limit), _layers(middle[::-1], limit)
    if not near and not far:
        return top, bottom, left, right
    depth_near = sum(width for _, width in near)
    depth_far = sum(width for _, width in far)
    across = view[depth_near : n_across - depth_far].transpose(1, 0, 2)
    sides = [layers for layers in (near, far) if layers]
    start = max(_end_depth(across, layers) for layers in sides)
    stop = max(_end_depth(across[::-1], layers) for layers in sides)
    if h > w:
        return top + start, bottom - stop, left + depth_near, right - depth_far
    return top + depth_near, bottom - depth_far, left + start, right - stop
