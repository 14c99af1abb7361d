"""Digitize panels of a figure through a colour bar."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._blockwise import digitize_blocks, transparent_mask
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._errors import (
    DigitizerError,
    path_or_array,
    real,
    wrong,
)
from napari_heatmap_digitizer.core._lookup import lookup_for
from napari_heatmap_digitizer.core._read import (
    as_rgb8,
    float_top,
    load_image,
)
from napari_heatmap_digitizer.core._result import Result

#: Default colour tolerance (ΔE, CIE76): JPEG noise stays well inside it,
#: while text, grid lines and backgrounds usually lie far outside.
DEFAULT_MAX_DISTANCE = 12.0

#: Pixels per block; progress is reported and cancellation checked per block.
BLOCK_PIXELS = 1 << 22

Progress = Callable[[float], None]


def digitize(
    image: np.ndarray | str | os.PathLike[str],
    colorbar: Colorbar,
    box: Box | Sequence[float] | str | None = None,
    *,
    max_distance: float = DEFAULT_MAX_DISTANCE,
    extent: Extent | Sequence[float] | None = None,
    nodata: np.ndarray | None = None,
    progress: Progress | None = None,
) -> Result:
    """Turn the pixels of one panel into values.

    Every distinct colour is matched once to the nearest point of the colour
    bar's table in CIELAB (interpolating between neighbouring entries of a
    continuous bar); pixels then take their colour's value.

    Parameters
    ----------
    image : numpy.ndarray, dask.array.Array or path
        The whole figure (grey, RGB or RGBA array) or its file. A dask array
        gives a lazy result (see Returns).
    colorbar : Colorbar
        The colour bar the panel was drawn with.
    box : Box, str or sequence of 4 numbers, optional
        The panel, ``LEFT, TOP, RIGHT, BOTTOM`` in pixels. Default: the whole
        image.
    max_distance : float
        Colours farther than this ΔE from every colour-bar colour get NaN.
    extent : Extent or sequence of 4 numbers, optional
        Data values ``xmin, xmax, ymin, ymax`` at the panel's edges.
    nodata : numpy.ndarray, optional
        ``(rows, cols)`` of the whole figure, ``True`` for pixels to leave out
        (NaN), in addition to fully transparent ones.
    progress : callable, optional
        Called with the finished fraction (0-1) after each block of rows. It
        may raise to cancel.

    Returns
    -------
    Result
        For a dask ``image``, ``values``, ``distance`` and ``nodata`` are dask
        arrays chunked as the image: nothing is computed until they are
        (``Result.compute()``, ``numpy.asarray``, or writing them with
        :func:`~napari_heatmap_digitizer.core._write.write_result`), and the
        numbers are the same as for the in-memory figure. ``progress`` is not
        called then.

    Raises
    ------
    DigitizerError
        If an argument is of the wrong kind (the message says what to pass),
        the image cannot be read, or the box or tolerance is invalid.

    Examples
    --------
    >>> from napari_heatmap_digitizer import Colorbar, digitize
    >>> from napari_heatmap_digitizer.data import load_sample
    >>> s = load_sample("single")
    >>> bar = Colorbar.from_image(s.image, s.recipe.colorbar.box, vmin=-2, vmax=3)
    >>> result = digitize(s.image, bar, s.recipe.panels[0].box)
    >>> result.values.shape == s.recipe.panels[0].box.shape
    True
    """
    check_entry(image, colorbar, nodata, progress)
    if is_dask_collection(image):
        return digitize_lazy(
            image,
            colorbar,
            box,
            max_distance=max_distance,
            extent=extent,
            nodata=nodata,
        )
    steps = digitize_steps(
        image, colorbar, box, max_distance=max_distance, extent=extent, nodata=nodata
    )
    return drive(steps, progress)


def digitize_lazy(
    image: Any,
    colorbar: Colorbar,
    box: Box | Sequence[float] | str | None = None,
    *,
    max_distance: float = DEFAULT_MAX_DISTANCE,
    extent: Extent | Sequence[float] | None = None,
    nodata: Any = None,
    top: float | None = None,
) -> Result:
    """:func:`digitize` of a dask array: a result of dask arrays.

    Parameters
    ----------
    image : dask.array.Array
        The whole figure.
    colorbar, box, max_distance, extent, nodata
        As for :func:`digitize`.
    top : float, optional
        Float pixel value shown as full intensity (default: from ``image``).

    Returns
    -------
    Result
        ``values``, ``distance`` and ``nodata`` are dask arrays.
    """
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] > 4):
        raise DigitizerError(
            f"image has shape {image.shape}; expected a 2-D grey, RGB or RGBA image"
        )
    box, max_distance, extent = _check_args(image.shape, box, max_distance, extent)
    if top is None:
        top = float_top(image)
    crop = image[box.slices]
    mask = None
    if nodata is not None:
        if tuple(nodata.shape) != tuple(image.shape[:2]):
            raise DigitizerError(
                f"no-data mask has shape {nodata.shape}, the image {image.shape[:2]}"
            )
        mask = nodata[box.slices]
    values, distance = digitize_blocks(
        crop, colorbar, max_distance, nodata=mask, top=top
    )
    transparent = transparent_mask(crop)
    if mask is not None:
        import dask.array as da

        mask = da.asarray(mask).astype(bool)
        mask = mask if transparent is None else (mask | transparent)
    else:
        mask = transparent
    return Result(
        values=values,
        distance=distance,
        box=box,
        colorbar=colorbar,
        max_distance=max_distance,
        extent=extent,
        nodata=mask,
    )


def check_entry(
    image: Any, colorbar: Any, nodata: Any = None, progress: Any = None
) -> None:
    """Refuse arguments of :func:`digitize` of the wrong kind, saying what to pass.

    Parameters
    ----------
    image, colorbar, nodata, progress
        As for :func:`digitize`.

    Raises
    ------
    DigitizerError
        If one is of the wrong kind.
    """
    path_or_array(image, "image")
    if not isinstance(colorbar, Colorbar):
        raise wrong(
            "colorbar", "a Colorbar (Colorbar.from_image or .from_name)", colorbar
        )
    if nodata is not None and not hasattr(nodata, "shape"):
        raise wrong("nodata", "a boolean array (rows, cols) of the figure", nodata)
    if progress is not None and not callable(progress):
        raise wrong("progress", "a function of the finished fraction", progress)


def _check_args(
    shape: tuple[int, ...],
    box: Box | Sequence[float] | str | None,
    max_distance: float,
    extent: Extent | Sequence[float] | None,
) -> tuple[Box, float, Extent | None]:
    """The plot box (default: the whole image), tolerance and extent, checked."""
    if box is None:
        box = Box(0, 0, shape[1], shape[0])
    box = Box.parse(box, what="plot box").check_inside(shape, what="plot box")
    max_distance = real(max_distance, "max_distance")
    if not max_distance > 0:
        raise DigitizerError(f"max distance must be a positive ΔE, got {max_distance}")
    if extent is not None and not isinstance(extent, Extent):
        extent = Extent.parse(extent)
    return box, max_distance, extent


T = TypeVar("T")


def drive(steps: Generator[float, None, T], progress: Progress | None = None) -> T:
    """Run a step generator to its end, reporting each fraction to ``progress``.

    Parameters
    ----------
    steps : generator
        Yields finished fractions and returns the result.
    progress : callable, optional
        Called with each fraction; may raise to cancel.

    Returns
    -------
    The generator's return value.
    """
    while True:
        try:
            fraction = next(steps)
        except StopIteration as done:
            return done.value
        if progress is not None:
            progress(fraction)


def digitize_steps(
    image: np.ndarray | str | os.PathLike[str],
    colorbar: Colorbar,
    box: Box | Sequence[float] | str | None = None,
    *,
    max_distance: float = DEFAULT_MAX_DISTANCE,
    extent: Extent | Sequence[float] | None = None,
    nodata: np.ndarray | None = None,
) -> Generator[float, None, Result]:
    """:func:`digitize` as a generator, for workers that report progress.

    Yields the finished fraction (0-1) after each block of rows and returns
    the :class:`Result` (``StopIteration.value``; ``yield from`` gives it).
    Stopping the generator early cancels the work. Input is checked before
    the first yield.

    Parameters
    ----------
    image, colorbar, box, max_distance, extent, nodata
        As for :func:`digitize`.

    Yields
    ------
    float
        Finished fraction.

    Returns
    -------
    Result
    """
    crop, mask, box, max_distance, extent = _prepare(
        image, box, max_distance, extent, nodata
    )
    return (yield from _steps(crop, mask, box, colorbar, max_distance, extent))


def _steps(
    crop: np.ndarray,
    mask: np.ndarray | None,
    box: Box,
    colorbar: Colorbar,
    max_distance: float,
    extent: Extent | None,
) -> Generator[float, None, Result]:
    values = np.empty(box.shape, dtype=np.float32)
    distance = np.empty(box.shape, dtype=np.float32)
    lookup = lookup_for(colorbar)
    rows, cols = crop.shape[:2]
    step = max(1, BLOCK_PIXELS // max(cols, 1))
    for top in range(0, rows, step):
        sl = slice(top, min(rows, top + step))
        block_mask = None if mask is None else mask[sl]
        lookup.digitize(crop[sl], block_mask, max_distance, values[sl], distance[sl])
        yield min(rows, top + step) / rows
    return Result(
        values=values,
        distance=distance,
        box=box,
        colorbar=colorbar,
        max_distance=max_distance,
        extent=extent,
        nodata=None if mask is None else mask.copy(),
    )


def _prepare(
    image: np.ndarray | str | os.PathLike[str],
    box: Box | Sequence[float] | str | None,
    max_distance: float,
    extent: Extent | Sequence[float] | None,
    nodata: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray | None, Box, float, Extent | None]:
    """Check the input; crop the figure (and no-data mask) to the box."""
    if isinstance(image, (str, os.PathLike)):
        image = load_image(image)
    rgb, transparent = as_rgb8(image)
    if nodata is not None:
        nodata = np.asarray(nodata, dtype=bool)
        if nodata.shape != rgb.shape[:2]:
            raise DigitizerError(
                f"no-data mask has shape {nodata.shape}, the image {rgb.shape[:2]}"
            )
        if transparent is not None:
            nodata = nodata | transparent
    else:
        nodata = transparent
    box, max_distance, extent = _check_args(rgb.shape, box, max_distance, extent)
    mask = None if nodata is None else nodata[box.slices]
    return rgb[box.slices], mask, box, max_distance, extent
