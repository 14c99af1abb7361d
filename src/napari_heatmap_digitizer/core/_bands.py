"""Bands of rows: how results larger than memory are computed and summed up."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._read import TILE

#: Pixels per band of rows that :func:`write_result` computes at a time.
BAND_PIXELS = 1 << 24


def bands(
    rows: int,
    cols: int,
    *,
    band_pixels: int | None = None,
    chunks: tuple[int, ...] | None = None,
) -> list[slice]:
    """Row bands of about ``band_pixels`` pixels.

    Parameters
    ----------
    rows, cols : int
    band_pixels : int, optional
        Default :data:`BAND_PIXELS`.
    chunks : tuple of int, optional
        Row chunks of a dask array: bands then hold whole chunks, so that no
        chunk is computed twice. Otherwise bands are multiples of
        :data:`TILE` rows.

    Returns
    -------
    list of slice
    """
    band_pixels = band_pixels or BAND_PIXELS
    if chunks is None:
        step = max(1, band_pixels // max(cols, 1) // TILE) * TILE
        return [slice(r, min(rows, r + step)) for r in range(0, rows, step)]
    out, start, stop = [], 0, 0
    for height in chunks:
        stop += height
        if (stop - start) * cols >= band_pixels:
            out.append(slice(start, stop))
            start = stop
    if stop > start:
        out.append(slice(start, stop))
    return out


def iter_bands(
    values: Any, distance: Any, nodata: Any = None
) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray | None]]:
    """Compute value, ΔE and no-data band by band (NumPy arrays pass through).

    Yields
    ------
    rows : slice
    values, distance : numpy.ndarray
    nodata : numpy.ndarray or None
    """
    import dask

    rows, cols = values.shape
    chunks = values.chunks[0] if is_dask_collection(values) else None
    for band in bands(rows, cols, chunks=chunks):
        parts = [values[band], distance[band]]
        if nodata is not None:
            parts.append(nodata[band])
        if any(is_dask_collection(p) for p in parts):
            parts = list(dask.compute(*parts, scheduler="threads"))
        v, d = np.asarray(parts[0]), np.asarray(parts[1])
        yield band, v, d, (np.asarray(parts[2]) if nodata is not None else None)


@dataclass
class Stats:
    """Coverage, value range and ΔE median gathered band by band.

    The median ΔE comes from a histogram of 1/256 ΔE bins.
    """

    total: int = 0
    matched: int = 0
    vmin: float = np.inf
    vmax: float = -np.inf
    hist: np.ndarray = field(default_factory=lambda: np.zeros(256 * 256 + 1, np.int64))

    def add(
        self, values: np.ndarray, distance: np.ndarray, nodata: np.ndarray | None
    ) -> None:
        """Take in one band."""
        values = np.ascontiguousarray(values, dtype=np.float32)
        distance = np.ascontiguousarray(distance, dtype=np.float32)
        hidden = 0 if nodata is None else int(np.count_nonzero(nodata))
        matched, lo, hi = _band_stats(values, distance, self.hist)
        self.total += values.size - hidden
        self.matched += matched
        if matched:
            self.vmin = min(self.vmin, lo)
            self.vmax = max(self.vmax, hi)

    @property
    def coverage(self) -> float:
        """Fraction of the (non-transparent) pixels that got a value."""
        return self.matched / max(self.total, 1)

    @property
    def median_distance(self) -> float:
        """Median ΔE (to 1/256), NaN when no pixel had a colour."""
        n = int(self.hist.sum())
        if n == 0:
            return float("nan")
        i = int(np.searchsorted(np.cumsum(self.hist), (n + 1) / 2))
        return (i + 0.5) / 256


@numba.njit(nogil=True, cache=True)
def _band_stats(
    values: np.ndarray, distance: np.ndarray, hist: np.ndarray
) -> tuple[int, float, float]:
    """Matched count and value range; adds finite ΔE to ``hist`` (1/256 bins)."""
    matched, lo, hi = 0, np.inf, -np.inf
    top = hist.shape[0] - 1
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if not np.isnan(v):
                matched += 1
                lo = min(lo, v)
                hi = max(hi, v)
            d = distance[i, j]
            if np.isfinite(d):
                hist[min(int(d * 256.0), top)] += 1
    return matched, float(lo), float(hi)
