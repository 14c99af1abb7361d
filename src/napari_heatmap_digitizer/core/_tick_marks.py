"""Where a colour bar's tick marks and labels lie beside it.

Tick marks outside the bar's outline or inside it at its edge, how far out
the outline and marks reach, and where the labels' strip ends. Used by
`_ticks` and `_axis_ticks` on a greyscale figure (`_tick_ocr.paper_grey`),
a bar drawn vertically.
"""

from __future__ import annotations

import numpy as np

from napari_heatmap_digitizer.core._boxes import Box


def _outside(grey: np.ndarray, box: Box, side: str, offset: int) -> np.ndarray:
    """The column ``offset`` px outside the bar on ``side``, along the bar."""
    x = box.right + offset - 1 if side == "after" else box.left - offset
    if not 0 <= x < grey.shape[1]:
        return np.zeros(box.height + 2, dtype=bool)
    return grey[box.top - 1 : box.bottom + 1, x] < 128


def _tick_marks(grey: np.ndarray, box: Box, side: str) -> np.ndarray:
    """Rows of the dark tick marks just outside the bar's outline.

    A tick mark reaches from the outline out: dark 2, 3 and 4 px out (the
    tops of labels set a few pixels off the bar are not).
    """
    dark = (
        _outside(grey, box, side, 2)
        & _outside(grey, box, side, 3)
        & _outside(grey, box, side, 4)
    )
    rows = np.flatnonzero(dark)
    if len(rows) == 0 or dark.mean() > 0.5:
        return np.array([])
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    return np.array([box.top - 1 + r.mean() for r in runs if len(r) <= 4])


def _inner_ticks(grey: np.ndarray, box: Box, side: str) -> np.ndarray:
    """Rows of tick marks drawn inside the bar at its edge (ggplot2's).

    Short lines across the bar's edge on the labels' side, lighter or
    darker than its middle on one to three rows, seen two columns deep;
    each is placed at the centroid of its contrast (sub-pixel).
    """
    if box.width < 8:
        return np.array([])
    band = grey[box.top : box.bottom].astype(np.float64)
    edge = (box.width - 2, box.width - 3) if side == "after" else (1, 2)
    middle = band[:, box.left + box.width // 2]
    contrast = [band[:, box.left + e] - middle for e in edge]
    marked = (np.abs(contrast[0]) > 12) & (np.abs(contrast[1]) > 12)
    marked &= np.sign(contrast[0]) == np.sign(contrast[1])
    rows = np.flatnonzero(marked)
    if len(rows) == 0 or marked.mean() > 0.2:
        return np.array([])
    weight = np.abs(contrast[0])
    out = []
    for run in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1):
        if len(run) > 3:
            continue
        near = np.arange(max(0, run[0] - 1), min(len(weight), run[-1] + 2))
        w = np.where(
            np.sign(contrast[0][near]) == np.sign(contrast[0][run[0]]), weight[near], 0
        )
        out.append(box.top + float(np.sum(near * w) / np.sum(w)))
    return np.array(out)


def _past_ticks(grey: np.ndarray, box: Box, side: str) -> int:
    """How far out the outline and tick marks reach (px).

    The label strip starts after them: columns whose ink is only a few thin
    runs. Tick marks found 2–4 px out (`_tick_marks`) may start past a
    pale column or two (a bar without outline, a JPEG's blur).
    """
    ticked = len(_tick_marks(grey, box, side)) > 0
    offset = 1
    while offset < 20:
        dark = _outside(grey, box, side, offset)
        if dark.mean() > 0.5:  # the outline
            offset += 1
            continue
        rows = np.flatnonzero(dark)
        if len(rows) == 0:
            if ticked and offset <= 2:
                offset += 1
                continue
            break
        runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
        if max(len(r) for r in runs) > 4:
            break
        offset += 1
    return offset


def _label_block(cols: np.ndarray, width: int) -> int:
    """How many columns, counted from the bar outward, hold its labels.

    ``cols`` says which columns have ink. The labels end at the first blank
    gap of at least ``max(8, width // 2)`` columns after some ink.
    """
    gap = max(8, width // 2)
    ink = np.flatnonzero(cols)
    if len(ink) == 0:
        return len(cols)
    wide = np.flatnonzero(np.diff(ink) > gap)
    return len(cols) if len(wide) == 0 else int(ink[wide[0]]) + 1


def _flush_end(centre: float, start: int, stop: int, box: Box) -> float | None:
    """The bar's end, when a label (rows ``start:stop``) may be flush with it.

    Labels sit centred on their ticks, except that some programs (Vega-Lite)
    put the end labels flush with the bar's ends, inside its length: the
    label's outer edge lies on an end (up to a third of its height away, the
    room a font keeps for descenders) and its centre well inside.
    """
    height = stop - start
    near = max(1.0, 0.35 * height)
    if box.top - 1 <= start <= box.top + near and centre - box.top > 0.4 * height:
        return box.top - 0.5
    if box.bottom - near <= stop <= box.bottom + 1 and box.bottom - centre > (
        0.4 * height
    ):
        return box.bottom - 0.5
    return None
