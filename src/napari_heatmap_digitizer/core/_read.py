"""Reading figures from files and bringing any pixel array to 8-bit RGB.

Everything downstream works on ``(rows, cols, 3)`` ``uint8`` RGB plus an
optional boolean *no-data* mask (fully transparent pixels). This module is the
only place that knows about file formats, bit depths and alpha.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._errors import DigitizerError

#: Tile edge of the TIFF files written band by band, and row multiple of chunks.
TILE = 256

#: File name endings :func:`load_image` reads.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif")


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
        palette and 16-bit images are converted; the EXIF orientation is
        applied so that the array looks like the picture a viewer shows.

    Raises
    ------
    DigitizerError
        If the file is missing, unreadable or not an image.

    Examples
    --------
    >>> from napari_heatmap_digitizer import load_image
    >>> from napari_heatmap_digitizer.data import sample_path
    >>> load_image(sample_path("single")).shape[2]
    3
    """
    path = Path(path)
    if not path.exists():
        raise DigitizerError(f"image file {str(path)!r} does not exist")
    if path.suffix.lower() == ".zarr" or (path / "zarr.json").exists():
        return _to_rgb_or_rgba8(
            open_lazy(path).compute(scheduler="threads"), source=str(path)
        )
    if path.is_dir():
        raise DigitizerError(f"{str(path)!r} is a folder, not an image file")
    if path.suffix.lower() in (".tif", ".tiff"):
        array = _read_tiff(path)
    else:
        array = _read_with_pillow(path)
    return _to_rgb_or_rgba8(array, source=str(path))


def _read_tiff(path: Path) -> np.ndarray:
    import tifffile

    try:
        array = np.asarray(tifffile.imread(path, key=0))
        if array.ndim == 3 and array.shape[0] in (3, 4) and array.shape[2] > 4:
            array = np.moveaxis(array, 0, -1)  # planar (channels first) TIFF
        return array
    except Exception:
        # Some TIFF flavours (e.g. JPEG-compressed, odd photometrics) are
        # better handled by Pillow; fall back before giving up.
        return _read_with_pillow(path)


def _read_with_pillow(path: Path) -> np.ndarray:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            if im.mode in ("P", "PA", "CMYK", "YCbCr", "LAB", "HSV", "1"):
                has_alpha = im.mode == "PA" or "transparency" in im.info
                im = im.convert("RGBA" if has_alpha else "RGB")
            return np.asarray(im)
    except UnidentifiedImageError:
        raise DigitizerError(
            f"{str(path)!r} is not an image this program can read "
            "(use PNG, JPEG, TIFF, BMP or WebP)"
        ) from None
    except OSError as exc:
        raise DigitizerError(f"cannot read image {str(path)!r}: {exc}") from None


