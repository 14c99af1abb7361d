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

from napari_heatmap_digitizer.core.errors import DigitizerError
from napari_heatmap_digitizer.core.result import Result

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


def find_regions(result: Result, *, min_area: int = 9, smooth: int = 3) -> Regions:
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

    Returns
    -------
    Regions
    """
    values = result.values.astype(np.float64)
    ok = np.isfinite(values)
    scale = result.colorbar.scale
    with np.errstate(invalid="ignore"):
        pos = np.asarray(scale.to_position(np.where(ok, values, 0.0)), np.float64)
    edges = result.colorbar.band_edges
    if result.colorbar.discrete and edges is not None:
        cls = np.searchsorted(np.asarray(edges)[1:-1], pos, side="right") + 1
    else:
        cls = np.clip(np.round(pos * (CLASSES - 1)), 0, CLASSES - 1).astype(int) + 1
    cls = np.where(ok, cls, 0).astype(np.int32)
    if smooth > 1:
        cls = ndimage.median_filter(cls, size=smooth, mode="nearest")
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


def _regions(result: Result, labels: np.ndarray, keep: np.ndarray) -> Regions:
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
    """Fill unmatched pixels (NaN under text or lines) from their neighbours.

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
        A copy with the gaps filled and ``filled`` marking them. Transparent
        pixels stay NaN.
    """
    if method not in FILL_METHODS:
        raise DigitizerError(
            f"fill method must be 'nearest' or 'inpaint', got {method!r}"
        )
    values = result.values.copy()
    gaps = result.unmatched
    if not gaps.any() or gaps.all():
        return replace(result, values=values, filled=np.zeros_like(gaps))
    if method == "nearest":
        _, (iy, ix) = ndimage.distance_transform_edt(
            np.isnan(values), return_indices=True
        )
        nearest = values[iy, ix]
        values[gaps] = nearest[gaps]
    else:
        from skimage.restoration import inpaint_biharmonic

        holes = np.isnan(values)
        filled = inpaint_biharmonic(np.where(holes, 0.0, values), holes)
        values[gaps] = filled[gaps].astype(values.dtype)

    return replace(result, values=values, filled=gaps)
