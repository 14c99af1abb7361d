"""Per-colour memo: each distinct colour is solved once per colour bar.

A :class:`ColorLookup` belongs to one colour bar. Its memo, indexed by the
24-bit colour code, holds each solved colour's value and distance. Successive
calls (row blocks of one figure, chunks of a dask array, figures of a batch)
only solve colours they have not met before.
"""

from __future__ import annotations

import mmap
import threading
from collections import OrderedDict

import numpy as np

from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._colorbar import Colorbar

_NO_MASK = np.zeros((1, 1), dtype=bool)

#: Segments per bounding-sphere group in the nearest-colour search.
GROUP_SIZE = 12


class ColorLookup:
    """Memoised colour → (value, ΔE) for one colour bar.

    Parameters
    ----------
    colorbar : Colorbar
        The colour table and scale.

    Notes
    -----
    The memo reserves 128 MiB of address space (8 bytes per possible colour),
    zero-filled lazily by the operating system: only the 4 KiB pages holding
    colours actually met take memory (8x8x8 colour cubes share a page).
    It is safe to use from several threads at once.
    """

    def __init__(self, colorbar: Colorbar) -> None:
        self.colorbar = colorbar
        self._table = np.ascontiguousarray(colorbar.lab, dtype=np.float64)
        self._positions = np.ascontiguousarray(colorbar.positions, dtype=np.float64)
        self._centres, self._radii = _group_spheres(
            self._table, colorbar.discrete, GROUP_SIZE
        )
        scale = colorbar.scale
        self._anchor_pos = np.asarray(scale.positions, dtype=np.float64)
        values = np.asarray(scale.values, dtype=np.float64)
        self._anchor_val = np.log10(values) if scale.log else values
        self._memo = _zeroed_memo()

    def digitize(
        self,
        rgb: np.ndarray,
        nodata: np.ndarray | None,
        max_distance: float,
        out_value: np.ndarray,
        out_distance: np.ndarray,
    ) -> None:
        """Fill per-pixel value and distance for ``rgb``.

        Parameters
        ----------
        rgb : numpy.ndarray
            ``(rows, cols, 3)`` ``uint8``.
        nodata : numpy.ndarray, optional
            ``(rows, cols)`` bool; these pixels get NaN for both outputs.
        max_distance : float
            Colours farther than this ΔE from the table get a NaN value.
        out_value, out_distance : numpy.ndarray
            ``(rows, cols)`` ``float32`` outputs, filled in place.
        """
        mask, has_mask = (_NO_MASK, False) if nodata is None else (nodata, True)
        kernel.digitize_pixels(
            rgb,
            mask,
            has_mask,
            self._memo,
            kernel.SRGB_LINEAR,
            self._table,
            self._positions,
            self.colorbar.discrete,
            GROUP_SIZE,
            self._centres,
            self._radii,
            self._anchor_pos,
            self._anchor_val,
            self.colorbar.scale.log,
            float(max_distance),
            out_value,
            out_distance,
        )

    def nearest(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bar position and ΔE for 24-bit colour codes (no memo; for tools).

        Parameters
        ----------
        codes : numpy.ndarray
            ``int64`` codes ``r << 16 | g << 8 | b``.

        Returns
        -------
        positions, distances : numpy.ndarray
        """
        return kernel.nearest_on_table(
            np.asarray(codes, dtype=np.int64),
            kernel.SRGB_LINEAR,
            self._table,
            self._positions,
            self.colorbar.discrete,
            GROUP_SIZE,
            self._centres,
            self._radii,
        )

    @property
    def n_solved(self) -> int:
        """How many distinct colours the memo holds (scans the memo)."""
        return int(np.count_nonzero(self._memo))


def _zeroed_memo() -> np.ndarray:
    """A zero-filled ``uint64`` array, one word per colour, lazily backed.

    An anonymous memory map rather than ``np.zeros``: NumPy asks for huge
    pages on large arrays, and then every colour met first-touches (and
    zeroes) 2 MiB instead of 4 KiB, which costs more than the whole solve.
    """
    buffer = mmap.mmap(-1, kernel.N_CODES * 8)
    return np.frombuffer(buffer, dtype=np.uint64)


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


_CACHE: OrderedDict[str, ColorLookup] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def lookup_for(colorbar: Colorbar) -> ColorLookup:
    """The process-wide memo for ``colorbar``; the least recent of a few is dropped.

    Parameters
    ----------
    colorbar : Colorbar

    Returns
    -------
    ColorLookup
    """
    key = colorbar.key
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = ColorLookup(colorbar)
            _CACHE[key] = found
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        _CACHE.move_to_end(key)
        return found


def clear_cache() -> None:
    """Forget every memo (frees their memory)."""
    with _CACHE_LOCK:
        _CACHE.clear()
