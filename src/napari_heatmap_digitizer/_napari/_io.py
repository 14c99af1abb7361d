"""npe2 writers for value layers and a reader for recipe JSON files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer._napari._convert import rectangle_from_box
from napari_heatmap_digitizer.core import (
    DigitizerError,
    Recipe,
    load_image,
    write_array,
)
from napari_heatmap_digitizer.core._recipe import FORMAT

LayerData = tuple[Any, dict[str, Any], str]


def write_values(path: str, data: Any, meta: dict[str, Any]) -> list[str]:
    """Write one image layer's values as ``.csv``, ``.tif`` or ``.npy``.

    Layers made by the digitizer carry their coordinates in their metadata;
    the CSV then holds data coordinates. napari confirms overwriting.
    """
    values = np.asarray(data[0] if isinstance(data, list) else data)  # pyramid
    if values.ndim != 2:
        raise DigitizerError("only 2-D value layers can be written this way")
    info = (meta.get("metadata") or {}).get("heatmap_digitizer") or {}
    x = np.asarray(info["x"]) if "x" in info else None
    y = np.asarray(info["y"]) if "y" in info else None
    write_array(
        path,
        values,
        x=x,
        y=y,
        overwrite=True,
        metadata={k: v for k, v in info.items() if k not in ("x", "y")},
    )
    return [path]


def get_recipe_reader(path: str | list[str]) -> Callable[[str], list[LayerData]] | None:
    """Return a reader if ``path`` is a heatmap-digitizer recipe, else ``None``."""
    if isinstance(path, list) or not str(path).endswith(".json"):
        return None
    try:
        head = Path(path).read_text(encoding="utf-8")[:4096]
    except OSError:
        return None
    return read_recipe if FORMAT in head else None


def read_recipe(path: str) -> list[LayerData]:
    """The recipe's figure (when its file exists) and its boxes as Shapes layers."""
    recipe = Recipe.load(path)
    layers: list[LayerData] = []
    if recipe.image:
        image = Path(recipe.image)
        if not image.is_absolute():
            image = Path(path).parent / image
        if image.exists():
            layers.append(
                (load_image(image), {"name": image.stem, "rgb": True}, "image")
            )
    meta = {"recipe": recipe.to_dict()}
    panels = [rectangle_from_box(p.box) for p in recipe.panels]
    layers.append(
        (
            panels,
            {
                "name": "plot panels",
                "shape_type": "rectangle",
                "edge_color": "cyan",
                "face_color": "transparent",
                "edge_width": 2,
                "metadata": meta,
            },
            "shapes",
        )
    )
    if recipe.colorbar.box is not None:
        layers.append(
            (
                [rectangle_from_box(recipe.colorbar.box)],
                {
                    "name": "colour bar",
                    "shape_type": "rectangle",
                    "edge_color": "magenta",
                    "face_color": "transparent",
                    "edge_width": 2,
                    "metadata": meta,
                },
                "shapes",
            )
        )
    return layers
