"""Read a colour bar's tick labels with OCR (Tesseract via pytesseract).

Optional: without ``pytesseract`` and the ``tesseract`` program everything
else works and `ocr_available` is false. Label text is parsed by
`parse_label`, which needs neither.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._tick_marks import (
    _flush_end,
    _inner_ticks,
    _label_block,
    _past_ticks,
    _tick_marks,
)
from napari_heatmap_digitizer.core._tick_ocr import (
    ALONE,
    label_boxes,
    paper_grey,
    read_label,
    read_labels,
    stretched,
)

#: Farthest a label may lie from the fitted scale, in label spacings. Labels
#: read right lie within 0.04 of a spacing on real figures (within a pixel
#: on small bars); a label misread by a fifth of a step lies beyond this.
AGREE = 0.1

#: Labels that lost a glyph are looked for among at most this many labels
#: (up to three of twelve left out: a few hundred fits).
MISREAD_MOST = 12

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_POWER = re.compile(rf"^(?:({_NUMBER})\s*[x*]\s*)?10\s*\^?\s*\{{?([-+]?\d+)\}}?$")
_SCI = re.compile(rf"^({_NUMBER})[eE]([-+]?\d+)$")
_PLAIN = re.compile(rf"^{_NUMBER}$")
_SPACED = re.compile(r"^[-+\u2212]?[1-9]\d{0,2}([ \u2009\u202f]\d{3})+([.,]\d+)?$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: SI prefixes written after a number (plotly's tick labels: "30k", "2M").
_SI = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3, "µ": 1e-6, "u": 1e-6}


def parse_label(text: str) -> float | None:
    """The number a tick label shows, or None when it is not a number.

    Understands plain numbers (``0.5``, ``-2``, ``1,000``, decimal commas
    ``0,5``), the Unicode minus (``−0.5``), scientific notation (``1e-3``,
    ``2.5E+04``), powers of ten (``10^2``, ``10²``, ``10⁻³``, ``10^{-3}``,
    ``2x10^3``, ``2×10³``), SI prefixes (``30k``, ``1.5M``, ``5m``) and
    percentages (``50%`` gives 50). Two numbers
    side by side (``40 50``) are not a number; thousands spaced apart
    (``10 000``) are.

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
    if re.search(r"\d\s+\d", text) and not _SPACED.match(text.strip()):
        return None  # two numbers ("40 50"), not one with spaced thousands
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
    factor = 1.0
    if len(s) > 1 and s[-1] in _SI and s[-2].isdigit():  # plotly's "30k", "1.5M"
        s, factor = s[:-1], _SI[s[-1]]
    if not s:
        return None
    value = _number(s)
    return None if value is None else value * factor


