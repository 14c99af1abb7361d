"""``heatmap-digitizer gui``: napari with a figure and the widget docked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from napari_heatmap_digitizer.core import load_image

#: The largest window ``launch`` opens (width, height in pixels).
WINDOW = (1600, 1000)


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
    fit_window(viewer)
    if run:
        from qtpy.QtCore import QTimer

        # Python runs signal handlers only between bytecodes: a timer ticking
        # in Qt's loop lets Ctrl-C and SIGTERM close the window at once.
        tick = QTimer(viewer.window._qt_window)
        tick.timeout.connect(lambda: None)
        tick.start(200)
        napari.run()
    return viewer, widget


def fit_window(viewer: Any, *, most: tuple[int, int] = WINDOW) -> None:
    """Size the window to leave the canvas room, then show the whole figure.

    The window takes at most ``most`` (width, height) pixels and 90 % of the
    screen. The view is reset once Qt has laid out the docked widget (the
    canvas shrinks when it docks), and again on the next turn of the event
    loop in case the window manager resized the window.
    """
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication

    window = viewer.window._qt_window
    screen = window.screen().availableGeometry()
    width = min(most[0], int(0.9 * screen.width()))
    height = min(most[1], int(0.9 * screen.height()))
    window.resize(width, height)
    QApplication.processEvents()
    viewer.reset_view()
    QTimer.singleShot(0, viewer.reset_view)
