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

import numba
import numpy as np

from napari_heatmap_digitizer.core import _ticks as ticks_module
from napari_heatmap_digitizer.core._areas import (
    bar_orientation,
    content_mask,
    data_area,
    join_split_bars,
    join_tiles,
    rectangles,
)
from napari_heatmap_digitizer.core._axis_ticks import AxisReading, read_axis_ticks
from napari_heatmap_digitizer.core._bar_pixels import _delta_e
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Colorbar, Orientation
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._frames import CONTENT_DELTA, axes_panels
from napari_heatmap_digitizer.core._frames import lab as _lab
from napari_heatmap_digitizer.core._morph import colours_at_least, far_from
from napari_heatmap_digitizer.core._naming import (
    TOP,
    ColormapMatch,
    _match_bar,
    fitting,
    rank_colormaps,
)
from napari_heatmap_digitizer.core._naming import name_colormap as name_colormap
from napari_heatmap_digitizer.core._read import as_rgb8, whole_figure
from napari_heatmap_digitizer.core._sheet import find_sheet

#: Least share of a figure's outermost pixels its background covers, below
#: which the figure may be a screenshot whose sheet is searched for.
PLAIN_BORDER = 0.9


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
    found, or that a screenshot's figure was searched inside its sheet, or
    is empty.
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
        and ``message`` says so. In a screenshot, whose edge shows
        application chrome rather than one plain background, the search
        runs inside the figure's sheet (the plain area it sits on); boxes
        are still in whole-image pixels, and ``message`` names the sheet.

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
    # the compiled kernels detection calls on small arrays (a bar's
    # colours, a panel's) run on this thread: waking a pool of threads
    # costs more than they take, far more on a busy machine
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return _found(image, colormaps, ticks)
    finally:
        numba.set_num_threads(previous)


def _found(image: np.ndarray, colormaps: bool, ticks: bool | None) -> Detection:
    """What `detect` finds, its arguments checked."""
    rgb, _ = as_rgb8(image)
    whole, (background, near, total) = rgb, _page(rgb)
    if near < 0.5 * total:
        background = None
    sheet = None
    if background is None or near < PLAIN_BORDER * total:
        # a screenshot: application chrome around the figure's sheet
        sheet = find_sheet(rgb)
        inner = None if sheet is None else rgb[sheet.slices]
        ground = None if inner is None else _background(inner)
        if inner is None or ground is None:
            sheet = None
        else:
            rgb, background = inner, ground
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
    areas = join_tiles(pixels, join_split_bars(pixels, rectangles(pixels, background)))
    for box in areas:
        lab = pixels[box.slices]
        orientation = bar_orientation(lab, box)
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
        lambda box: bar_orientation(pixels[box.slices], box) is not None,
    )
    panels.extend(added)
    panels = _outermost([data_area(pixels, box, background) for box in panels])
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
    if sheet is not None:
        panels[:] = [_moved(p, sheet) for p in panels]
        for bar in bars:
            bar.box = _moved(bar.box, sheet)
        # tick labels are read in the whole figure, with the chrome beyond
        # the sheet painted over in the sheet's colour
        rgb = _painted(whole, sheet, rgb)
        found.message = (
            "searched inside the figure's sheet "
            f"{sheet.left},{sheet.top},{sheet.right},{sheet.bottom}: the "
            "plain area around it, with other colours (a screenshot's "
            "window or page) beyond"
        )
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


def _background(rgb: np.ndarray, least: float = 0.5) -> np.ndarray | None:
    """The figure's background colour (Lab), or None when it has none.

    The background is the commonest colour of the outermost pixels and must
    cover at least ``least`` of them.
    """
    best, near, total = _page(rgb)
    return None if best is None or near < least * total else best


def _page(rgb: np.ndarray) -> tuple[np.ndarray | None, int, int]:
    """The commonest colour of the outermost pixels (Lab), how many lie near it.

    Returns the colour, the number of outermost pixels within ΔE 3 of it and
    the number of outermost pixels; ``(None, 0, 0)`` for a figure under 16
    pixels either way.
    """
    if rgb.shape[0] < 16 or rgb.shape[1] < 16:
        return None, 0, 0
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])[:, :3]
    if border.dtype == np.uint8:
        # one integer per colour: sorted as the colours' rows are
        wide = border.astype(np.int64)
        codes, counts = np.unique(
            (wide[:, 0] << 16) | (wide[:, 1] << 8) | wide[:, 2], return_counts=True
        )
        colors = np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], axis=1)
        colors = colors.astype(np.uint8)
    else:
        colors, counts = np.unique(border, axis=0, return_counts=True)
    lab = _lab(colors[None])[0]
    best = lab[np.argmax(counts)]
    near = _delta_e(lab, best) < 3.0
    return best, int(counts[near].sum()), len(border)


def _moved(box: Box, sheet: Box) -> Box:
    """``box`` found inside ``sheet``, in whole-figure pixels."""
    return Box(
        box.left + sheet.left,
        box.top + sheet.top,
        box.right + sheet.left,
        box.bottom + sheet.top,
    )


def _painted(whole: np.ndarray, sheet: Box, inside: np.ndarray) -> np.ndarray:
    """``whole`` with all but ``sheet`` (holding ``inside``) in its colour."""
    border = np.concatenate([inside[0], inside[-1], inside[:, 0], inside[:, -1]])
    out = np.empty_like(whole)
    out[...] = np.median(border, axis=0).astype(whole.dtype)
    out[sheet.slices] = inside
    return out


def _is_panel(
    lab: np.ndarray, box: Box, background: np.ndarray, shape: tuple[int, ...]
) -> bool:
    """Large enough, mostly coloured and with more than a handful of colours."""
    smallest = max(16, 0.06 * min(shape[:2]))
    if min(box.shape) < smallest:
        return False
    if box.width >= 0.98 * shape[1] and box.height >= 0.98 * shape[0]:
        return False
    content = far_from(lab, np.asarray(background, np.float64), CONTENT_DELTA)
    if content.mean() < 0.5:
        return False
    return colours_at_least(lab, content, 4)


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
        content = content_mask(pixels[strip.slices], background)
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


def _outermost(boxes: list[Box]) -> list[Box]:
    """``boxes`` less those lying inside another one (or equal to an earlier one).

    Cells of a matrix boxed in by white separators look like panels of their
    own; they lie inside the matrix's panel.
    """
    return [
        b
        for i, b in enumerate(boxes)
        if not any(
            j != i
            and o.left <= b.left
            and o.top <= b.top
            and o.right >= b.right
            and o.bottom >= b.bottom
            and (o != b or j < i)
            for j, o in enumerate(boxes)
        )
    ]
