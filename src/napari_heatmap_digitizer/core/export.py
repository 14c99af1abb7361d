"""Writing results: NumPy, CSV and TIFF, always atomically.

Every writer first writes a temporary file beside the target and renames it
into place, so a reader never sees half a file and an interrupted run leaves
the old file (if any) untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core.errors import DigitizerError

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


def check_can_write(paths: Iterable[Path], *, overwrite: bool) -> None:
    """Raise before anything is written if any path cannot be written.

    Parameters
    ----------
    paths : iterable of pathlib.Path
    overwrite : bool
        Whether existing files may be replaced.

    Raises
    ------
    DigitizerError
        If a file exists (without ``overwrite``), its folder is missing or not
        writable, or the path is a folder.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir() and path.suffix.lower() != ".zarr":
            raise DigitizerError(f"output {str(path)!r} is a folder; give a file name")
        if path.exists() and not overwrite:
            raise DigitizerError(
                f"output {str(path)!r} exists; pass --overwrite to replace it or "
                "choose another name"
            )
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise DigitizerError(
                f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist"
            )
        if not os.access(folder, os.W_OK):
            raise DigitizerError(
                f"cannot write {str(path)!r}: folder {str(folder)!r} is not writable"
            )


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename.

    Parameters
    ----------
    path : pathlib.Path
        The final file.
    write : callable
        Writes the complete content to the path it is given.

    Raises
    ------
    DigitizerError
        If writing fails (nothing is left behind).
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent or "."
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DigitizerError(
            f"cannot write {str(path)!r}: {exc.strerror or exc}"
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write text (UTF-8) atomically.

    Parameters
    ----------
    path : pathlib.Path
    text : str
    """
    atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


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
    if fmt == "npy":
        atomic_write(path, lambda tmp: np.save(tmp, values, allow_pickle=False))
    elif fmt == "tif":
        atomic_write(path, lambda tmp: _write_tiff(tmp, values, metadata or {}))
    elif fmt == "zarr":
        from napari_heatmap_digitizer.core.chunked import write_zarr_folder

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
        atomic_write(path, lambda tmp: _write_long_csv(tmp, values, xs, ys))
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
        text = tf.pages[0].description  # type: ignore[union-attr]
    return dict(json.loads(text)) if text else {}


def write_matrix_csv(
    path: str | os.PathLike[str],
    values: np.ndarray,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a matrix as CSV: a header of column centres, each row led by its y.

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

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    check_can_write([path], overwrite=overwrite)
    values = np.asarray(values, dtype=np.float64)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("y\\x," + ",".join(_fmt(v) for v in x) + "\n")
            for yv, row in zip(y, values, strict=True):
                cells = np.where(np.isnan(row), "nan", np.char.mod("%.7g", row))
                fh.write(_fmt(yv) + "," + ",".join(cells) + "\n")

    atomic_write(path, write)
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
        np.char.mod("%d", c)
        if np.issubdtype(c.dtype, np.integer)
        else np.where(np.isnan(c), "nan", np.char.mod("%.10g", c.astype(float)))
        for c in cols
    ]

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(",".join(names) + "\n")
            for row in zip(*text, strict=True):
                fh.write(",".join(row) + "\n")

    atomic_write(path, write)
    return path
