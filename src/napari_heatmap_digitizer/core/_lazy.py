"""Figure files before their pixels: checks, the pixel limit, lazy readers.

What can be decided from a file without reading its pixels lives here: that
it is a regular file (a FIFO or a device would block or never end), how many
pixels its header declares and whether that is within the pixel limit, and
whether the data its header promises is in the file at all. TIFF and Zarr
figures are opened as dask arrays (:func:`open_lazy`) and TIFF pages as
row-band readers (:func:`tiff_rows`), so that nothing here loads a figure
whole.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._errors import DigitizerError, file_path

#: Tile edge of the TIFF files written band by band, and row multiple of chunks.
TILE = 256

#: Pixels per block when this module chooses the chunks of a file.
CHUNK_PIXELS = 1 << 22

#: TIFF figures with more pixels than this are read chunk by chunk by default.
STREAM_PIXELS = 1 << 28

#: The environment variable that sets the pixel limit.
MAX_PIXELS_ENV = "HEATMAP_DIGITIZER_MAX_PIXELS"

#: Default pixel limit for a figure held whole in memory: 2**30 (1.07 Gpx).
#: As 8-bit RGB that is 3 GiB, and digitizing it adds 8 bytes per panel
#: pixel: the most a 16 GB workstation can still do in memory, four times the
#: size above which TIFF figures are streamed, while headers of impossible
#: sizes (a 100000 x 100000 PNG: 30 GB) are refused before anything is read.
DEFAULT_MAX_PIXELS = 1 << 30


def max_pixels() -> int:
    """The pixel limit for figures held whole in memory.

    Returns
    -------
    int
        ``HEATMAP_DIGITIZER_MAX_PIXELS`` when set (a whole number, ``2e9``
        and ``2_000_000_000`` are accepted), else :data:`DEFAULT_MAX_PIXELS`.

    Raises
    ------
    DigitizerError
        If the variable is set to something that is not a positive number.
    """
    text = os.environ.get(MAX_PIXELS_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_PIXELS
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        value = float("nan")
    if not (np.isfinite(value) and value >= 1):
        raise DigitizerError(
            f"{MAX_PIXELS_ENV} must be a positive number of pixels such as "
            f"2000000000, not {text!r}"
        )
    return int(value)


def check_pixels(shape: Any, source: str, *, why: str = "") -> None:
    """Refuse a figure of more pixels than :func:`max_pixels`.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols, ...)``.
    source : str
        How to name the figure in the message.
    why : str
        What to do instead, appended to the message; by default to raise the
        limit (and, for TIFF or Zarr, to stream the figure).

    Raises
    ------
    DigitizerError
    """
    rows, cols = int(shape[0]), int(shape[1])
    limit = max_pixels()
    if rows * cols <= limit:
        return
    why = why or (
        f"if the figure is real and fits in memory, set {MAX_PIXELS_ENV} higher, "
        "or read it chunk by chunk (--stream; for a PNG or JPEG, convert it to a "
        "tiled TIFF first)"
    )
    raise DigitizerError(
        f"{source} is {cols} x {rows} = {rows * cols:,} pixels, over the limit of "
        f"{limit:,} pixels for a figure in memory; {why}"
    )


def check_file(path: Path) -> None:
    """Refuse a path that is missing or neither a regular file nor a folder.

    A FIFO, socket or device is refused before it is opened: reading one
    would wait forever or never end.

    Raises
    ------
    DigitizerError
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DigitizerError(f"image file {str(path)!r} does not exist") from None
    except OSError as exc:
        raise DigitizerError(f"cannot read image {str(path)!r}: {exc}") from None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
    )
    raise DigitizerError(
        f"{str(path)!r} is {kind}, not an image file; save the figure to a file "
        "and name that"
    )


def is_zarr(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a Zarr array or group (a folder)."""
    path = file_path(path)
    if path.suffix.lower() == ".zarr":
        return True
    return path.is_dir() and any(
        (path / f).exists() for f in ("zarr.json", ".zarray", ".zgroup")
    )


def figure_pixels(path: str | os.PathLike[str]) -> int | None:
    """Pixels of a TIFF or Zarr figure read from its header; ``None`` otherwise."""
    path = file_path(path)
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
    The pixel limit does not apply: memory is bounded by the chunks. A chunk
    that cannot be read is an error naming the file.

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
        If the file is missing, unreadable, damaged or of another format.
    """
    import dask.array as da

    path = file_path(path)
    check_file(path)
    if is_zarr(path):
        z = _zarr_array(path)
        array = da.from_array(_Guarded(z, path), chunks=z.chunks, asarray=True)
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


class DecodeError(DigitizerError):
    """Pixels of a file that its header describes could not be decoded."""


class _Guarded:
    """An array whose read errors name the file (for dask chunks)."""

    def __init__(self, array: Any, path: Path, store: Any = None):
        self.array, self.path, self.store = array, str(path), store
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim
        self.chunks = array.chunks

    def __dask_tokenize__(self) -> Any:
        return (type(self).__name__, self.path, _stamp(self.path), self.shape)

    def close(self) -> None:
        """Close the file behind the array, if it is open."""
        if self.store is not None:
            self.store.close()

    def __getitem__(self, key: Any) -> np.ndarray:
        try:
            return np.asarray(self.array[key])
        except DigitizerError:
            raise
        except Exception as exc:
            raise DigitizerError(
                f"cannot read {self.path!r} (damaged or truncated?): {one_line(exc)}"
            ) from None


class _Rows:
    """Rows of an uncompressed contiguous TIFF, read on demand (picklable)."""

    def __init__(self, path: Path, offset: int, shape: tuple[int, ...], dtype: Any):
        self.path, self.offset = str(path), int(offset)
        self.shape, self.dtype, self.ndim = tuple(shape), np.dtype(dtype), len(shape)

    def __dask_tokenize__(self) -> Any:
        return (type(self).__name__, self.path, _stamp(self.path), self.offset)

    def close(self) -> None:
        """Nothing to close: every read opens the file anew."""

    def __getitem__(self, key: slice | tuple[slice, ...]) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key,)
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


