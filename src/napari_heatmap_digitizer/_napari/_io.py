"""npe2 writers for value layers and a reader for recipe JSON files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer._napari._boxes import (
    COLORBAR_LAYER,
    PANELS_LAYER,
    LayerData,
    box_layer_data,
)
from napari_heatmap_digitizer._napari._layers import KEY
from napari_heatmap_digitizer.core import (
    DigitizerError,
    PanelResult,
    Recipe,
    load_image,
    write_array,
    write_panel,
)
from napari_heatmap_digitizer.core._recipe import FORMAT

#: Metadata entries that are not written into files (objects, coordinates).
_NOT_WRITTEN = ("x", "y", "result", "recipe")


def write_values(path: str, data: Any, meta: dict[str, Any]) -> list[str]:
    """Write one image layer's values as ``.csv``, ``.tif``, ``.npy`` or ``.zarr``.

    A value or cell layer made by the digitizer carries its
    :class:`PanelResult` and :class:`Recipe`: it is written by the core's
    :func:`~napari_heatmap_digitizer.core.write_panel`, exactly as the CLI
    writes it (band by band, so a lazy result is never whole in memory, with
    the same metadata). Any other 2-D image layer is written as it is, in
    data coordinates when its metadata holds them. napari confirms
    overwriting.

    Parameters
    ----------
    path : str
    data : array or list of arrays
        The layer's data (a pyramid's first level is written).
    meta : dict
        The layer's attributes (``metadata`` is read).

    Returns
    -------
    list of str
        The path written.
    """
    info = (meta.get("metadata") or {}).get(KEY) or {}
    panel, recipe = info.get("result"), info.get("recipe")
    if isinstance(panel, PanelResult) and isinstance(recipe, Recipe):
        write_panel(path, panel, recipe, overwrite=True)
        return [path]
    values = data[0] if isinstance(data, list) else data  # pyramid
    if values.ndim != 2:
        raise DigitizerError("only 2-D value layers can be written this way")
    x = np.asarray(info["x"]) if "x" in info else None
    y = np.asarray(info["y"]) if "y" in info else None
    write_array(
        path,
        np.asarray(values),
        x=x,
        y=y,
        overwrite=True,
        metadata={k: v for k, v in info.items() if k not in _NOT_WRITTEN},
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
    """The recipe's figure (when its file exists) and its boxes as Shapes layers.

    The box layers carry the recipe in ``metadata["recipe"]``: the widget
    takes its settings from them when they are added.
    """
    recipe, dropped = one_bar(Recipe.load(path))
    if dropped:
        from napari.utils.notifications import show_warning

        show_warning(dropped)
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
    layers.append(
        box_layer_data(PANELS_LAYER, [p.box for p in recipe.panels], metadata=meta)
    )
    if recipe.colorbar.box is not None:
        layers.append(
            box_layer_data(COLORBAR_LAYER, [recipe.colorbar.box], metadata=meta)
        )
    return layers


def one_bar(recipe: Recipe) -> tuple[Recipe, str | None]:
    """The recipe with only the panels read through its one colour bar.

    The widget shows one colour bar. Panels with a bar of their own (a
    figure with one bar per panel, from a recipe file) are left out rather
    than read through the wrong bar; the message says so and what to do.
    """
    own = [i for i, p in enumerate(recipe.panels) if p.colorbar is not None]
    if not own:
        return recipe, None
    kept = recipe.copy()
    kept.panels = [p for p in kept.panels if p.colorbar is None]
    return kept, (
        f"panel(s) {', '.join(map(str, own))} of this recipe have a colour bar of "
        "their own, which the widget cannot show: they were left out; digitize "
        "them with 'heatmap-digitizer digitize --recipe'"
    )
