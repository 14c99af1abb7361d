"""Find plot panels and colour bars in a figure.

A figure is read as coloured rectangles on a plain background. Pixels that
differ from the background are grouped after closing the holes that axes
frames enclose and opening away thin things (text, tick marks, lines); the
near-rectangular groups that remain are candidates. A long, thin candidate
whose colour changes along its length and not across it is a colour bar; a
larger one is a panel. Box edges are then moved inwards past frame lines
(axes spines, the bar's outline), so boxes hug the coloured area.

Colour maps are named in ``_naming`` (``name_colormap``, ``rank_colormaps``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core import _ticks as ticks_module
from napari_heatmap_digitizer.core._axis_ticks import AxisReading, read_axis_ticks
from napari_heatmap_digitizer.core._bar_pixels import _delta_e
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Colorbar, Orientation
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._frames import (
    CONTENT_DELTA,
    SEARCH_PIXELS,
    axes_panels,
    fill_enclosed,
    meets,
)
from napari_heatmap_digitizer.core._frames import lab as _lab
from napari_heatmap_digitizer.core._naming import (
    TOP,
    ColormapMatch,
    _match_bar,
    fitting,
    rank_colormaps,
)
from napari_heatmap_digitizer.core._naming import name_colormap as name_colormap
from napari_heatmap_digitizer.core._read import as_rgb8, whole_figure

#: A colour bar is at least this many times longer than wide.
BAR_ASPECT = 3.0
#: On a page of one exact colour, data this close to it (ΔE) is still seen.
FLAT_DELTA = 1.5


@dataclass
class FoundBar:
    """A colour bar found in a figure.

    ``panels`` are the indices of the panels it serves; ``colormaps`` the
    closest catalogue maps, best first (candidates even when none fits);
    ``ticks`` what was read from its tick labels (``None`` when they were
    not read).
    """

    box: Box
    orientation: Orientation
    panels: list[int] = field(default_factory=list)
    colormaps: list[ColormapMatch] = field(default_factory=list)
    ticks: Any = None

    @property
    def colormap(self) -> str | None:
        """The bar's map when one fits (mean ΔE at most `NAMED_DELTA_E`).

        ``None`` for custom colours, or when maps were not compared.
        """
        best = fitting(self.colormaps)
        return best.name if best is not None else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "box": list(self.box),
            "orientation": self.orientation,
            "panels": list(self.panels),
        }
        if self.colormaps:
            out["colormap"] = self.colormap
            out["colormaps"] = [m.to_dict() for m in self.colormaps]
        if self.ticks is not None:
            out["ticks"] = self.ticks.to_dict()
        return out


@dataclass
class Detection:
    """What `detect` recognised in a figure.

    ``colormaps`` maps the index of every panel that no colour bar serves to
    the catalogue maps that best explain its colours. ``axes`` maps the
    index of every panel whose axis tick labels were read to what was read
    (empty when they were not read). ``message`` says why nothing was
    found, or is empty.
    """

    panels: list[Box]
    colorbars: list[FoundBar]
    colormaps: dict[int, list[ColormapMatch]] = field(default_factory=dict)
    message: str = ""
    axes: dict[int, AxisReading] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """True when at least one panel or colour bar was found."""
        return bool(self.panels or self.colorbars)

    def bar_for(self, panel: int) -> FoundBar | None:
        """The colour bar serving panel ``panel``, if any."""
        for bar in self.colorbars:
            if panel in bar.panels:
                return bar
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "panels": [list(b) for b in self.panels],
            "colorbars": [b.to_dict() for b in self.colorbars],
        }
        if self.colormaps:
            out["colormaps"] = {
                str(i): [m.to_dict() for m in ms] for i, ms in self.colormaps.items()
            }
        if self.message:
            out["message"] = self.message
        if self.axes:
            out["axes"] = {str(i): a.to_dict() for i, a in self.axes.items()}
        return out


def detect(
    image: np.ndarray, *, colormaps: bool = True, ticks: bool | None = None
) -> Detection:
    """Find the panels and colour bars of a figure.

    Parameters
    ----------
    image : numpy.ndarray
        The whole figure (grey, RGB or RGBA).
    colormaps : bool
        Also name each bar's colour map (and rank maps for panels without a
        bar).
    ticks : bool, optional
        Read the bars' and the panels' axes' tick labels by OCR: ``True``
        requires the OCR engine, ``None`` reads them when it is installed,
        ``False`` never.

    Returns
    -------
    Detection
        Never raises for an image without panels: ``found`` is then false
        and ``message`` says so.

    Raises
    ------
    DigitizerError
        If ``image`` is not an image array, or has more pixels than the limit
        (``HEATMAP_DIGITIZER_MAX_PIXELS``; a dask array is loaded whole).

    Examples
    --------
    >>> from napari_heatmap_digitizer.data import load_sample
    >>> found = detect(load_sample("single").image, ticks=False)
    >>> len(found.panels), found.colorbars[0].orientation
    (1, 'vertical')
    """
    whole_figure(image, "detect", draw="draw the panel and colour-bar boxes instead")
    flags = (bool, np.bool_)
    if not isinstance(colormaps, flags) or not isinstance(ticks, (*flags, type(None))):
        raise DigitizerError(
            "detect: colormaps must be True or False and ticks True, False or "
            f"None; got colormaps={colormaps!r}, ticks={ticks!r}"
        )
    rgb, _ = as_rgb8(image)
    background = _background(rgb)
    if background is None:
        return Detection(
            [],
            [],
            message="nothing found: the figure has no plain background "
            "(a photograph?); draw the panel and colour-bar boxes by hand",
        )
    # converted once: every search below reads the figure in Lab
    pixels = _lab(rgb)
    panels, bars = [], []
    found = _join_tiles(
        pixels, _join_split_bars(pixels, _rectangles(pixels, background))
    )
    for box in found:
        lab = pixels[box.slices]
        orientation = _bar_orientation(lab, box)
        if orientation is not None:
            try:
                # what the pipeline would read from it: a legend of a few
                # keys, or a strip of one colour, is no colour bar
                read = Colorbar.from_image(rgb, box, 0.0, 1.0, orientation=orientation)
            except DigitizerError:
                continue
            bar = FoundBar(box, orientation)
            if colormaps:
                bar.colormaps = _match_bar(read, TOP)
            bars.append(bar)
        elif _is_panel(lab, box, background, rgb.shape):
            panels.append(box)
    added = axes_panels(
        pixels,
        background,
        panels,
        [b.box for b in bars],
        lambda box: _bar_orientation(pixels[box.slices], box) is not None,
    )
    panels.extend(added)
    panels = [_data_area(pixels, box, background) for box in panels]
    panels.sort(key=lambda b: (b.top // max(1, b.height // 2), b.left))
    _assign(panels, bars, [_label_side(pixels, background, b, panels) for b in bars])
    served = {i for bar in bars for i in bar.panels}
    if any(p in added and i not in served for i, p in enumerate(panels)):
        # a frame or outline no bar serves is no heat map's panel
        panels = [p for i, p in enumerate(panels) if p not in added or i in served]
        for bar in bars:
            bar.panels = []
        _assign(
            panels, bars, [_label_side(pixels, background, b, panels) for b in bars]
        )
    if not panels and not bars:
        return Detection(
            [],
            [],
            message="nothing found: no plot panel or colour bar recognised; "
            "draw the boxes by hand",
        )
    found = Detection(panels, bars)
    if colormaps:
        served = {i for bar in bars for i in bar.panels}
        for i, box in enumerate(panels):
            if i not in served:
                found.colormaps[i] = rank_colormaps(rgb, box)
    if ticks is not False and (ticks or ticks_module.ocr_available()):
        for bar in bars:
            bar.ticks = ticks_module.read_bar_ticks(rgb, bar.box, bar.orientation)
        for i, box in enumerate(panels):
            others = [b.box for b in bars] + [p for p in panels if p != box]
            if (axes := read_axis_ticks(rgb, box, others)) is not None:
                found.axes[i] = axes
    return found


# -- finding rectangles ---------------------------------------------------


def _background(rgb: np.ndarray) -> np.ndarray | None:
    """The figure's background colour (Lab), or None when it has none.

    The background is the commonest colour of the outermost pixels and must
    cover at least half of them.
    """
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])[:, :3]
    colors, counts = np.unique(border, axis=0, return_counts=True)
    if rgb.shape[0] < 16 or rgb.shape[1] < 16:
        return None
    lab = _lab(colors[None])[0]
    best = lab[np.argmax(counts)]
    near = _delta_e(lab, best) < 3.0
    if counts[near].sum() < 0.5 * len(border):
        return None
    return best


def _content(pixels: np.ndarray, background: np.ndarray) -> np.ndarray:
    return _delta_e(pixels, background) > CONTENT_DELTA


def _rectangles(pixels: np.ndarray, background: np.ndarray) -> list[Box]:
    """Boxes around the near-rectangular coloured areas of the figure (Lab).

    On a figure whose page is one exact colour (no JPEG noise), areas are
    also searched with a far finer threshold (`FLAT_DELTA`): data paler than
    `CONTENT_DELTA` (a diverging map's white middle crossing a panel) then
    joins the rest, and such a box, when nearly all of it differs from the
    page, replaces the boxes it contains (and crosses no other).
    """
    boxes = _rectangles_at(pixels, background, CONTENT_DELTA)
    border = np.concatenate(
        [pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]
    ).reshape(-1, 3)
    if (_delta_e(border, background) < 0.5).mean() < 0.98:
        return boxes
    for box in _rectangles_at(pixels, background, FLAT_DELTA):
        # nearly every pixel differs from the page: a field, not a frame or
        # an outline around sparse data or a map
        if (_delta_e(pixels[box.slices], background) > FLAT_DELTA).mean() < 0.9:
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
    pixels: np.ndarray, background: np.ndarray, delta: float
) -> list[Box]:
    """`_rectangles` with content differing from the page by ``delta``."""
    from scipy import ndimage as ndi

    H, W = pixels.shape[:2]
    f = max(1, int(np.ceil(np.sqrt(H * W / SEARCH_PIXELS))))
    small = pixels[::f, ::f]
    content = _delta_e(small, background) > delta
    filled = fill_enclosed(content)
    k = max(1, round(max(3.0, min(H, W) / 150) / f))
    opened = ndi.binary_opening(filled, structure=np.ones((2 * k + 1, 2 * k + 1)))
    labels, _ = ndi.label(opened)
    boxes = []
    for i, where in enumerate(ndi.find_objects(labels)):
        if where is None:
            continue
        part = labels[where] == i + 1
        if part.mean() < 0.85:
            continue
        rough = Box(
            where[1].start * f,
            where[0].start * f,
            min(W, where[1].stop * f),
            min(H, where[0].stop * f),
        )
        box = _refine(pixels, rough, background, f)
        if box is not None:
            boxes.append(box)
    return boxes


def _data_area(pixels: np.ndarray, box: Box, background: np.ndarray) -> Box:
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
    content = ndi.binary_opening(
        _delta_e(lab, ground) > CONTENT_DELTA, structure=np.ones((5, 5))
    )
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


def _join_tiles(pixels: np.ndarray, boxes: list[Box]) -> list[Box]:
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


def _join_split_bars(pixels: np.ndarray, boxes: list[Box]) -> list[Box]:
    """Join the two halves of a bar split where its colours meet the page's.

    A diverging map through white (or the page's grey) leaves a gap in the
    middle of its bar that the colour search cannot see. Two boxes lying
    end to end on the same columns (or rows), at most 15 % of their joint
    length apart, whose facing ends fade into the gap's colour
    (`_meet_in_gap`) and whose union is a colour bar (`_bar_orientation`:
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
                if _bar_orientation(pixels[union.slices], union) is None:
                    continue
                out = [x for x in out if x is not a and x is not b] + [union]
                joined = True
                break
            if joined:
                break
    return out


def _refine(
    pixels: np.ndarray, rough: Box, background: np.ndarray, f: int
) -> Box | None:
    """Snap a rough box to the content at full resolution, then trim frames."""
    H, W = pixels.shape[:2]
    pad = f + 1
    outer = Box(
        max(0, rough.left - pad),
        max(0, rough.top - pad),
        min(W, rough.right + pad),
        min(H, rough.bottom + pad),
    )
    lab = pixels[outer.slices]
    content = _delta_e(lab, background) > CONTENT_DELTA
    # Judge rows on the middle of the box's columns and vice versa, so tick
    # marks and labels next to a corner do not widen it.
    h, w = content.shape
    rows = content[:, w // 8 : w - w // 8].mean(axis=1) > 0.5
    cols = content[h // 8 : h - h // 8, :].mean(axis=0) > 0.5
    if not rows.any() or not cols.any():
        return None
    top, bottom = np.flatnonzero(rows)[[0, -1]]
    left, right = np.flatnonzero(cols)[[0, -1]]
    t, b, le, r = _trim_frame(lab, int(top), int(bottom) + 1, int(left), int(right) + 1)
    if b - t < 4 or r - le < 4:
        return None
    return Box(outer.left + le, outer.top + t, outer.left + r, outer.top + b)


def _trim_frame(
    lab: np.ndarray, top: int, bottom: int, left: int, right: int, most: int = 4
) -> tuple[int, int, int, int]:
    """Move each edge inwards past lines of one colour unlike the inside."""

    def is_line(line: np.ndarray, inner: np.ndarray) -> bool:
        centre = np.median(line, axis=0)
        spread = np.percentile(_delta_e(line, centre), 80)
        differs = float(np.median(_delta_e(line, inner)))
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


def _bar_orientation(lab: np.ndarray, box: Box) -> Orientation | None:
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


def _is_panel(
    lab: np.ndarray, box: Box, background: np.ndarray, shape: tuple[int, ...]
) -> bool:
    """Large enough, mostly coloured and with more than a handful of colours."""
    smallest = max(16, 0.06 * min(shape[:2]))
    if min(box.shape) < smallest:
        return False
    if box.width >= 0.98 * shape[1] and box.height >= 0.98 * shape[0]:
        return False
    content = _delta_e(lab, background) > CONTENT_DELTA
    if content.mean() < 0.5:
        return False
    quantised = np.unique(np.rint(lab[content][::7] / 4.0), axis=0)
    return len(quantised) >= 4


def _label_side(
    pixels: np.ndarray, background: np.ndarray, bar: FoundBar, panels: list[Box]
) -> int:
    """Which side of ``bar`` holds its tick labels: -1 left/above, 1 right/below.

    The side whose strip along the bar (as wide as the bar, at least 8 px)
    holds content when the other holds next to none, panels left out; 0
    when neither does.
    """
    b = bar.box
    H, W = pixels.shape[:2]
    vertical = bar.orientation == "vertical"
    width = max(8, b.width if vertical else b.height)
    shares = []
    for side in (-1, 1):
        if vertical:
            lo, hi = (
                (b.left - width, b.left - 1)
                if side < 0
                else (b.right + 1, b.right + width)
            )
            strip = Box(max(0, lo), b.top, min(W, hi), b.bottom)
        else:
            lo, hi = (
                (b.top - width, b.top - 1)
                if side < 0
                else (b.bottom + 1, b.bottom + width)
            )
            strip = Box(b.left, max(0, lo), b.right, min(H, hi))
        if strip.width <= 0 or strip.height <= 0:
            shares.append(0.0)
            continue
        content = _content(pixels[strip.slices], background)
        for p in panels:
            part = Box(
                max(p.left, strip.left) - strip.left,
                max(p.top, strip.top) - strip.top,
                min(p.right, strip.right) - strip.left,
                min(p.bottom, strip.bottom) - strip.top,
            )
            if part.width > 0 and part.height > 0:
                content[part.slices] = False
        shares.append(float(content.mean()))
    low, high = shares
    if max(low, high) < 0.02 or max(low, high) < 4.0 * min(low, high):
        return 0
    return 1 if high > low else -1


def _across(box: Box, beside: bool) -> tuple[int, int]:
    return (box.top, box.bottom) if beside else (box.left, box.right)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def _relation(
    p: Box, b: Box, beside: bool, span: tuple[int, int] | None = None
) -> tuple[float, int] | None:
    """Gap between panel ``p`` and bar ``b`` and the bar's side (-1/1).

    ``beside``: the bar left or right of the panel, else above or below.
    None when the bar is not there, or neither overlaps at least half of the
    panel's extent across (``span`` when given: that of its row or column)
    nor half of its own (a short legend beside a panel, a long bar beside a
    row of panels).
    """
    p0, p1 = span or _across(p, beside)
    b0, b1 = _across(b, beside)
    if beside:
        near, far, lo, hi = p.right, p.left, b.left, b.right
    else:
        near, far, lo, hi = p.bottom, p.top, b.top, b.bottom
    overlap = min(p1, b1) - max(p0, b0)
    if overlap < 0.5 * min(p1 - p0, b1 - b0):
        return None
    if lo >= near:
        return float(lo - near), 1
    if hi <= far:
        return float(far - hi), -1
    return None


def _row_span(
    p: Box, panels: list[Box], b: Box, beside: bool
) -> tuple[int, int] | None:
    """Extent across of ``p``'s row (or column) if bar ``b`` reaches 2+ of it.

    None when the bar reaches fewer of its panels. A row holds the panels
    whose extent along the gap's axis is nearly ``p``'s.
    """

    def length(x: tuple[int, int]) -> int:
        return x[1] - x[0]

    mine = _across(p, not beside)
    row = [
        q
        for q in panels
        if _overlap(_across(q, not beside), mine)
        >= 0.9 * min(length(_across(q, not beside)), length(mine))
    ]
    bar = _across(b, beside)
    if sum(_overlap(_across(q, beside), bar) > 0 for q in row) < 2:
        return None
    return min(_across(q, beside)[0] for q in row), max(
        _across(q, beside)[1] for q in row
    )


def _assign(panels: list[Box], bars: list[FoundBar], label_sides: list[int]) -> None:
    """Give every panel to the nearest bar laid out beside, above or below it.

    A bar serves a panel it sits beside (left or right) or above or below,
    overlapping the panel's extent across or lying within it: a short
    legend centred beside a panel, a bar spanning a row or column of panels.
    Vertical bars are looked for beside panels first, horizontal ones above
    or below (the other way round counts double, and the bar must then lie
    over the middle half of the panel). A bar's tick labels face away from
    the panels it serves, so a panel on the labels' side (``label_sides``,
    -1 left/above, 1 right/below, 0 unknown) takes that bar only when no
    other bar fits; with the side unknown, bars right of or below a panel
    count as nearer (left of or above: one and a half times the gap). A bar
    reaching across two or more panels of a row (or column) is judged
    against the whole row. A lone bar serving no panel serves all panels.
    Bars record their panels.
    """
    for i, p in enumerate(panels):
        best, best_score = None, (np.inf, np.inf)
        for bar, labels in zip(bars, label_sides, strict=True):
            vertical = bar.orientation == "vertical"
            for beside in (vertical, not vertical):
                found = _relation(p, bar.box, beside)
                if found is None:
                    span = _row_span(p, panels, bar.box, beside)
                    found = span and _relation(p, bar.box, beside, span)
                if found is None:
                    continue
                gap, side = found
                score = gap
                if beside != vertical:
                    b = bar.box
                    centre, lo, hi = (
                        ((b.top + b.bottom) / 2, p.top, p.bottom)
                        if beside
                        else ((b.left + b.right) / 2, p.left, p.right)
                    )
                    if abs(centre - (lo + hi) / 2) > (hi - lo) / 4:
                        continue
                    score = 2.0 * gap + 2
                if labels == 0 and side < 0:
                    score = 1.5 * score + 1
                ranked = (float(labels == -side), score)
                if ranked < best_score:
                    best, best_score = bar, ranked
        if best is not None:
            best.panels.append(i)
    if len(bars) == 1 and not bars[0].panels:
        bars[0].panels.extend(range(len(panels)))
