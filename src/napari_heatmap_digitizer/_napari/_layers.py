"""Panel results as napari layer data: pure functions, no viewer.

Every function returns napari layer-data tuples ``(data, kwargs, layer_type)``
placed exactly over the panel they came from: a layer's ``scale`` and
``translate`` are the figure layer's, shifted to the panel's top-left pixel,
so a value lies over the pixel it was read from whatever the figure's own
placement.

The value layers carry, in ``metadata["heatmap_digitizer"]``, the
:class:`PanelResult` and the :class:`Recipe` that made them: the npe2 writer
writes them with the core's writers (band by band for lazy results).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from napari_heatmap_digitizer._napari._boxes import KEY
from napari_heatmap_digitizer.core import (
    Box,
    Colorbar,
    PanelResult,
    Recipe,
    Regions,
    Result,
    digitize_blocks,
)
from napari_heatmap_digitizer.core._read import float_top

LayerData = tuple[Any, dict[str, Any], str]

#: The kinds of layer made per panel, in the order they are added.
KINDS = (
    "values",
    "distance",
    "unmatched",
    "nodata",
    "cells",
    "grid",
    "numbers",
    "regions",
)

#: Results larger than this (pixels per side) are shown as image pyramids, so
#: napari only ever uploads what the screen shows.
PYRAMID_ABOVE = 2048
#: Pyramid levels stop halving at this size (pixels per side).
PYRAMID_TOP = 1024


def layer_name(figure: str, kind: str, index: int) -> str:
    """The name of panel ``index``'s layer of ``kind`` for a figure layer."""
    return f"{figure} {kind} [{index}]"


def napari_colormap(colorbar: Colorbar, n: int = 256) -> dict[str, Any]:
    """Napari colormap arguments that show values in the figure's own colours.

    Control points are placed at each colour's value (normalised to the
    range), so log and tick-based bars look as they do in the figure although
    napari maps values linearly.

    Parameters
    ----------
    colorbar : Colorbar
    n : int
        Number of colours sampled along the bar.

    Returns
    -------
    dict
        ``colors``, ``controls``, ``name`` and ``interpolation``.
    """
    positions = (np.arange(n) + 0.5) / n
    values = colorbar.scale.to_value(positions)
    lo, hi = colorbar.vmin, colorbar.vmax
    controls = (values - lo) / (hi - lo)
    colors = colorbar.preview(n).astype(np.float32) / 255.0
    if controls[0] > controls[-1]:
        controls, colors = controls[::-1], colors[::-1]
    controls = np.concatenate([[0.0], controls, [1.0]])
    colors = np.vstack([colors[:1], colors, colors[-1:]])
    rgba = np.hstack([colors, np.ones((len(colors), 1), np.float32)])
    return {
        "colors": rgba,
        "controls": np.clip(controls, 0.0, 1.0),
        "name": f"heatmap-digitizer {colorbar.key[:8]}",
        "interpolation": "zero" if colorbar.discrete else "linear",
    }


def placement(
    box: Box,
    scale: Sequence[float] = (1.0, 1.0),
    translate: Sequence[float] = (0.0, 0.0),
) -> dict[str, np.ndarray]:
    """``scale`` and ``translate`` putting a panel-sized image over ``box``.

    Parameters
    ----------
    box : Box
        The panel in figure pixels.
    scale, translate : sequence of float
        The figure layer's (the last two, ``(row, col)``, are used).

    Returns
    -------
    dict
        ``{"scale": ..., "translate": ...}`` for the layer's kwargs.
    """
    s = np.asarray(scale, dtype=float)[-2:]
    t = np.asarray(translate, dtype=float)[-2:]
    return {"scale": s, "translate": t + s * np.array([box.top, box.left])}


def pyramid(array: np.ndarray) -> np.ndarray | list[np.ndarray]:
    """``array``, or a pyramid of halvings of it when it is large."""
    if max(array.shape) <= PYRAMID_ABOVE:
        return array
    levels = [array]
    while max(levels[-1].shape) > PYRAMID_TOP:
        levels.append(np.ascontiguousarray(levels[-1][::2, ::2]))
    return levels


