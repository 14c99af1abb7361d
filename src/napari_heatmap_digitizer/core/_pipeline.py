"""The one pipeline: a recipe and a figure in, one result per panel out.

Every front end (the CLI's ``digitize`` and ``batch``, the napari widget, the
Python API) calls :func:`run_recipe` or :func:`run_recipe_steps`; none has
its own copy. Whether the figure is in memory or lazy (dask) is decided here,
once.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._bands import Stats
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cells import Cells
from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._confidence import Bounds, Confidence, assess
from napari_heatmap_digitizer.core._detect import _background
from napari_heatmap_digitizer.core._digitize import (
    _check_args,
    _steps,
    digitize_lazy,
    drive,
)
from napari_heatmap_digitizer.core._errors import DigitizerError, path_or_array, wrong
from napari_heatmap_digitizer.core._matrix import matrix_cells
from napari_heatmap_digitizer.core._nodata import NEUTRAL, find_nodata, parse_nodata
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

#: Largest panel (pixels) in which no data is looked for automatically: the
#: search holds the panel in CIELAB and a few masks (about 21 bytes a pixel);
#: a lazy panel's pixels and values are computed once for it.
LAZY_NODATA_PIXELS = 1 << 26

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
    range_from: str = "given"
    bounds: Bounds = field(default_factory=Bounds)
    unsearched: bool = False
    _confidence: Confidence | None = field(default=None, repr=False, compare=False)

    @property
    def confidence(self) -> Confidence:
        """How far the panel's numbers can be trusted (see :func:`assess`).

        Gathered once, on first use; for a lazy result this computes the
        panel band by band.
        """
        if self._confidence is None:
            self._confidence = assess(
                self.result,
                cells=self.cells,
                range_from=self.range_from,
                bounds=self.bounds,
            )
            if self.unsearched:
                self._confidence.notes.append(
                    "no data was not looked for: the panel is over "
                    f"{LAZY_NODATA_PIXELS:,} pixels (name its no-data colours, "
                    "or crop it)"
                )
        return self._confidence

    def gathered(self, stats: Stats) -> Confidence:
        """The confidence of a lazy result from what writing it gathered.

        An in-memory result is judged on its arrays (``stats`` unused).
        """
        if self._confidence is None and self.result.lazy:
            self._confidence = assess(
                self.result,
                cells=self.cells,
                range_from=self.range_from,
                bounds=self.bounds,
                stats=stats,
            )
        return self.confidence

    @property
    def warnings(self) -> list[str]:
        """Why the result is doubtful (empty when it is not).

        A lazy result is not computed for this: only its cell grid's doubts
        are given until :attr:`confidence` has been gathered (as writing does).
        """
        if self.result.lazy and self._confidence is None:
            return list(self.cells.warnings) if self.cells is not None else []
        return list(self.confidence.doubts)

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
        their panel); the recipe's ``nodata`` choice is applied to panels of
        up to :data:`LAZY_NODATA_PIXELS` pixels (computed once for it), while
        larger lazy panels keep only their transparent pixels as no data.
    progress : callable, optional
        Called with the overall finished fraction (0-1); may raise to cancel.

    Returns
    -------
    list of PanelResult
        One per panel, in the recipe's order. Where a panel holds no data
        (the recipe's ``nodata``: by default the page around the data, flat
        areas such as land, lines drawn over the data) values are NaN;
        ``Result.nodata`` marks the page and flat areas, ``Result.found``
        counts each kind. Panels over :data:`LAZY_NODATA_PIXELS` pixels are
        not searched automatically (``PanelResult.unsearched``); chosen
        no-data colours still apply. Each result's ``confidence`` says how
        far to trust it.

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
    auto, colours = parse_nodata(recipe.nodata, "recipe nodata")
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
        if auto or colours:
            results = [
                _lazy_without_nodata(r, image, top, colours, auto=auto) for r in results
            ]
    else:
        top = float_top(image)
        page = _page_colour(image, top) if auto else None
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
                    result = finished.value
                    searched = auto and not _too_large(box)
                    if searched or colours:
                        result = _without_nodata(
                            result, crop, page, colours, auto=searched
                        )
                    results.append(replace(result, ink=_ink(crop, result)))
                    break
                yield share * (done + fraction * size) / total
            done += size
    out = []
    whole = functools.cache(lambda: as_rgb8(np.asarray(image))[0])  # once a run
    for i, result in enumerate(results):
        out.append(_reduce(recipe, i, result, image, whole))
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


def _page_colour(image: Any, top: float) -> np.ndarray | None:
    """The figure's page colour (CIELAB): the commonest of its outermost pixels."""
    if min(image.shape[:2]) < 16:
        return None
    return _page_of(_outermost(image), top)


def _outermost(image: Any) -> list[Any]:
    """The figure's top and bottom rows and left and right columns."""
    return [image[:1], image[-1:], image[:, :1], image[:, -1:]]


def _page_of(strips: list[Any], top: float) -> np.ndarray | None:
    """The page colour of the outermost pixels (see :func:`_page_colour`).

    A stand-in frame holding only them is what is measured, so a large
    figure is never converted whole.
    """
    border = np.concatenate(
        [as_rgb8(np.asarray(s), top=top)[0].reshape(-1, 3) for s in strips]
    )
    half = (len(border) + 1) // 2
    frame = np.empty((16, half, 3), np.uint8)
    frame[:] = border[0]
    frame[0] = border[:half]
    frame[-1, : len(border) - half] = border[half:]
    return _background(frame)


