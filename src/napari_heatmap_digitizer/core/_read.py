"""Reading figures from files and bringing any pixel array to 8-bit RGB.

Everything downstream works on ``(rows, cols, 3)`` ``uint8`` RGB plus an
optional boolean *no-data* mask (fully transparent pixels). This module and
:mod:`._lazy` are the only places that know about file formats, bit depths
and alpha.

Conversion to 8 bits goes band of rows by band of rows, reading only those
rows of a TIFF or Zarr file: the peak memory is the 8-bit result plus one
band, whatever the figure's bit depth. A figure held whole in memory may have
at most :func:`~._lazy.max_pixels` pixels (``HEATMAP_DIGITIZER_MAX_PIXELS``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._errors import DigitizerError, file_path, wrong
from napari_heatmap_digitizer.core._lazy import CHUNK_PIXELS as CHUNK_PIXELS
from napari_heatmap_digitizer.core._lazy import MAX_PIXELS_ENV as MAX_PIXELS_ENV
from napari_heatmap_digitizer.core._lazy import STREAM_PIXELS as STREAM_PIXELS
from napari_heatmap_digitizer.core._lazy import TILE as TILE
from napari_heatmap_digitizer.core._lazy import (
    DecodeError,
    check_file,
    check_pixels,
    figure_pixels,
    one_line,
    open_lazy,
    tiff_rows,
)
from napari_heatmap_digitizer.core._lazy import is_zarr as is_zarr
from napari_heatmap_digitizer.core._lazy import max_pixels as max_pixels

#: File name endings :func:`load_image` reads.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif")

#: Pixels per band of rows converted at a time.
BAND_PIXELS = 1 << 20

#: Pillow's own size check is switched off while it reads (this module checks
#: the size against the pixel limit itself, without warnings); the lock keeps
#: two threads from restoring it out of order.
_PILLOW = threading.Lock()


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a figure from an image file.

    Parameters
    ----------
    path : str or path-like
        A PNG, JPEG, TIFF, BMP, WebP or GIF file, or a Zarr array (folder).

    Returns
    -------
    numpy.ndarray
        ``(rows, cols, 3)`` RGB or ``(rows, cols, 4)`` RGBA, ``uint8``. Grey,
        palette and 16-bit images are converted (band by band, so memory
        peaks at the result plus one band); the EXIF orientation is applied so
        that the array looks like the picture a viewer shows.

    Raises
    ------
    DigitizerError
        If the file is missing, not a regular file (a FIFO, a device),
        unreadable, damaged, not an image, or larger than the pixel limit
        (default 2**30 pixels; ``HEATMAP_DIGITIZER_MAX_PIXELS`` raises it).

    Examples
    --------
    >>> from napari_heatmap_digitizer import load_image
    >>> from napari_heatmap_digitizer.data import sample_path
    >>> load_image(sample_path("single")).shape[2]
    3
    """
    path = file_path(path)
    check_file(path)
    if path.suffix.lower() == ".zarr" or (path / "zarr.json").exists():
        lazy = open_lazy(path)
        check_pixels(lazy.shape, repr(str(path)))
        return _to_rgb_or_rgba8(lazy, source=str(path))
    if path.is_dir():
        raise DigitizerError(f"{str(path)!r} is a folder, not an image file")
    if path.suffix.lower() in (".tif", ".tiff"):
        return _read_tiff(path)
    return _to_rgb_or_rgba8(_read_with_pillow(path), source=str(path))


def _read_tiff(path: Path) -> np.ndarray:
    try:
        rows = tiff_rows(path)
    except DigitizerError:
        raise
    except Exception:
        # Some TIFF flavours (e.g. JPEG-compressed, odd photometrics) are
        # better handled by Pillow; fall back before giving up.
        return _to_rgb_or_rgba8(_read_with_pillow(path), source=str(path))
    try:
        return _to_rgb_or_rgba8(rows, source=str(path))
    except DecodeError as exc:
        try:
            array = _read_with_pillow(path)
        except DigitizerError:
            raise exc from None
        return _to_rgb_or_rgba8(array, source=str(path))
    finally:
        rows.close()


