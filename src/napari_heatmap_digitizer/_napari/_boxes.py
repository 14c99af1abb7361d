"""Between napari's ``(row, col)`` Shapes layers and the core's boxes and grids.

napari puts the centre of pixel ``(r, c)`` at data coordinate ``(r, c)``, so
the pixel covers ``r - 0.5 .. r + 0.5``. Core boxes use pixel edges with
pixel ``i`` covering ``i .. i + 1`` and ``LEFT, TOP, RIGHT, BOTTOM`` order.
This module is the one place that knows both: rectangles ⇄ :class:`Box`,
grid lines ⇄ :class:`Grid`, and the two box layers the widget draws in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core import Box, DigitizerError, Grid, snap_panel

#: The metadata key of every layer the digitizer makes.
KEY = "heatmap_digitizer"

#: The Shapes layer holding one rectangle per plot panel.
PANELS_LAYER = "plot panels"
#: The Shapes layer holding the rectangle around the colour bar.
COLORBAR_LAYER = "colour bar"
#: Edge colour of each box layer.
BOX_COLOURS = {PANELS_LAYER: "cyan", COLORBAR_LAYER: "magenta"}

LayerData = tuple[Any, dict[str, Any], str]


def box_from_rectangle(
    corners: np.ndarray, image_shape: tuple[int, ...], *, what: str
) -> tuple[Box, bool]:
    """The pixel box of a rectangle drawn over an image.

    Parameters
    ----------
    corners : numpy.ndarray
        ``(4, 2)`` ``(row, col)`` corners in the image layer's data coordinates.
    image_shape : tuple of int
        ``(rows, cols, ...)`` of the image.
    what : str
        How to name the rectangle in messages.

    Returns
    -------
    box : Box
        Clipped to the image.
    clipped : bool
        Whether the rectangle reached outside the image.

    Raises
    ------
    DigitizerError
        If the shape is not an axis-aligned rectangle or lies outside the image.
    """
    corners = np.asarray(corners, dtype=float)[..., -2:]
    if corners.shape != (4, 2):
        raise DigitizerError(
            f"{what} is not a rectangle; draw it with the rectangle tool"
        )
    rows = np.unique(np.round(corners[:, 0], 6))
    cols = np.unique(np.round(corners[:, 1], 6))
    if rows.size != 2 or cols.size != 2:
        raise DigitizerError(
            f"{what} is rotated or not a rectangle; draw it with the rectangle tool"
        )
    top, bottom = rows + 0.5
    left, right = cols + 0.5
    n_rows, n_cols = int(image_shape[0]), int(image_shape[1])
    raw = Box(round(left), round(top), round(right), round(bottom))
    box = Box(
        max(raw.left, 0),
        max(raw.top, 0),
        min(raw.right, n_cols),
        min(raw.bottom, n_rows),
    )
    if box.right - box.left < 1 or box.bottom - box.top < 1:
        raise DigitizerError(
            f"{what} is empty or outside the figure; draw it over the figure"
        )
    return box, box != raw


def rectangle_from_box(box: Box) -> np.ndarray:
    """``(4, 2)`` ``(row, col)`` corners of a pixel box, for a Shapes layer."""
    top, bottom = box.top - 0.5, box.bottom - 0.5
    left, right = box.left - 0.5, box.right - 0.5
    return np.array([[top, left], [top, right], [bottom, right], [bottom, left]])


def boxes_from_shapes(
    data: Sequence[np.ndarray],
    shape_types: Sequence[str],
    image_shape: tuple[int, ...],
    *,
    layer: str,
) -> tuple[list[Box], list[str]]:
    """The boxes of a Shapes layer's rectangles, in drawing order.

    Parameters
    ----------
    data : sequence of numpy.ndarray
        The layer's ``data``.
    shape_types : sequence of str
        The layer's ``shape_type``.
    image_shape : tuple of int
        ``(rows, cols, ...)`` of the figure.
    layer : str
        The layer's name, for messages.

    Returns
    -------
    boxes : list of Box
    warnings : list of str
        One per rectangle that reached outside the figure (it was cut).

    Raises
    ------
    DigitizerError
        If a shape is not a rectangle or lies outside the figure.
    """
    boxes, warnings = [], []
    for i, (corners, kind) in enumerate(zip(data, shape_types, strict=True)):
        what = f"shape {i} of '{layer}'"
        if kind != "rectangle":
            raise DigitizerError(f"{what} is a {kind}; draw rectangles only")
        box, clipped = box_from_rectangle(corners, image_shape, what=what)
        if clipped:
            warnings.append(f"{what} reaches outside the figure; it was cut to it")
        boxes.append(box)
    return boxes, warnings


def box_layer_kwargs(name: str, **extra: Any) -> dict[str, Any]:
    """Keyword arguments of a box layer (``PANELS_LAYER`` or ``COLORBAR_LAYER``)."""
    return {
        "name": name,
        "edge_color": BOX_COLOURS[name],
        "face_color": "transparent",
        "edge_width": 2,
        "ndim": 2,
        **extra,
    }


def box_layer_data(name: str, boxes: Sequence[Box], **extra: Any) -> LayerData:
    """A napari layer-data tuple of rectangles for ``boxes`` (e.g. for a reader)."""
    return (
        [rectangle_from_box(b) for b in boxes],
        box_layer_kwargs(name, shape_type="rectangle", **extra),
        "shapes",
    )


def replace_rectangles(layer: Any, boxes: Sequence[Box]) -> None:
    """Replace every shape of a Shapes ``layer`` by rectangles for ``boxes``."""
    if len(layer.data):
        layer.selected_data = set(range(len(layer.data)))
        layer.remove_selected()
    if boxes:
        layer.add_rectangles([rectangle_from_box(b) for b in boxes])


def grid_lines(grid: Grid, box: Box) -> list[np.ndarray]:
    """The grid's edges as ``(row, col)`` line shapes in figure data coordinates."""
    top, left = box.top - 0.5, box.left - 0.5
    bottom, right = top + grid.row_edges[-1], left + grid.col_edges[-1]
    lines = [np.array([[top, left + x], [bottom, left + x]]) for x in grid.col_edges]
    lines += [np.array([[top + y, left], [top + y, right]]) for y in grid.row_edges]
    return lines


