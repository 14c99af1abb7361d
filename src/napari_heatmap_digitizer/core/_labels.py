"""The names of a matrix's rows and columns, as printed beside it.

Correlation and confusion matrices name their rows and columns (variables,
classes) with one tick label per cell. :func:`matrix_labels` finds the labels
beside the panel (left or right for rows, below or above for columns), keeps
them only when there is exactly one per row or column, each at its cell,
and reads them with one OCR call per side. Labels turned a quarter turn
(reading upwards, as crowded column labels often are) are turned back first;
labels at other angles are not read.
"""

from __future__ import annotations

import re

import numpy as np

from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._printed import _enlarged
from napari_heatmap_digitizer.core._tick_marks import _past_ticks
from napari_heatmap_digitizer.core._tick_ocr import (
    CHARS,
    _ocr_line,
    _ocr_stacked,
    paper_grey,
    stretched,
)
from napari_heatmap_digitizer.core._ticks import parse_label

__all__ = ["LETTERS", "matrix_labels"]

#: The characters a row or column name is read as.
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+%()/:"
#: Column labels read upwards when most are this many times longer out from
#: the axis than along it.
TURNED = 1.6
#: A label's centre must lie in the middle of its cell, within this share of
#: the cell's size from the centre.
CENTRED = 0.3


def matrix_labels(
    figure: np.ndarray, box: Box, col_edges: np.ndarray, row_edges: np.ndarray
) -> tuple[list[str] | None, list[str] | None]:
    """The printed names of a matrix's rows and columns, where there are any.

    Parameters
    ----------
    figure : numpy.ndarray
        The whole figure, ``(H, W, 3)`` ``uint8``.
    box : Box
        The panel in figure pixels.
    col_edges, row_edges : numpy.ndarray
        The cells' edges in panel pixels.

    Returns
    -------
    (list of str or None, list of str or None)
        Row names (top first) and column names (left first); None for an
        axis without one readable label per cell.

    Raises
    ------
    DigitizerError
        If the OCR engine fails.
    """
    grey = paper_grey(figure)
    rows = None
    for side in ("left", "right"):
        rows = _side(grey, box, row_edges, side)
        if rows is not None:
            break
    cols = None
    for side in ("bottom", "top"):
        cols = _side(grey, box, col_edges, side)
        if cols is not None:
            break
    return rows, cols


def _side(grey: np.ndarray, box: Box, edges: np.ndarray, side: str) -> list[str] | None:
    """One label per cell on one side of the panel, read; or None."""
    across = side in ("bottom", "top")
    # turned so that the labels lie along axis 0, the panel at column 0
    g = grey.T if across else grey
    b = Box(box.top, box.left, box.bottom, box.right) if across else box
    after = side in ("bottom", "right")
    pad = _past_ticks(g, b, "after" if after else "before")
    width = g.shape[1]
    reach = max(40, min(b.width, 300))
    if after:
        x0, x1 = b.right + pad, min(width, b.right + pad + reach)
    else:
        x0, x1 = max(0, b.left - pad - reach), b.left - pad
    if x1 - x0 < 4:
        return None
    strip = stretched(g[b.top : b.bottom, x0:x1])
    ink = strip < 128
    if not after:
        ink, strip = ink[:, ::-1], strip[:, ::-1]
    if not ink.any() or ink.mean() > 0.25:
        return None
    found = [_label(ink, edges[k], edges[k + 1]) for k in range(len(edges) - 1)]
    if any(f is None for f in found):
        return None
    spans = [f for f in found if f is not None]
    # one axis's labels share their turn: turned when most are much longer
    # out from the axis than along it (an upright digit is a little taller
    # than wide, a "1" twice; a turned name is several glyphs long)
    ratios = [(c1 - c0) / max(r1 - r0, 1) for (r0, r1), (c0, c1) in spans]
    turned = across and float(np.median(ratios)) > TURNED
    upright = []
    for (r0, r1), (c0, c1) in spans:
        crop = strip[r0:r1, c0:c1]
        if not after:
            crop = crop[:, ::-1]
        upright.append(_upright(crop, across, turned))
    # read at two sizes, and alone where the two differ: a name two of the
    # readings agree on is kept, and the side's names only when all are
    chars = LETTERS
    first = [_tidy(t) for t in _ocr_stacked(upright, chars, dictionary=False)]
    if sum(parse_label(t) is not None for t in first) >= 0.5 * len(first):
        # numbered rows and columns (a confusion matrix's classes 0…9): read
        # as numbers, which the engine reads better than among letters
        chars = CHARS
        first = [_tidy(t) for t in _ocr_stacked(upright, chars)]
    enlarged = [_enlarged(c) for c in upright]
    second = [_tidy(t) for t in _ocr_stacked(enlarged, chars, dictionary=False)]
    names = []
    for crop, one, two in zip(upright, first, second, strict=True):
        name = one
        if one != two:
            alone = _tidy(_ocr_line(crop, chars, dictionary=False))
            name = alone if alone in (one, two) else ""
        if not name:
            return None
        names.append(name)
    return None if _broken_series(names) else names