def lazy_levels(image: Any, result: Result) -> tuple[Any, Any, Any]:
    """Dask values, ΔE and unmatched (each one array or a pyramid) of a lazy result.

    Level ``k`` digitizes every ``2**k``-th pixel of the panel, which gives
    exactly ``values[::2**k, ::2**k]`` while reading only the chunks napari
    shows; nothing is computed here.

    Parameters
    ----------
    image : dask.array.Array
        The figure the result came from.
    result : Result
        A lazy result (:attr:`Result.lazy`).

    Returns
    -------
    values, distance, unmatched : dask array or list of dask arrays
    """
    crop = image[result.box.slices]
    top = float_top(image)
    levels: list[tuple[Any, Any, Any]] = []
    step = 1
    while True:
        part = crop[::step, ::step]
        if step == 1:
            values, distance, nodata = result.values, result.distance, result.nodata
        else:
            values, distance = digitize_blocks(
                part, result.colorbar, result.max_distance, top=top
            )
            nodata = None if result.nodata is None else result.nodata[::step, ::step]
        unmatched = np.isnan(values) if nodata is None else np.isnan(values) & ~nodata
        levels.append((values, distance, unmatched.astype(np.uint8)))
        if max(part.shape[:2]) <= (PYRAMID_ABOVE if step == 1 else PYRAMID_TOP):
            break
        step *= 2
    if len(levels) == 1:
        return levels[0]
    values_, distance_, unmatched_ = (list(kind) for kind in zip(*levels, strict=True))
    return values_, distance_, unmatched_


def pixel_layers(
    panel: PanelResult,
    recipe: Recipe,
    *,
    figure: str = "figure",
    scale: Sequence[float] = (1.0, 1.0),
    translate: Sequence[float] = (0.0, 0.0),
    image: Any = None,
) -> list[LayerData]:
    """The values, ΔE, unmatched and no-data images of one panel.

    Parameters
    ----------
    panel : PanelResult
    recipe : Recipe
        The recipe that gave ``panel`` (kept in the values layer's metadata).
    figure : str
        The figure layer's name (layer names start with it).
    scale, translate : sequence of float
        The figure layer's placement.
    image : dask.array.Array, optional
        The figure, needed for a lazy result's pyramid.

    Returns
    -------
    list of (data, kwargs, layer_type)
    """
    result, i = panel.result, panel.index
    if result.lazy:
        values, distance, unmatched = lazy_levels(image, result)
    else:
        values = pyramid(result.values)
        distance = pyramid(result.distance)
        unmatched = pyramid(result.unmatched.astype(np.uint8))
    where = placement(result.box, scale, translate)
    info = {
        "panel": i,
        "box": list(result.box),
        "x": result.x.tolist(),
        "y": result.y.tolist(),
        "extent": None if result.extent is None else result.extent.as_list(),
    }
    limits = sorted((result.colorbar.vmin, result.colorbar.vmax))
    values_info = {
        **info,
        "kind": "values",
        "result": PanelResult(
            i, result, range_from=panel.range_from, bounds=panel.bounds
        ),
        "recipe": recipe,
    }
    return [
        (
            values,
            {
                "name": layer_name(figure, "values", i),
                "colormap": napari_colormap(result.colorbar),
                "contrast_limits": limits,
                "metadata": {KEY: values_info},
                **where,
            },
            "image",
        ),
        (
            distance,
            {
                "name": layer_name(figure, "distance", i),
                "colormap": "magma",
                "visible": False,
                "contrast_limits": (0.0, float(result.max_distance)),
                "metadata": {KEY: {**info, "kind": "distance"}},
                **where,
            },
            "image",
        ),
        _mask_layer(unmatched, "unmatched", "red", figure, i, info, where),
        *(
            [_mask_layer(nodata, "nodata", "cyan", figure, i, info, where)]
            if (nodata := _nodata_levels(result)) is not None
            else []
        ),
    ]


def _nodata_levels(result: Result) -> Any:
    """The panel's no-data mask (page, flat areas, chosen colours), if any."""
    if result.lazy or result.nodata is None or not result.nodata.any():
        return None
    return pyramid(result.nodata.astype(np.uint8))


def _mask_layer(
    data: Any,
    kind: str,
    colour: str,
    figure: str,
    i: int,
    info: dict[str, Any],
    where: dict[str, Any],
) -> LayerData:
    """A mask of one panel (1 where it holds), in one colour, hidden at first."""
    return (
        data,
        {
            "name": layer_name(figure, kind, i),
            "colormap": colour,
            "contrast_limits": (0, 1),
            "blending": "additive",
            "visible": False,
            "metadata": {KEY: {**info, "kind": kind}},
            **where,
        },
        "image",
    )