def grid_from_lines(lines: Sequence[np.ndarray], box: Box) -> Grid | None:
    """Cell edges from vertical and horizontal line shapes (see :func:`grid_lines`).

    Returns ``None`` when there are not two lines of each direction.
    """
    cols, rows = [], []
    for line in lines:
        pts = np.asarray(line)[:, -2:]
        (r0, c0), (r1, c1) = pts[0], pts[-1]
        if abs(c1 - c0) <= abs(r1 - r0):
            cols.append((c0 + c1) / 2 - (box.left - 0.5))
        else:
            rows.append((r0 + r1) / 2 - (box.top - 0.5))
    if len(cols) < 2 or len(rows) < 2:
        return None
    try:
        return Grid(np.unique(np.round(cols, 3)), np.unique(np.round(rows, 3)))
    except DigitizerError:
        return None


def same_grid(a: Grid, b: Grid, *, tolerance: float = 0.25) -> bool:
    """Whether two grids have the same cells, edges within ``tolerance`` pixels."""
    return (
        a.shape == b.shape
        and bool(np.allclose(a.col_edges, b.col_edges, atol=tolerance))
        and bool(np.allclose(a.row_edges, b.row_edges, atol=tolerance))
    )


def edited_grid(layer: Any, box: Box, *, name: str) -> Grid | None:
    """The grid a panel's grid layer shows, if the user gave or edited one.

    Parameters
    ----------
    layer : napari.layers.Shapes or None
        The panel's grid layer (lines at the cell edges).
    box : Box
        The panel now; a grid shown for another box is not used.
    name : str
        The layer's name, for the message.

    Returns
    -------
    Grid or None
        ``None`` when the grid should be detected: no grid is shown for this
        box, or it is the detected one, untouched.

    Raises
    ------
    DigitizerError
        When the edited lines do not make a grid.
    """
    info = {} if layer is None else layer.metadata.get(KEY) or {}
    if "grid" not in info or info.get("box") != list(box):
        return None
    shown = Grid.from_dict(info["grid"])
    grid = grid_from_lines(layer.data, box)
    if grid is None:
        raise DigitizerError(
            f"'{name}' needs vertical and horizontal lines at the cell edges, "
            "including the panel's outer edges"
        )
    if same_grid(grid, shown):  # untouched: a given grid stays, else re-detect
        return shown if info.get("explicit") else None
    return grid


