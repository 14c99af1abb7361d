"""Read a panel's x and y axis tick labels into its extent (OCR, Tesseract).

The labels below the panel (x) and left of it (y) are found and read as a
colour bar's are (``_tick_ocr``); the top and right sides are tried when
nothing is found there. Each label is placed at its tick mark's centre when
tick marks are drawn, else at its own centre along the axis, and the labels
are fitted to one linear or log scale by `fit_tick_labels`, which refuses
labels that disagree. The fitted scale gives the values at the panel's
outer pixel edges: in pixel-centre coordinates (column ``c`` centred on
``c``) the left edge of a box is ``box.left - 0.5`` and its right edge
``box.right - 0.5``, exactly where `Extent` puts ``xmin`` and ``xmax``.
Labels that are not numbers (dates, words) give no value; a side of them
is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._tick_marks import _past_ticks, _tick_marks
from napari_heatmap_digitizer.core._tick_ocr import (
    label_boxes,
    paper_grey,
    read_labels,
    stretched,
)
from napari_heatmap_digitizer.core._ticks import (
    TickReading,
    _refused,
    fit_tick_labels,
    parse_label,
    require_ocr,
)

#: Sides tried for each axis, first choice first.
SIDES = {"x": ("bottom", "top"), "y": ("left", "right")}
_WHERE = {"bottom": "below", "top": "above", "left": "left of", "right": "right of"}


@dataclass
class AxisReading:
    """A panel's axis tick labels as read.

    ``x`` and ``y`` are the readings of each axis (``None`` when no label
    was found on either of its sides); a reading's ``vmin``/``vmax`` are
    the values at the panel's left/right (x) and bottom/top (y) edges, and
    its ``problem`` says why it gives none. ``x_side`` and ``y_side`` name
    the side read (``"bottom"``/``"top"``, ``"left"``/``"right"``).
    """

    x: TickReading | None
    y: TickReading | None
    x_side: str = "bottom"
    y_side: str = "left"
    panel: Box | None = None

    def extent_for(self, box: Box) -> Extent | None:
        """The extent at the edges of ``box`` (a panel box drawn differently).

        The labels read are fitted again with ``box``'s edges as the ends;
        None when either axis gives no extent.
        """
        if self.extent is None:
            return None
        if box == self.panel:
            return self.extent
        x, y = self.x, self.y
        assert x is not None and y is not None
        x = _fit(x.pairs, x.labels, _ends(box, "x"), "columns")
        y = _fit(y.pairs, y.labels, _ends(box, "y"), "rows")
        return AxisReading(x, y).extent

    @property
    def extent(self) -> Extent | None:
        """The panel's extent when both axes were read, else None."""
        x, y = self.x, self.y
        if x is None or y is None or x.problem is not None or y.problem is not None:
            return None
        try:
            return Extent(x.vmin, x.vmax, y.vmin, y.vmax, xscale=x.norm, yscale=y.norm)
        except DigitizerError:
            return None

    @property
    def problem(self) -> str | None:
        """Why no extent was read (None when it was)."""
        if self.extent is not None:
            return None
        why = []
        for axis in ("x", "y"):
            reading = getattr(self, axis)
            if reading is None:
                why.append(f"no {axis} tick labels found")
            elif reading.problem is not None:
                why.append(f"{axis}: {reading.problem}")
        return "; ".join(why) or "the axes give no extent"

    def describe(self) -> str:
        """One line: ``x 0 to 10 (linear), y 0 to 5 (linear)``."""
        parts = []
        for axis in ("x", "y"):
            r = getattr(self, axis)
            if r is None or r.problem is not None:
                parts.append(f"{axis} not read")
            else:
                parts.append(f"{axis} {r.vmin:g} to {r.vmax:g} ({r.norm})")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {}
        for axis in ("x", "y"):
            reading = getattr(self, axis)
            if reading is not None:
                out[axis] = {"side": getattr(self, f"{axis}_side"), **reading.to_dict()}
        extent = self.extent
        if extent is not None:
            out["extent"] = extent.as_list()
            out["xscale"], out["yscale"] = extent.xscale, extent.yscale
        else:
            out["problem"] = self.problem
        return out


def read_axis_ticks(
    image: np.ndarray, panel: Box, avoid: Sequence[Box] = ()
) -> AxisReading | None:
    """Read a panel's x and y axis tick labels and fit them to its edges.

    Parameters
    ----------
    image : numpy.ndarray
        The figure (RGB).
    panel : Box
        The panel's coloured area (inside its frame).
    avoid : sequence of Box
        Other things in the figure (panels, colour bars): a strip of labels
        stops short of them.

    Returns
    -------
    AxisReading or None
        None when no label was found on any side.

    Raises
    ------
    DigitizerError
        If the OCR engine is not installed.
    """
    require_ocr("reading axis labels")
    grey = paper_grey(image)
    readings: dict[str, tuple[TickReading | None, str]] = {}
    for axis in ("x", "y"):
        for side in SIDES[axis]:
            reading, boxes = _read_side(grey, panel, side, avoid)
            if reading is not None:
                break
        readings[axis] = (reading, side if reading is not None else SIDES[axis][0])
        if axis == "x" and boxes:
            # the x labels near the corners are no y labels: blank them out
            grey = grey.copy()
            for b in boxes:
                grey[b.slices] = 255.0
    (x, x_side), (y, y_side) = readings["x"], readings["y"]
    if x is None and y is None:
        return None
    return AxisReading(x, y, x_side, y_side, panel)


