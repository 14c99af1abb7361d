"""Find the figure's sheet inside a screenshot.

A figure shown in a browser, a notebook or a web app sits on a *sheet*: a
plain light or dark area (the notebook's output cell, the app's plot box)
surrounded by application chrome (tab bars, menus, side bars, a task bar)
whose colours change along the screenshot's edge. The sheet is a large,
connected area of one plain, nearly grey colour that frames the data: it
covers most of the outline of its own bounding box, and that box holds the
largest block of thick content (coloured or textured: a heat map, not a
line of text). Of several such areas (a plot box on a page) the smallest
is the sheet. Detection then runs inside it as in any figure with a plain
background.

The search works at reduced scale (block means, which also average out
JPEG noise), so a large screenshot costs little.
"""

from __future__ import annotations

import math

import numpy as np

from napari_heatmap_digitizer.core._bar_pixels import _delta_e
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._frames import lab as _lab

#: Longest side of the reduced image the sheet is searched in.
SHEET_SIDE = 400
#: ΔE within which reduced pixels count as the sheet's colour (JPEG noise
#: averages out in the block means; a white card on a light grey page
#: differs by more).
SHEET_DELTA = 3.0
#: Size (ΔE) of the colour bins the sheet's colour is looked for in, and
#: the least step between neighbouring reduced pixels that is texture.
STEP_DELTA = 5.0
#: Most chroma (C*) a sheet's colour may have: white, grey or dark, not a
#: heat map's cell.
SHEET_CHROMA = 12.0
#: Least share of the reduced image a sheet covers.
SHEET_AREA = 0.04
#: Least share of its bounding box's outline a sheet covers.
SHEET_FRAME = 0.6
#: Most plain colours tried as sheets.
SHEET_COLOURS = 6


def _reduced(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    """The figure in Lab at ``1/f`` scale (block means) and ``f``."""
    H, W = rgb.shape[:2]
    f = max(1, math.ceil(max(H, W) / SHEET_SIDE))
    h, w = H // f, W // f
    # strided sums: much quicker than a mean over a reshaped figure
    sums = np.zeros((h, w, 3), np.uint32)
    for i in range(f):
        for j in range(f):
            sums += rgb[i : h * f : f, j : w * f : f, :3]
    blocks = (sums + f * f // 2) // (f * f)
    return _lab(blocks.astype(np.uint8)), f


def _plain_colours(lab: np.ndarray) -> list[np.ndarray]:
    """The commonest low-chroma colours covering at least `SHEET_AREA` each."""
    flat = lab.reshape(-1, 3)
    # one integer per bin of STEP_DELTA: L, a and b each fit in 64 bins
    q = np.rint(flat / STEP_DELTA).astype(np.int64) + np.array([1, 32, 32])
    inverse = (q[:, 0] * 64 + q[:, 1]) * 64 + q[:, 2]
    counts = np.bincount(inverse)
    colours: list[np.ndarray] = []
    least = SHEET_AREA * len(flat)
    common = np.flatnonzero(counts >= least)
    for i in common[np.argsort(counts[common])[::-1]]:
        if len(colours) >= SHEET_COLOURS:
            break
        centre = flat[inverse == i].mean(axis=0)
        if math.hypot(float(centre[1]), float(centre[2])) > SHEET_CHROMA:
            continue
        if any(float(_delta_e(centre, c)) < SHEET_DELTA for c in colours):
            continue
        colours.append(centre)
    return colours


def _content(lab: np.ndarray) -> np.ndarray:
    """Thick content: neither plain (flat and grey) nor text or thin lines.

    Chrome of any plain colour (a bar, a button) is no content, nor are
    letters and rules, which opening removes; coloured or textured areas
    (a heat map, a photograph, an icon) are.
    """
    from scipy import ndimage as ndi

    steps = np.zeros(lab.shape[:2], np.float32)
    across = _delta_e(lab[:, 1:], lab[:, :-1])
    down = _delta_e(lab[1:], lab[:-1])
    steps[:, 1:] = across
    steps[:, :-1] = np.maximum(steps[:, :-1], across)
    steps[1:] = np.maximum(steps[1:], down)
    steps[:-1] = np.maximum(steps[:-1], down)
    coloured = np.hypot(lab[..., 1], lab[..., 2]) >= SHEET_CHROMA
    textured = steps >= STEP_DELTA
    # a line of text, blurred at reduced scale, is textured but grey and
    # no taller than a few reduced pixels
    return ndi.binary_opening(coloured, structure=np.ones((3, 3), bool)) | (
        ndi.binary_opening(textured, structure=np.ones((5, 5), bool))
    )


def _largest(mask: np.ndarray) -> tuple[slice, slice] | None:
    """Bounding slices of the largest connected part of ``mask``, if any."""
    from scipy import ndimage as ndi

    labels, n = ndi.label(mask)
    if n == 0:
        return None
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    rows, cols = ndi.find_objects(labels)[int(np.argmax(sizes)) - 1]
    return rows, cols


def _inside(inner: tuple[slice, slice], outer: tuple[slice, slice]) -> bool:
    return all(
        o.start <= i.start and i.stop <= o.stop
        for i, o in zip(inner, outer, strict=True)
    )


def _outline_share(mask: np.ndarray) -> float:
    """Share of the outline of ``mask``'s array that ``mask`` covers."""
    outline = np.concatenate([mask[0], mask[-1], mask[1:-1, 0], mask[1:-1, -1]])
    return float(outline.mean())


def find_sheet(rgb: np.ndarray) -> Box | None:
    """The plain area a screenshot's figure sits on, or None.

    Parameters
    ----------
    rgb : numpy.ndarray
        The whole screenshot, 8-bit RGB.

    Returns
    -------
    Box or None
        The sheet's box (inside its outline by one reduced pixel, so that
        its edge is the sheet's colour), in figure pixels; None when no
        plain area frames the largest block of content, or the sheet is
        the whole figure.

    Examples
    --------
    >>> import numpy as np
    >>> shot = np.full((200, 300, 3), 40, np.uint8)  # dark chrome
    >>> shot[40:180, 60:280] = 255  # a white sheet
    >>> shot[80:140, 100:200] = (200, 30, 60)  # holding coloured data
    >>> find_sheet(shot)
    Box(left=61, top=41, right=279, bottom=179)
    """
    from scipy import ndimage as ndi

    lab, f = _reduced(rgb)
    h, w = lab.shape[:2]
    if min(h, w) < 16:
        return None
    colours = _plain_colours(lab)
    if not colours:
        return None
    data = _largest(_content(lab))
    if data is None:
        return None
    best, best_area = None, h * w + 1
    for colour in colours:
        labels, _ = ndi.label(_delta_e(lab, colour) < SHEET_DELTA)
        sizes = np.bincount(labels.ravel())
        sizes[0] = 0
        where = ndi.find_objects(labels)
        for i in np.flatnonzero(sizes >= SHEET_AREA * h * w):
            rows, cols = where[i - 1]
            area = (rows.stop - rows.start) * (cols.stop - cols.start)
            if (
                area < best_area
                and _inside(data, (rows, cols))
                and _outline_share(labels[rows, cols] == i) >= SHEET_FRAME
            ):
                best, best_area = (rows, cols), area
    if best is None:
        return None
    rows, cols = best
    if rows.start == 0 and cols.start == 0 and rows.stop == h and cols.stop == w:
        return None
    H, W = rgb.shape[:2]
    return Box(
        (cols.start + 1) * f,
        (rows.start + 1) * f,
        min(W, (cols.stop - 1) * f),
        min(H, (rows.stop - 1) * f),
    )
