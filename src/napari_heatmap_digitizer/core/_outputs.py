"""One recipe, one figure file, its output files: what a command does.

``heatmap-digitizer digitize`` and every file of ``heatmap-digitizer batch``
go through :func:`run_to_files`, so a batch writes exactly what running the
files one by one writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._cells import Cells, panel_cells
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._recipe import Recipe
from napari_heatmap_digitizer.core._regions import (
    fill_gaps,
    find_hexagons,
    find_regions,
)
from napari_heatmap_digitizer.core._result import Result
from napari_heatmap_digitizer.core._write import (
    output_format,
    write_array,
    write_matrix_csv,
    write_result,
    write_table_csv,
)

Progress = Callable[[float], None]


def check_outputs(
    recipe: Recipe, fmt: str, *, table: str | None = None, long: bool = False
) -> None:
    """Raise if the output format cannot hold what the recipe asks for.

    Parameters
    ----------
    recipe : Recipe
    fmt : str
        ``"npy"``, ``"csv"``, ``"tif"`` or ``"zarr"``.
    table : {"--regions", "--hexagons"}, optional
        A table per panel is wanted.
    long : bool
        Cells as one CSV line each.

    Raises
    ------
    DigitizerError
    """
    per_cell = any(p.cells or p.grid for p in recipe.panels)
    if table and fmt != "csv":
        raise DigitizerError(f"{table} writes a table: give a .csv output")
    if table and per_cell:
        raise DigitizerError(f"give either --cells or {table}, not both")
    if long and not (fmt == "csv" and per_cell):
        raise DigitizerError("--long goes with --cells and a .csv output")


@dataclass
class Written:
    """One output file and what went into it."""

    path: Path
    line: str
    coverage: float
    colorbar: str
    warnings: list[str] = field(default_factory=list)


def run_to_files(
    recipe: Recipe,
    image: Any,
    outputs: list[Path],
    *,
    software: str,
    overwrite: bool = False,
    fill: str | None = None,
    table: str | None = None,
    min_area: int = 9,
    long: bool = False,
    progress: Progress | None = None,
) -> list[Written]:
    """Digitize every panel of a figure and write one output per panel.

    Lazy (dask) figures are computed and written band of rows by band of rows;
    per-cell and per-region output and gap filling need one panel in memory.

    Parameters
    ----------
    recipe : Recipe
    image : numpy.ndarray or dask.array.Array
        The figure (see :func:`open_figure`).
    outputs : list of pathlib.Path
        One per panel; the format follows the ending.
    software : str
        Name and version stored in the files' metadata.
    overwrite : bool
        Replace existing outputs.
    fill : {"nearest", "inpaint"}, optional
        Fill unmatched pixels from their neighbours.
    table : {"--regions", "--hexagons"}, optional
        Write a table of regions (or hexagons) per panel instead of values.
    min_area : int
        Smallest region kept with ``--regions``.
    long : bool
        Cells as one CSV line each.
    progress : callable, optional
        Called with the finished fraction (0-1).

    Returns
    -------
    list of Written
    """
    report = progress or (lambda _f: None)
    lazy = not isinstance(image, np.ndarray)
    share = 0.0 if lazy else 0.8
    results = recipe.run(image, progress=lambda f: report(share * f))
    bar = results[0].colorbar.describe()
    sizes = [r.values.size for r in results]
    total, done = max(sum(sizes), 1), 0
    written = []
    for i, (result, panel, path) in enumerate(
        zip(results, recipe.panels, outputs, strict=True)
    ):

        def part(f: float, done: int = done, size: int = sizes[i]) -> None:
            report(share + (1 - share) * (done + f * size) / total)

        needs_memory = bool(fill or table or panel.cells or panel.grid)
        if needs_memory:
            result = result.compute()
            if fill:
                result = fill_gaps(result, fill)
        if table:
            regions = (
                find_hexagons(result)
                if table == "--hexagons"
                else find_regions(result, min_area=min_area)
            )
            write_table_csv(path, regions.table(), overwrite=overwrite)
            written.append(Written(path, regions.summary(), result.coverage, bar))
        elif panel.cells or panel.grid:
            cells = panel_cells(result, panel.cells, panel.grid)
            _write_cells(cells, path, recipe, i, software, long, overwrite)
            written.append(
                Written(
                    path, cells.summary(), result.coverage, bar, list(cells.warnings)
                )
            )
        else:
            metadata = result_metadata(result, recipe, i, software)
            stats = write_result(
                path, result, metadata=metadata, overwrite=overwrite, progress=part
            )
            written.append(Written(path, result.summary(stats), stats.coverage, bar))
        done += sizes[i]
        part(0.0)
    return written


def result_metadata(
    result: Result, recipe: Recipe, panel: int, software: str
) -> dict[str, Any]:
    """What a TIFF or Zarr output records about how its values were made."""
    x, y = result.x, result.y
    return {
        "software": software,
        "panel": panel,
        "box": list(result.box),
        "extent": None if result.extent is None else result.extent.as_list(),
        "x_centres_first_last": [float(x[0]), float(x[-1])],
        "y_centres_first_last": [float(y[0]), float(y[-1])],
        "colorbar": result.colorbar.describe(),
        "recipe": recipe.to_dict(),
    }


def _write_cells(
    cells: Cells,
    path: Path,
    recipe: Recipe,
    panel: int,
    software: str,
    long: bool,
    overwrite: bool,
) -> None:
    if long:
        rows, cols = cells.shape
        r, c = np.mgrid[0:rows, 0:cols]
        write_table_csv(
            path,
            {
                "row": r.ravel(),
                "col": c.ravel(),
                "x": np.broadcast_to(cells.x[None, :], (rows, cols)).ravel(),
                "y": np.broadcast_to(cells.y[:, None], (rows, cols)).ravel(),
                "value": cells.values.ravel(),
                "matched": cells.matched.ravel(),
                "spread": cells.spread.ravel(),
            },
            overwrite=overwrite,
        )
    elif output_format(path) == "csv":
        write_matrix_csv(path, cells.values, cells.x, cells.y, overwrite=overwrite)
    else:
        metadata = {
            "software": software,
            "panel": panel,
            "box": list(cells.result.box),
            "cells": {"rows": cells.shape[0], "cols": cells.shape[1]},
            "grid": cells.grid.to_dict(),
            "x_centres": [float(v) for v in cells.x],
            "y_centres": [float(v) for v in cells.y],
            "warnings": cells.warnings,
            "recipe": recipe.to_dict(),
        }
        write_array(
            path,
            cells.values,
            x=cells.x,
            y=cells.y,
            metadata=metadata,
            overwrite=overwrite,
        )
