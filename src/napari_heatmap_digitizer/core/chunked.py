"""Figures larger than memory: dask arrays, digitized block by block.

:func:`digitize_blocks` maps the nearest-colour kernel over a dask array with
``map_blocks`` (the colour axis whole, no overlap: every pixel is independent),
so nothing is computed until asked and any chunking gives the same numbers as
the in-memory path. The per-colour memo of a colour bar is shared by every
block a process computes.

:func:`open_lazy` opens TIFF and Zarr files as dask arrays without reading
their pixels, and :func:`write_result` writes a result band of rows by band of
rows, so a figure larger than memory is digitized with bounded memory.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numba
import numpy as np

from napari_heatmap_digitizer.core.colorbar import Colorbar
from napari_heatmap_digitizer.core.errors import DigitizerError
from napari_heatmap_digitizer.core.image import as_rgb8, float_top, is_lazy
from napari_heatmap_digitizer.core.lookup import lookup_for

#: Pixels per block when this module chooses the chunks of a file.
CHUNK_PIXELS = 1 << 22

#: Pixels per band of rows that :func:`write_result` computes at a time.
BAND_PIXELS = 1 << 24

#: TIFF figures with more pixels than this are read chunk by chunk by default.
STREAM_PIXELS = 1 << 28

#: Tile edge of the TIFF files written band by band.
TILE = 256

#: One kernel call at a time per process: each call already uses every core,
#: and some Numba threading layers (workqueue) must not be entered from two
#: threads at once. Reading, decoding and writing chunks still overlap it.
_KERNEL_LOCK = threading.Lock()

Progress = Callable[[float], None]


# -- computing ----------------------------------------------------------------
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
        :func:`~napari_heatmap_digitizer.core.image.as_rgb8` accepts. Row and
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
    """
    import dask.array as da
    from dask.base import tokenize

    if image.ndim == 2:
        image = image[..., None]
    image = image.rechunk({2: -1})
    if top is None:
        top = float_top(image)
    arrays = [image]
    if nodata is not None:
        mask = nodata if is_lazy(nodata) else da.from_array(np.asarray(nodata, bool))
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
    chunks = values.chunks[0] if is_lazy(values) else None
    for band in bands(rows, cols, chunks=chunks):
        parts = [values[band], distance[band]]
        if nodata is not None:
            parts.append(nodata[band])
        if any(is_lazy(p) for p in parts):
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


# -- reading ------------------------------------------------------------------
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
        return data[(slice(None), *key[1:])]


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
                and page.is_contiguous  # type: ignore[union-attr]
                and page.compression == 1  # type: ignore[union-attr]
                and page.planarconfig == 1  # type: ignore[union-attr]
            ):
                shape = tuple(series.shape)
                offset = page.dataoffsets[0]  # type: ignore[union-attr]
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


