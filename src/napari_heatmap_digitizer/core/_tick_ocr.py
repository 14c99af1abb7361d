"""Find and OCR tick labels beside a colour bar or an axis (Tesseract).

`label_boxes` splits the strip beside a bar or axis into labels;
`read_label` reads one label, finding a leading minus and a raised exponent
from the glyphs' shapes; `read_labels` reads many at once, the plain ones
in one Tesseract call. Used by `_ticks` and `_axis_ticks`, which parse and
fit what is read.
"""

from __future__ import annotations

import numpy as np

from napari_heatmap_digitizer.core import _tesseract

#: How much larger than the figure the label strip is given to the OCR engine.
UPSCALE = 4
#: At most this many labels of one side left unread by the stacked call
#: are read one by one ...
ALONE = 4
#: ... and this many with raised exponents (each alone, a few OCR calls).
POWERS = 10
#: The characters tick labels are read as.
CHARS = "0123456789.,-+eE%x^kMG"


def paper_grey(image: np.ndarray) -> np.ndarray:
    """The figure in grey, as dark ink on light paper.

    A figure on a dark page (a dark theme: light text on near-black) is
    inverted, so labels read the same way on either.
    """
    grey = np.asarray(image[..., :3], dtype=np.float64).mean(axis=2)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 255.0 - grey if np.median(border) < 128 else grey


def stretched(strip: np.ndarray) -> np.ndarray:
    """A grey strip of labels with its darkest ink at 0 and its paper at 255.

    Labels drawn in grey (plotly's #2a3f5f, a theme's grey text) then break
    into glyphs and specks no more than black ones do at the 128 threshold
    used for ink.
    """
    paper = float(np.median(strip))
    dark = float(strip.min())
    if paper - dark < 48:  # no ink worth the name
        return strip
    return np.clip((strip - dark) * (255.0 / (paper - dark)), 0.0, 255.0)


def _runs(mask: np.ndarray | np.bool_, join: int) -> list[tuple[int, int]]:
    """(start, stop) of the True runs of ``mask``, joining gaps <= ``join``."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > join + 1)
    starts = np.concatenate([[idx[0]], idx[cuts + 1]])
    stops = np.concatenate([idx[cuts], [idx[-1]]]) + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def label_boxes(
    ink: np.ndarray, vertical: bool, text_height: float | None = None
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Row and column ranges of each tick label in a strip beside a bar.

    ``ink`` runs along the bar (or axis) on axis 0, away from it on axis 1.
    Labels are the first block of inked columns holding two lines of text
    or more (an axis title further out is left out), split into labels
    along the bar. ``vertical``: the labels
    are lines of text stacked along the bar; otherwise they stand side by
    side along it, their text running along it, and ``text_height`` (by
    default a third of the strip's width) is their height.
    """
    rows = _runs(ink.any(axis=1), join=1)
    if not rows:
        return []
    if vertical:
        text_height = float(np.median([b - a for a, b in rows]))
    elif text_height is None:
        text_height = float(ink.shape[1]) / 3
    cols = _runs(ink.any(axis=0), join=max(2, int(0.5 * text_height)))
    # the first block holding labels along the bar, not a speck or the end
    # of a title reaching into the strip
    c0, c1 = next(
        ((a, b) for a, b in cols if len(_runs(ink[:, a:b].any(axis=1), 1)) >= 2),
        cols[0],
    )
    block = ink[:, c0:c1]
    # across the lines of text a quarter of their height; along a line,
    # glyphs of one label stand up to half their height apart (a
    # proportional "1" then "0") and labels further apart
    join = max(1, int(0.25 * text_height)) if vertical else max(3, int(0.5 * (c1 - c0)))
    boxes = []
    for r0, r1 in _runs(block.any(axis=1), join=join):
        # along a line of text words are kept together; across the lines
        # of a horizontal bar's labels a blank row ends the label (a title
        # may follow)
        gap = max(2, int(0.5 * text_height)) if vertical else 1
        first = _runs(block[r0:r1].any(axis=0), join=gap)[0]
        boxes.append(((r0, r1), (c0 + first[0], c0 + first[1])))
    return boxes