def _read_with_pillow(path: Path) -> np.ndarray:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with _PILLOW:
            saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                with Image.open(path) as im:
                    check_pixels((im.height, im.width), repr(str(path)))
                    im = ImageOps.exif_transpose(im)
                    if im.mode in ("P", "PA", "CMYK", "YCbCr", "LAB", "HSV", "1"):
                        has_alpha = im.mode == "PA" or "transparency" in im.info
                        im = im.convert("RGBA" if has_alpha else "RGB")
                    return np.asarray(im)
            finally:
                Image.MAX_IMAGE_PIXELS = saved
    except UnidentifiedImageError:
        raise DigitizerError(
            f"{str(path)!r} is not an image this program can read "
            "(use PNG, JPEG, TIFF, BMP or WebP)"
        ) from None
    except DigitizerError:
        raise
    except MemoryError:
        raise DigitizerError(
            f"not enough memory to read {str(path)!r}; convert it to a tiled "
            "TIFF and read it chunk by chunk (--stream)"
        ) from None
    except Exception as exc:
        raise DigitizerError(
            f"cannot read image {str(path)!r} (damaged or truncated?): {one_line(exc)}"
        ) from None


def _rows_of(array: Any) -> Any:
    """``array`` itself when it can be sliced by rows, else as a NumPy array."""
    if isinstance(array, np.ndarray) or is_dask_collection(array):
        return array
    if all(hasattr(array, a) for a in ("shape", "dtype", "ndim", "__getitem__")):
        return array
    return np.asarray(array)


def _band(array: Any, start: int, stop: int) -> np.ndarray:
    part = array[start:stop]
    if is_dask_collection(part):
        part = part.compute(scheduler="threads")
    part = np.asarray(part)
    return part[..., None] if part.ndim == 2 else part


