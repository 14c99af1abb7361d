"""Writing results: NumPy, CSV and TIFF, always atomically.

Every writer first writes a temporary file beside the target and puts it in
place only when complete (:mod:`._atomic`), so a reader never sees half a
file, an interrupted run leaves the old file (if any) untouched, and a file
that appears meanwhile is never replaced without ``overwrite``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._atomic import check_can_write, write_part
from napari_heatmap_digitizer.core._bands import Stats, iter_bands
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._read import TILE

Progress = Callable[[float], None]

#: Output formats by file ending.
FORMATS = {
    ".npy": "npy",
    ".csv": "csv",
    ".tif": "tif",
    ".tiff": "tif",
    ".zarr": "zarr",
}


def output_format(path: str | os.PathLike[str]) -> str:
    """The format named by a path's ending.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    str
        ``"npy"``, ``"csv"``, ``"tif"`` or ``"zarr"``.

    Raises
    ------
    DigitizerError
        For any other ending.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DigitizerError(
            f"cannot write {str(path)!r}: the output must end in .npy, .csv, .tif, "
            ".tiff or .zarr"
        )
    return FORMATS[suffix]


def panel_paths(path: str | os.PathLike[str], n: int) -> list[Path]:
    """Output paths for ``n`` panels: ``OUT`` for one, ``STEM_i.EXT`` for more.

    Parameters
    ----------
    path : str or path-like
    n : int

    Returns
    -------
    list of pathlib.Path
    """
    path = Path(path)
    if n == 1:
        return [path]
    return [path.with_name(f"{path.stem}_{i}{path.suffix}") for i in range(n)]


def atomic_write(
    path: Path, write: Callable[[Path], object], *, overwrite: bool | None = None
) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then put it there.

    Inside :func:`~napari_heatmap_digitizer.core._atomic.staged` the file is
    put in place with the run's other outputs at the end of the run.

    Parameters
    ----------
    path : pathlib.Path
        The final file.
    write : callable
        Writes the complete content to the path it is given.
    overwrite : bool, optional
        Whether anything at ``path`` may be replaced; default: only when a
        file is there now (the caller checked it), never one that appears
        while writing.

    Raises
    ------
    DigitizerError
        If writing fails or ``path`` appeared meanwhile (nothing is left
        behind).
    """
    path = Path(path)
    if overwrite is None:
        overwrite = path.is_file()
    write_part(path, write, overwrite=overwrite, folder=False)


def atomic_write_text(path: Path, text: str, *, overwrite: bool | None = None) -> None:
    """Write text (UTF-8) atomically (see :func:`atomic_write`).

    Parameters
    ----------
    path : pathlib.Path
    text : str
    overwrite : bool, optional
    """
    atomic_write(
        Path(path),
        lambda tmp: tmp.write_text(text, encoding="utf-8"),
        overwrite=overwrite,
    )


def write_array(
    path: str | os.PathLike[str],
    values: np.ndarray,
    *,
    x: Sequence[float] | np.ndarray | None = None,
    y: Sequence[float] | np.ndarray | None = None,
    metadata: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a 2-D value array as ``.npy``, ``.csv``, ``.tif`` or ``.zarr``.

    Parameters
    ----------
    path : str or path-like
        The file; its ending chooses the format.
    values : numpy.ndarray
        ``(rows, cols)``, row 0 at the top; written as ``float32``.
    x, y : array_like, optional
        Column and row centre coordinates for CSV (default: indices).
    metadata : dict, optional
        Stored as JSON in the TIFF image description (Zarr: the attributes).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DigitizerError
        If the path cannot be written or exists without ``overwrite``.
    """
    path = Path(path)
    fmt = output_format(path)
    check_can_write([path], overwrite=overwrite)
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != 2:
        raise DigitizerError(
            f"write_array needs a 2-D array (rows, cols), not one of shape "
            f"{values.shape}; pass one panel's values, e.g. result.values"
        )
    if fmt == "npy":
        atomic_write(
            path,
            lambda tmp: np.save(tmp, values, allow_pickle=False),
            overwrite=overwrite,
        )
    elif fmt == "tif":
        atomic_write(
            path,
            lambda tmp: _write_tiff(tmp, values, metadata or {}),
            overwrite=overwrite,
        )
    elif fmt == "zarr":
        rows, cols = values.shape
        write_zarr_folder(
            path,
            iter([(slice(0, rows), values, None)]),
            values.shape,
            np.arange(cols, dtype=np.float64) if x is None else np.asarray(x),
            np.arange(rows, dtype=np.float64) if y is None else np.asarray(y),
            metadata or {},
            overwrite=overwrite,
        )
    else:
        rows, cols = values.shape
        xs = np.arange(cols, dtype=np.float64) if x is None else np.asarray(x)
        ys = np.arange(rows, dtype=np.float64) if y is None else np.asarray(y)
        atomic_write(
            path,
            lambda tmp: _write_long_csv(tmp, values, xs, ys),
            overwrite=overwrite,
        )
    return path