def snap_new_rectangle(layer: Any, image: Any) -> tuple[Box, Box] | None:
    """Snap the rectangle just drawn last in ``layer`` to the axes frame inside it.

    A plot box drawn by hand often takes in the axes frame and a margin of
    background, which would shift the axes' extents; it is replaced by
    :func:`~napari_heatmap_digitizer.core.snap_panel`'s box (which leaves a
    tight box as drawn).

    Parameters
    ----------
    layer : napari.layers.Shapes
        The plot-panels layer; its last shape is the one just drawn.
    image : array
        The figure under it.

    Returns
    -------
    (drawn, snapped) or None
        The boxes, when the rectangle was replaced.
    """
    if not len(layer.data) or layer.shape_type[-1] != "rectangle":
        return None
    try:
        drawn, _ = box_from_rectangle(layer.data[-1], image.shape, what="the new box")
        snapped = snap_panel(image, drawn)
    except DigitizerError:
        return None  # not a box over the figure: the usual checks will say so
    if snapped == drawn:
        return None
    layer.selected_data = {len(layer.data) - 1}
    layer.remove_selected()
    layer.add_rectangles([rectangle_from_box(snapped)])
    return drawn, snapped


class BoxLayers:
    """The "plot panels" and "colour bar" Shapes layers of a viewer.

    Creates them over a figure, puts given boxes in (never snapped), reads
    the boxes back, and snaps a plot box drawn by hand to the axes frame
    inside it (:func:`snap_new_rectangle`).

    Parameters
    ----------
    viewer : napari.viewer.Viewer
    """

    def __init__(self, viewer: Any) -> None:
        self._viewer = viewer
        self._placing = False

    def get(self, name: str) -> Any:
        """The layer called ``name``, or ``None``."""
        layers = self._viewer.layers  # a LayerList: no .get()
        return layers[name] if name in layers else None  # noqa: SIM401

    def counts(self) -> tuple[int, int] | None:
        """Rectangles in the panels and colour-bar layers (``None`` without them)."""
        panels, bars = self.get(PANELS_LAYER), self.get(COLORBAR_LAYER)
        if panels is None or bars is None:
            return None
        return len(panels.data), len(bars.data)

    def create(self, figure: Any) -> Any:
        """Add the layers that are missing over ``figure``; returns the panels layer."""
        where = {"scale": figure.scale, "translate": figure.translate}
        for name in (COLORBAR_LAYER, PANELS_LAYER):
            if self.get(name) is None:
                self._viewer.add_shapes(**box_layer_kwargs(name, **where))
        return self.get(PANELS_LAYER)

    def put(self, panels: Sequence[Box], colorbar: Box | None) -> None:
        """Replace the rectangles of both (existing) layers by these boxes."""
        self._placing = True  # given, not drawn: never snapped
        try:
            replace_rectangles(self.get(PANELS_LAYER), panels)
            replace_rectangles(
                self.get(COLORBAR_LAYER), [] if colorbar is None else [colorbar]
            )
        finally:
            self._placing = False

    def boxes(self, name: str, shape: tuple[int, ...]) -> tuple[list[Box], list[str]]:
        """Layer ``name``'s pixel boxes over an image of ``shape``, and warnings."""
        layer = self.get(name)
        if layer is None:
            return [], []
        return boxes_from_shapes(layer.data, layer.shape_type, shape, layer=name)

    def drawn(self, event: Any) -> bool:
        """Whether a layer's data event is a shape just drawn by hand."""
        return getattr(event, "action", None) == "added" and not self._placing

    def snap_drawn(self, image: Any) -> tuple[Box, Box] | None:
        """Snap the plot box drawn last (see :func:`snap_new_rectangle`)."""
        layer = self.get(PANELS_LAYER)
        if layer is None:
            return None
        self._placing = True
        try:
            return snap_new_rectangle(layer, image)
        finally:
            self._placing = False
