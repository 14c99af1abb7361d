"""Numbers printed in a matrix's cells, read and checked against the colours.

Annotated heat maps (seaborn ``annot=True``, confusion matrices, pheatmap's
``display_numbers``, correlation plots) print each cell's value in it, usually
rounded. :func:`read_printed` finds the text in each cell (the pixels far in
colour from the cell's own colour, whichever way round text and cell are, with
lines along the cell's edges left out) and reads all cells with a few OCR
calls. :func:`reconcile` then checks each printed number against the value the
cell's colour gives: a number agreeing within the colour's uncertainty is the
cell's value, exact to its printed precision; a number that disagrees, or
text that is no number, is flagged and the colour's value kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from napari_heatmap_digitizer.core._cells import Printed
from napari_heatmap_digitizer.core._kernel import SRGB_LINEAR, rgb8_to_lab
from napari_heatmap_digitizer.core._tick_ocr import _ocr_line, _ocr_stacked
from napari_heatmap_digitizer.core._ticks import parse_label

__all__ = ["SOURCES", "Printed", "Reconciled", "read_printed", "reconcile"]

#: Where a cell's value came from: the printed number and the colour agreeing,
#: the printed number alone (the cell's colour matched no colour of the bar),
#: the colour alone (nothing printed, or the printed text disagreed or was
#: unreadable), or nowhere.
SOURCES = ("both", "printed", "colour", "none")
#: Colour difference (ΔE) from the cell's colour beyond which a pixel is ink.
INK = 20.0
#: Text stands on a cell of one colour: at least :data:`FLAT_SHARE` of its
#: pixels within this colour difference (ΔE) of its middle colour.
FLAT = 6.0
FLAT_SHARE = 0.5
#: Fewest ink pixels of a cell that make text.
MIN_INK = 6
#: Share of a cell's size left out at each edge (grid lines, neighbours).
EDGE = 0.04
#: A printed number agrees with its colour when they are this many of the
#: colour's uncertainties apart, at most ...
AGREE = 2.0
#: ... and never less than this share of the bar's range apart (plus half the
#: printed precision).
FLOOR = 0.01
#: Cells read in one OCR call (the engine loses lines of much taller pages).
CHUNK = 24
#: Rows or columns of a cell with at least this share of ink are grid lines.
LINE = 0.8
#: At most this many cells whose two readings differ are read again alone.
AGAIN = 24
#: Colours within this share of the bar from one of its ends are at the end.
END = 0.005
#: Share of a matrix's numbers showing one number of decimals that makes it
#: the matrix's format.
USUAL = 0.75
#: Ink touching a cell's edge no thicker than this share of the cell (at
#: least 2 px) is the neighbouring cell's colour bleeding in, not text.
SLIVER = 0.15
#: Glyphs taller than this share of the cell are lines or shapes, not text.
TALL = 0.9


@dataclass
class Reconciled:
    """Each cell's value from its printed number and its colour.

    Attributes
    ----------
    values : numpy.ndarray
        The cell's value: the printed number where it agrees with the colour
        (or the colour matched nothing), else the colour's value.
    source : numpy.ndarray
        Object array naming where each value came from (one of
        :data:`SOURCES`).
    disagrees : numpy.ndarray
        ``True`` where a number was printed but disagrees with the colour.
    unreadable : numpy.ndarray
        ``True`` where a cell holds text that could not be read as a number.
    """

    values: np.ndarray
    source: np.ndarray
    disagrees: np.ndarray
    unreadable: np.ndarray


def read_printed(
    rgb: np.ndarray,
    col_edges: np.ndarray,
    row_edges: np.ndarray,
) -> Printed:
    """Read the number printed in each cell of a panel.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(h, w, 3)`` ``uint8`` pixels of the panel.
    col_edges, row_edges : numpy.ndarray
        The cells' edges in panel pixels.

    Returns
    -------
    Printed

    Raises
    ------
    DigitizerError
        If the OCR engine fails.
    """
    rows, cols = len(row_edges) - 1, len(col_edges) - 1
    text = np.full((rows, cols), "", dtype=object)
    crops: list[np.ndarray] = []
    signs: list[str] = []
    where: list[tuple[int, int]] = []
    for r in range(rows):
        for c in range(cols):
            found = _ink(_cell(rgb, col_edges, row_edges, r, c))
            if found is not None:
                signs.append(found[0])
                crops.append(found[1])
                where.append((r, c))
    for (r, c), sign, t in zip(where, signs, _read(crops), strict=True):
        text[r, c] = sign + t if t else "?"
    _same_format(text)
    values = np.full((rows, cols), np.nan)
    precision = np.full((rows, cols), np.nan)
    percent = np.zeros((rows, cols), bool)
    for (r, c), t in np.ndenumerate(text):
        v = parse_label(t) if t and t != "?" else None
        if v is not None:
            values[r, c] = v
            precision[r, c] = _half_unit(t)
            percent[r, c] = t.endswith("%")
    return Printed(text, values, precision, percent)


def reconcile(
    printed: Printed,
    colour: np.ndarray,
    uncertainty: np.ndarray | None,
    to_position: Callable[[np.ndarray], np.ndarray],
) -> Reconciled:
    """Each cell's value: the printed number where the colour agrees.

    The two agree when their places on the colour bar are at most
    :data:`AGREE` times the colour's uncertainty apart (never less than
    :data:`FLOOR` of the bar), plus half the printed number's last digit, or
    when the colour is at an end of the bar and the number beyond it (the
    figure clipped it).

    Parameters
    ----------
    printed : Printed
        What the cells show.
    colour : numpy.ndarray
        ``(rows, cols)`` values from the cells' colours (NaN where none).
    uncertainty : numpy.ndarray, optional
        ``(rows, cols)`` uncertainty of ``colour`` (value units, NaN where not
        known).
    to_position : callable
        The colour bar's value scale: values to places on the bar (0-1).

    Returns
    -------
    Reconciled
    """
    u = np.full(colour.shape, np.nan) if uncertainty is None else uncertainty

    def place(v: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(to_position(np.asarray(v, float)), dtype=float)

    c = place(colour)
    slack = np.fmax(AGREE * np.abs(place(colour + np.nan_to_num(u)) - c), FLOOR)
    p = printed.values
    half = np.nan_to_num(printed.precision)
    # a percentage may show a fraction (45 % for 0.45)
    fraction = np.where(printed.percent, p / 100.0, np.nan)
    with np.errstate(invalid="ignore"):
        agree_plain = np.abs(place(p) - c) <= slack + np.abs(place(p + half) - place(p))
        agree_frac = np.abs(place(fraction) - c) <= slack + np.abs(
            place(fraction + half / 100.0) - place(fraction)
        )
        # a colour at the bar's end shows every value beyond it (clipped)
        beyond = ((c <= END) & (place(p) < c)) | ((c >= 1 - END) & (place(p) > c))
    agree_plain |= beyond
    number = np.where(agree_frac & ~agree_plain, fraction, p)
    has_colour = np.isfinite(colour)
    has_number = np.isfinite(p)
    agree = has_number & has_colour & (agree_plain | agree_frac)
    alone = has_number & ~has_colour
    values = np.where(agree | alone, number, colour)
    source = np.full(colour.shape, "none", dtype=object)
    source[has_colour] = "colour"
    source[alone] = "printed"
    source[agree] = "both"
    return Reconciled(
        values=values,
        source=source,
        disagrees=has_number & has_colour & ~agree,
        unreadable=printed.found & ~has_number,
    )


def _cell(
    rgb: np.ndarray, col_edges: np.ndarray, row_edges: np.ndarray, r: int, c: int
) -> np.ndarray:
    """A cell's pixels less a thin edge."""
    x0, x1 = col_edges[c], col_edges[c + 1]
    y0, y1 = row_edges[r], row_edges[r + 1]
    mx = max(1.0, EDGE * (x1 - x0))
    my = max(1.0, EDGE * (y1 - y0))
    return rgb[
        int(np.ceil(y0 + my)) : int(np.floor(y1 - my)),
        int(np.ceil(x0 + mx)) : int(np.floor(x1 - mx)),
    ]