def _write_tiff(tmp: Path, values: np.ndarray, metadata: dict[str, Any]) -> None:
    import tifffile

    tifffile.imwrite(
        tmp,
        values,
        photometric="minisblack",
        description=json.dumps(metadata),
        metadata=None,
        compression="zlib",
    )


def _write_long_csv(
    tmp: Path, values: np.ndarray, x: np.ndarray, y: np.ndarray
) -> None:
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("x,y,value\n")
        write_long_csv_rows(fh, values, x, y)


def write_long_csv_rows(
    fh: Any, values: np.ndarray, x: np.ndarray, y: np.ndarray
) -> None:
    """Write ``x,y,value`` lines for every pixel of ``values`` (rows of ``y``).

    Parameters
    ----------
    fh : text file
    values : numpy.ndarray
        ``(len(y), len(x))``.
    x, y : numpy.ndarray
        Column and row centres.
    """
    x_text = np.array([_fmt(v) for v in x], dtype=object)
    for i in range(values.shape[0]):
        row = values[i]
        y_text = _fmt(y[i])
        cells = np.where(np.isnan(row), "nan", np.char.mod("%.7g", row))
        fh.write(
            "".join(f"{xt},{y_text},{c}\n" for xt, c in zip(x_text, cells, strict=True))
        )


def csv_field(text: str) -> str:
    """``text`` as one CSV field: quoted when it holds a comma, quote or newline.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _fmt(v: float) -> str:
    return f"{float(v):.10g}"


def read_tiff_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON metadata stored by :func:`write_array` in a TIFF.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
    """
    import tifffile

    with tifffile.TiffFile(path) as tf:
        text = tf.pages[0].description
    return dict(json.loads(text)) if text else {}