def _read_side(
    grey: np.ndarray, panel: Box, side: str, avoid: Sequence[Box]
) -> tuple[TickReading | None, list[Box]]:
    """The labels on one side of a panel and their boxes in the figure.

    The side is turned to lie like a vertical bar's: the x axis is read in
    the transposed figure, so rows run along every axis.
    """
    horizontal = side in ("bottom", "top")
    g = grey.T if horizontal else grey
    box = Box(panel.top, panel.left, panel.bottom, panel.right) if horizontal else panel
    others = [Box(b.top, b.left, b.bottom, b.right) if horizontal else b for b in avoid]
    after = side in ("bottom", "right")
    H, W = g.shape
    reach = max(50, box.width // 5) if horizontal else max(80, box.width // 3)
    margin = max(12, box.height // 20)
    y0, y1 = max(0, box.top - margin), min(H, box.bottom + margin)
    bar_side = "after" if after else "before"
    ticks = _tick_marks(g, box, bar_side)
    pad = _past_ticks(g, box, bar_side)
    if after:
        x0, x1 = box.right + pad, min(W, box.right + pad + reach)
    else:
        x0, x1 = max(0, box.left - pad - reach), box.left - pad
    for o in others:  # stop short of other panels and bars
        if min(o.bottom, y1) - max(o.top, y0) <= 0:
            continue
        if after and o.left >= box.right:
            x1 = min(x1, o.left - 2)
        elif not after and o.right <= box.left:
            x0 = max(x0, o.right + 2)
    if x1 - x0 < 4:
        return None, []
    strip = stretched(g[y0:y1, x0:x1])
    ink = strip < 128
    if ink.mean() > 0.25:  # not a margin with labels
        return None, []
    if not after:
        ink = ink[:, ::-1]
    text_height = None
    if horizontal:
        lines = np.flatnonzero(ink.any(axis=0))
        if len(lines) == 0:
            return None, []
        run = np.split(lines, np.flatnonzero(np.diff(lines) > 1) + 1)[0]
        text_height = float(len(run))
    spans, crops, boxes = [], [], []
    lo, hi = box.top - 0.5, box.bottom - 0.5
    found = label_boxes(ink, not horizontal, text_height)
    # a label's text height: across the axis for x, along it for y
    heights = [c1 - c0 if horizontal else r1 - r0 for (r0, r1), (c0, c1) in found]
    tall = 0.5 * float(np.median(heights)) if heights else 0.0
    for ((r0, r1), (c0, c1)), height in zip(found, heights, strict=True):
        if height < tall:
            continue  # a speck, not a label
        if not after:
            c0, c1 = ink.shape[1] - c1, ink.shape[1] - c0
        centre = y0 + (r0 + r1 - 1) / 2
        tol = max(2.0, 0.5 * (r1 - r0) if horizontal else 0.6 * (r1 - r0))
        boxes.append(Box(x0 + c0, y0 + r0, x0 + c1, y0 + r1))
        if not lo - tol <= centre <= hi + tol:
            continue  # not a label of this axis (a corner of another)
        crop = strip[r0:r1, c0:c1]
        spans.append((r0, r1, centre))
        crops.append(crop.T if horizontal else crop)
    figure_boxes = [Box(b.top, b.left, b.bottom, b.right) for b in boxes]
    if not horizontal:
        figure_boxes = boxes
    if not crops:
        return None, figure_boxes
    texts = read_labels(crops)
    pairs, labels = [], []
    for (r0, r1, centre), text in zip(spans, texts, strict=True):
        value = parse_label(text)
        if value is None:
            continue
        pixel = centre
        if len(ticks):
            nearest = ticks[np.argmin(np.abs(ticks - pixel))]
            if abs(nearest - pixel) <= 0.6 * (r1 - r0):
                pixel = float(nearest)
        pairs.append((pixel, value))
        labels.append(text)
    along = "columns" if horizontal else "rows"
    if len(pairs) <= len(crops) / 2:
        # words, dates or categories (read as digits only, they give nothing)
        problem = (
            f"{len(crops) - len(pairs)} of the {len(crops)} labels {_WHERE[side]} "
            "the panel are no numbers (words, dates?)"
        )
        return _refused(pairs, labels, problem), figure_boxes
    return _fit(pairs, labels, _ends(panel, "x" if horizontal else "y"), along), (
        figure_boxes
    )


def _ends(box: Box, axis: str) -> tuple[float, float]:
    """Pixel-centre coordinates of ``box``'s low and high edges on ``axis``.

    x: the left edge, then the right; y: the bottom edge, then the top
    (column ``c`` spans ``c - 0.5`` to ``c + 0.5``).
    """
    if axis == "x":
        return (box.left - 0.5, box.right - 0.5)
    return (box.bottom - 0.5, box.top - 0.5)


def _fit(
    pairs: list[tuple[float, float]],
    labels: list[str],
    ends: tuple[float, float],
    along: str,
) -> TickReading | None:
    """`fit_tick_labels`, for an axis growing towards either end.

    ``vmin`` is the value at ``ends[0]`` and ``vmax`` at ``ends[1]``
    whichever way the values grow.
    """
    reading = fit_tick_labels(pairs, labels, ends, along)
    if reading is not None and reading.problem is not None and len(pairs) > 1:
        flipped = fit_tick_labels(pairs, labels, (ends[1], ends[0]), along)
        if flipped is not None and flipped.problem is None:
            flipped.vmin, flipped.vmax = flipped.vmax, flipped.vmin
            reading = flipped
    return reading