def _lazy_without_nodata(
    result: Result,
    image: Any,
    top: float,
    colours: list[str],
    *,
    auto: bool,
) -> Result:
    """:func:`_without_nodata` for a lazy panel, still lazy.

    Nothing is computed here: when the values are asked for, the panel's
    pixels and values (and the figure's outermost pixels, for the page
    colour) are gathered once, whole, so only for panels of up to
    :data:`LAZY_NODATA_PIXELS`, to find what is not data. ``found`` stays
    None (the counts are known only once computed). Larger lazy panels keep
    only their transparent pixels as no data.
    """
    if _too_large(result.box):
        return result
    import dask.array as da
    from dask import delayed

    def kinds(pixels: np.ndarray, values: np.ndarray, *strips: Any) -> np.ndarray:
        page = _page_of(list(strips), top) if strips else None
        crop, _ = as_rgb8(pixels, top=top)
        plain = replace(result, values=np.array(values, dtype=np.float32))
        found = _without_nodata(plain, crop, page, colours, auto=auto).found
        assert found is not None
        return found.mask.astype(np.uint8) + found.areas

    lazy_values: Any = result.values  # a dask array
    small = min(image.shape[:2]) < 16
    strips = _outermost(image) if auto and not small else []
    lazy = delayed(kinds, pure=True)(image[result.box.slices], lazy_values, *strips)
    both = da.from_delayed(lazy, result.box.shape, dtype=np.uint8)
    both = both.rechunk(lazy_values.chunks)
    areas = both == 2
    nodata = areas if result.nodata is None else (result.nodata | areas)
    values = da.where(both > 0, np.float32(np.nan), lazy_values)
    return replace(result, values=values, nodata=nodata)


def _without_nodata(
    result: Result,
    crop: np.ndarray,
    page: np.ndarray | None,
    colours: list[str],
    *,
    auto: bool,
) -> Result:
    """The result with NaN where the panel holds no data, and what was found."""
    colorbar = result.colorbar
    with np.errstate(invalid="ignore"):
        position = np.asarray(
            colorbar.scale.to_position(result.values), dtype=np.float32
        )
    position[~np.isfinite(result.values)] = np.nan
    chroma = np.hypot(colorbar.lab[:, 1], colorbar.lab[:, 2])
    found = find_nodata(
        crop,
        position,
        page=page,
        colours=colours,
        auto=auto,
        chromatic=bool(np.mean(chroma >= NEUTRAL) > 0.5),
    )
    values = result.values
    values[found.mask] = np.nan
    nodata = found.areas if result.nodata is None else (result.nodata | found.areas)
    return replace(result, values=values, nodata=nodata, found=found)


#: Pixels whose 8-bit channels differ by at most this are white, grey or black.
INK_SPREAD = 24


def _ink(crop: np.ndarray, result: Result) -> np.ndarray:
    """Where a panel's pixels matched no colour and are white, grey or black."""
    spread = crop.max(axis=2).astype(np.int16) - crop.min(axis=2)
    ink = np.isnan(result.values) & (spread <= INK_SPREAD)
    if result.nodata is not None:
        ink &= ~result.nodata
    return ink


def _too_large(box: Box) -> bool:
    """Whether a panel is too large to be searched for no data automatically."""
    return box.width * box.height > LAZY_NODATA_PIXELS


def _reduce(
    recipe: Recipe,
    index: int,
    result: Result,
    image: Any,
    whole: Callable[[], np.ndarray],
) -> PanelResult:
    """Fill gaps and give values per cell or region, as the recipe asks.

    ``whole()`` gives the figure as 8-bit RGB (converted once a run), for a
    matrix's grid evidence and names.
    """
    values = recipe.values
    spec = recipe.panels[index].bar(recipe)
    given = f"{len(spec.ticks)} tick marks given" if spec.ticks else "given"
    auto, _ = parse_nodata(recipe.nodata, "recipe nodata")
    unsearched = auto and _too_large(recipe.panels[index].box)

    def done(
        result: Result, cells: Cells | None = None, regions: Regions | None = None
    ) -> PanelResult:
        return PanelResult(
            index,
            result,
            cells,
            regions,
            range_from=spec.range_from or given,
            bounds=recipe.bounds,
            unsearched=unsearched,
        )

    if not values.needs_memory:
        return done(result)
    result = result.compute()
    if values.fill is not None:
        result = fill_gaps(result, values.fill)
    if values.per == "cell":
        grid = recipe.panels[index].grid
        figure = None
        if (values.cells == "auto" and grid is None) or values.numbers != "off":
            # the grid's evidence, and the rows' and columns' names
            figure = whole()
        # the panel's pixels: the cells' mean colours and printed numbers
        rgb, _ = as_rgb8(np.asarray(image[result.box.slices]))
        cells = matrix_cells(
            result,
            rgb,
            values.cells,
            grid,
            numbers=values.numbers,
            figure=figure,
        )
        return done(result, cells)
    if values.per == "region":
        return done(result, regions=find_regions(result, min_area=values.min_area))
    if values.per == "hexagon":
        return done(result, regions=find_hexagons(result))
    return done(result)