# -- writing ------------------------------------------------------------------
def write_result(
    path: str | os.PathLike[str],
    result: Any,
    *,
    metadata: dict[str, Any] | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> Stats:
    """Write a result's values band by band; returns what was seen on the way.

    NumPy, lazy (dask) or mixed results all work; only one band of rows is in
    memory at a time. The file appears only when complete.

    Parameters
    ----------
    path : str or path-like
        ``.npy``, ``.csv`` (long format x,y,value), ``.tif``/``.tiff`` (tiled
        ``float32``, ``metadata`` as JSON in its description) or ``.zarr`` (a
        group with ``values``, ``distance``, ``x`` and ``y`` arrays and
        ``metadata`` in its attributes).
    result : Result
    metadata : dict, optional
    overwrite : bool
        Replace an existing output.
    progress : callable, optional
        Called with the finished fraction after each band.

    Returns
    -------
    Stats
    """
    from napari_heatmap_digitizer.core.export import (
        atomic_write,
        check_can_write,
        output_format,
    )

    path = Path(path)
    fmt = output_format(path)
    check_can_write([path], overwrite=overwrite)
    metadata = metadata or {}
    stats = Stats()
    rows, cols = result.values.shape
    x, y = np.asarray(result.x), np.asarray(result.y)

    def each_band() -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
        for band, v, d, n in iter_bands(result.values, result.distance, result.nodata):
            stats.add(v, d, n)
            yield band, v, d
            if progress is not None:
                progress(band.stop / rows)

    if fmt == "zarr":
        write_zarr_folder(
            path, each_band(), (rows, cols), x, y, metadata, overwrite=overwrite
        )
    elif fmt == "npy":
        atomic_write(path, lambda tmp: _write_npy(tmp, each_band(), (rows, cols)))
    elif fmt == "tif":
        atomic_write(
            path,
            lambda tmp: _write_tiled_tiff(tmp, each_band(), (rows, cols), metadata),
        )
    else:
        atomic_write(path, lambda tmp: _write_csv(tmp, each_band(), x, y))
    if progress is not None:
        progress(1.0)  # a writer may stop pulling once it has the last tile
    return stats


def _write_npy(
    tmp: Path,
    parts: Iterator[tuple[slice, np.ndarray, np.ndarray]],
    shape: tuple[int, int],
) -> None:
    header = {"descr": "<f4", "fortran_order": False, "shape": shape}
    with open(tmp, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, header)
        for _band, v, _d in parts:
            fh.write(np.ascontiguousarray(v, dtype="<f4").tobytes())


def _write_tiled_tiff(
    tmp: Path,
    parts: Iterator[tuple[slice, np.ndarray, np.ndarray]],
    shape: tuple[int, int],
    metadata: dict[str, Any],
) -> None:
    import tifffile

    def tiles() -> Iterator[np.ndarray]:
        carry = np.empty((0, shape[1]), np.float32)
        for _band, v, _d in parts:
            rows = np.concatenate([carry, v]) if len(carry) else v
            whole = len(rows) - len(rows) % TILE
            carry = rows[whole:]
            yield from _tile_rows(rows[:whole])
        yield from _tile_rows(carry)

    tifffile.imwrite(
        tmp,
        tiles(),
        shape=shape,
        dtype=np.float32,
        tile=(TILE, TILE),
        photometric="minisblack",
        compression="zlib",
        compressionargs={"level": 1},
        description=json.dumps(metadata),
        metadata=None,
    )


def _tile_rows(rows: np.ndarray) -> Iterator[np.ndarray]:
    """The :data:`TILE`-square tiles of a run of rows, left to right."""
    for r in range(0, rows.shape[0], TILE):
        for c in range(0, rows.shape[1], TILE):
            yield np.ascontiguousarray(rows[r : r + TILE, c : c + TILE])


def _write_csv(
    tmp: Path,
    parts: Iterator[tuple[slice, np.ndarray, np.ndarray]],
    x: np.ndarray,
    y: np.ndarray,
) -> None:
    from napari_heatmap_digitizer.core.export import write_long_csv_rows

    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("x,y,value\n")
        for band, v, _d in parts:
            write_long_csv_rows(fh, v, x, y[band])


def write_zarr_folder(
    path: Path,
    parts: Iterator[tuple[slice, np.ndarray, np.ndarray | None]],
    shape: tuple[int, int],
    x: np.ndarray,
    y: np.ndarray,
    metadata: dict[str, Any],
    *,
    overwrite: bool,
) -> None:
    """Write a Zarr group from bands of rows, atomically.

    The group holds ``values``, ``distance`` (when the bands carry it), ``x``
    and ``y``.

    Parameters
    ----------
    path : pathlib.Path
        The ``.zarr`` folder.
    parts : iterator of (slice, values, distance or None)
        Bands of rows, top first.
    shape : (int, int)
    x, y : numpy.ndarray
        Column and row centres.
    metadata : dict
        JSON-ready; stored as the group's attributes.
    overwrite : bool
        Replace an existing folder.
    """

    def write(tmp: Path) -> None:
        import zarr

        group = zarr.open_group(str(tmp), mode="w")
        create = getattr(group, "create_array", None) or group.create_dataset
        chunks = (min(shape[0], TILE), min(shape[1], 4096))
        arrays: dict[str, Any] = {}
        for band, v, d in parts:
            for name, data in (("values", v), ("distance", d)):
                if data is None:
                    continue
                if name not in arrays:
                    arrays[name] = create(
                        name, shape=shape, chunks=chunks, dtype="f4", fill_value=np.nan
                    )
                arrays[name][band] = data
        for name, coords in (("x", x), ("y", y)):
            arr = create(name, shape=coords.shape, chunks=coords.shape, dtype="f8")
            arr[:] = coords
        group.attrs.update(json.loads(json.dumps(metadata)))

    _atomic_folder(Path(path), write, overwrite=overwrite)


def _atomic_folder(
    path: Path, write: Callable[[Path], None], *, overwrite: bool
) -> None:
    """Write a folder under a temporary name beside ``path``, then rename it."""
    tmp = Path(
        tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    )
    try:
        shutil.rmtree(tmp)
        write(tmp)
        if path.exists():
            if not overwrite:  # appeared meanwhile
                raise DigitizerError(f"output {str(path)!r} exists; pass --overwrite")
            old = tmp.with_suffix(".old")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DigitizerError(
            f"cannot write {str(path)!r}: {exc.strerror or exc}"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
