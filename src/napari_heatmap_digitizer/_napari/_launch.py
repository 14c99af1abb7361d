"""``heatmap-digitizer gui``: napari with a figure and the widget docked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from napari_heatmap_digitizer.core import load_image


def launch(figure: str | None = None, *, run: bool = True) -> tuple[Any, Any]:
    """Open napari with ``figure`` (the bundled sample when ``None``) and the widget.

    Parameters
    ----------
    figure : str, optional
        An image file. Without one the single-panel sample opens with its
        boxes and range already filled in.
    run : bool
        Start the Qt event loop (returns when the window closes).

    Returns
    -------
    viewer, widget
    """
    image = None if figure is None else load_image(figure)  # fail before any window
    import napari

    from napari_heatmap_digitizer._napari._sample_data import single_panel_sample
    from napari_heatmap_digitizer.core import Recipe

    viewer = napari.Viewer(title="Heat-map digitizer")
    recipe = None
    if image is None:
        ((data, meta, _),) = single_panel_sample()
        layer = viewer.add_image(data, **meta)
        recipe = Recipe.from_dict(meta["metadata"]["recipe"])
    else:
        layer = viewer.add_image(image, name=Path(str(figure)).stem, rgb=True)
    _, widget = viewer.window.add_plugin_dock_widget(
        "napari-heatmap-digitizer", "Heat-map digitizer"
    )
    widget.figure.value = layer
    if recipe is not None:
        widget.load_recipe(recipe)
    else:
        widget.create_box_layers()
    if run:
        napari.run()
    return viewer, widget