def _number(s: str) -> float | None:
    """The number a tidied label shows (no spaces, signs as ASCII)."""
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    elif s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if _PLAIN.match(s):
        return float(s)
    m = _SCI.match(s)
    if m and abs(int(m.group(2))) <= 300:
        return float(m.group(1)) * 10.0 ** int(m.group(2))
    m = _POWER.match(s)
    if m and abs(int(m.group(2))) > 300:
        return None
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
    when the labels are spaced like powers of ten. ``unchecked`` is true
    when only two labels were read (nothing could confirm them);
    ``dropped`` names a label left out because it disagreed with the others.

    ``problem`` says why the labels read give no range (they fit no linear
    or log scale, fall towards the high end, or only one was read); then
    ``vmin`` and ``vmax`` are NaN and ``norm`` is empty.
    """

    pairs: list[tuple[float, float]]
    labels: list[str]
    norm: str
    vmin: float
    vmax: float
    unchecked: bool = False
    dropped: list[str] = field(default_factory=list)
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "pairs": [[round(p, 2), v] for p, v in self.pairs],
            "labels": list(self.labels),
        }
        if self.problem is not None:
            out["problem"] = self.problem
            return out
        out.update(norm=self.norm, vmin=_tidy(self.vmin), vmax=_tidy(self.vmax))
        if self.unchecked:
            out["unchecked"] = True
        if self.dropped:
            out["dropped"] = list(self.dropped)
        return out


def _tidy(v: float) -> float:
    return float(f"{v:.6g}")


def require_ocr(what: str) -> None:
    """Raise, saying how to install it, when Tesseract cannot be used.

    Parameters
    ----------
    what : str
        What needs it ("reading tick labels").

    Raises
    ------
    DigitizerError
        If the OCR engine is not installed.
    """
    if not ocr_available():
        raise DigitizerError(
            f"{what} needs Tesseract: pip install "
            "'napari-heatmap-digitizer[ocr]' and install the tesseract program "
            "(Debian/Ubuntu: apt install tesseract-ocr)"
        )


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
        None when no label could be read; a reading whose ``problem`` says
        why when the labels read give no range (see `fit_tick_labels`).

    Raises
    ------
    DigitizerError
        If the OCR engine is not installed.
    """
    require_ocr("reading tick labels")
    grey = paper_grey(image)
    # Work on a vertical bar, low end at the bottom: transpose a horizontal
    # one (its low end, on the left, then lies at the top).
    ends = (box.bottom - 0.5, box.top - 0.5)
    if orientation == "horizontal":
        grey = grey.T
        box = Box(box.top, box.left, box.bottom, box.right)
        ends = (box.top - 0.5, box.bottom - 0.5)
    readings = [
        reading
        for side in ("after", "before")
        if (reading := _read_side(grey, box, side, orientation, ends)) is not None
    ]
    if not readings:
        return None
    # a checked range, else an unchecked one, else the refusal of most labels
    return max(
        readings,
        key=lambda r: (r.problem is None, not r.unchecked, len(r.pairs)),
    )


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
    strip = stretched(grey[y0:y1, x0:x1])
    ink = strip < 128
    # the labels end where a wide blank gap does (what lies beyond it, a
    # neighbouring panel say, is not theirs)
    cols = np.asarray(ink.any(axis=0))
    keep = _label_block(cols if side == "after" else cols[::-1], box.width)
    if side == "after":
        strip, ink, x1 = strip[:, :keep], ink[:, :keep], x0 + keep
    else:
        cut = ink.shape[1] - keep
        strip, ink, x0 = strip[:, cut:], ink[:, cut:], x0 + cut
    if ink.mean() > 0.25:  # not a margin with labels (a panel, say)
        return None
    if side == "before":
        ink = ink[:, ::-1]
    found, crops = [], []
    for (r0, r1), (c0, c1) in label_boxes(ink, vertical):
        if side == "before":
            c0, c1 = ink.shape[1] - c1, ink.shape[1] - c0
        crop = strip[r0:r1, c0:c1]
        found.append((r0, r1))
        crops.append(crop if vertical else crop.T)
    along = "rows" if vertical else "columns"
    if len(ticks) == 0:
        # marks inside the bar, when about one per label (not minor ticks)
        inner = _inner_ticks(grey, box, side)
        if len(inner) <= len(crops) + 1:
            ticks = inner

    def fit(texts: list[str]) -> TickReading | None:
        pairs: list[tuple[float, float]] = []
        labels: list[str] = []
        flush: dict[int, float] = {}
        for (r0, r1), text in zip(found, texts, strict=True):
            value = parse_label(text)
            if value is None:
                continue
            pixel = y0 + (r0 + r1 - 1) / 2
            nearest = ticks[np.argmin(np.abs(ticks - pixel))] if len(ticks) else None
            if nearest is not None and abs(nearest - pixel) <= 0.6 * (r1 - r0):
                pixel = float(nearest)
            elif (end := _flush_end(pixel, y0 + r0, y0 + r1, box)) is not None:
                flush[len(pairs)] = end
            pairs.append((pixel, value))
            labels.append(text)
        return _best_fit(pairs, labels, flush, ends, along)

    # all labels of the side in one OCR call; when what that read fits no
    # scale, a bar's few labels are read again one by one (the stacked
    # reading can misread a glyph, "50" as "90", that a lone one does not)
    reading = fit(read_labels(crops))
    if (reading is None or reading.problem) and 2 <= len(crops) <= 2 * ALONE:
        again = fit([read_label(c) for c in crops])
        if again is not None and again.problem is None:
            return again
    return reading


def _best_fit(
    pairs: list[tuple[float, float]],
    labels: list[str],
    flush: dict[int, float],
    ends: tuple[float, float],
    along: str,
) -> TickReading | None:
    """`fit_tick_labels` with the labels that may be flush placed best.

    Each label that may be flush with an end (``flush``) is taken at its
    centre or at the end, whichever fits the others best. Best is a range
    over a refusal, a checked one over an unchecked one, fewer labels
    dropped, then the smaller misfit; on a tie (two labels, nothing to
    check against) the flush alignment itself is the evidence.
    """
    if not flush or len(flush) > 2:
        return fit_tick_labels(pairs, labels, ends, along)
    best, best_key = None, None
    for choice in range(2 ** len(flush)):
        placed = list(pairs)
        moved = 0
        for bit, (i, end) in enumerate(flush.items()):
            if choice >> bit & 1:
                placed[i] = (end, pairs[i][1])
                moved += 1
        reading = fit_tick_labels(placed, labels, ends, along)
        if reading is None:
            continue
        misfit = None
        if reading.problem is None:
            p = np.array([q for q, _ in reading.pairs])
            v = np.array([w for _, w in reading.pairs])
            misfit = _misfit(p, v, reading.norm)
        key = (
            reading.problem is None,
            not reading.unchecked,
            -len(reading.dropped),
            -(round(misfit, 6) if misfit is not None else np.inf),
            moved,
        )
        if best_key is None or key > best_key:
            best, best_key = reading, key
    return best


