"""napari layers of a matrix read per cell: the matrix, its grid, its numbers.

``<figure> cells [i]`` shows one image pixel per cell laid over the cells,
``<figure> grid [i]`` the cell edges as editable lines, and
``<figure> numbers [i]`` where each cell's value came from (the printed number
or the colour).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from napari_heatmap_digitizer._napari._boxes import KEY, grid_lines
from napari_heatmap_digitizer._napari._layers import (
    LayerData,
    layer_name,
    napari_colormap,
    placement,
)
from napari_heatmap_digitizer.core import Box, Cells, Grid, PanelResult, Recipe

#: How a cell's value source is shown in the numbers layer.
SOURCE_COLOURS = {
    "both": "limegreen",
    "printed": "deepskyblue",
    "colour": "orange",
    "none": "grey",
}


def cell_image(cells: Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cell matrix as an image, with its pixel size and offset in panel pixels.

    A regular grid gives one image pixel per cell, scaled to the cell size;
    an irregular one paints each cell over the panel's pixels.

    Parameters
    ----------
    cells : Cells

    Returns
    -------
    data : numpy.ndarray
        ``float32``.
    size : numpy.ndarray
        ``(row, col)`` size of an image pixel in panel pixels.
    offset : numpy.ndarray
        ``(row, col)`` position of image pixel ``(0, 0)`` in panel pixels
        (pixel centres).
    """
    grid = cells.grid
    cw, ch = np.diff(grid.col_edges), np.diff(grid.row_edges)
    data = cells.values.astype(np.float32)
    if np.ptp(cw) < 1e-6 and np.ptp(ch) < 1e-6:
        size = np.array([ch[0], cw[0]])
        return data, size, (size - 1) / 2
    h, w = cells.result.values.shape
    r = np.searchsorted(grid.row_edges[1:-1], np.arange(h) + 0.5)
    c = np.searchsorted(grid.col_edges[1:-1], np.arange(w) + 0.5)
    return data[r][:, c], np.ones(2), np.zeros(2)


def cell_layers(
    panel: PanelResult,
    recipe: Recipe,
    *,
    figure: str = "figure",
    scale: Sequence[float] = (1.0, 1.0),
    translate: Sequence[float] = (0.0, 0.0),
) -> list[LayerData]:
    """The cell-matrix image and the editable grid lines of one panel.

    The grid layer's metadata holds the grid shown and whether the recipe
    gave it (``explicit``), so the widget can tell a hand-edited grid.
    """
    cells = panel.cells
    if cells is None:
        return []
    i, result = panel.index, panel.result
    data, size, offset = cell_image(cells)
    where = placement(result.box, scale, translate)
    s = where["scale"]
    explicit = i < len(recipe.panels) and recipe.panels[i].grid is not None
    return [
        (
            data,
            {
                "name": layer_name(figure, "cells", i),
                "colormap": napari_colormap(result.colorbar),
                "contrast_limits": sorted((result.colorbar.vmin, result.colorbar.vmax)),
                "scale": s * size,
                "translate": where["translate"] + s * offset,
                "metadata": {
                    KEY: {
                        "kind": "cells",
                        "panel": i,
                        "box": list(result.box),
                        "x": cells.x.tolist(),
                        "y": cells.y.tolist(),
                        "grid": cells.grid.to_dict(),
                        "result": panel,
                        "recipe": recipe,
                    }
                },
            },
            "image",
        ),
        *grid_layer(
            cells, i, figure=figure, scale=scale, translate=translate, explicit=explicit
        ),
        *numbers_layer(cells, i, figure=figure, scale=scale, translate=translate),
    ]


def numbers_layer(
    cells: Cells,
    index: int,
    *,
    figure: str = "figure",
    scale: Sequence[float] = (1.0, 1.0),
    translate: Sequence[float] = (0.0, 0.0),
) -> list[LayerData]:
    """Where each cell's value came from, as a square frame in each cell.

    Green: the printed number, agreeing with the colour; blue: the printed
    number where the colour matched nothing; orange: the colour (nothing
    printed, or the printed text disagreed or was unreadable). The points'
    features hold each cell's value, source, printed number and colour value;
    no layer when no numbers were read.
    """
    if cells.source is None or cells.printed is None:
        return []
    box = cells.result.box
    rows, cols = cells.shape
    yc = (cells.grid.row_edges[:-1] + cells.grid.row_edges[1:]) / 2 - 0.5
    xc = (cells.grid.col_edges[:-1] + cells.grid.col_edges[1:]) / 2 - 0.5
    r, c = np.mgrid[0:rows, 0:cols]
    points = np.column_stack([box.top + yc[r.ravel()], box.left + xc[c.ravel()]])
    source = cells.source.ravel().astype(str)
    colour = cells.colour if cells.colour is not None else cells.values
    return [
        (
            points,
            {
                "name": layer_name(figure, "numbers", index),
                "features": {
                    "value": cells.values.ravel(),
                    "source": source,
                    "printed": cells.printed.values.ravel(),
                    "colour": colour.ravel(),
                },
                "symbol": "square",
                "face_color": "transparent",
                "border_color": [SOURCE_COLOURS.get(x, "grey") for x in source],
                "border_width": 0.08,
                "border_width_is_relative": True,
                "size": 0.8
                * float(
                    min(
                        np.diff(cells.grid.col_edges).min(),
                        np.diff(cells.grid.row_edges).min(),
                    )
                ),
                "opacity": 0.8,
                "scale": np.asarray(scale, dtype=float)[-2:],
                "translate": np.asarray(translate, dtype=float)[-2:],
                "metadata": {KEY: {"kind": "numbers", "panel": index}},
                "visible": True,
            },
            "points",
        )
    ]


def grid_layer(
    cells: Cells | Grid,
    index: int,
    *,
    figure: str = "figure",
    scale: Sequence[float] = (1.0, 1.0),
    translate: Sequence[float] = (0.0, 0.0),
    explicit: bool = False,
    box: Box | None = None,
) -> list[LayerData]:
    """Line shapes at the cell edges of panel ``index`` (in figure coordinates).

    ``cells`` is a :class:`Cells` or a :class:`Grid` (then ``box`` is needed).
    """
    if isinstance(cells, Cells):
        grid, where = cells.grid, cells.result.box if box is None else box
    elif box is None:
        raise ValueError("a grid needs the panel's box")
    else:
        grid, where = cells, box
    return [
        (
            grid_lines(grid, where),
            {
                "name": layer_name(figure, "grid", index),
                "shape_type": "line",
                "edge_color": "white",
                "edge_width": 1,
                "ndim": 2,
                "scale": np.asarray(scale, dtype=float)[-2:],
                "translate": np.asarray(translate, dtype=float)[-2:],
                "metadata": {
                    KEY: {
                        "kind": "grid",
                        "panel": index,
                        "box": list(where),
                        "grid": grid.to_dict(),
                        "explicit": explicit,
                    }
                },
            },
            "shapes",
        )
    ]
