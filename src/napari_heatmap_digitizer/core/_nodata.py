"""What inside a panel is not data: the page, flat masks and lines drawn over.

A colour that lies on the colour map is not always data. Three kinds of
pixels are told apart from the data here:

* **the page**: pixels of the figure's page colour connected to the panel
  box's border (the page around an ellipse, a disc or a triangle of a
  matrix, the margins of a raster inside larger axes);
* **flat areas**: large areas of exactly one neutral colour (white, grey or
  black land, masks, "bad" colours) whose edges jump to unrelated values. A
  smooth field passing through that colour steps to *similar* colours at its
  edges, a band of a stepped (contourf) figure to the *adjacent* levels, and
  a cell of a matrix is a rectangle among other one-colour rectangles: those
  stay data;
* **lines**: thin (a few pixels) neutral structures much darker or lighter
  than the data on both sides: contour lines, graticules, mesh lines, text.

Page and flat areas hold no data at all; lines hide data that continues
underneath, so gap filling may fill them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._kernel import SRGB_LINEAR, rgb8_to_lab
from napari_heatmap_digitizer.core._morph import dilate, erode, one_colour_3x3

#: ΔE within which a pixel has a one-colour area's colour (PNG colours are
#: exact; flat JPEG blocks away from edges stay within it).
SAME = 2.0
#: ΔE within which a pixel has a colour the user named as no data.
CHOSEN = 3.0
#: Chroma (CIELAB) below which a colour counts as neutral (white, grey, black).
NEUTRAL = 8.0
#: ΔE a neighbour of a one-colour area may differ by and still continue it
#: smoothly (measured 4-6 px away, beyond anti-aliasing and thin lines).
SOFT = 10.0
#: Share of hard edges that makes a page-coloured area at the border the page.
PAGE_HARD = 0.3
#: Share of hard edges that makes an inner one-colour area no data.
FLAT_HARD = 0.5
#: Smallest one-colour area considered (pixels); it must also hold a 5x5 block.
MIN_AREA = 25
#: How much lighter or darker (CIELAB L*) a line is than the data either side.
LINE_CONTRAST = 25.0
#: Widest line found, in pixels (anti-aliasing included).
LINE_WIDTH = 5
#: Fewest pixels of a line (or glyph); smaller specks are left as data.
LINE_PIXELS = 12
#: Share of a line's pixels in a neutral ink on the colour map.
LINE_INK = 0.3
#: At most this many neutral one-colour candidates are examined per panel.
MAX_COLOURS = 6

_NAMES = {"white": "#ffffff", "black": "#000000", "grey": "#808080", "gray": "#808080"}
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})")


@dataclass
class NoData:
    """Pixels of a panel that are not data, and how many of each kind.

    Attributes
    ----------
    mask : numpy.ndarray
        ``(rows, cols)`` ``bool``: every pixel that is not data.
    areas : numpy.ndarray
        ``(rows, cols)`` ``bool``: page, flat areas and chosen colours (no
        data there at all); ``mask`` without the lines.
    page, flat, lines, chosen : int
        Pixels of each kind: the page connected to the box's border, flat
        one-colour areas with hard edges, thin lines and text drawn over the
        data, colours the user named as no data.
    """

    mask: np.ndarray
    areas: np.ndarray
    page: int = 0
    flat: int = 0
    lines: int = 0
    chosen: int = 0

    def summary(self) -> str:
        """One line: the share of the panel that is not data, by kind."""
        total = max(self.mask.size, 1)
        kinds = [
            f"{name} {100 * n / total:.1f}%"
            for name, n in (
                ("page", self.page),
                ("flat", self.flat),
                ("lines", self.lines),
                ("chosen", self.chosen),
            )
            if n
        ]
        return f"no data {100 * self.mask.sum() / total:.1f}%" + (
            f" ({', '.join(kinds)})" if kinds else ""
        )


def parse_nodata(text: object, what: str = "nodata") -> tuple[bool, list[str]]:
    """Read a no-data choice: ``auto``, ``none``, colours, or ``auto`` and colours.

    Parameters
    ----------
    text : str
        ``"auto"`` (find the page, flat areas and lines), ``"none"`` (every
        matched pixel is data), or comma-separated colours (``#rrggbb``,
        ``#rgb``, ``white``, ``black``, ``grey``), optionally with ``auto``.
    what : str
        What the text is, for the message.

    Returns
    -------
    auto : bool
        Whether no data is looked for automatically.
    colours : list of str
        The colours named, as ``#rrggbb``.

    Raises
    ------
    DigitizerError
        If the text is none of these.

    Examples
    --------
    >>> parse_nodata("auto,#FFF")
    (True, ['#ffffff'])
    >>> parse_nodata("none")
    (False, [])
    """
    if not isinstance(text, str) or not text.strip():
        raise DigitizerError(
            f"{what} must be 'auto', 'none' or colours such as '#ffffff,black', "
            f"not {text!r}"
        )
    parts = [p.strip().lower() for p in text.split(",")]
    if parts == ["none"]:
        return False, []
    auto, colours = False, []
    for part in parts:
        if part == "auto":
            auto = True
            continue
        hexa = _NAMES.get(part, part)
        if not _HEX.fullmatch(hexa):
            raise DigitizerError(
                f"{what}: {part!r} is not 'auto' or a colour (#rrggbb, #rgb, white, "
                "black, grey); 'none' stands alone"
            )
        digits = hexa[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        colours.append("#" + digits)
    return auto, colours


def normal_nodata(text: str, what: str = "nodata") -> str:
    """A no-data choice written the one way (``auto,#ffffff``; ``none``).

    Parameters
    ----------
    text : str
        As :func:`parse_nodata` reads.
    what : str
        What the text is, for the message.

    Returns
    -------
    str

    Raises
    ------
    DigitizerError
        If the text is not a no-data choice.

    Examples
    --------
    >>> normal_nodata(" White, AUTO ")
    'auto,#ffffff'
    """
    auto, colours = parse_nodata(text, what)
    return ",".join((["auto"] if auto else []) + colours) or "none"


def lab_image(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (``float32``) of an ``(rows, cols, 3)`` ``uint8`` image, band by band.

    Parameters
    ----------
    rgb : numpy.ndarray

    Returns
    -------
    numpy.ndarray
        ``(rows, cols, 3)`` ``float32``.
    """
    rows, cols = rgb.shape[:2]
    out = np.empty((rows, cols, 3), np.float32)
    step = max(1, (1 << 20) // max(cols, 1))
    for top in range(0, rows, step):
        part = np.ascontiguousarray(rgb[top : top + step, :, :3]).reshape(-1, 3)
        out[top : top + step] = rgb8_to_lab(part, SRGB_LINEAR).reshape(-1, cols, 3)
    return out


def find_nodata(
    rgb: np.ndarray,
    position: np.ndarray,
    *,
    page: np.ndarray | None = None,
    colours: list[str] | None = None,
    auto: bool = True,
    chromatic: bool = True,
) -> NoData:
    """Decide which pixels of a panel are not data.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(rows, cols, 3)`` ``uint8`` pixels of the panel.
    position : numpy.ndarray
        ``(rows, cols)`` place of each pixel along the colour bar (0-1), NaN
        where it matched no colour-bar colour.
    page : numpy.ndarray, optional
        The figure's page colour (CIELAB ``L, a, b``); None when it has none.
    colours : list of str, optional
        Colours (``#rrggbb``) that are no data wherever they appear.
    auto : bool
        Look for the page, flat areas and lines.
    chromatic : bool
        Whether the colour map has colours (not only greys): lines are looked
        for only then, as a grey map's thin dark or light features are data.

    Returns
    -------
    NoData
    """
    shape = rgb.shape[:2]
    lab = lab_image(rgb)
    areas = np.zeros(shape, bool)
    chosen = 0
    for colour in colours or []:
        code = np.array([[int(colour[i : i + 2], 16) for i in (1, 3, 5)]], np.uint8)
        target = rgb8_to_lab(code, SRGB_LINEAR)[0].astype(np.float32)
        hit = _near(lab, target, CHOSEN) & ~areas
        chosen += int(hit.sum())
        areas |= hit
    page_px = flat_px = line_px = 0
    if auto and min(shape) >= 8:
        page_mask, flat_mask = _areas(rgb, lab, position, page, areas)
        page_mask &= ~areas
        flat_mask &= ~(areas | page_mask)
        page_px, flat_px = int(page_mask.sum()), int(flat_mask.sum())
        areas |= page_mask | flat_mask
    lines = np.zeros(shape, bool)
    if auto and chromatic and min(shape) >= 8:
        lines = _lines(lab, position, areas)
        line_px = int(lines.sum())
    return NoData(
        mask=areas | lines,
        areas=areas,
        page=page_px,
        flat=flat_px,
        lines=line_px,
        chosen=chosen,
    )


def _near(lab: np.ndarray, colour: np.ndarray, delta: float) -> np.ndarray:
    """Pixels within ``delta`` (ΔE) of ``colour``."""
    d = lab - colour.astype(np.float32)
    return np.einsum("ijk,ijk->ij", d, d) < delta * delta


def _flat_pixels(rgb: np.ndarray) -> np.ndarray:
    """Pixels whose 3x3 neighbourhood has exactly one colour."""
    return one_colour_3x3(np.ascontiguousarray(rgb[..., :3], dtype=np.uint8))


def _candidates(
    lab: np.ndarray, flat: np.ndarray, page: np.ndarray | None
) -> list[tuple[np.ndarray, bool]]:
    """Colours of large neutral one-colour areas (the page's first)."""
    out: list[tuple[np.ndarray, bool]] = []
    if page is not None:
        out.append((np.asarray(page, np.float32), True))
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    pick = flat & (chroma < NEUTRAL)
    if not pick.any():
        return out
    px = lab[pick]
    code = (
        np.clip(px[:, 0] // 2, 0, 63).astype(np.int64) * 64 * 64
        + np.clip((px[:, 1] + 32) // 4, 0, 63).astype(np.int64) * 64
        + np.clip((px[:, 2] + 32) // 4, 0, 63).astype(np.int64)
    )
    counts = np.bincount(code, minlength=64**3)
    sums = np.stack(
        [np.bincount(code, weights=px[:, c], minlength=64**3) for c in range(3)], 1
    )
    big = np.flatnonzero(counts >= MIN_AREA)
    big = big[np.argsort(counts[big])[::-1]]
    for b in big:
        colour = sums[b] / counts[b]
        if any(np.linalg.norm(colour - c) < 2 * SAME for c, _ in out):
            continue
        out.append((colour.astype(np.float32), False))
        if len(out) >= MAX_COLOURS + (page is not None):
            break
    return out


def _areas(
    rgb: np.ndarray,
    lab: np.ndarray,
    position: np.ndarray,
    page: np.ndarray | None,
    skip: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The page and the flat areas with hard edges."""
    shape = lab.shape[:2]
    flat = _flat_pixels(rgb)
    labels = np.zeros(shape, np.int32)
    info: list[tuple[np.ndarray, bool, slice, slice]] = []  # colour, page, bbox
    taken = skip.copy()
    page_raw = np.zeros(shape, bool)
    for colour, is_page in _candidates(lab, flat, page):
        # opened: thin parts (a smooth field's band through this colour,
        # anti-aliased edges) neither count nor join areas together
        raw = _near(lab, colour, SAME) & ~taken
        mask = raw & dilate(erode(raw, 2, border=True), 2)
        if is_page:
            page_raw = raw
        comps, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
        if n == 0:
            continue
        area = np.bincount(comps.ravel(), minlength=n + 1)
        keep = area >= MIN_AREA
        keep[0] = False
        border = np.zeros(n + 1, bool)
        if is_page:
            for edge in (comps[0], comps[-1], comps[:, 0], comps[:, -1]):
                border[edge] = True
        for k, sl in enumerate(ndimage.find_objects(comps), start=1):
            if sl is None or not keep[k]:
                continue
            labels[sl][comps[sl] == k] = len(info) + 1
            info.append((colour, is_page and bool(border[k]), sl[0], sl[1]))
        taken |= keep[comps]
    if not info:
        return np.zeros(shape, bool), np.zeros(shape, bool)
    matched = np.isfinite(position)
    stepped = bool(matched.any() and flat[matched].mean() > 0.5)
    hard = _hard_share(lab, position, labels, info, stepped, flat)
    rect = _cells(labels, info, stepped, np.isfinite(position))
    verdict = np.zeros(len(info) + 1, np.int8)  # 1 page, 2 flat
    for k, (_, is_page, _, _) in enumerate(info, start=1):
        if rect[k]:
            continue
        if is_page and hard[k] >= PAGE_HARD:
            verdict[k] = 1
        elif hard[k] >= FLAT_HARD:
            verdict[k] = 2
    v = verdict[labels]
    # slivers of page thinner than the opening (between a round data area
    # and the box's edge) join the page they touch
    near = ndimage.binary_dilation(v == 1, iterations=3, mask=page_raw)
    edge = np.zeros(shape, bool)
    edge[:3] = edge[-3:] = edge[:, :3] = edge[:, -3:] = True
    along, n = ndimage.label(page_raw & (near | edge), np.ones((3, 3), bool))
    joined = np.zeros(n + 1, bool)
    joined[along[near]] = True
    joined[0] = False
    return joined[along], v == 2


def _hard_share(
    lab: np.ndarray,
    position: np.ndarray,
    labels: np.ndarray,
    info: list[tuple[np.ndarray, bool, slice, slice]],
    stepped: bool,
    flat: np.ndarray,
) -> np.ndarray:
    """Per area, the share of its surroundings (4-6 px out) that is unrelated.

    A neighbour is related when its colour is within :data:`SOFT` of the
    area's, or, in a stepped figure, when it lies at the area's level or an
    adjacent one along the bar.
    """
    n = len(info)
    outer = ndimage.maximum_filter(labels, 13, mode="constant")
    inner = dilate(labels > 0, 3)
    ring = (outer > 0) & ~inner
    owner = outer[ring]
    colours = np.array([c for c, *_ in info], np.float32)
    d = lab[ring] - colours[owner - 1]
    soft = np.einsum("ij,ij->i", d, d) < SOFT * SOFT
    if stepped:  # bands of a contourf, cells: adjacent levels continue them
        flat_matched = flat & np.isfinite(position)
        soft |= _adjacent(position, labels, n, flat_matched, ring, owner)
    total = np.bincount(owner, minlength=n + 1).astype(np.float64)
    softs = np.bincount(owner, weights=soft, minlength=n + 1)
    share = 1.0 - softs / np.maximum(total, 1)
    share[total == 0] = 1.0  # nothing around it: the whole panel is this colour
    return share


def _adjacent(
    position: np.ndarray,
    labels: np.ndarray,
    n: int,
    levels_from: np.ndarray,
    ring: np.ndarray,
    owner: np.ndarray,
) -> np.ndarray:
    """Ring pixels at their area's level or an adjacent level of the figure."""
    steps = np.clip(np.round(position[levels_from] * 2048), 0, 2048).astype(np.int64)
    levels = np.flatnonzero(np.bincount(steps, minlength=2049) >= MIN_AREA) / 2048.0
    valid = np.isfinite(position) & (labels > 0)
    where = np.where(valid, labels, 0).ravel()
    sums = np.bincount(
        where, weights=np.where(valid, position, 0).ravel(), minlength=n + 1
    )
    counts = np.bincount(where, minlength=n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        own = sums / counts  # NaN for an area off the colour map
    if levels.size < 2:
        return np.zeros(owner.shape, bool)
    known = np.isfinite(own)
    right = np.clip(
        np.searchsorted(levels, np.where(known, own, 0)), 0, levels.size - 1
    )
    left = np.maximum(right - 1, 0)
    closer = np.abs(levels[left] - own) <= np.abs(levels[right] - own)
    idx = np.where(closer, left, right)
    lo = levels[np.maximum(idx - 1, 0)]
    hi = levels[np.minimum(idx + 1, levels.size - 1)]
    eps = 1.0 / 256
    p = position[ring]
    with np.errstate(invalid="ignore"):
        near = (p >= lo[owner] - eps) & (p <= hi[owner] + eps)
    return near & known[owner]


def _cells(
    labels: np.ndarray,
    info: list[tuple[np.ndarray, bool, slice, slice]],
    stepped: bool,
    matched: np.ndarray,
) -> np.ndarray:
    """Areas that are cells of a matrix: axis-aligned outlines in a stepped figure.

    One cell, or neighbouring cells of one value, make an outline of straight
    horizontal and vertical edges. A masked cell of a map whose end is the
    mask's colour cannot be told from a cell of that value: both stay data.
    A cell's colour is on the colour map. A page-coloured area at the box's
    border is a cell only as one rectangle short of the box's sides.
    """
    n = len(info)
    out = np.zeros(n + 1, bool)
    if not stepped:
        return out
    for k, (_, is_page, rows, cols) in enumerate(info, start=1):
        if is_page:
            # at the border, only a lone rectangle short of the box's sides
            # may be a cell; a staircase (the empty triangle of a matrix) or
            # a strip along a side is the page
            h, w = rows.stop - rows.start, cols.stop - cols.start
            lone = (labels[rows, cols] == k).sum() >= 0.95 * h * w
            if not lone or h == labels.shape[0] or w == labels.shape[1]:
                continue
        sl = (
            slice(max(rows.start - 1, 0), rows.stop + 1),
            slice(max(cols.start - 1, 0), cols.stop + 1),
        )
        own = labels[sl] == k
        if not matched[sl][own].mean() > 0.5:
            continue
        area = ndimage.binary_fill_holes(own)
        edge = area & ~ndimage.binary_erosion(area, border_value=0)
        run = 7
        straight = ndimage.binary_opening(edge, np.ones((1, run), bool))
        straight |= ndimage.binary_opening(edge, np.ones((run, 1), bool))
        out[k] = straight.sum() >= 0.9 * edge.sum()
    return out


def _lines(lab: np.ndarray, position: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """Thin neutral lines and text much darker or lighter than both sides.

    A drawn line keeps its contrast however far its sides are looked at; the
    lightest or darkest band of a smooth field (the white middle of a
    diverging map) gains contrast steadily with distance and is left alone.
    """
    # lightness in steps of 0.5 as uint8: the filters run several times faster
    light = np.clip(lab[..., 0] * 2, 0, 255).astype(np.uint8).astype(np.int16)
    contrast = 2 * LINE_CONTRAST
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    near, far = LINE_WIDTH + 2, 2 * LINE_WIDTH + 5
    dark = np.zeros(light.shape, bool)
    bright = np.zeros(light.shape, bool)
    for axis in (0, 1):
        sizes = [(s, 1) if axis == 0 else (1, s) for s in (near, far)]
        below = ndimage.grey_closing(light, size=sizes[0]) - light
        below_far = ndimage.grey_closing(light, size=sizes[1]) - light
        dark |= (below > contrast) & (below_far < 1.5 * below)
        above = light - ndimage.grey_opening(light, size=sizes[0])
        above_far = light - ndimage.grey_opening(light, size=sizes[1])
        bright |= (above > contrast) & (above_far < 1.5 * above)
    sides = ~dilate(areas, LINE_WIDTH)  # sides are data
    ink = (chroma < NEUTRAL) & np.isfinite(position)
    # dark and light lines apart: the light gaps between dark glyphs are thin
    # and light too, and would join a word's letters to the field around
    return _inked(dark & sides, ink) | _inked(bright & sides & ~dark, ink)


def _inked(thin: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """Thin structures drawn in a neutral ink on the colour map.

    A line or glyph is drawn in one neutral ink (its anti-aliased edge is a
    blend and goes with it); the thin features of the data have colours.
    """
    comps, n = ndimage.label(thin, structure=np.ones((3, 3), bool))
    if n == 0:
        return thin
    size = np.bincount(comps.ravel(), minlength=n + 1)
    inked = np.bincount(comps.ravel(), weights=ink.ravel(), minlength=n + 1)
    keep = (size >= LINE_PIXELS) & (inked >= LINE_INK * size)
    keep[0] = False
    return keep[comps]