def _broken_series(names: list[str]) -> bool:
    """Whether numbered names ("Gene1", "Gene2", ..., or 0, 1, 2) hold a misread.

    Where most names are one word followed by a number, a name that is that
    word followed by one or two other glyphs lost its digits to the OCR
    engine ("Gene1" read "Genet"); where the names are numbers and most run
    in one even series, one off it was misread ("11" read "1").
    """
    numbers = [parse_label(n) for n in names]
    if len(names) >= 4 and all(v is not None for v in numbers):
        # numbered rows (0, 1, 2, …): most in one even series, one off it is
        # misread ("11" read "1")
        v = np.asarray(numbers, dtype=float)
        step = float(np.median(np.diff(v)))
        start = float(np.median(v - step * np.arange(len(v))))
        on = np.isclose(v, start + step * np.arange(len(v)))
        return bool(step != 0 and on.mean() >= 0.75 and not on.all())
    found = [re.match(r"^(.*\D)(\d+)$", n) for n in names]
    words = [m.group(1) for m in found if m]
    if len(words) < 0.5 * len(names):
        return False
    word = max(set(words), key=words.count)
    return any(
        m is None and n.startswith(word) and len(n) - len(word) <= 2
        for n, m in zip(names, found, strict=True)
    )


def _label(
    ink: np.ndarray, start: float, stop: float
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Where the label of the cell ``start..stop`` (along axis 0) lies.

    The ink of the cell's band nearest the panel, its glyphs joined across
    small gaps (letters of a word, words of a name), and centred on the cell.
    """
    lo, hi = int(np.ceil(start)), int(np.floor(stop))
    band = ink[lo:hi]
    cols = np.flatnonzero(band.any(axis=0))
    if cols.size == 0:
        return None
    join = 4
    for _ in range(2):  # the first glyphs' size sets the gap a name may hold
        cuts = np.flatnonzero(np.diff(cols) > join)
        c0, c1 = int(cols[0]), int(cols[cuts[0]] if cuts.size else cols[-1]) + 1
        rows = np.flatnonzero(band[:, c0:c1].any(axis=1))
        join = int(np.clip(rows[-1] - rows[0] + 1, 4, 16))
    rows = np.flatnonzero(band[:, c0:c1].any(axis=1))
    r0, r1 = lo + int(rows[0]), lo + int(rows[-1]) + 1
    if r0 == lo or r1 == hi:
        return None  # ink reaching the next cell's band: no label of this cell
    centre = (r0 + r1 - 1) / 2
    if abs(centre - (start + stop) / 2) > CENTRED * (stop - start):
        return None
    return (r0, r1), (c0, c1)


def _tidy(text: str) -> str:
    """OCR text on one line, single-spaced."""
    return " ".join(text.split())


def _upright(crop: np.ndarray, across: bool, turned: bool) -> np.ndarray:
    """A label's crop turned to read left to right.

    ``crop`` is in the turned strip (rows along the axis). Row labels are
    upright already; a column label is transposed back, and turned a quarter
    turn back when the axis's labels read upwards.
    """
    if not across:
        return crop
    if not turned:
        return np.ascontiguousarray(crop.T)
    # figure pixels: rows = y downwards; text reading bottom to top
    return np.ascontiguousarray(np.rot90(crop.T, k=-1))