def fit_tick_labels(
    pairs: list[tuple[float, float]],
    labels: list[str],
    ends: tuple[float, float],
    along: str = "rows",
) -> TickReading | None:
    """Fit the labels read to one linear or one log scale, or refuse them.

    The rules, so that a misread set of labels never gives a range:

    - Three labels or more are a check: value against position is fitted
      as a straight line (``"linear"``) and, when every value is positive,
      its logarithm too (``"log"``). A scale fits when every label lies
      within `AGREE` of a label spacing (the median distance between
      neighbouring labels) of where the scale puts its value. When none
      fits all of them and at least four were read, one label may be
      dropped (the one whose removal leaves the best fit) if the other
      three or more then fit; it is named in ``dropped``. Two labels showing
      the same value can never both fit, so a repeated value is dropped or
      refused this way.
    - Exactly two labels cannot be checked: they are accepted when their
      values differ and grow towards the bar's high end, and the reading is
      marked ``unchecked``. They are taken as a log scale only when both are
      powers of ten written as such (``10^2``, ``1e3``) or a hundredfold
      apart.
    - Values must grow towards the bar's high end (top or right), one after
      the other; labels falling instead are refused.
    - When both scales fit, the linear one is taken unless every value is a
      power of ten.

    A refusal is a reading with ``problem`` set and no range.

    Parameters
    ----------
    pairs : list of (float, float)
        Position along the bar (figure pixels) and value of each label.
    labels : list of str
        The labels' text as read, one per pair.
    ends : tuple of float
        The positions of the bar's low and high ends.
    along : {"rows", "columns"}
        What the positions count, for the problem's wording.

    Returns
    -------
    TickReading or None
        None when no label was read.
    """
    if not pairs:
        return None
    p = np.array([q for q, _ in pairs], dtype=np.float64)
    v = np.array([w for _, w in pairs], dtype=np.float64)
    order = np.argsort(p) if ends[1] >= ends[0] else np.argsort(-p)
    p, v = p[order], v[order]  # from the low end to the high end
    text = [labels[i] for i in order]
    shown = np.argsort(p)  # figure order: top to bottom, left to right
    read = (
        f"the tick labels read ({', '.join(_shown(x) for x in v[shown])} at "
        f"{along} {', '.join(f'{q:.0f}' for q in p[shown])})"
    )
    if len(p) == 1:
        read = f"only one tick label read ({_shown(v[0])} at {along[:-1]} {p[0]:.0f})"
        return _refused(pairs, labels, f"{read}: no range from one label")
    if len(p) == 2:
        if v[1] <= v[0] or p[0] == p[1]:
            return _refused(pairs, labels, f"{read} do not grow towards the high end")
        log = (
            (v > 0).all()
            and _powers_of_ten(v)
            and (v[1] >= 100 * v[0] or all(re.search("[\\^eE]", t) for t in text))
        )
        return _reading(p, v, text, "log" if log else "linear", ends, [], True)
    best: tuple[float, str, int | None] | None = None
    for drop in [None, *range(len(p))] if len(p) >= 4 else [None]:
        if drop == 0 and best is not None and best[0] <= AGREE:
            break  # no label is dropped when all of them fit
        keep = np.arange(len(p)) != drop
        for norm in ("linear", "log"):
            misfit = _misfit(p[keep], v[keep], norm)
            if misfit is not None and (best is None or misfit < best[0] - 1e-9):
                best = (misfit, norm, drop)
    if best is None or best[0] > AGREE:
        keep = _without_misreads(p, v, text)
        if keep is None:
            return _refused(pairs, labels, f"{read} fit no linear or log scale")
        lin, log = _misfit(p[keep], v[keep], "linear"), _misfit(p[keep], v[keep], "log")
        norm = "log" if lin is None or (log is not None and log < lin) else "linear"
        best = (0.0, norm, None)
    else:
        keep = np.arange(len(p)) != best[2]
    _, norm, drop = best
    kv = v[keep]
    if not (np.diff(kv) > 0).all():
        return _refused(pairs, labels, f"{read} do not grow towards the high end")
    if norm == "log" and not _powers_of_ten(kv):
        linear = _misfit(p[keep], kv, "linear")
        if linear is not None and linear <= AGREE:
            norm = "linear"
    dropped = [text[i] for i in np.flatnonzero(~keep)]
    return _reading(
        p[keep], kv, [text[i] for i in np.flatnonzero(keep)], norm, ends, dropped, False
    )


