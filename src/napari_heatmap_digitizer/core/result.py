"""What digitizing one panel gives back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from napari_heatmap_digitizer.core.axes import Extent
from napari_heatmap_digitizer.core.boxes import Box
from napari_heatmap_digitizer.core.colorbar import Colorbar


@dataclass
class Result:
    """Values of one panel, with their quality and coordinates.

    Attributes
    ----------
    values : numpy.ndarray
        ``(rows, cols)`` ``float32``; row 0 is the top of the box. NaN where no
        colour of the colour bar matched (or the pixel was transparent).
    distance : numpy.ndarray
        ``(rows, cols)`` ``float32`` colour distance ΔE (CIE76) between each
        pixel and the nearest colour-bar colour.
    box : Box
        The panel in figure pixels.
    colorbar : Colorbar
        The colour bar used.
    max_distance : float
        The ΔE tolerance applied.
    extent : Extent or None
        Data values at the panel's edges, when given.
    nodata : numpy.ndarray or None
        ``True`` where the figure was transparent.
    filled : numpy.ndarray or None
        ``True`` where a NaN was filled from neighbours (see
        :func:`~napari_heatmap_digitizer.core.regions.fill_gaps`).
    """

    values: np.ndarray
    distance: np.ndarray
    box: Box
    colorbar: Colorbar
    max_distance: float
    extent: Extent | None = None
    nodata: np.ndarray | None = None
    filled: np.ndarray | None = None

    @property
    def unmatched(self) -> np.ndarray:
        """``True`` where a pixel had data but matched no colour-bar colour."""
        unmatched = np.isnan(self.values)
        if self.filled is not None:
            unmatched |= self.filled
        if self.nodata is not None:
            unmatched &= ~self.nodata
        return unmatched

    @property
    def coverage(self) -> float:
        """Fraction of the panel's (non-transparent) pixels that got a value."""
        total = self.values.size - (
            0 if self.nodata is None else int(self.nodata.sum())
        )
        return float(np.count_nonzero(~np.isnan(self.values))) / max(total, 1)

    @property
    def x(self) -> np.ndarray:
        """X of column centres: data units with an extent, else figure pixels."""
        if self.extent is not None:
            return self.extent.x_centres(self.box.width)
        return np.arange(self.box.left, self.box.right, dtype=np.float64)

    @property
    def y(self) -> np.ndarray:
        """Y of row centres (top first): data units with an extent, else pixels."""
        if self.extent is not None:
            return self.extent.y_centres(self.box.height)
        return np.arange(self.box.top, self.box.bottom, dtype=np.float64)

    def summary(self) -> str:
        """One line: size, coverage, value range and median ΔE."""
        v = self.values[~np.isnan(self.values)]
        d = self.distance[np.isfinite(self.distance)]
        rng = f"{v.min():.6g}..{v.max():.6g}" if v.size else "none"
        med = f"{np.median(d):.2f}" if d.size else "n/a"
        return (
            f"panel {self.box.as_text()}: {self.box.width}x{self.box.height} px, "
            f"{100 * self.coverage:.1f}% matched, values {rng}, median ΔE {med}"
        )
