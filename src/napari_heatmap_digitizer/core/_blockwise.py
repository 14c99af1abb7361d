"""The kernel mapped over dask arrays, block by block.

:func:`digitize_blocks` maps the nearest-colour kernel over a dask array with
``map_blocks`` (the colour axis whole, no overlap: every pixel is independent),
so nothing is computed until asked and any chunking gives the same numbers as
the in-memory path. The per-colour memo of a colour bar is shared by every
block a process computes.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._errors import DigitizerError, real, wrong
from napari_heatmap_digitizer.core._lookup import lookup_for
from napari_heatmap_digitizer.core._read import as_rgb8, float_top

#: and some Numba threading layers (workqueue) must not be entered from two
#: threads at once. Reading, decoding and writing chunks still overlap it.
_KERNEL_LOCK = threading.Lock()


def digitize_blocks(
    image: Any,
    colorbar: Colorbar,
    max_distance: float,
    *,
    nodata: Any = None,
    top: float | None = None,
) -> tuple[Any, Any]:
    """Value and ΔE arrays of a dask image, computed block by block on demand.

    Parameters
    ----------
    image : dask.array.Array
        ``(rows, cols)`` grey or ``(rows, cols, 1-4)`` pixels of any type that
        :func:`~napari_heatmap_digitizer.core._read.as_rgb8` accepts. Row and
        column chunks are kept; the colour axis is made one chunk.
    colorbar : Colorbar
    max_distance : float
        ΔE tolerance; colours farther away get NaN.
    nodata : array_like, optional
        ``(rows, cols)`` bool, ``True`` for pixels to leave out.
    top : float, optional
        Float pixel value shown as full intensity (default: from ``image``).

    Returns
    -------
    values, distance : dask.array.Array
        ``(rows, cols)`` ``float32``, chunked as ``image``.

    Raises
    ------
    DigitizerError
        If ``image`` is not a 2-D grey/RGB/RGBA dask array, ``colorbar`` not a
        :class:`Colorbar`, ``max_distance`` not a number, or the mask's shape
        differs from the image's.
    """
    import dask.array as da

    if not (is_dask_collection(image) and hasattr(image, "ndim")):
        raise wrong("image", "a dask array (use digitize for NumPy arrays)", image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] > 4):
        raise DigitizerError(
            f"image has shape {image.shape}; expected a 2-D grey, RGB or RGBA image"
        )
    if not isinstance(colorbar, Colorbar):
        raise wrong("colorbar", "a Colorbar", colorbar)
    max_distance = real(max_distance, "max_distance", finite=True)
    from dask.base import tokenize

    if image.ndim == 2:
        image = image[..., None]
    image = image.rechunk({2: -1})
    if top is None:
        top = float_top(image)
    arrays = [image]
    if nodata is not None:
        mask = (
            nodata
            if is_dask_collection(nodata)
            else da.from_array(np.asarray(nodata, bool))
        )
        if mask.shape != image.shape[:2]:
            raise DigitizerError(
                f"no-data mask has shape {mask.shape}, the image {image.shape[:2]}"
            )
        arrays.append(mask.astype(bool).rechunk(image.chunks[:2])[..., None])
    name = "digitize-" + tokenize(
        *(a.name for a in arrays), colorbar.key, float(max_distance), top
    )
    both = da.map_blocks(
        _digitize_block,
        *arrays,
        colorbar=colorbar,
        max_distance=float(max_distance),
        top=top,
        dtype=np.float32,
        chunks=(image.chunks[0], image.chunks[1], (2,)),
        name=name,
        meta=np.empty((0, 0, 0), np.float32),
    )
    return both[..., 0], both[..., 1]


def _digitize_block(
    block: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    colorbar: Colorbar,
    max_distance: float,
    top: float,
) -> np.ndarray:
    """One block: ``(rows, cols, 2)`` value and ΔE."""
    rows, cols = block.shape[:2]
    out = np.empty((rows, cols, 2), np.float32)
    if rows == 0 or cols == 0:
        return out
    rgb, transparent = as_rgb8(block, top=top)
    nodata = transparent
    if mask is not None:
        nodata = mask[..., 0] if nodata is None else (mask[..., 0] | nodata)
    values = np.empty((rows, cols), np.float32)
    distance = np.empty((rows, cols), np.float32)
    lookup = lookup_for(colorbar)
    with _KERNEL_LOCK:
        lookup.digitize(rgb, nodata, max_distance, values, distance)
    out[..., 0] = values
    out[..., 1] = distance
    return out


def transparent_mask(image: Any) -> Any:
    """``True`` where a dask image is fully transparent, or ``None`` without alpha.

    Parameters
    ----------
    image : dask.array.Array

    Returns
    -------
    dask.array.Array or None
    """
    if image.ndim == 3 and image.shape[2] in (2, 4):
        return image[..., -1] == 0
    return None
