"""What digitizing one panel gives back."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._bands import Stats, iter_bands
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._errors import wrong
from napari_heatmap_digitizer.core._nodata import NoData


@dataclass
class Result:
    """Values of one panel, with their quality and coordinates.

    Attributes
    ----------
    values : numpy.ndarray
        ``(rows, cols)`` ``float32``; row 0 is the top of the box. NaN where no
        colour of the colour bar matched (or the pixel was transparent). A
        dask array (as ``distance`` and ``nodata``) when the figure was one;
        see :attr:`lazy`.
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
        ``True`` where the panel holds no data: transparent pixels and, when
        read by :func:`~napari_heatmap_digitizer.core.run_recipe` with the
        recipe's ``nodata`` "auto" or colours, the page around the data and
        flat areas such as land (values are NaN there). Lines drawn over the
        data are NaN too but are not no data: the data continues underneath.
    filled : numpy.ndarray or None
        ``True`` where a NaN was filled from neighbours (see
        :func:`~napari_heatmap_digitizer.core._regions.fill_gaps`).
    found : NoData or None
        What was found not to be data, by kind (page, flat areas, lines,
        chosen colours), when it was looked for.
    ink : numpy.ndarray or None
        ``True`` where a pixel matched no colour and is white, grey or black
        (``run_recipe``, in memory): the lines, text, borders and grid drawn
        over the data, which a confidence report counts neither as data
        matched nor as data missed.
    """

    values: np.ndarray
    distance: np.ndarray
    box: Box
    colorbar: Colorbar
    max_distance: float
    extent: Extent | None = None
    nodata: np.ndarray | None = None
    filled: np.ndarray | None = None
    found: NoData | None = None
    ink: np.ndarray | None = None

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
    def lazy(self) -> bool:
        """Whether the arrays are dask arrays, computed only when asked."""
        return is_dask_collection(self.values)

    def compute(self) -> Result:
        """The result with its arrays in memory (itself when already there)."""
        if not self.lazy:
            return self
        import dask

        values, distance, nodata = dask.compute(
            self.values, self.distance, self.nodata, scheduler="threads"
        )
        return replace(self, values=values, distance=distance, nodata=nodata)

    @property
    def coverage(self) -> float:
        """Fraction of the panel's (non-transparent) pixels that got a value.

        For a lazy result this computes the whole panel (band by band).
        """
        if self.lazy:
            return self.stats().coverage
        total = self.values.size - (
            0 if self.nodata is None else int(self.nodata.sum())
        )
        return float(np.count_nonzero(~np.isnan(self.values))) / max(total, 1)

    def stats(self) -> Stats:
        """Coverage, value range and median ΔE, gathered band by band."""
        stats = Stats()
        for _band, v, d, n in iter_bands(self.values, self.distance, self.nodata):
            stats.add(v, d, n)
        return stats

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

    def summary(self, stats: Stats | None = None) -> str:
        """One line: size, coverage, value range and median ΔE (to 1/256).

        Parameters
        ----------
        stats : Stats, optional
            Already gathered (e.g. while writing); gathered band by band
            otherwise.
        """
        stats = stats or self.stats()
        rng = f"{stats.vmin:.6g}..{stats.vmax:.6g}" if stats.matched else "none"
        median = stats.median_distance
        med = "n/a" if np.isnan(median) else f"{median:.2f}"
        return (
            f"panel {self.box.as_text()}: {self.box.width}x{self.box.height} px, "
            f"{share(stats.coverage)} matched, values {rng}, median ΔE {med}"
        )


def check_result(result: object, name: str = "result") -> Result:
    """``result`` if it is a :class:`Result`; else the error saying what to pass.

    Parameters
    ----------
    result : object
    name : str
        The argument, for the message.

    Returns
    -------
    Result

    Raises
    ------
    DigitizerError
        If ``result`` is not a :class:`Result`.
    """
    if not isinstance(result, Result):
        raise wrong(
            name, "a Result (from digitize, or run_recipe(...)[i].result)", result
        )
    return result


def share(fraction: float) -> str:
    """A fraction as a percentage to 0.1: never "100.0%" or "0.0%" unless exact.

    Parameters
    ----------
    fraction : float
        Between 0 and 1.

    Returns
    -------
    str
        ``"99.5%"``; ``"99.9%"`` for 0.9999, ``"0.1%"`` for 0.0001.
    """
    percent = round(100 * fraction, 1)
    if percent >= 100 and fraction < 1:
        percent = 99.9
    elif percent <= 0 and fraction > 0:
        percent = 0.1
    return f"{percent:.1f}%"
