"""Panel results to files: one writer family, one metadata builder.

``heatmap-digitizer digitize``, every figure of ``batch``, the widget's
Export and the napari writer all write through :func:`write_outputs`, so a
result is written the same way whichever front end produced it. Values per
pixel are written band of rows by band of rows (lazy results are never whole
in memory); cells and regions are small and written at once. Every file of
one call goes under a temporary name and all are put in place at the end, or
none (:func:`~napari_heatmap_digitizer.core._atomic.staged`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer._version import __version__
from napari_heatmap_digitizer.core._atomic import check_distinct, staged
from napari_heatmap_digitizer.core._cells import Cells
from napari_heatmap_digitizer.core._confidence import Confidence
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._pipeline import PanelResult, read_figure, run_recipe
from napari_heatmap_digitizer.core._recipe import Recipe
from napari_heatmap_digitizer.core._write import (
    check_can_write,
    output_format,
    panel_paths,
    write_array,
    write_matrix_csv,
    write_result,
    write_table_csv,
)

Progress = Callable[[float], None]

#: Name and version recorded in every file written.
SOFTWARE = f"napari-heatmap-digitizer {__version__}"


@dataclass
class Written:
    """One output file and what went into it."""

    path: Path
    line: str
    coverage: float
    colorbar: str
    warnings: list[str] = field(default_factory=list)
    confidence: Confidence | None = None

    @property
    def doubtful(self) -> bool:
        """Whether the panel's result is doubtful (see :class:`Confidence`)."""
        return self.confidence is not None and self.confidence.doubtful


def check_outputs(recipe: Recipe, fmt: str) -> None:
    """Raise if the output format cannot hold what the recipe asks for.

    Parameters
    ----------
    recipe : Recipe
    fmt : str
        ``"npy"``, ``"csv"``, ``"tif"`` or ``"zarr"``.

    Raises
    ------
    DigitizerError
    """
    per = recipe.values.per
    if per in ("region", "hexagon") and fmt != "csv":
        raise DigitizerError(
            f"values per {per} are a table: give a .csv output (not .{fmt})"
        )
    if recipe.output.long and not (fmt == "csv" and per == "cell"):
        raise DigitizerError("the long layout (--long) goes with cells and a .csv")


def output_paths(recipe: Recipe, path: str | Path) -> list[Path]:
    """One output path per panel (``STEM_i.EXT`` for several), checked.

    Parameters
    ----------
    recipe : Recipe
    path : str or pathlib.Path

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    DigitizerError
        If the ending names no format, or the format cannot hold the values.
    """
    check_outputs(recipe, output_format(path))
    return panel_paths(path, len(recipe.panels))


def panel_metadata(
    recipe: Recipe, panel: PanelResult, *, software: str = SOFTWARE
) -> dict[str, Any]:
    """What a file records about how its values were made (JSON-ready).

    Parameters
    ----------
    recipe : Recipe
        The recipe that gave ``panel``.
    panel : PanelResult
    software : str
        Name and version.

    Returns
    -------
    dict
    """
    result = panel.result
    x, y = result.x, result.y
    meta: dict[str, Any] = {
        "software": software,
        "panel": panel.index,
        "box": list(result.box),
        "extent": None if result.extent is None else result.extent.as_list(),
        "x_centres_first_last": [float(x[0]), float(x[-1])],
        "y_centres_first_last": [float(y[0]), float(y[-1])],
        "colorbar": result.colorbar.describe(),
        "per": recipe.values.per,
        "filled": None if result.filled is None else int(result.filled.sum()),
        "recipe": recipe.to_dict(),
    }
    if not result.lazy:  # a lazy panel's is known only once it is written
        meta["confidence"] = panel.confidence.to_dict()
    if panel.cells is not None:
        cells = panel.cells
        meta["cells"] = {"rows": cells.shape[0], "cols": cells.shape[1]}
        meta["grid"] = cells.grid.to_dict()
        meta["x_centres"] = [float(v) for v in cells.x]
        meta["y_centres"] = [float(v) for v in cells.y]
        meta["warnings"] = list(cells.warnings)
        if cells.source is not None:
            kinds, counts = np.unique(cells.source.astype(str), return_counts=True)
            meta["sources"] = {
                str(k): int(n) for k, n in zip(kinds, counts, strict=True)
            }
        if cells.row_labels is not None:
            meta["row_labels"] = list(cells.row_labels)
        if cells.col_labels is not None:
            meta["col_labels"] = list(cells.col_labels)
    return meta


