"""Per-colour memo: solve each distinct colour once, then gather per pixel.

A :class:`ColourLookup` belongs to one colour bar. It keeps a table indexed by
the 24-bit colour code holding each solved colour's value and distance, and a
flag per code saying whether it has been solved. Successive calls (row blocks
of one figure, chunks of a dask array, figures in a batch) only solve colours
they have not met before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from napari_heatmap_digitizer.core import kernel
from napari_heatmap_digitizer.core.colorbar import Colorbar

_NO_MASK = np.zeros((1, 1), dtype=bool)

#: Segments per bounding-sphere group in the nearest-colour search.
GROUP_SIZE = 12


class ColourLookup:
    """Memoised colour → (value, ΔE) table for one colour bar.

    Parameters
    ----------
    colorbar : Colorbar
        The colour table and scale.

    Notes
    -----
    The memo takes 16 MiB of flags plus up to 128 MiB of table, of which only
    the pages holding colours actually met are ever touched.
    Solving is serialised by a lock; gathering runs concurrently.
    """

    def __init__(self, colorbar: Colorbar) -> None:
        self.colorbar = colorbar
        self._table = np.ascontiguousarray(colorbar.lab, dtype=np.float64)
        self._positions = np.ascontiguousarray(colorbar.positions, dtype=np.float64)
        self._centres, self._radii = _group_spheres(
            self._table, colorbar.discrete, GROUP_SIZE
        )
        self._known = np.zeros(kernel.N_CODES, dtype=np.uint8)
        self._lut = np.empty((kernel.N_CODES, 2), dtype=np.float32)
        self._lock = threading.Lock()
        self.n_solved = 0

    def solve(self, rgb: np.ndarray, nodata: np.ndarray | None = None) -> int:
        """Solve every colour of ``rgb`` not met before.

        Parameters
        ----------
        rgb : numpy.ndarray
            ``(rows, cols, 3)`` ``uint8``.
        nodata : numpy.ndarray, optional
            ``(rows, cols)`` bool, ``True`` where pixels are to be skipped.

        Returns
        -------
        int
            How many new colours were solved.
        """
        mask, has_mask = _mask(nodata)
        with self._lock:
            kernel.mark_new_colours(rgb, mask, has_mask, self._known)
            codes = kernel.collect_new_colours(self._known)
            if codes.size:
                positions, distances = kernel.nearest_on_table(
                    codes,
                    kernel.SRGB_LINEAR,
                    self._table,
                    self._positions,
                    self.colorbar.discrete,
                    GROUP_SIZE,
                    self._centres,
                    self._radii,
                )
                values = self.colorbar.scale.to_value(positions)
                kernel.scatter_results(codes, values, distances, self._lut)
            self.n_solved += int(codes.size)
        return int(codes.size)

    def gather(
        self,
        rgb: np.ndarray,
        nodata: np.ndarray | None,
        max_distance: float,
        out_value: np.ndarray,
        out_distance: np.ndarray,
    ) -> None:
        """Fill per-pixel value and distance for colours already solved.

        Parameters
        ----------
        rgb : numpy.ndarray
            ``(rows, cols, 3)`` ``uint8``, every colour solved by :meth:`solve`.
        nodata : numpy.ndarray, optional
            Pixels that get NaN for both outputs.
        max_distance : float
            Colours farther than this ΔE from the table get a NaN value.
        out_value, out_distance : numpy.ndarray
            ``(rows, cols)`` ``float32`` outputs.
        """
        mask, has_mask = _mask(nodata)
        kernel.gather_values(
            rgb, mask, has_mask, self._lut, float(max_distance), out_value, out_distance
        )

    def lookup_codes(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Value and distance of already solved colour codes (for tests, tools)."""
        return self._lut[codes, 0].copy(), self._lut[codes, 1].copy()


def _mask(nodata: np.ndarray | None) -> tuple[np.ndarray, bool]:
    if nodata is None:
        return _NO_MASK, False
    return nodata, True


def _group_spheres(
    table: np.ndarray, discrete: bool, group_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Bounding sphere of every run of ``group_size`` segments (or points)."""
    n_items = len(table) if discrete else len(table) - 1
    n_groups = max(1, -(-n_items // group_size))
    centres = np.empty((n_groups, 3))
    radii = np.empty(n_groups)
    for g in range(n_groups):
        start = g * group_size
        stop = min(start + group_size, n_items) + (0 if discrete else 1)
        pts = table[start:stop]
        c = (pts.min(axis=0) + pts.max(axis=0)) / 2
        centres[g] = c
        radii[g] = np.sqrt(((pts - c) ** 2).sum(axis=1)).max() + 1e-9
    return centres, radii


_CACHE: OrderedDict[str, ColourLookup] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 3


def lookup_for(colorbar: Colorbar) -> ColourLookup:
    """The process-wide memo for ``colorbar`` (a few are kept, least recent dropped).

    Parameters
    ----------
    colorbar : Colorbar

    Returns
    -------
    ColourLookup
    """
    key = colorbar.key
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = ColourLookup(colorbar)
            _CACHE[key] = found
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        _CACHE.move_to_end(key)
        return found


def clear_cache() -> None:
    """Forget every memo (frees their memory)."""
    with _CACHE_LOCK:
        _CACHE.clear()
