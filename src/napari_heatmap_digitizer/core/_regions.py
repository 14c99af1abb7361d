"""Regions of one colour (contour bands, hexbin hexagons, classes) and gap filling.

:func:`find_regions` groups connected pixels that show the same colour-bar
colour and gives one sample per group: centroid, value and area; the data
reduction for figures whose colours come in patches rather than per pixel.
:func:`fill_gaps` fills pixels left NaN under text or lines from their
neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage
from skimage.measure import label

from napari_heatmap_digitizer.core._cell_kernels import shorth
from napari_heatmap_digitizer.core._errors import DigitizerError, real, text, wrong
from napari_heatmap_digitizer.core._result import Result, check_result

#: How finely a continuous colour bar is divided into colours (its 8-bit tables
#: have 256 entries).
CLASSES = 256
FILL_METHODS = ("nearest", "inpaint")


@dataclass
class Regions:
    """One sample per region of one colour.

    Attributes
    ----------
    labels : numpy.ndarray
        ``(rows, cols)`` ``int32`` region number per pixel (0 = none).
    value : numpy.ndarray
        ``(n,)`` value of each region (median of its pixels).
    area : numpy.ndarray
        ``(n,)`` pixels in each region.
    px, py : numpy.ndarray
        ``(n,)`` centroids in figure pixels (0 = the figure's top-left corner,
        so the first pixel's centre is 0.5).
    x, y : numpy.ndarray
        ``(n,)`` centroids in data units when the panel has an extent, else the
        same as ``px``/``py``.
    result : Result
        The per-pixel result the regions come from.
    """

    labels: np.ndarray
    value: np.ndarray
    area: np.ndarray
    px: np.ndarray
    py: np.ndarray
    x: np.ndarray
    y: np.ndarray
    result: Result

    def __len__(self) -> int:
        return int(self.value.size)

    def table(self) -> dict[str, np.ndarray]:
        """Columns ``region, x, y, px, py, value, area`` (``region`` from 1)."""
        return {
            "region": np.arange(1, len(self) + 1),
            "x": self.x,
            "y": self.y,
            "px": self.px,
            "py": self.py,
            "value": self.value,
            "area": self.area,
        }

    def summary(self) -> str:
        """One line: number of regions and their value range."""
        if not len(self):
            return f"panel {self.result.box.as_text()}: no regions"
        return (
            f"panel {self.result.box.as_text()}: {len(self)} regions, values "
            f"{self.value.min():.6g}..{self.value.max():.6g}"
        )


def find_regions(
    result: Result, *, min_area: int = 9, smooth: int = 3, classes: int = CLASSES
) -> Regions:
    """Group connected pixels of one colour-bar colour into regions.

    Every matched pixel gets a colour class (its band of a stepped bar, or one
    of :data:`CLASSES` equal steps of a continuous bar); a ``smooth`` x
    ``smooth`` majority (median) filter of the classes removes JPEG speckle;
    4-connected pixels of one class form a region. Regions smaller than
    ``min_area`` pixels (anti-aliased edges, text) are dropped.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel.
    min_area : int
        Smallest region kept, in pixels.
    smooth : int
        Size of the median filter on the classes (1 = none).
    classes : int
        Colour classes of a continuous bar.

    Returns
    -------
    Regions

    Raises
    ------
    DigitizerError
        If ``result`` is not a :class:`Result` or a number is of the wrong
        kind or out of range.
    """
    check_result(result)
    _whole(min_area, "min_area", 0, None)
    _whole(smooth, "smooth", 1, 99)
    _whole(classes, "classes", 1, 1 << 20)
    values = result.values.astype(np.float64)
    ok = np.isfinite(values)
    scale = result.colorbar.scale
    with np.errstate(invalid="ignore"):
        pos = np.asarray(scale.to_position(np.where(ok, values, 0.0)), np.float64)
    edges = result.colorbar.band_edges
    if result.colorbar.discrete and edges is not None:
        cls = np.searchsorted(np.asarray(edges)[1:-1], pos, side="right") + 1
    else:
        cls = np.clip(np.round(pos * (classes - 1)), 0, classes - 1).astype(int) + 1
    cls = np.where(ok, cls, 0).astype(np.int32)
    if smooth > 1:
        cls = ndimage.median_filter(cls, size=smooth, mode="nearest")
        if smooth > 3:  # noisy figures: classes of the smoothed colours
            filtered = ndimage.median_filter(
                np.where(ok, pos, -1.0), size=smooth, mode="nearest"
            )
            cls2 = np.clip(np.round(filtered * (classes - 1)), 0, classes - 1)
            cls = np.where((filtered >= 0) & (cls > 0), cls2 + 1, 0).astype(np.int32)
    labels = label(cls, background=0, connectivity=1).astype(np.int32)
    n = int(labels.max())
    if n == 0:
        return _regions(result, labels, [])
    area = np.bincount(labels.ravel(), minlength=n + 1)
    keep = np.flatnonzero(area >= max(1, min_area))
    keep = keep[keep > 0]
    remap = np.zeros(n + 1, np.int32)
    remap[keep] = np.arange(1, keep.size + 1)
    labels = remap[labels]
    return _regions(result, labels, keep)


def _regions(
    result: Result, labels: np.ndarray, keep: np.ndarray | list[int]
) -> Regions:
    n = len(keep)
    values = result.values.astype(np.float64)
    index = np.arange(1, n + 1)
    if n:
        valid = np.where(np.isfinite(values), labels, 0)
        med = np.asarray(ndimage.median(values, valid, index), dtype=np.float64)
        area = np.asarray(ndimage.sum(np.ones_like(values), labels, index))
        cy, cx = np.asarray(
            ndimage.center_of_mass(np.ones_like(values), labels, index)
        ).T
    else:
        med = area = cy = cx = np.zeros(0)
    box = result.box
    px = box.left + cx + 0.5
    py = box.top + cy + 0.5
    if result.extent is not None:
        x = result.extent.x_at((cx + 0.5) / box.width)
        y = result.extent.y_at((cy + 0.5) / box.height)
    else:
        x, y = px, py
    return Regions(labels, med, area.astype(np.int64), px, py, x, y, result)


def fill_gaps(result: Result, method: str = "nearest") -> Result:
    """Fill holes in the data (NaN under text or lines) from their neighbours.

    Only holes are filled, never the background: an unmatched pixel is
    filled when the data encloses it, either as part of a thin gap (at most
    :data:`GAP_WIDTH` pixels across, along a row or a column, with data at
    both ends: lines, grid lines and text crossing the data, even where they
    reach the box's edge; or at most :data:`EDGE_WIDTH` pixels between the
    data and the box's edge) or as part of an unmatched area that touches
    neither the box's edge nor a no-data pixel. No-data pixels (transparent,
    the page around the data, flat areas such as land) and unmatched areas
    reaching them or the box's edge stay NaN.

    Parameters
    ----------
    result : Result
        The per-pixel result.
    method : {"nearest", "inpaint"}
        ``nearest``: the value of the nearest matched pixel; ``inpaint``:
        scikit-image's biharmonic inpainting (smooth, slower).

    Returns
    -------
    Result
        A copy with the holes filled and ``filled`` marking exactly them.

    Raises
    ------
    DigitizerError
        If ``result`` is not a :class:`Result` or the method is unknown.
    """
    check_result(result)
    text(method, "fill method", FILL_METHODS)
    if method not in FILL_METHODS:
        raise DigitizerError(
            f"fill method must be 'nearest' or 'inpaint', got {method!r}"
        )
    values = result.values.copy()
    unmatched = result.unmatched
    data = np.isfinite(values)
    if result.filled is not None:
        data &= ~result.filled
    gaps = unmatched & enclosed(data, unmatched)
    if not gaps.any() or not data.any():
        return replace(result, values=values, filled=np.zeros_like(unmatched))
    if method == "nearest":
        _, (iy, ix) = ndimage.distance_transform_edt(~data, return_indices=True)
        values[gaps] = values[iy, ix][gaps]
    else:
        from skimage.restoration import inpaint_biharmonic

        holes = ~data
        filled = inpaint_biharmonic(np.where(holes, 0.0, values), holes)
        values[gaps] = filled[gaps].astype(values.dtype)

    return replace(result, values=values, filled=gaps)


#: Widest gap (pixels, along a row or column) filled even where it reaches
#: the box's edge or no data: lines and text strokes, with anti-aliasing.
GAP_WIDTH = 8

#: Widest gap (pixels) between the data and the box's edge that is filled.
EDGE_WIDTH = 2


def enclosed(data: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Gap pixels the data encloses (see :func:`fill_gaps`).

    Parameters
    ----------
    data : numpy.ndarray
        ``(rows, cols)`` ``bool``: pixels with a value.
    gaps : numpy.ndarray
        ``(rows, cols)`` ``bool``: pixels that may be filled (unmatched);
        pixels neither data nor gaps are no data.

    Returns
    -------
    numpy.ndarray
        ``(rows, cols)`` ``bool``.
    """
    out = np.zeros(gaps.shape, bool)
    for _ in range(2):  # twice: the corners of a rim along the box's edges
        reached = data | (out & gaps)
        for axis in (0, 1):
            out |= _thin_runs(reached, axis)
    # unmatched areas touching neither the edge nor no data
    blocked = ~(data | gaps)
    comps, n = label(gaps, connectivity=2, return_num=True)
    if n:
        bad = np.zeros(n + 1, bool)
        for edge in (comps[0], comps[-1], comps[:, 0], comps[:, -1]):
            bad[edge] = True
        near = ndimage.binary_dilation(blocked, np.ones((3, 3), bool))
        bad[comps[near]] = True
        bad[0] = True
        out |= ~bad[comps]
    return out & gaps


def _thin_runs(data: np.ndarray, axis: int) -> np.ndarray:
    """Pixels in runs of at most :data:`GAP_WIDTH` between data along ``axis``."""
    d = data if axis == 1 else data.T
    n = d.shape[1]
    idx = np.arange(n)
    before = np.maximum.accumulate(np.where(d, idx, -1), axis=1)
    after = np.minimum.accumulate(np.where(d, idx, n)[:, ::-1], axis=1)[:, ::-1]
    run = (before >= 0) & (after < n) & (after - before - 1 <= GAP_WIDTH) & ~d
    # a pixel or two between the data and the box's edge: the edge's
    # anti-aliasing or an axes frame drawn over the data
    run |= (before < 0) & (after <= EDGE_WIDTH) & (after < n)
    run |= (after >= n) & (before >= n - 1 - EDGE_WIDTH) & (before >= 0)
    return run if axis == 1 else run.T


def _whole(value: object, name: str, lo: int, hi: int | None) -> None:
    """Refuse ``value`` unless it is a whole number from ``lo`` to ``hi``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < lo
        or (hi is not None and value > hi)
    ):
        upto = f"from {lo} to {hi}" if hi is not None else f"of at least {lo}"
        raise wrong(name, f"a whole number {upto}", value)


def find_hexagons(result: Result, *, min_matched: float = 0.5) -> Regions:
    """One sample per hexagon of a hexbin plot, from the hexagons' lattice.

    Touching hexagons of one colour cannot be told apart by colour, so the
    lattice is fitted instead: the well-formed regions of
    :func:`find_regions` give the centres' spacing and phase along x and y
    (hexbin centres form two interleaved rectangular lattices), and every
    lattice site whose core matches the colour bar is a hexagon. Its value is
    the middle of the densest half of the core's pixels.

    Parameters
    ----------
    result : Result
        The per-pixel result of the panel.
    min_matched : float
        Fraction of a site's core that must match for a hexagon to be there.

    Returns
    -------
    Regions
        ``labels`` marks each hexagon's core; ``area`` is the lattice cell's
        area in pixels.

    Raises
    ------
    DigitizerError
        If ``result`` is not a :class:`Result`, ``min_matched`` is not a
        fraction, or no hexagon lattice is found.
    """
    check_result(result)
    if not 0 <= real(min_matched, "min_matched") <= 1:
        raise wrong("min_matched", "a fraction from 0 to 1", min_matched)
    where = f"panel {result.box.as_text()}"
    # hexagons whose colour comes out whole: fine colour classes on clean
    # figures, coarser ones (and more smoothing) when JPEG noise splits them
    for classes, smooth in ((CLASSES, 3), (64, 5), (32, 5)):
        regions = find_regions(result, smooth=smooth, classes=classes)
        big = regions.area[regions.area > 20]
        if big.size < 10:
            continue
        med = float(np.median(big))
        good = (regions.area > 0.6 * med) & (regions.area < 1.4 * med)
        if good.sum() >= 10:
            break
    else:
        raise DigitizerError(
            f"no hexagon lattice found in {where}: too few whole hexagons; use "
            "regions instead"
        )
    box = result.box
    cx = regions.px[good] - box.left
    cy = regions.py[good] - box.top
    size = float(np.sqrt(med))
    # a hexagon's area is that of its lattice cell, 2 * px * py: of the
    # spacings that explain the centres along x and y, take the pair that fits
    pairs = [
        (abs(np.log(2 * a[0] * b[0] / med)), a, b)
        for a in _lattice(cx, 0.2 * size, 1.6 * size)
        for b in _lattice(cy, 0.2 * size, 1.6 * size)
    ]
    if not pairs or min(pairs)[0] > np.log(1.5):
        raise DigitizerError(f"no hexagon lattice found in {where}")
    _, (px, x0), (py, y0) = min(pairs)
    k = np.round((cx - x0) / px).astype(int)
    j = np.round((cy - y0) / py).astype(int)
    parity = int(np.round(np.mean((k + j) % 2)))
    h, w = result.values.shape
    ks = np.arange(int(np.floor(-x0 / px)), int(np.ceil((w - x0) / px)) + 1)
    js = np.arange(int(np.floor(-y0 / py)), int(np.ceil((h - y0) / py)) + 1)
    radius = 0.45 * min(px, py)
    values = result.values.astype(np.float64)
    scale = result.colorbar.scale
    with np.errstate(invalid="ignore"):
        pos = np.asarray(scale.to_position(values), dtype=np.float64)
    labels = np.zeros((h, w), np.int32)
    found: list[tuple[float, float, float]] = []
    r = int(np.ceil(radius))
    for jj in js:
        for kk in ks:
            if (kk + jj) % 2 != parity:
                continue
            x, y = x0 + kk * px, y0 + jj * py
            if not (-1 <= x <= w + 1 and -1 <= y <= h + 1):
                continue
            sl = (
                slice(max(0, int(y) - r), max(0, min(h, int(y) + r + 1))),
                slice(max(0, int(x) - r), max(0, min(w, int(x) + r + 1))),
            )
            ys = np.arange(sl[0].start, sl[0].stop)[:, None] + 0.5
            xs = np.arange(sl[1].start, sl[1].stop)[None, :] + 0.5
            disk = (ys - y) ** 2 + (xs - x) ** 2 <= radius * radius
            v = pos[sl][disk]
            ok = np.isfinite(v)
            if not disk.any() or ok.mean() < min_matched:
                continue
            found.append((x, y, float(shorth(v[ok].copy()))))
            labels[sl][disk & np.isfinite(pos[sl])] = len(found)
    if not found:
        raise DigitizerError(f"no hexagons found in {where}")
    fx, fy, fp = (np.array(c) for c in zip(*found, strict=True))
    with np.errstate(invalid="ignore"):
        value = np.asarray(scale.to_value(fp), dtype=np.float64)
    area = np.full(fx.size, round(2 * px * py), dtype=np.int64)
    if result.extent is not None:
        x_data = result.extent.x_at(fx / box.width)
        y_data = result.extent.y_at(fy / box.height)
    else:
        x_data, y_data = box.left + fx, box.top + fy
    return Regions(
        labels, value, area, box.left + fx, box.top + fy, x_data, y_data, result
    )


def _lattice(v: np.ndarray, lo: float, hi: float) -> list[tuple[float, float]]:
    """Spacings and phases that put positions ``v`` on ``phase + k * spacing``.

    Every local best fit explaining at least 85 % as well as the best one.
    """
    periods = np.arange(lo, hi, 0.02)
    strength = np.array([abs(np.exp(2j * np.pi * v / p).mean()) for p in periods])
    if strength.size < 3 or strength.max() < 0.6:
        return []
    out = []
    for i in range(1, periods.size - 1):
        s = strength[i]
        if s >= 0.85 * strength.max() and s >= strength[i - 1] and s >= strength[i + 1]:
            p = float(periods[i])
            z = np.exp(2j * np.pi * v / p).mean()
            out.append((p, float((np.angle(z) / (2 * np.pi) * p) % p)))
    return out