def _without_misreads(
    p: np.ndarray, v: np.ndarray, text: list[str]
) -> np.ndarray | None:
    """Which labels to keep when a few were misread by losing glyphs.

    With five labels or more (at most `MISREAD_MOST`: a bar's labels, not a
    page of numbers), up to a quarter of them may be left out when
    the others fit one scale within `AGREE` and each left-out label reads
    like the label that scale puts there with one or two glyphs lost (OCR
    drops a small decimal point or a leading digit: "-0.5" read "-5",
    "-1.5" read "-15"). None when no such choice exists.
    """
    n = len(p)
    if not 5 <= n <= MISREAD_MOST:
        return None
    decimals = max((len(t.split(".")[1]) if "." in t else 0) for t in text)
    for k in range(2, n // 4 + 1):
        found: tuple[float, np.ndarray] | None = None
        for drop in itertools.combinations(range(n), k):
            keep = np.ones(n, dtype=bool)
            keep[list(drop)] = False
            for norm in ("linear", "log"):
                misfit = _misfit(p[keep], v[keep], norm)
                if misfit is None or misfit > AGREE:
                    continue
                if found is not None and misfit >= found[0]:
                    continue
                y = np.log10(v[keep]) if norm == "log" else v[keep]
                slope, icpt = np.polyfit(p[keep], y, 1)
                at = slope * p[list(drop)] + icpt
                if norm == "log":
                    at = 10.0**at
                if all(
                    _lost_glyphs(text[i], f"{a:.{decimals}f}")
                    for i, a in zip(drop, at, strict=True)
                ):
                    found = (misfit, keep)
        if found is not None:
            return found[1]
    return None


def _lost_glyphs(read: str, shown: str) -> bool:
    """Whether ``read`` is ``shown`` with one or two characters left out."""
    if not 1 <= len(shown) - len(read) <= 2:
        return False
    it = iter(shown)
    return all(ch in it for ch in read)


def _misfit(p: np.ndarray, v: np.ndarray, norm: str) -> float | None:
    """Largest distance of a label from the fitted scale, in label spacings.

    None when the scale cannot be fitted (log of a value <= 0, all values
    or positions equal).
    """
    if norm == "log" and (v <= 0).any():
        return None
    y = np.log10(v) if norm == "log" else v
    if np.ptp(y) == 0 or np.ptp(p) == 0:
        return None
    slope, icpt = np.polyfit(p, y, 1)
    off = np.abs(y - (slope * p + icpt)) / abs(slope)  # pixels
    spacing = max(float(np.median(np.diff(np.sort(p)))), 1.0)
    return float(off.max() / spacing)


def _reading(
    p: np.ndarray,
    v: np.ndarray,
    text: list[str],
    norm: str,
    ends: tuple[float, float],
    dropped: list[str],
    unchecked: bool,
) -> TickReading:
    """The reading of labels that agree on ``norm``: the values at the ends."""
    y = np.log10(v) if norm == "log" else v
    slope, icpt = np.polyfit(p, y, 1)
    at_ends = slope * np.asarray(ends) + icpt
    # Ends within 0.5 % of the span of a round number (a tenth of the label
    # step) are that number.
    unit = float(np.median(np.diff(y))) / 10
    for k in range(2):
        nice = round(at_ends[k] / unit) * unit
        if abs(nice - at_ends[k]) <= 0.005 * np.ptp(y):
            at_ends[k] = float(f"{nice:.12g}")
    if norm == "log":
        at_ends = 10.0**at_ends
    # figure order (top to bottom, left to right), as read
    order = np.argsort(p)
    return TickReading(
        pairs=[(float(p[i]), float(v[i])) for i in order],
        labels=[text[i] for i in order],
        norm=norm,
        vmin=float(at_ends[0]),
        vmax=float(at_ends[1]),
        unchecked=unchecked,
        dropped=dropped,
    )


def _refused(
    pairs: list[tuple[float, float]], labels: list[str], problem: str
) -> TickReading:
    return TickReading(
        pairs=[(float(q), float(w)) for q, w in pairs],
        labels=list(labels),
        norm="",
        vmin=float("nan"),
        vmax=float("nan"),
        problem=problem,
    )


def _shown(value: float) -> str:
    return f"{value:g}"


def _powers_of_ten(values: np.ndarray) -> bool:
    e = np.log10(values)
    return bool(np.allclose(e, np.round(e), atol=1e-6))
