"""Read a colour bar's tick labels with OCR (Tesseract via pytesseract).

Optional: without ``pytesseract`` and the ``tesseract`` program everything
else works and `ocr_available` is false. Label text is parsed by
`parse_label`, which needs neither.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._errors import DigitizerError

#: How much larger than the figure the label strip is given to the OCR engine.
UPSCALE = 4
#: Largest misfit (fraction of the value span) of a label kept in the fit.
TOLERANCE = 0.02

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_POWER = re.compile(rf"^(?:({_NUMBER})\s*[x*]\s*)?10\s*\^?\s*\{{?([-+]?\d+)\}}?$")
_SCI = re.compile(rf"^({_NUMBER})[eE]([-+]?\d+)$")
_PLAIN = re.compile(rf"^{_NUMBER}$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_label(text: str) -> float | None:
    """The number a tick label shows, or None when it is not a number.

    Understands plain numbers (``0.5``, ``-2``, ``1,000``, decimal commas
    ``0,5``), the Unicode minus (``−0.5``), scientific notation (``1e-3``,
    ``2.5E+04``), powers of ten (``10^2``, ``10²``, ``10⁻³``, ``10^{-3}``,
    ``2x10^3``, ``2×10³``) and percentages (``50%`` gives 50).

    Parameters
    ----------
    text : str
        The label as read.

    Returns
    -------
    float or None

    Examples
    --------
    >>> parse_label("−0.5"), parse_label("1e-3"), parse_label("10^2")
    (-0.5, 0.001, 100.0)
    >>> parse_label("50%"), parse_label("10⁻³"), parse_label("x")
    (50.0, 0.001, None)
    """
    s = re.sub("([0-9])([⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)", r"\1^\2", text.strip())
    s = s.translate(_SUPERSCRIPT)
    for dash in ("\u2212", "\u2013", "\u2012", "\u2010", "\u2011", "\u2014"):
        s = s.replace(dash, "-")
    s = s.replace("×", "x").replace("·", "x").replace("$", "")
    s = re.sub(r"\\times", "x", s)
    s = re.sub(r"\\mathdefault|[{}]", lambda m: "" if m.group(0) != "{" else "{", s)
    s = re.sub(r"\s+|\u2009|\u202f", "", s)
    s = s.replace("{", "").replace("}", "")
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        return None
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    elif s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if _PLAIN.match(s):
        return float(s)
    m = _SCI.match(s)
    if m:
        return float(m.group(1)) * 10.0 ** int(m.group(2))
    m = _POWER.match(s)
    if m and ("^" in s or m.group(1) or m.group(2)[0] in "+-" or len(s) > 2):
        # "10^2", "10-3" (an OCR'd 10 with superscript -3) and "2x10^3";
        # a bare "102" was taken as the number above.
        mantissa = float(m.group(1)) if m.group(1) else 1.0
        return mantissa * 10.0 ** int(m.group(2))
    return None


@functools.lru_cache(maxsize=1)
def ocr_available() -> bool:
    """True when pytesseract and the tesseract program are installed."""
    try:
        import pytesseract

        pytesseract.get_tesseract_version()
    except Exception:
        return False
    return True


@dataclass
class TickReading:
    """Tick labels read from a colour bar.

    ``pairs`` are ``(pixel, value)``: the figure row (vertical bar) or column
    (horizontal bar) of each tick and its label's value, as ``ticks`` of
    `Colorbar.from_image` expects. ``vmin``/``vmax`` are the values at the
    bar's low and high ends, from the fitted scale; ``norm`` is ``"log"``
    when the labels are spaced like powers of ten.
    """

    pairs: list[tuple[float, float]]
    labels: list[str]
    norm: str
    vmin: float
    vmax: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "pairs": [[round(p, 2), v] for p, v in self.pairs],
            "labels": list(self.labels),
            "norm": self.norm,
            "vmin": _tidy(self.vmin),
            "vmax": _tidy(self.vmax),
        }


def _tidy(v: float) -> float:
    return float(f"{v:.6g}")


def read_bar_ticks(image: np.ndarray, box: Box, orientation: str) -> TickReading | None:
    """Read the tick labels beside a colour bar.

    Parameters
    ----------
    image : numpy.ndarray
        The figure (RGB).
    box : Box
        The bar's coloured area.
    orientation : {"vertical", "horizontal"}

    Returns
    -------
    TickReading or None
        None when fewer than two labels could be read and agree on a scale.

    Raises
    ------
    DigitizerError
        If the OCR engine is not installed.
    """
    if not ocr_available():
        raise DigitizerError(
            "reading tick labels needs Tesseract: pip install "
            "'napari-heatmap-digitizer[ocr]' and install the tesseract program "
            "(Debian/Ubuntu: apt install tesseract-ocr)"
        )
    grey = np.asarray(image[..., :3], dtype=np.float64).mean(axis=2)
    # Work on a vertical bar, low end at the bottom: transpose a horizontal
    # one (its low end, on the left, then lies at the top).
    ends = (box.bottom - 0.5, box.top - 0.5)
    if orientation == "horizontal":
        grey = grey.T
        box = Box(box.top, box.left, box.bottom, box.right)
        ends = (box.top - 0.5, box.bottom - 0.5)
    best: TickReading | None = None
    for side in ("after", "before"):
        reading = _read_side(grey, box, side, orientation, ends)
        if reading is not None and (
            best is None or len(reading.pairs) > len(best.pairs)
        ):
            best = reading
    return best


def _read_side(
    grey: np.ndarray, box: Box, side: str, orientation: str, ends: tuple[float, float]
) -> TickReading | None:
    """Labels on one side of a bar drawn vertically in ``grey``."""
    H, W = grey.shape
    vertical = orientation == "vertical"
    reach = max(60, 6 * box.width) if vertical else max(40, 3 * box.width)
    ticks = _tick_marks(grey, box, side)
    pad = _past_ticks(grey, box, side)
    if side == "after":
        x0, x1 = box.right + pad, min(W, box.right + pad + reach)
    else:
        x0, x1 = max(0, box.left - pad - reach), box.left - pad
    y0, y1 = max(0, box.top - 20), min(H, box.bottom + 20)
    if x1 - x0 < 4:
        return None
    ink = grey[y0:y1, x0:x1] < 128
    if ink.mean() > 0.25:  # not a margin with labels (a panel, say)
        return None
    if side == "before":
        ink = ink[:, ::-1]
    pairs, labels = [], []
    for (r0, r1), (c0, c1) in _label_boxes(ink, vertical):
        if side == "before":
            c0, c1 = ink.shape[1] - c1, ink.shape[1] - c0
        crop = grey[y0 + r0 : y0 + r1, x0 + c0 : x0 + c1]
        text = _read_label(crop if vertical else crop.T)
        value = parse_label(text)
        if value is None:
            continue
        pixel = y0 + (r0 + r1 - 1) / 2
        if len(ticks):
            nearest = ticks[np.argmin(np.abs(ticks - pixel))]
            if abs(nearest - pixel) <= 0.6 * (r1 - r0):
                pixel = float(nearest)
        pairs.append((pixel, value))
        labels.append(text)
    return _fit(pairs, labels, ends)


def _runs(mask: np.ndarray | np.bool_, join: int) -> list[tuple[int, int]]:
    """(start, stop) of the True runs of ``mask``, joining gaps <= ``join``."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > join + 1)
    starts = np.concatenate([[idx[0]], idx[cuts + 1]])
    stops = np.concatenate([idx[cuts], [idx[-1]]]) + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _label_boxes(
    ink: np.ndarray, vertical: bool
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Row and column ranges of each tick label in a strip beside a bar.

    ``ink`` runs along the bar on axis 0, away from it on axis 1. Labels are
    the first block of inked columns (an axis title further out is left out),
    split into labels along the bar.
    """
    rows = _runs(ink.any(axis=1), join=1)
    if not rows:
        return []
    if vertical:
        text_height = float(np.median([b - a for a, b in rows]))
    else:
        text_height = float(ink.shape[1]) / 3
    cols = _runs(ink.any(axis=0), join=max(2, int(0.5 * text_height)))
    c0, c1 = cols[0]
    block = ink[:, c0:c1]
    if vertical:
        join = max(1, int(0.25 * text_height))
    else:
        join = max(3, int(0.35 * (c1 - c0)))
    boxes = []
    for r0, r1 in _runs(block.any(axis=1), join=join):
        gap = max(2, int(0.5 * text_height))
        first = _runs(block[r0:r1].any(axis=0), join=gap)[0]
        boxes.append(((r0, r1), (c0 + first[0], c0 + first[1])))
    return boxes


def _read_label(crop: np.ndarray) -> str:
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
    tops = np.array([sl[0].start for sl in found])
    bottoms = np.array([sl[0].stop for sl in found])
    height = bottoms.max() - tops.min()
    first = found[0]
    h = first[0].stop - first[0].start
    w = first[1].stop - first[1].start
    if n > 1 and h <= max(2, 0.25 * height) and w >= 2 * h:
        return "-" + _read_label(crop[:, first[1].stop :])
    raised = bottoms < bottoms.max() - 0.3 * height
    if raised.any() and not raised.all():
        start = min(found[i][1].start for i in np.flatnonzero(raised))
        base_end = max(found[i][1].stop for i in np.flatnonzero(~raised))
        if start > 0 and base_end <= start + 1:
            base = _ocr_line(crop[:, :start])
            exponent = _read_label(crop[:, start:])
            if base and exponent:
                return f"{base}^{exponent}"
    return _ocr_line(crop)


def _ocr_line(crop: np.ndarray) -> str:
    """Tesseract on one line of text (upscaled and framed in white)."""
    import pytesseract
    from PIL import Image

    if crop.size == 0:
        return ""
    img = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8))
    size = (img.width * UPSCALE, img.height * UPSCALE)
    img = img.resize(size, Image.Resampling.LANCZOS)
    framed = Image.new("L", (img.width + 40, img.height + 40), 255)
    framed.paste(img, (20, 20))
    for mode in (7, 8, 10):  # a line, a word, a single character
        text = pytesseract.image_to_string(
            framed,
            config=f"--psm {mode} -c tessedit_char_whitelist=0123456789.,-+eE%x^",
        ).strip()
        if text:
            return text
    return ""


def _outside(grey: np.ndarray, box: Box, side: str, offset: int) -> np.ndarray:
    """The column ``offset`` px outside the bar on ``side``, along the bar."""
    x = box.right + offset - 1 if side == "after" else box.left - offset
    if not 0 <= x < grey.shape[1]:
        return np.zeros(box.height + 2, dtype=bool)
    return grey[box.top - 1 : box.bottom + 1, x] < 128


def _tick_marks(grey: np.ndarray, box: Box, side: str) -> np.ndarray:
    """Rows of the dark tick marks just outside the bar's outline."""
    dark = _outside(grey, box, side, 3) & _outside(grey, box, side, 4)
    rows = np.flatnonzero(dark)
    if len(rows) == 0 or dark.mean() > 0.5:
        return np.array([])
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    return np.array([box.top - 1 + r.mean() for r in runs if len(r) <= 4])


def _past_ticks(grey: np.ndarray, box: Box, side: str) -> int:
    """How far out the outline and tick marks reach (px).

    The label strip starts after them: columns whose ink is only a few thin
    runs.
    """
    offset = 1
    while offset < 20:
        dark = _outside(grey, box, side, offset)
        if dark.mean() > 0.5:  # the outline
            offset += 1
            continue
        rows = np.flatnonzero(dark)
        if len(rows) == 0:
            break
        runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
        if max(len(r) for r in runs) > 4:
            break
        offset += 1
    return offset


def _fit(
    pairs: list[tuple[float, float]], labels: list[str], ends: tuple[float, float]
) -> TickReading | None:
    """Fit value against pixel (linear or log); drop labels that disagree."""
    pairs_arr = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    keep = np.ones(len(pairs_arr), dtype=bool)
    while keep.sum() >= 2:
        p, v = pairs_arr[keep, 0], pairs_arr[keep, 1]
        candidates = []
        for norm in ("linear", "log"):
            if norm == "log" and (v <= 0).any():
                continue
            y = np.log10(v) if norm == "log" else v
            if np.ptp(y) == 0 or np.ptp(p) == 0:
                continue
            slope, icpt = np.polyfit(p, y, 1)
            misfit = np.abs(y - (slope * p + icpt)) / np.ptp(y)
            candidates.append((misfit.max(), norm, slope, icpt, misfit))
        if not candidates:
            return None
        worst, norm, slope, icpt, misfit = min(candidates, key=lambda c: c[0])
        if worst <= TOLERANCE and (keep.sum() > 2 or len(pairs_arr) == 2):
            if norm == "log" and not _powers_of_ten(v):
                norm_ok = any(
                    c[1] == "linear" and c[0] <= TOLERANCE for c in candidates
                )
                if norm_ok:
                    norm = "linear"
                    slope, icpt = next(
                        (c[2], c[3]) for c in candidates if c[1] == "linear"
                    )
            at_ends = slope * np.asarray(ends) + icpt
            # Ends within 0.5 % of the span of a round number (a tenth of
            # the label step) are that number.
            y_all = np.sort(np.log10(v) if norm == "log" else v)
            unit = float(np.median(np.diff(y_all))) / 10
            for k in range(2):
                nice = round(at_ends[k] / unit) * unit
                if abs(nice - at_ends[k]) <= 0.005 * np.ptp(y_all):
                    at_ends[k] = float(f"{nice:.12g}")
            if norm == "log":
                at_ends = 10.0**at_ends
            chosen = np.flatnonzero(keep)
            return TickReading(
                pairs=[
                    (float(pairs_arr[i, 0]), float(pairs_arr[i, 1])) for i in chosen
                ],
                labels=[labels[i] for i in chosen],
                norm=norm,
                vmin=float(at_ends[0]),
                vmax=float(at_ends[1]),
            )
        if keep.sum() <= 2:
            return None
        keep[np.flatnonzero(keep)[np.argmax(misfit)]] = False
    return None


def _powers_of_ten(values: np.ndarray) -> bool:
    e = np.log10(values)
    return bool(np.allclose(e, np.round(e), atol=1e-6))