def _to_rgb_or_rgba8(
    array: np.ndarray, *, source: str = "image", top: float | None = None
) -> np.ndarray:
    """Bring grey/16-bit/float arrays to ``uint8`` RGB(A), keeping alpha.

    ``top`` is the float value that becomes 255 (see :func:`float_top`); by
    default it is decided from ``array`` itself.
    """
    array = np.asarray(array)
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3 or array.shape[2] not in (1, 2, 3, 4):
        raise DigitizerError(
            f"{source} has shape {array.shape}; expected a 2-D grey, RGB or RGBA image"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise DigitizerError(f"{source} is empty (shape {array.shape})")
    array = _to_uint8(array, source=source, top=top)
    channels = array.shape[2]
    if channels == 1:
        return np.repeat(array, 3, axis=2)
    if channels == 2:  # grey + alpha
        return np.concatenate([np.repeat(array[..., :1], 3, axis=2), array[..., 1:]], 2)
    return np.ascontiguousarray(array)


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
        finite = np.asarray(array)[np.isfinite(array)]
        biggest = float(finite.max()) if finite.size else 0.0
    return 255.0 if biggest > 1.0 else 1.0


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
    rgb, alpha = array[..., :3], array[..., 3]
    nodata = alpha == 0
    if np.all(alpha == 255):
        return np.ascontiguousarray(rgb), None
    a = alpha[..., None].astype(np.float32) / 255.0
    blended = np.rint(rgb * a + 255.0 * (1.0 - a)).astype(np.uint8)
    return blended, (nodata if nodata.any() else None)


#: Pixels per block when this module chooses the chunks of a file.
CHUNK_PIXELS = 1 << 22

#: TIFF figures with more pixels than this are read chunk by chunk by default.
STREAM_PIXELS = 1 << 28


def is_zarr(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a Zarr array or group (a folder)."""
    path = Path(path)
    if path.suffix.lower() == ".zarr":
        return True
    return path.is_dir() and any(
        (path / f).exists() for f in ("zarr.json", ".zarray", ".zgroup")
    )


def figure_pixels(path: str | os.PathLike[str]) -> int | None:
    """Pixels of a TIFF or Zarr figure read from its header; ``None`` otherwise."""
    path = Path(path)
    if path.suffix.lower() not in (".tif", ".tiff") and not is_zarr(path):
        return None
    try:
        shape = open_lazy(path).shape
    except DigitizerError:
        return None
    return int(shape[0]) * int(shape[1])


def open_lazy(path: str | os.PathLike[str]) -> Any:
    """Open a TIFF or Zarr figure as a dask array without reading its pixels.

    Tiled and striped TIFFs are read through tifffile's Zarr view, one tile
    or strip group per chunk; uncompressed contiguous ones row band by row
    band. Chunks hold about :data:`CHUNK_PIXELS` pixels and whole colours.

    Parameters
    ----------
    path : str or path-like
        ``.tif``/``.tiff`` file, or ``.zarr`` folder holding an array (or a
        group with an array ``0``, as OME-Zarr's full resolution).

    Returns
    -------
    dask.array.Array
        ``(rows, cols)`` or ``(rows, cols, channels)``.

    Raises
    ------
    DigitizerError
        If the file is missing, unreadable or of another format.
    """
    import dask.array as da

    path = Path(path)
    if not path.exists():
        raise DigitizerError(f"image file {str(path)!r} does not exist")
    if is_zarr(path):
        array = da.from_zarr(_zarr_array(path))
    elif path.suffix.lower() in (".tif", ".tiff"):
        array = _tiff_lazy(path)
    else:
        raise DigitizerError(
            f"{str(path)!r}: only TIFF and Zarr figures can be read chunk by chunk "
            "(convert it to a tiled TIFF, or leave out --stream)"
        )
    if array.ndim == 3 and array.shape[0] in (3, 4) and array.shape[2] > 4:
        array = da.moveaxis(array, 0, -1)  # planar (channels first)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] > 4):
        raise DigitizerError(
            f"{str(path)!r} holds an array of shape {array.shape}; expected a 2-D "
            "grey, RGB or RGBA image"
        )
    return array.rechunk(_chunks(array))


def _chunks(array: Any) -> tuple[Any, ...]:
    """Chunks of about :data:`CHUNK_PIXELS` aligned to the stored ones.

    Short and wide: about :data:`TILE` to 2 x :data:`TILE` rows, so that
    bands of rows (see :func:`bands`) stay small on wide figures.
    """
    rows, cols = array.shape[:2]
    stored_r, stored_c = array.chunks[0][0], array.chunks[1][0]
    r = stored_r * max(1, -(-TILE // stored_r))
    c = stored_c * max(1, CHUNK_PIXELS // max(r, 1) // stored_c)
    return (min(r, rows), min(c, cols)) + ((-1,) if array.ndim == 3 else ())


def _zarr_array(path: Path) -> Any:
    import zarr

    try:
        node = zarr.open(str(path), mode="r")
    except Exception as exc:
        raise DigitizerError(f"cannot read Zarr {str(path)!r}: {exc}") from None
    if hasattr(node, "shape"):
        return node
    names = sorted(k for k, _ in node.arrays())
    if "0" in names:
        return node["0"]
    if len(names) == 1:
        return node[names[0]]
    raise DigitizerError(
        f"Zarr group {str(path)!r} holds arrays {names}; name one: "
        f"{path!s}/{names[0] if names else 'ARRAY'}"
    )


class _Rows:
    """Rows of an uncompressed contiguous TIFF, read on demand (picklable)."""

    def __init__(self, path: Path, offset: int, shape: tuple[int, ...], dtype: Any):
        self.path, self.offset = str(path), int(offset)
        self.shape, self.dtype, self.ndim = tuple(shape), np.dtype(dtype), len(shape)

    def __getitem__(self, key: tuple[slice, ...]) -> np.ndarray:
        rows = key[0]
        start, stop, _ = rows.indices(self.shape[0])
        row_items = int(np.prod(self.shape[1:]))
        data = np.fromfile(
            self.path,
            dtype=self.dtype,
            count=(stop - start) * row_items,
            offset=self.offset + start * row_items * self.dtype.itemsize,
        ).reshape((stop - start, *self.shape[1:]))
        index = (slice(None), *key[1:])
        return data[index]


def _tiff_lazy(path: Path) -> Any:
    import dask.array as da
    import tifffile
    import zarr

    try:
        with tifffile.TiffFile(path) as tf:
            series = tf.series[0]
            page = series.levels[0].pages[0] if series.levels else tf.pages[0]
            if (
                len(series.pages) == 1
                and page.is_contiguous
                and page.compression == 1
                and page.planarconfig == 1
            ):
                shape = tuple(series.shape)
                offset = page.dataoffsets[0]
                dtype = series.dtype.newbyteorder(tf.byteorder)
                reader = _Rows(path, offset, shape, dtype)
                rows = max(1, CHUNK_PIXELS // max(shape[1], 1))
                return da.from_array(reader, chunks=(rows, *shape[1:]), asarray=True)
        store = tifffile.imread(path, aszarr=True, series=0, level=0)
        return da.from_zarr(zarr.open(store, mode="r"))
    except DigitizerError:
        raise
    except Exception as exc:
        raise DigitizerError(f"cannot read TIFF {str(path)!r}: {exc}") from None


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