def _stamp(path: str) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (its type's name when it has none)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_segments(path: Path, page: Any) -> None:
    """Refuse a TIFF page whose data is not (all) in the file.

    Also refuse one whose tiles or strips are each larger than the pixel
    limit: those cannot be read piece by piece.
    """
    size = path.stat().st_size
    planar = page.planarconfig == 2 and len(page.shape) == 3
    rows, cols = page.shape[1:3] if planar else page.shape[:2]
    expected = int(np.prod(page.chunked)) if page.chunked else 1
    stored = list(zip(page.dataoffsets, page.databytecounts, strict=False))
    missing = sum(1 for o, n in stored if n and o + n > size)
    missing = missing or max(0, expected - len(stored))
    if not missing and page.compression == 1 and page.bitspersample % 8 == 0:
        raw = int(np.prod(page.shape)) * page.bitspersample // 8
        missing = int(sum(n for _, n in stored) < raw)
    if missing:
        raise DigitizerError(
            f"{str(path)!r} is truncated or damaged: its header declares "
            f"{cols} x {rows} pixels, but the data of {missing} of its "
            f"{expected} tiles or strips is not in the file ({size:,} bytes)"
        )
    piece = int(np.prod(page.chunks[:2]))
    in_parts = page.compression != 1 or not page.is_contiguous
    if in_parts and piece > max_pixels():
        raise DigitizerError(
            f"{str(path)!r} stores its pixels in pieces of {piece:,} pixels, more "
            f"than the limit of {max_pixels():,}; save it as a tiled TIFF (or set "
            f"{MAX_PIXELS_ENV} higher)"
        )


def _contiguous(page: Any, series: Any) -> bool:
    return bool(
        len(series.pages) == 1
        and page.is_contiguous
        and page.compression == 1
        and page.planarconfig == 1
    )


def _tiff_lazy(path: Path) -> Any:
    import dask.array as da
    import tifffile
    import zarr

    try:
        with tifffile.TiffFile(path) as tf:
            series = tf.series[0]
            page = series.levels[0].pages[0] if series.levels else tf.pages[0]
            _check_segments(path, page)
            if _contiguous(page, series):
                shape = tuple(series.shape)
                offset = page.dataoffsets[0]
                dtype = series.dtype.newbyteorder(tf.byteorder)
                reader = _Rows(path, offset, shape, dtype)
                rows = max(1, CHUNK_PIXELS // max(shape[1], 1))
                return da.from_array(reader, chunks=(rows, *shape[1:]), asarray=True)
        store = tifffile.imread(path, aszarr=True, series=0, level=0)
        z: Any = zarr.open(store, mode="r")
        return da.from_array(_Guarded(z, path, store), chunks=z.chunks, asarray=True)
    except DigitizerError:
        raise
    except Exception as exc:
        raise DigitizerError(
            f"cannot read TIFF {str(path)!r}: {one_line(exc)}"
        ) from None


def tiff_rows(path: Path) -> Any:
    """The first page of a TIFF as ``(rows, cols[, channels])``, read by rows.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    object
        With ``shape``, ``dtype``, ``ndim`` and ``[start:stop]`` giving those
        rows as a NumPy array (planar pages have their channels moved last).
        Only the tiles or strips holding the rows asked for are read.

    Raises
    ------
    DigitizerError
        If the page holds more pixels than :func:`max_pixels`, or its data is
        not all in the file.
    Exception
        Whatever tifffile raises for a file it cannot parse (the caller then
        tries Pillow).
    """
    import tifffile
    import zarr

    with tifffile.TiffFile(path) as tf:
        page = tf.pages[0]
        planar = page.planarconfig == 2 and len(page.shape) == 3
        shape = tuple(page.shape)
        rows_cols = shape[1:3] if planar else shape[:2]
        check_pixels(rows_cols, repr(str(path)))
        _check_segments(path, page)
        if page.is_contiguous and page.compression == 1 and not planar:
            dtype = page.dtype.newbyteorder(tf.byteorder)
            return _Rows(path, page.dataoffsets[0], shape, dtype)
    store = tifffile.imread(path, aszarr=True, key=0)
    array = _Guarded(zarr.open(store, mode="r"), path, store)
    return _Planar(array) if planar else array


class _Planar:
    """Rows of a channels-first array, channels last."""

    def __init__(self, array: Any):
        self.array = array
        c, r, w = array.shape
        self.shape, self.dtype, self.ndim = (r, w, c), array.dtype, 3
        self.chunks = array.chunks[1:] + array.chunks[:1]

    def close(self) -> None:
        """Close the file behind the array."""
        self.array.close()

    def __getitem__(self, key: slice) -> np.ndarray:
        return np.moveaxis(self.array[:, key], 0, -1)