def _band_rows(array: Any) -> int:
    """Rows per band: about :data:`BAND_PIXELS`, whole stored chunks."""
    rows, cols = int(array.shape[0]), int(array.shape[1])
    chunks: Any = getattr(array, "chunks", None)
    stored = TILE
    if chunks is not None and len(chunks) and not is_dask_collection(array):
        first: Any = chunks[0]
        stored = max(1, int(first[0] if isinstance(first, tuple) else first))
    want = max(1, BAND_PIXELS // max(cols, 1))
    return min(rows, max(stored, want // stored * stored))


def _to_rgb_or_rgba8(
    array: Any, *, source: str = "image", top: float | None = None
) -> np.ndarray:
    """Bring grey/16-bit/float arrays to ``uint8`` RGB(A), keeping alpha.

    ``top`` is the float value that becomes 255 (see :func:`float_top`); by
    default it is decided from ``array`` itself. ``array`` may be a NumPy or
    dask array or a row reader of a file; it is converted band by band.
    """
    array = _rows_of(array)
    shape = tuple(int(n) for n in array.shape)
    if len(shape) == 2:
        shape = (*shape, 1)
    if len(shape) != 3 or shape[2] not in (1, 2, 3, 4):
        raise DigitizerError(
            f"{source} has shape {tuple(array.shape)}; expected a 2-D grey, RGB or "
            "RGBA image"
        )
    if shape[0] == 0 or shape[1] == 0:
        raise DigitizerError(f"{source} is empty (shape {tuple(array.shape)})")
    if is_dask_collection(array):
        check_pixels(shape, source)
    channels = shape[2]
    if isinstance(array, np.ndarray) and array.dtype == np.uint8 and channels > 2:
        return np.ascontiguousarray(array)
    _check_dtype(np.dtype(array.dtype), source)
    if top is None and np.issubdtype(array.dtype, np.floating):
        top = float_top(array)
    out = np.empty((*shape[:2], 3 if channels in (1, 3) else 4), np.uint8)
    step = _band_rows(array)
    for start in range(0, shape[0], step):
        stop = min(start + step, shape[0])
        band = _to_uint8(_band(array, start, stop), source=source, top=top)
        if channels == 2:  # grey + alpha
            out[start:stop, :, :3] = band[..., :1]
            out[start:stop, :, 3] = band[..., 1]
        else:
            out[start:stop] = band
    return out


def _check_dtype(dtype: np.dtype, source: str) -> None:
    if dtype.kind == "b" or dtype == np.uint8:
        return
    if np.issubdtype(dtype, np.integer):
        if np.iinfo(dtype).min < 0:
            raise DigitizerError(f"{source} has signed integer pixels; save it as PNG")
        return
    if not np.issubdtype(dtype, np.floating):
        raise DigitizerError(f"{source} has pixels of type {dtype}; save it as PNG")


def _to_uint8(
    array: np.ndarray, *, source: str, top: float | None = None
) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        if info.min < 0:
            raise DigitizerError(f"{source} has signed integer pixels; save it as PNG")
        top = 65535 if info.max >= 65535 else info.max
        scaled = np.clip(array.astype(np.float64), 0, top) * (255.0 / top)
        return np.rint(scaled).astype(np.uint8)
    if np.issubdtype(array.dtype, np.floating):
        if top is None:
            top = float_top(array)
        scaled = np.nan_to_num(array, nan=0.0).clip(0, top) * (255.0 / top)
        return np.rint(scaled).astype(np.uint8)
    raise DigitizerError(f"{source} has pixels of type {array.dtype}; save it as PNG")


def float_top(array: Any) -> float:
    """The float pixel value shown as full intensity: 255 or 1.

    Float figures hold 0-1 or 0-255; which one is decided from the whole
    image (its largest finite value), never from a part of it, so that a crop
    or a chunk is scaled as the whole figure is.

    Parameters
    ----------
    array : numpy.ndarray or dask.array.Array
        The figure (any dtype).

    Returns
    -------
    float
        1.0 for non-float arrays.
    """
    if not np.issubdtype(array.dtype, np.floating):
        return 1.0
    if is_dask_collection(array):
        import dask.array as da

        biggest = float(
            da.nanmax(da.where(da.isinf(array), np.nan, array)).compute(
                scheduler="threads"
            )
        )
    else:
        array = _rows_of(array)
        biggest = -np.inf
        for band in _float_bands(array):
            finite = band[np.isfinite(band)]
            if finite.size:
                biggest = max(biggest, float(finite.max()))
    return 255.0 if biggest > 1.0 else 1.0


def _float_bands(array: Any) -> Any:
    if array.ndim < 2:
        yield np.asarray(array)
        return
    step = _band_rows(array)
    for start in range(0, int(array.shape[0]), step):
        yield np.asarray(array[start : start + step])


def whole_figure(image: Any, who: str, *, draw: str) -> None:
    """Refuse what cannot be worked on whole in memory, saying what to pass.

    Parameters
    ----------
    image : object
        Should be a NumPy or dask array (or another array with ``shape``,
        ``dtype`` and ``ndim``) of a grey, RGB or RGBA figure, within the
        pixel limit.
    who : str
        The function's name, for the message.
    draw : str
        What to do instead with a figure over the limit.

    Raises
    ------
    DigitizerError
    """
    if isinstance(image, (str, os.PathLike)):
        raise DigitizerError(
            f"{who} needs the figure's pixels, not a file name: pass load_image(path)"
        )
    if not all(hasattr(image, a) for a in ("shape", "dtype", "ndim")):
        raise DigitizerError(
            f"{who} needs the figure as an array of pixels (NumPy or dask, rows x "
            f"cols [x 3 or 4]), not {type(image).__name__}; read a file with "
            "load_image(path)"
        )
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] > 4):
        raise DigitizerError(
            f"{who} needs a 2-D grey, RGB or RGBA image; got shape {image.shape}"
        )
    lazy = " loads the figure whole:" if is_dask_collection(image) else ":"
    check_pixels(
        image.shape,
        "the figure",
        why=f"{who}{lazy} {draw} (or raise {MAX_PIXELS_ENV} if memory allows)",
    )


def crop_rgb8(image: Any, box: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`as_rgb8` of the part of ``image`` inside ``box`` only.

    Only that part is read (and computed, for a dask array); float pixels are
    scaled as the whole figure would be.

    Parameters
    ----------
    image : numpy.ndarray or dask.array.Array
        The whole figure.
    box : Box
        Already checked to lie inside the image.

    Returns
    -------
    rgb, nodata
        As for :func:`as_rgb8`.
    """
    part = image[box.slices]
    if is_dask_collection(part):
        part = part.compute(scheduler="threads")
    return as_rgb8(part, top=float_top(image))


def as_rgb8(
    image: np.ndarray, *, top: float | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Split any image array into ``uint8`` RGB and a no-data mask.

    Parameters
    ----------
    image : numpy.ndarray
        Grey ``(rows, cols)``, RGB or RGBA ``(rows, cols, 3|4)``, of any
        unsigned integer or float type (floats in 0-1 or 0-255).
    top : float, optional
        For float pixels, the value shown as full intensity (default: decided
        from ``image``, see :func:`float_top`).

    Returns
    -------
    rgb : numpy.ndarray
        ``(rows, cols, 3)`` ``uint8``. Semi-transparent pixels are composited
        over white, as a viewer shows them.
    nodata : numpy.ndarray or None
        ``True`` where a pixel is fully transparent; ``None`` when no pixel is.

    Raises
    ------
    DigitizerError
        If the array is not an image.
    """
    array = _to_rgb_or_rgba8(image, top=top)
    if array.shape[2] == 3:
        return array, None
    rows = array.shape[0]
    rgb = np.empty((*array.shape[:2], 3), np.uint8)
    nodata = np.zeros(array.shape[:2], bool)
    step = _band_rows(array)
    for start in range(0, rows, step):
        part = array[start : start + step]
        alpha = part[..., 3]
        if np.all(alpha == 255):
            rgb[start : start + step] = part[..., :3]
            continue
        nodata[start : start + step] = alpha == 0
        a = alpha[..., None].astype(np.float32) / 255.0
        blended = np.rint(part[..., :3] * a + 255.0 * (1.0 - a))
        rgb[start : start + step] = blended.astype(np.uint8)
    return rgb, (nodata if nodata.any() else None)


def open_figure(path: str | os.PathLike[str], *, stream: bool | None = None) -> Any:
    """A figure file in memory, or as a dask array when it is too large.

    Parameters
    ----------
    path : str or path-like
    stream : bool, optional
        ``True``: read chunk by chunk (TIFF and Zarr only); ``False``: load it
        whole; ``None`` (default): chunk by chunk for Zarr, and for TIFF
        figures of more than :data:`~.chunked.STREAM_PIXELS` pixels.

    Returns
    -------
    numpy.ndarray or dask.array.Array

    Raises
    ------
    DigitizerError
    """
    if stream is not None and not isinstance(stream, bool):
        raise wrong("stream", "True, False or None", stream)
    path = file_path(path)
    return open_lazy(path) if streams(path, stream) else load_image(path)


def streams(path: str | os.PathLike[str], stream: bool | None = None) -> bool:
    """Whether :func:`open_figure` reads ``path`` chunk by chunk.

    Parameters
    ----------
    path : str or path-like
    stream : bool, optional
        As for :func:`open_figure`.

    Returns
    -------
    bool
    """
    if stream is not None:
        return stream
    return is_zarr(path) or (figure_pixels(path) or 0) > STREAM_PIXELS
