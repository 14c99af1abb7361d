"""The one pipeline: a recipe and a figure in, one result per panel out.

Every front end (the CLI's ``digitize`` and ``batch``, the napari widget, the
Python API) calls :func:`run_recipe` or :func:`run_recipe_steps`; none has
its own copy. Whether the figure is in memory or lazy (dask) is decided here,
once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._bands import Stats
from napari_heatmap_digitizer.core._cells import Cells, panel_cells
from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._digitize import (
    _check_args,
    _steps,
    digitize_lazy,
    drive,
)
from napari_heatmap_digitizer.core._errors import DigitizerError, path_or_array, wrong
from napari_heatmap_digitizer.core._read import as_rgb8, float_top, open_figure
from napari_heatmap_digitizer.core._recipe import Recipe
from napari_heatmap_digitizer.core._regions import (
    Regions,
    fill_gaps,
    find_hexagons,
    find_regions,
)
from napari_heatmap_digitizer.core._result import Result

Progress = Callable[[float], None]

#: Share of the progress given to digitizing when cells or regions follow.
_DIGITIZE_SHARE = 0.9


@dataclass
class PanelResult:
    """What one panel of a recipe gave.

    Attributes
    ----------
    index : int
        The panel's place in the recipe.
    result : Result
        Values per pixel (gaps filled when the recipe asks); lazy for a lazy
        figure that needs nothing more.
    cells : Cells or None
        One value per cell, when the recipe asks for cells.
    regions : Regions or None
        One value per region or hexagon, when the recipe asks for them.
    """

    index: int
    result: Result
    cells: Cells | None = None
    regions: Regions | None = None

    @property
    def warnings(self) -> list[str]:
        """Doubts about the cell grid (empty when there are none)."""
        return list(self.cells.warnings) if self.cells is not None else []

    def summary(self, stats: Stats | None = None) -> str:
        """One line saying what the panel gave.

        Parameters
        ----------
        stats : Stats, optional
            Already gathered while writing the values (per pixel only).
        """
        if self.cells is not None:
            return self.cells.summary()
        if self.regions is not None:
            return self.regions.summary()
        return self.result.summary(stats)


def run_recipe(
    recipe: Recipe,
    figure: Any = None,
    *,
    progress: Progress | None = None,
) -> list[PanelResult]:
    """Digitize every panel of a figure as the recipe says.

    Parameters
    ----------
    recipe : Recipe
    figure : numpy.ndarray, dask.array.Array or path, optional
        The figure; default: the recipe's own ``image`` file. A file is read
        chunk by chunk when ``recipe.output.stream`` says so (or it is too
        large to load). A dask figure gives lazy per-pixel results: only the
        colour bar is computed here (cells, regions and gap filling compute
        their panel).
    progress : callable, optional
        Called with the overall finished fraction (0-1); may raise to cancel.

    Returns
    -------
    list of PanelResult
        One per panel, in the recipe's order.

    Raises
    ------
    DigitizerError
        If an argument is of the wrong kind (the message says what to pass),
        the recipe is incomplete, a box lies outside the figure, or the
        colour bar, grid or file cannot be read.

    Examples
    --------
    >>> from napari_heatmap_digitizer import run_recipe
    >>> from napari_heatmap_digitizer.data import load_sample
    >>> sample = load_sample("single")
    >>> [panel] = run_recipe(sample.recipe, sample.image)
    >>> panel.result.values.shape == sample.recipe.panels[0].box.shape
    True
    """
    if progress is not None and not callable(progress):
        raise wrong("progress", "a function of the finished fraction", progress)
    return drive(run_recipe_steps(recipe, figure), progress)


def run_recipe_steps(
    recipe: Recipe, figure: Any = None
) -> Generator[float, None, list[PanelResult]]:
    """:func:`run_recipe` as a generator yielding the overall finished fraction.

    Everything is checked and the colour bar read before the first yield;
    the generator returns the results (``yield from`` gives them). Closing it
    early cancels the work.

    Parameters
    ----------
    recipe : Recipe
    figure : numpy.ndarray, dask.array.Array or path, optional
        As for :func:`run_recipe`.

    Yields
    ------
    float

    Returns
    -------
    list of PanelResult

    Raises
    ------
    DigitizerError
        As :func:`run_recipe`, before the first yield.
    """
    image = read_figure(recipe, figure)
    recipe.check(image.shape)
    built: dict[int, Colorbar] = {}
    for p in recipe.panels:  # a bar of its own, or the recipe's, built once
        spec = p.bar(recipe)
        if id(spec) not in built:
            built[id(spec)] = spec.build(image)
    bars = [built[id(p.bar(recipe))] for p in recipe.panels]
    if is_dask_collection(image):
        top = float_top(image)
        results = [
            digitize_lazy(
                image,
                colorbar,
                p.box,
                max_distance=recipe.max_distance,
                extent=p.extent,
                top=top,
            )
            for p, colorbar in zip(recipe.panels, bars, strict=True)
        ]
    else:
        top = float_top(image)
        share = _DIGITIZE_SHARE if recipe.values.needs_memory else 1.0
        sizes = [p.box.width * p.box.height for p in recipe.panels]
        total, done = max(sum(sizes), 1), 0
        results = []
        for panel, size, colorbar in zip(recipe.panels, sizes, bars, strict=True):
            box, max_distance, extent = _check_args(
                image.shape, panel.box, recipe.max_distance, panel.extent
            )
            # One panel converted to 8-bit RGB at a time: a 16-bit or RGBA
            # figure is never held twice over.
            crop, mask = as_rgb8(image[box.slices], top=top)
            steps = _steps(crop, mask, box, colorbar, max_distance, extent)
            while True:
                try:
                    fraction = next(steps)
                except StopIteration as finished:
                    results.append(finished.value)
                    break
                yield share * (done + fraction * size) / total
            done += size
    out = []
    for i, result in enumerate(results):
        out.append(_reduce(recipe, i, result))
        if recipe.values.needs_memory:
            yield _DIGITIZE_SHARE + (1 - _DIGITIZE_SHARE) * (i + 1) / len(results)
    return out


def read_figure(recipe: Recipe, figure: Any = None) -> Any:
    """The figure to run: an array as given, or the file read as the recipe says.

    Parameters
    ----------
    recipe : Recipe
    figure : numpy.ndarray, dask.array.Array or path, optional
        Default: the recipe's ``image`` file.

    Returns
    -------
    numpy.ndarray or dask.array.Array

    Raises
    ------
    DigitizerError
        If ``recipe`` is not a :class:`Recipe`, ``figure`` is neither an
        array nor a path, or there is no figure or it cannot be read.
    """
    if not isinstance(recipe, Recipe):
        raise wrong("recipe", "a Recipe (e.g. Recipe.load(path))", recipe)
    if figure is not None:
        path_or_array(figure, "figure")
    if figure is None:
        if recipe.image is None:
            raise DigitizerError("the recipe names no image file; give one")
        figure = recipe.image
    if isinstance(figure, (str, os.PathLike)):
        return open_figure(figure, stream=recipe.output.stream)
    if not is_dask_collection(figure):
        figure = np.asarray(figure)
    if figure.ndim not in (2, 3) or (figure.ndim == 3 and figure.shape[2] > 4):
        raise DigitizerError(
            f"image has shape {figure.shape}; expected a 2-D grey, RGB or RGBA image"
        )
    return figure


def _reduce(recipe: Recipe, index: int, result: Result) -> PanelResult:
    """Fill gaps and give values per cell or region, as the recipe asks."""
    values = recipe.values
    if not values.needs_memory:
        return PanelResult(index, result)
    result = result.compute()
    if values.fill is not None:
        result = fill_gaps(result, values.fill)
    if values.per == "cell":
        grid = recipe.panels[index].grid
        return PanelResult(index, result, cells=panel_cells(result, values.cells, grid))
    if values.per == "region":
        regions = find_regions(result, min_area=values.min_area)
        return PanelResult(index, result, regions=regions)
    if values.per == "hexagon":
        return PanelResult(index, result, regions=find_hexagons(result))
    return PanelResult(index, result)