def write_panel(
    path: str | Path,
    panel: PanelResult,
    recipe: Recipe,
    *,
    software: str = SOFTWARE,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> Written:
    """Write one panel's values (or cells, or regions) to one file.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.npy``, ``.csv``, ``.tif`` or ``.zarr``.
    panel : PanelResult
    recipe : Recipe
        The recipe that gave ``panel`` (its output options apply and it is
        recorded in TIFF and Zarr metadata).
    software : str
        Name and version recorded in the metadata.
    overwrite : bool
        Replace an existing file.
    progress : callable, optional
        Called with the finished fraction (per pixel: after each band).

    Returns
    -------
    Written

    Raises
    ------
    DigitizerError
    """
    path = Path(path)
    fmt = output_format(path)
    result = panel.result
    bar = result.colorbar.describe()
    if panel.regions is not None:
        if fmt != "csv":
            raise DigitizerError("regions are a table: write them to a .csv file")
        write_table_csv(path, panel.regions.table(), overwrite=overwrite)
        conf = panel.confidence
        return Written(
            path, panel.summary(), result.coverage, bar, panel.warnings, conf
        )
    metadata = panel_metadata(recipe, panel, software=software)
    if panel.cells is not None:
        _write_cells(
            path, panel, metadata, long=recipe.output.long, overwrite=overwrite
        )
        conf = panel.confidence
        return Written(
            path, panel.summary(), result.coverage, bar, panel.warnings, conf
        )
    stats = write_result(
        path, result, metadata=metadata, overwrite=overwrite, progress=progress
    )
    conf = panel.gathered(stats)
    return Written(
        path, panel.summary(stats), stats.coverage, bar, panel.warnings, conf
    )


def write_outputs(
    panels: Sequence[PanelResult],
    recipe: Recipe,
    paths: Sequence[str | Path],
    *,
    software: str = SOFTWARE,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> list[Written]:
    """Write every panel to its path (see :func:`output_paths`), all or none.

    Every path is checked before anything is written; the files appear
    together at the end, and on any error none of them is left (what was
    there before stays).

    Parameters
    ----------
    panels : sequence of PanelResult
    recipe : Recipe
    paths : sequence of path
        One per panel.
    software : str
    overwrite : bool
    progress : callable, optional
        Called with the overall finished fraction.

    Returns
    -------
    list of Written
    """
    targets = [Path(p) for p in paths]
    if len(targets) != len(panels):
        raise DigitizerError(f"{len(panels)} panels but {len(targets)} output paths")
    check_paths(recipe, targets, overwrite=overwrite)
    report = progress or (lambda _f: None)
    sizes = [max(p.result.values.size, 1) for p in panels]
    total, done = max(sum(sizes), 1), 0
    written = []
    with staged():
        for panel, path, size in zip(panels, targets, sizes, strict=True):

            def part(f: float, done: int = done, size: int = size) -> None:
                report((done + f * size) / total)

            written.append(
                write_panel(
                    path,
                    panel,
                    recipe,
                    software=software,
                    overwrite=overwrite,
                    progress=part,
                )
            )
            done += size
            part(0.0)
    return written


def check_paths(recipe: Recipe, paths: Sequence[Path], *, overwrite: bool) -> None:
    """Check a run's output paths before any work: formats, clashes, access.

    Parameters
    ----------
    recipe : Recipe
    paths : sequence of pathlib.Path
        One per panel.
    overwrite : bool

    Raises
    ------
    DigitizerError
        If a format cannot hold the values, two panels share a path, the
        figure is among them, or a path cannot be written.
    """
    for path in paths:
        check_outputs(recipe, output_format(path))
    named = {f"values of panel {i}": [Path(p)] for i, p in enumerate(paths)}
    if isinstance(recipe.image, (str, Path)):
        named["input figure"] = [Path(recipe.image)]
    check_distinct(named)
    check_can_write(paths, overwrite=overwrite)


def run_to_files(
    recipe: Recipe,
    figure: Any,
    paths: Sequence[str | Path],
    *,
    software: str = SOFTWARE,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> list[Written]:
    """Run a recipe on a figure and write one output per panel, all or none.

    Panels are computed and written one at a time (under temporary names,
    all put in place at the end), so only one panel's values are held.

    Parameters
    ----------
    recipe : Recipe
    figure : numpy.ndarray, dask.array.Array or path, optional
        As for :func:`~napari_heatmap_digitizer.core.run_recipe`.
    paths : sequence of path
        One per panel.
    software : str
    overwrite : bool
    progress : callable, optional
        Called with the overall finished fraction (0-1).

    Returns
    -------
    list of Written
    """
    report = progress or (lambda _f: None)
    targets = [Path(p) for p in paths]
    check_paths(recipe, targets, overwrite=overwrite)
    if isinstance(figure, (str, Path)):
        check_distinct({"input figure": [Path(figure)], "output": targets})
    image = read_figure(recipe, figure)
    recipe.check(image.shape)  # every panel is checked before the first runs
    # Lazy figures are computed while writing: give that part the progress.
    share = 0.0 if is_dask_collection(image) else 0.8
    n = len(recipe.panels)
    written: list[Written] = []
    with staged():  # panel by panel: one panel's values in memory at a time
        for i, (panel, target) in enumerate(zip(recipe.panels, targets, strict=True)):
            one = recipe.copy()
            one.panels = [panel]

            def ran(f: float, i: int = i) -> None:
                report((i + share * f) / n)

            def wrote(f: float, i: int = i) -> None:
                report((i + share + (1 - share) * f) / n)

            [result] = run_recipe(one, image, progress=ran)
            result = replace(result, index=i)
            written += write_outputs(
                [result],
                recipe,
                [target],
                software=software,
                overwrite=overwrite,
                progress=wrote,
            )
    return written


def cell_table(cells: Cells) -> dict[str, np.ndarray]:
    """One row per cell: where it is, its value, and what the value rests on.

    Parameters
    ----------
    cells : Cells

    Returns
    -------
    dict of str to numpy.ndarray
        Columns ``row, col, x, y`` (and ``row_label``, ``col_label`` when the
        matrix's names were read), ``value, matched, spread``, and when the
        printed numbers were read ``source, printed, colour, uncertainty``.
    """
    rows, cols = cells.shape
    r, c = np.mgrid[0:rows, 0:cols]
    table: dict[str, np.ndarray] = {
        "row": r.ravel(),
        "col": c.ravel(),
        "x": np.broadcast_to(cells.x[None, :], (rows, cols)).ravel(),
        "y": np.broadcast_to(cells.y[:, None], (rows, cols)).ravel(),
    }
    if cells.row_labels is not None:
        table["row_label"] = np.asarray(cells.row_labels, dtype=object)[r.ravel()]
    if cells.col_labels is not None:
        table["col_label"] = np.asarray(cells.col_labels, dtype=object)[c.ravel()]
    table["value"] = cells.values.ravel()
    table["matched"] = cells.matched.ravel()
    table["spread"] = cells.spread.ravel()
    if cells.source is not None and cells.printed is not None:
        table["source"] = cells.source.ravel()
        table["printed"] = cells.printed.values.ravel()
        colour = cells.colour if cells.colour is not None else cells.values
        table["colour"] = colour.ravel()
        u = cells.uncertainty
        table["uncertainty"] = (
            np.full(rows * cols, np.nan) if u is None else u.ravel().astype(float)
        )
    return table


def _write_cells(
    path: Path,
    panel: PanelResult,
    metadata: dict[str, Any],
    *,
    long: bool,
    overwrite: bool,
) -> None:
    cells = panel.cells
    assert cells is not None
    if long:
        write_table_csv(path, cell_table(cells), overwrite=overwrite)
    elif output_format(path) == "csv":
        write_matrix_csv(
            path,
            cells.values,
            cells.x,
            cells.y,
            overwrite=overwrite,
            col_labels=cells.col_labels,
            row_labels=cells.row_labels,
        )
    else:
        write_array(
            path,
            cells.values,
            x=cells.x,
            y=cells.y,
            metadata=metadata,
            overwrite=overwrite,
        )