def read_label(crop: np.ndarray) -> str:
    """OCR one upright label.

    A leading flat stroke is a minus sign (matplotlib's Unicode minus is not
    reliably read) and a raised part is an exponent; both are found from the
    glyphs' shapes and the rest is read by Tesseract.
    """
    from scipy import ndimage as ndi

    parts, n = ndi.label(crop < 128, structure=np.ones((3, 3)))
    if n == 0:
        return ""
    found = sorted(ndi.find_objects(parts), key=lambda sl: sl[1].start)
    if _leading_minus(found):
        return "-" + read_label(crop[:, found[0][1].stop :])
    raised = _raised(found)
    if raised.any() and not raised.all():
        start = min(found[i][1].start for i in np.flatnonzero(raised))
        base_end = max(found[i][1].stop for i in np.flatnonzero(~raised))
        if start > 0 and base_end <= start + 1:
            base = _ocr_line(crop[:, :start])
            exponent = _read_exponent(crop[:, start:], crop[:, :start], base)
            # an unreadable exponent leaves the label unreadable, not a
            # number made of the base and the exponent's glyphs ("109")
            return f"{base}^{exponent or '?'}"
    return _ocr_line(crop)


def _leading_minus(found: list[tuple[slice, ...]]) -> bool:
    """Whether the first glyph (of ``found``, left to right) is a flat stroke."""
    tops = np.array([sl[0].start for sl in found])
    bottoms = np.array([sl[0].stop for sl in found])
    height = bottoms.max() - tops.min()
    first = found[0]
    h = first[0].stop - first[0].start
    w = first[1].stop - first[1].start
    # a hyphen at small sizes is only 1.5 times as wide as it is thick, but
    # sits at mid-height, where no other short flat stroke does
    middle = (first[0].start + first[0].stop) / 2 - tops.min()
    centred = 0.3 * height <= middle <= 0.75 * height
    wide = w >= 2 * h or (centred and w >= 1.5 * h)
    return bool(len(found) > 1 and h <= max(2, 0.25 * height) and wide)


def _raised(found: list[tuple[slice, ...]]) -> np.ndarray:
    """Which glyphs of ``found`` sit raised above the others' baseline."""
    tops = np.array([sl[0].start for sl in found])
    bottoms = np.array([sl[0].stop for sl in found])
    height = bottoms.max() - tops.min()
    return np.asarray(bottoms < bottoms.max() - 0.3 * height)


def read_labels(crops: list[np.ndarray]) -> list[str]:
    """OCR many upright labels, the plain ones in one Tesseract call.

    Labels with a raised exponent are read one by one by `read_label`; the
    others (less a leading minus, found from its shape) are stacked one
    above the other and read at once, each line going to the label it lies
    on. A label the stacked reading leaves empty is read alone, unless it
    left most of them empty, up to `ALONE` of them. Labels with raised
    exponents are read alone when there are at most `POWERS` of them: more
    are text turned sideways (rotated axis labels), not numbers, and stay
    unread.

    Parameters
    ----------
    crops : list of numpy.ndarray
        Grey labels (dark text on a light ground), upright.

    Returns
    -------
    list of str
        The text of each label, in order ("" when unreadable).
    """
    from scipy import ndimage as ndi

    texts = [""] * len(crops)
    signs = [""] * len(crops)
    plain: list[int] = []
    rests: list[np.ndarray] = []
    exponents: list[int] = []
    for i, crop in enumerate(crops):
        parts, n = ndi.label(crop < 128, structure=np.ones((3, 3)))
        if n == 0:
            continue
        found = sorted(ndi.find_objects(parts), key=lambda sl: sl[1].start)
        rest = crop
        if _leading_minus(found):
            signs[i], rest = "-", crop[:, found[0][1].stop :]
            found = found[1:]
        raised = _raised(found)
        if raised.any() and not raised.all():
            exponents.append(i)
            continue
        rest = _trimmed(rest)
        if rest.size:
            plain.append(i)
            rests.append(rest)
    if len(exponents) <= POWERS:  # more: text turned sideways, not powers
        for i in exponents:
            texts[i] = read_label(crops[i])
    budget = ALONE
    stacked = _ocr_stacked(rests)
    if sum(not t for t in stacked) > len(stacked) / 2:
        budget = 0  # most lines unread: no numbers (words, rotated text)
    for k, (i, text) in enumerate(zip(plain, stacked, strict=True)):
        if not text and budget > 0:
            budget -= 1
            text = _ocr_line(rests[k])
        texts[i] = signs[i] + text if text else ""
    return texts


