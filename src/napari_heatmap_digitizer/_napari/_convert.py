"""Between napari's ``(row, col)`` world and the core's pixel boxes.

napari puts the centre of pixel ``(r, c)`` at data coordinate ``(r, c)``, so
the pixel covers ``r - 0.5 .. r + 0.5``. Core boxes use pixel edges with
pixel ``i`` covering ``i .. i + 1``. The two differ by half a pixel; this is
the one place that knows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from napari_heatmap_digitizer.core import Box, Colorbar, DigitizerError


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
    corners = np.asarray(corners, dtype=float)
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


def napari_colormap(colorbar: Colorbar, n: int = 256) -> dict[str, Any]:
    """Napari colormap arguments that show values in the figure's own colours.

    Control points are placed at each colour's value (normalised to the
    range), so log and tick-based bars look as they do in the figure although
    napari maps values linearly.
    """
    positions = (np.arange(n) + 0.5) / n
    values = colorbar.scale.to_value(positions)
    lo, hi = colorbar.vmin, colorbar.vmax
    controls = (values - lo) / (hi - lo)
    colours = colorbar.preview(n).astype(np.float32) / 255.0
    if controls[0] > controls[-1]:
        controls, colours = controls[::-1], colours[::-1]
    controls = np.concatenate([[0.0], controls, [1.0]])
    colours = np.vstack([colours[:1], colours, colours[-1:]])
    rgba = np.hstack([colours, np.ones((len(colours), 1), np.float32)])
    return {
        "colors": rgba,
        "controls": np.clip(controls, 0.0, 1.0),
        "name": f"heatmap-digitizer {colorbar.key[:8]}",
        "interpolation": "zero" if colorbar.discrete else "linear",
    }