def write_matrix_csv(
    path: str | os.PathLike[str],
    values: np.ndarray,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    overwrite: bool = False,
    col_labels: Sequence[str] | None = None,
    row_labels: Sequence[str] | None = None,
) -> Path:
    """Write a matrix as CSV: a header of column centres, each row led by its y.

    With labels (the names printed beside a matrix's columns and rows) these
    take the place of the centres.

    Parameters
    ----------
    path : str or path-like
        The ``.csv`` file.
    values : numpy.ndarray
        ``(rows, cols)``, row 0 at the top.
    x, y : array_like
        Column and row centre coordinates.
    overwrite : bool
        Replace an existing file.
    col_labels, row_labels : sequence of str, optional
        Names of the columns and rows.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    check_can_write([path], overwrite=overwrite)
    values = np.asarray(values, dtype=np.float64)
    head = [_fmt(v) for v in x] if col_labels is None else list(col_labels)
    lead = [_fmt(v) for v in y] if row_labels is None else list(row_labels)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("y\\x," + ",".join(csv_field(v) for v in head) + "\n")
            for yv, row in zip(lead, values, strict=True):
                cells = np.where(np.isnan(row), "nan", np.char.mod("%.7g", row))
                fh.write(csv_field(yv) + "," + ",".join(cells) + "\n")

    atomic_write(path, write, overwrite=overwrite)
    return path


def write_table_csv(
    path: str | os.PathLike[str],
    columns: dict[str, np.ndarray],
    *,
    overwrite: bool = False,
) -> Path:
    """Write equal-length columns as a CSV table with a header row.

    Parameters
    ----------
    path : str or path-like
        The ``.csv`` file.
    columns : dict of str to array
        Column name to values; integer columns are written as integers.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    check_can_write([path], overwrite=overwrite)
    names = list(columns)
    cols = [np.asarray(columns[n]) for n in names]
    text = [
        np.array([csv_field(str(v)) for v in c], dtype=object)
        if c.dtype.kind in "OUS"
        else np.char.mod("%d", c)
        if np.issubdtype(c.dtype, np.integer)
        else np.where(np.isnan(c), "nan", np.char.mod("%.10g", c.astype(float)))
        for c in cols
    ]

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(",".join(names) + "\n")
            for row in zip(*text, strict=True):
                fh.write(",".join(row) + "\n")

    atomic_write(path, write, overwrite=overwrite)
    return path


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
    path = Path(path)
    fmt = output_format(path)
    check_can_write([path], overwrite=overwrite)
    metadata = metadata or {}
    stats = Stats()
    rows, cols = result.values.shape
    x, y = np.asarray(result.x), np.asarray(result.y)

    def with_nodata() -> Iterator[tuple[slice, np.ndarray, np.ndarray, Any]]:
        for band, v, d, n in iter_bands(result.values, result.distance, result.nodata):
            stats.add(v, d, n)
            yield band, v, d, n
            if progress is not None:
                progress(band.stop / rows)

    def each_band() -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
        for band, v, d, _n in with_nodata():
            yield band, v, d

    if fmt == "zarr":
        write_zarr_folder(
            path, with_nodata(), (rows, cols), x, y, metadata, overwrite=overwrite
        )
    elif fmt == "npy":
        atomic_write(
            path,
            lambda tmp: _write_npy(tmp, each_band(), (rows, cols)),
            overwrite=overwrite,
        )
    elif fmt == "tif":
        atomic_write(
            path,
            lambda tmp: _write_tiled_tiff(tmp, each_band(), (rows, cols), metadata),
            overwrite=overwrite,
        )
    else:
        atomic_write(
            path, lambda tmp: _write_csv(tmp, each_band(), x, y), overwrite=overwrite
        )
    if progress is not None:
        progress(1.0)  # a writer may stop pulling once it has the last tile
    return stats


def _write_npy(
    tmp: Path,
    parts: Iterator[tuple[slice, np.ndarray, np.ndarray]],
    shape: tuple[int, int],
) -> None:
    # A memory map of the new file: each band goes straight to its rows and
    # only the pages being written are held.
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype="<f4", shape=shape)
    try:
        for band, v, _d in parts:
            out[band] = v
        out.flush()
    finally:
        del out  # unmap before the file is renamed


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
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("x,y,value\n")
        for band, v, _d in parts:
            write_long_csv_rows(fh, v, x, y[band])


def write_zarr_folder(
    path: Path,
    parts: Iterator[tuple[Any, ...]],
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
    parts : iterator of (slice, values, distance or None[, nodata or None])
        Bands of rows, top first; a no-data mask, when given, is stored as
        ``nodata`` (1 where the panel holds no data).
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

        group = zarr.open_group(str(tmp), mode="a")  # the folder is made
        create = getattr(group, "create_array", None) or group.create_dataset
        chunks = (min(shape[0], TILE), min(shape[1], 4096))
        arrays: dict[str, Any] = {}
        for band, v, d, *more in parts:
            nodata = more[0] if more else None
            for name, data in (("values", v), ("distance", d), ("nodata", nodata)):
                if data is None:
                    continue
                if name not in arrays:
                    kind = ("u1", 0) if name == "nodata" else ("f4", np.nan)
                    arrays[name] = create(
                        name,
                        shape=shape,
                        chunks=chunks,
                        dtype=kind[0],
                        fill_value=kind[1],
                    )
                arrays[name][band] = data
        for name, coords in (("x", x), ("y", y)):
            arr = create(name, shape=coords.shape, chunks=coords.shape, dtype="f8")
            arr[:] = coords
        group.attrs.update(json.loads(json.dumps(metadata)))

    write_part(Path(path), write, overwrite=overwrite, folder=True)