def _ocr_stacked(
    crops: list[np.ndarray], chars: str = CHARS, *, dictionary: bool = True
) -> list[str]:
    """Tesseract once on ``crops`` stacked as lines of text; one text each.

    ``dictionary=False`` keeps the engine from preferring dictionary words
    (names such as "Gene1" read as they are, not as "Genet").
    """
    from PIL import Image

    if not crops:
        return []
    height = max(c.shape[0] for c in crops)
    width = max(c.shape[1] for c in crops)
    gap = max(4, height)
    rows = []
    spans = []
    top = 0
    for crop in crops:
        line = np.full((crop.shape[0] + gap, width), 255.0)
        line[gap // 2 : gap // 2 + crop.shape[0], : crop.shape[1]] = crop
        rows.append(line)
        spans.append((top, top + len(line)))
        top += len(line)
    img = Image.fromarray(np.clip(np.vstack(rows), 0, 255).astype(np.uint8))
    img = img.resize(
        (img.width * UPSCALE, img.height * UPSCALE), Image.Resampling.LANCZOS
    )
    framed = Image.new("L", (img.width + 40, img.height + 40), 255)
    framed.paste(img, (20, 20))
    data = _tesseract.words(
        framed,
        config=f"--psm 6 -c tessedit_char_whitelist={chars}" + _words(dictionary),
    )
    words: list[list[tuple[int, str]]] = [[] for _ in crops]
    for text, left, top_px, h in zip(
        data["text"], data["left"], data["top"], data["height"], strict=True
    ):
        text = text.strip()
        if not text:
            continue
        centre = ((top_px + h / 2) - 20) / UPSCALE
        for k, (a, b) in enumerate(spans):
            if a <= centre < b:
                words[k].append((left, text))
                break
    return [" ".join(t for _, t in sorted(w)) for w in words]


def _read_exponent(crop: np.ndarray, base_crop: np.ndarray, base: str) -> str:
    """The raised exponent beside a base read as ``base``, or "" if unreadable.

    A leading flat stroke is a minus. The digits, about 70 % of the base's
    height, are enlarged to the base's height and read after a copy of the
    base (the OCR engine reads a lone small glyph such as ``0`` poorly but
    reads ``10 0`` well); what follows the base's text is the exponent.
    Failing that, the enlarged digits are read alone.
    """
    crop, base_crop = _trimmed(crop), _trimmed(base_crop)
    if crop.size == 0 or base_crop.size == 0:
        return ""
    sign = ""
    runs = _runs((crop < 128).any(axis=0), join=0)
    if len(runs) > 1:
        c0, c1 = runs[0]
        rows = np.flatnonzero((crop[:, c0:c1] < 128).any(axis=1))
        if len(rows) <= max(2, 0.3 * len(crop)) and c1 - c0 >= 2 * len(rows):
            sign, crop = "-", _trimmed(crop[:, c1:])
    from PIL import Image

    h = base_crop.shape[0]
    w = max(1, round(crop.shape[1] * h / crop.shape[0]))
    img = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8))
    digits = np.asarray(img.resize((w, h), Image.Resampling.LANCZOS), dtype=float)
    gap = np.full((h, max(3, round(0.6 * h))), 255.0)
    text = _ocr_line(np.hstack([base_crop, gap, digits]))
    if base and text.startswith(base) and text[len(base) :].isdigit():
        return sign + text[len(base) :]
    text = _ocr_line(digits, chars="0123456789")
    return sign + text if text.isdigit() else ""


def _trimmed(crop: np.ndarray) -> np.ndarray:
    """``crop`` cut to the rows and columns holding ink."""
    ink = crop < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return crop[:0, :0]
    return crop[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _words(dictionary: bool) -> str:
    """Tesseract options leaving out its word lists (``dictionary=False``)."""
    return "" if dictionary else " -c load_system_dawg=0 -c load_freq_dawg=0"


def _ocr_line(crop: np.ndarray, chars: str = CHARS, *, dictionary: bool = True) -> str:
    """Tesseract on one line of text (enlarged, framed in white).

    Only ``chars`` are recognised; ``dictionary=False`` as in `_ocr_stacked`.
    """
    from PIL import Image

    if crop.size == 0:
        return ""
    img = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8))
    size = (img.width * UPSCALE, img.height * UPSCALE)
    img = img.resize(size, Image.Resampling.LANCZOS)
    framed = Image.new("L", (img.width + 40, img.height + 40), 255)
    framed.paste(img, (20, 20))
    for mode in (7, 8, 10):  # a line, a word, a single character
        text = _tesseract.text(
            framed,
            config=f"--psm {mode} -c tessedit_char_whitelist={chars}"
            + _words(dictionary),
        )
        if text:
            return text
    # A lone glyph (a "0") is often not read at all; twice over it is.
    if crop.shape[1] <= crop.shape[0]:
        gap = np.full((crop.shape[0], max(3, crop.shape[0] // 2)), 255.0)
        twice = _ocr_line(np.hstack([crop, gap, crop]), chars, dictionary=dictionary)
        half = len(twice) // 2
        if twice and twice[:half] == twice[half:]:
            return twice[:half]
    return ""