def _ink(cell: np.ndarray) -> tuple[str, np.ndarray] | None:
    """A cell's text as dark ink on white, cut to the text; None if no text.

    A leading minus sign is found from its shape (a short flat stroke at
    mid-height) and given apart ("-" or ""), followed by the rest of the text.
    """
    h, w = cell.shape[:2]
    if h < 4 or w < 4:
        return None
    lab = rgb8_to_lab(
        np.ascontiguousarray(cell.reshape(-1, 3), dtype=np.uint8), SRGB_LINEAR
    ).reshape(h, w, 3)
    ground = np.median(lab.reshape(-1, 3), axis=0)
    far = np.sqrt(((lab - ground) ** 2).sum(axis=2))
    if np.mean(far <= FLAT) < FLAT_SHARE:
        return None  # no cell of one colour (a smooth field): no text on it
    ink = far > INK
    if ink.sum() < MIN_INK:
        return None
    # grid lines drawn across the cell (and its text): taken out, then bridged
    # again where they cross a glyph
    across = np.zeros_like(ink)  # horizontal lines
    across[ink.mean(axis=1) >= LINE, :] = True
    down = np.zeros_like(ink)  # vertical lines
    down[:, ink.mean(axis=0) >= LINE] = True
    lines = across | down
    ink &= ~lines
    parts, n = ndi.label(ink, structure=np.ones((3, 3)))
    keep = np.zeros(n + 1, bool)
    for i, sl in enumerate(ndi.find_objects(parts), start=1):
        sh, sw = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        edge = (
            sl[0].start == 0 or sl[1].start == 0 or sl[0].stop == h or sl[1].stop == w
        )
        # lines along the cell's edge, slivers of the next cell's colour at it
        # and shapes filling the cell are no text
        line = sh >= TALL * h or sw >= TALL * w
        sliver = sh <= max(2, SLIVER * h) or sw <= max(2, SLIVER * w)
        keep[i] = not (edge and (line or sliver)) and sh < TALL * h
    kept = keep[parts]
    if kept.sum() < MIN_INK:
        return None
    ys, xs = np.nonzero(kept)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    sign, x0 = _minus(kept, y0, y1, x0)
    _bridge(kept, across[:, 0])
    _bridge(kept.T, down[0])
    strength = far[y0:y1, x0:x1]
    top = float(np.percentile(strength[kept[y0:y1, x0:x1]], 90))
    grey = 255.0 * (
        1.0 - np.clip((strength - 0.5 * INK) / max(top - 0.5 * INK, 1.0), 0, 1)
    )
    near = ndi.binary_dilation(kept[y0:y1, x0:x1], iterations=1)
    grey[~near | (lines[y0:y1, x0:x1] & ~kept[y0:y1, x0:x1])] = 255.0
    pad = max(2, (y1 - y0) // 3)
    return sign, np.pad(grey, pad, constant_values=255.0)


def _minus(kept: np.ndarray, y0: int, y1: int, x0: int) -> tuple[str, int]:
    """A leading minus in the text ``kept[y0:y1, x0:]``.

    Returns ``("-", where the rest starts)``, or ``("", x0)``. A minus is a run
    of at least two columns of a short stroke at mid-height, ended by an empty
    column or by a jump to a column much taller (the next glyph, which a
    blurred image may join to it).
    """
    height = y1 - y0
    thick = max(2, 0.3 * height)
    cols = kept[y0:y1, x0:]
    stroke = 0
    for j in range(cols.shape[1]):
        rows = np.flatnonzero(cols[:, j])
        if rows.size == 0:
            if stroke >= 2:
                return "-", x0 + j
            stroke = 0  # a speck before the text
            continue
        span = rows[-1] - rows[0] + 1
        middle = (rows[0] + rows[-1] + 1) / 2
        if span <= thick and 0.3 * height <= middle <= 0.75 * height:
            stroke += 1
            continue
        if stroke >= 2 and span >= 0.6 * height:
            return "-", x0 + j
        break
    return "", x0


def _bridge(kept: np.ndarray, line_rows: np.ndarray) -> None:
    """Put back, in place, a glyph's strokes a line across it took out.

    A pixel of a band of line rows is ink where the rows just above and just
    below the band are both ink (a stroke crossing the line).
    """
    h = len(line_rows)
    for a, b in _bands(line_rows):
        if a > 0 and b < h:
            kept[a:b] |= kept[a - 1] & kept[b]


def _bands(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of the runs of True in a 1-D mask."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _read(crops: list[np.ndarray]) -> list[str]:
    """OCR the cells' text: twice, many at once; again alone where they differ.

    The two stacked readings see the text at two sizes. A text both read the
    same is taken; otherwise the text read alone (up to :data:`AGAIN` cells)
    decides when it repeats one of them, and the cell is unreadable (``""``)
    when not. A sign read by the OCR engine is dropped: the minus is found
    from its shape (:func:`_minus`).
    """
    first: list[str] = []
    second: list[str] = []
    for start in range(0, len(crops), CHUNK):
        part = crops[start : start + CHUNK]
        first += _ocr_stacked(part)
        second += _ocr_stacked([_enlarged(c) for c in part])
    out = []
    budget = AGAIN
    for crop, a, b in zip(crops, first, second, strict=True):
        a, b = _unsigned(a), _unsigned(b)
        if _same(a, b):
            out.append(a)
            continue
        alone = _unsigned(_ocr_line(crop)) if budget > 0 else ""
        budget -= 1
        out.append(alone if _same(alone, a) or _same(alone, b) else "")
    return out


def _same(a: str, b: str) -> bool:
    """Whether two readings show the same number (``0.63`` and ``0,63`` do)."""
    if not a or not b:
        return False
    va, vb = parse_label(a), parse_label(b)
    return a == b or (va is not None and va == vb and _decimals(a) == _decimals(b))


def _same_format(text: np.ndarray) -> None:
    """Mark unreadable, in place, numbers shown with other decimals than most.

    A matrix prints its numbers in one format: where at least :data:`USUAL`
    of them show the same number of decimals (one or more), a number showing
    more gained a glyph, and one of two digits or more showing none lost its
    decimal point. Fewer decimals are kept: R leaves trailing zeros out.
    """
    shown = [
        (k, _decimals(t)) for k, t in enumerate(text.flat) if parse_label(t) is not None
    ]
    if not shown:
        return
    counts = np.bincount([d for _, d in shown])
    usual = int(np.argmax(counts))
    if usual == 0 or counts[usual] < USUAL * len(shown):
        return
    for k, d in shown:
        value = abs(parse_label(text.flat[k]) or 0.0)
        # more decimals: a glyph too many; none where most have some, on a
        # number of two digits or more: a decimal point lost ("16" for "1.6").
        # Fewer, but some: trailing zeros left out (R prints 0.90 as "0.9")
        if d > usual or (d == 0 and value >= 10):
            text.flat[k] = "?"


def _decimals(text: str) -> int:
    """How many digits follow the decimal point of a number's mantissa."""
    mantissa = re.split(r"[eE]", text.strip().rstrip("%"))[0]
    if "." not in mantissa and re.search(r",\d{1,2}$|,\d{4,}$", mantissa):
        mantissa = mantissa.replace(",", ".")  # a decimal comma
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def _unsigned(text: str) -> str:
    """OCR text without spaces and without a leading sign."""
    return re.sub(r"\s+", "", text).lstrip("-+\u2212")


def _enlarged(crop: np.ndarray) -> np.ndarray:
    """``crop`` one and a half times larger (for a second, different reading)."""
    from PIL import Image

    img = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8))
    size = (round(img.width * 1.5), round(img.height * 1.5))
    return np.asarray(img.resize(size, Image.Resampling.BICUBIC), dtype=np.float64)


_DIGITS = re.compile(r"\d+(?:[.,](\d+))?")


def _half_unit(text: str) -> float:
    """Half a unit of the last digit shown (``"0.53"``: 0.005; ``"1,340"``: 0.5)."""
    s = text.strip().rstrip("%")
    m = re.match(r"^[-+\u2212]?[\d.,\s]*?(?:[eE]([-+]?\d+))?$", s)
    mantissa = re.split(r"[eE]", s)[0]
    decimals = 0
    if "." in mantissa:
        decimals = len(mantissa.split(".")[-1].strip())
    elif mantissa.count(",") == 1 and not re.search(r",\d{3}$", mantissa):
        decimals = len(mantissa.split(",")[-1].strip())  # a decimal comma
    exponent = int(m.group(1)) if m and m.group(1) else 0
    return 0.5 * 10.0 ** (exponent - decimals)