def region_layers(
    panel: PanelResult,
    *,
    figure: str = "figure",
    scale: Sequence[float] = (1.0, 1.0),
    translate: Sequence[float] = (0.0, 0.0),
) -> list[LayerData]:
    """One point per region (or hexagon), coloured by value, with its table."""
    regions: Regions | None = panel.regions
    if regions is None:
        return []
    result = panel.result
    box = result.box
    coords = np.column_stack([regions.py - box.top, regions.px - box.left]) - 0.5
    n = len(regions)
    size = float(np.clip(np.sqrt(np.median(regions.area)) / 3, 3, 12)) if n else 5.0
    color: dict[str, Any] = {"face_color": "white"}
    if n:
        color = {
            "face_color": "value",
            "face_colormap": napari_colormap(result.colorbar),
            "face_contrast_limits": tuple(
                sorted((result.colorbar.vmin, result.colorbar.vmax))
            ),
        }
    return [
        (
            coords.reshape(-1, 2),
            {
                "name": layer_name(figure, "regions", panel.index),
                "features": regions.table(),
                "size": size,
                "border_color": "white",
                "border_width": 0.1,
                "metadata": {KEY: {"kind": "regions", "panel": panel.index}},
                **placement(box, scale, translate),
                **color,
            },
            "points",
        )
    ]


def panel_layers(
    panel: PanelResult,
    recipe: Recipe,
    *,
    figure: str = "figure",
    scale: Sequence[float] = (1.0, 1.0),
    translate: Sequence[float] = (0.0, 0.0),
    image: Any = None,
) -> list[LayerData]:
    """Every layer of one panel: pixels, then cells and grid, or region points.

    Parameters are as for :func:`pixel_layers`.
    """
    from napari_heatmap_digitizer._napari._cell_layers import cell_layers

    return (
        pixel_layers(
            panel, recipe, figure=figure, scale=scale, translate=translate, image=image
        )
        + cell_layers(panel, recipe, figure=figure, scale=scale, translate=translate)
        + region_layers(panel, figure=figure, scale=scale, translate=translate)
    )


def reading_layer(figure: str, panels: Sequence[PanelResult]) -> str | None:
    """The layer to select after a run: the first panel's cells, else its values.

    Parameters
    ----------
    figure : str
        The figure layer's name.
    panels : sequence of PanelResult
    """
    if not panels:
        return None
    kind = "cells" if panels[0].cells is not None else "values"
    return layer_name(figure, kind, panels[0].index)


def cursor_text(panels: Sequence[PanelResult], row: int, col: int) -> str:
    """What figure pixel ``(row, col)`` reads as (empty outside every panel).

    Parameters
    ----------
    panels : sequence of PanelResult
    row, col : int
        The figure pixel.

    Returns
    -------
    str
        ``panel I: x=…, y=… → VALUE (ΔE …)``.
    """
    for panel in panels:
        result, box = panel.result, panel.result.box
        if box.top <= row < box.bottom and box.left <= col < box.right:
            r, c = row - box.top, col - box.left
            value, distance = (
                float(np.asarray(a[r, c])) for a in (result.values, result.distance)
            )
            text = "no match" if np.isnan(value) else f"{value:.6g}"
            return (
                f"panel {panel.index}: x={result.x[c]:.6g}, y={result.y[r]:.6g} "
                f"→ {text} (ΔE {distance:.2f}){_cell_text(panel, r, c)}"
            )
    return ""


def _cell_text(panel: PanelResult, r: int, c: int) -> str:
    """`` · cell (row, col) = VALUE (source)`` for a panel read per cell."""
    cells = panel.cells
    if cells is None:
        return ""
    i = int(np.searchsorted(cells.grid.row_edges[1:-1], r + 0.5))
    j = int(np.searchsorted(cells.grid.col_edges[1:-1], c + 0.5))
    value = float(cells.values[i, j])
    text = "no value" if np.isnan(value) else f"{value:.6g}"
    if cells.source is not None:
        text += f" ({_SOURCE_TEXT.get(str(cells.source[i, j]), '')})"
    return f" · cell ({i}, {j}) = {text}"


_SOURCE_TEXT = {
    "both": "printed, agrees with its colour",
    "printed": "printed; its colour matched nothing",
    "colour": "from its colour",
    "none": "none",
}
