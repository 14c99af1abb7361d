"""The widget's plumbing: the digitizing worker, the layer queue, file dialogs."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
from dask import is_dask_collection
from napari.layers import Image as ImageLayer
from qtpy.QtCore import QTimer

from napari_heatmap_digitizer._napari._layers import KINDS, LayerData, panel_layers
from napari_heatmap_digitizer.core import (
    DigitizerError,
    PanelResult,
    Recipe,
    run_recipe_steps,
)

OPEN_FIRST = "open a figure first (File > Open, or File > Open Sample)"

Done = tuple[list[PanelResult], list[LayerData], list[str]]


def digitize_work(
    recipe: Recipe, image: Any, where: dict[str, Any]
) -> Generator[None, None, Done]:
    """The worker: one yield per finished percent (napari's progress bar).

    Parameters
    ----------
    recipe : Recipe
    image : numpy.ndarray or dask.array.Array
        The figure.
    where : dict
        ``figure`` (name), ``scale`` and ``translate`` of the figure layer.

    Returns
    -------
    panels : list of PanelResult
    layers : list of (data, kwargs, layer_type)
        The layers that show them, prepared here rather than in the viewer.
    lines : list of str
        One status line per panel.
    """
    steps = run_recipe_steps(recipe, image)
    done = 0
    while True:
        try:
            fraction = next(steps)
        except StopIteration as finished:
            panels: list[PanelResult] = finished.value
            break
        while done < int(100 * fraction):
            done += 1
            yield
    layers = [
        item for p in panels for item in panel_layers(p, recipe, image=image, **where)
    ]
    lines = [
        f"[{p.index}] computed as displayed (dask)"
        if p.result.lazy
        else f"[{p.index}] {p.summary()}"
        for p in panels
    ]
    return panels, layers, lines


class LayerQueue:
    """Adds or updates layers one per event-loop turn.

    Adding a large layer takes napari tens of milliseconds; one at a time
    keeps every pause of the viewer short.

    Parameters
    ----------
    viewer : napari.viewer.Viewer
    """

    def __init__(self, viewer: Any) -> None:
        self._viewer = viewer
        self._pending: list[LayerData | Callable[[], None]] = []
        self.closed = False

    @property
    def busy(self) -> bool:
        """Whether layers are still waiting to be added."""
        return bool(self._pending)

    def show(
        self, figure: str, layers: Sequence[LayerData], then: Callable[[], None]
    ) -> None:
        """Show a run's ``layers``, remove the figure's result layers not among them.

        Parameters
        ----------
        figure : str
            The figure layer's name.
        layers : sequence of (data, kwargs, layer_type)
        then : callable
            Called once every layer is in.
        """
        names = {kwargs["name"] for _, kwargs, _ in layers}
        mine = re.compile(rf"{re.escape(figure)} ({'|'.join(KINDS)}) \[\d+\]")
        for layer in list(self._viewer.layers):  # kinds or panels that went away
            if mine.fullmatch(layer.name) and layer.name not in names:
                self._viewer.layers.remove(layer)
        self._pending += [*layers, then]
        self._drain()

    def _drain(self) -> None:
        if self.closed or not self._pending:
            self._pending.clear()
            return
        item = self._pending.pop(0)
        if callable(item):
            item()
        else:
            self.put(*item)
        if self._pending:
            QTimer.singleShot(0, self._drain)

    def put(self, data: Any, kwargs: dict[str, Any], kind: str) -> None:
        """Update the layer called ``kwargs["name"]`` in place, or add it."""
        layers = self._viewer.layers
        layer = layers[kwargs["name"]] if kwargs["name"] in layers else None  # noqa: SIM401
        multiscale = isinstance(data, list)
        if (
            kind == "image"
            and isinstance(layer, ImageLayer)
            and layer.multiscale == multiscale
        ):
            layer.data = data
            for key, value in kwargs.items():
                setattr(layer, key, value)
            return
        if layer is not None:
            layers.remove(layer)
        extra = {"multiscale": multiscale} if kind == "image" else {}
        getattr(self._viewer, f"add_{kind}")(data, **kwargs, **extra)


def figure_array(figure: Any) -> Any:
    """The figure layer's pixels: NumPy, or dask kept lazy (read as needed).

    Raises
    ------
    DigitizerError
        Without a figure layer, or when it is not a 2-D grey, RGB or RGBA image.
    """
    if figure is None:
        raise DigitizerError(OPEN_FIRST)
    data = figure.data[0] if figure.multiscale else figure.data
    array = data if is_dask_collection(data) else np.asarray(data)
    if array.ndim == 3 and array.shape[-1] not in (3, 4):
        raise DigitizerError(
            f"layer '{figure.name}' is a {array.shape} stack, not a figure; "
            "pick an RGB or grey image"
        )
    if array.ndim not in (2, 3):
        raise DigitizerError(f"layer '{figure.name}' is not a 2-D image")
    return array


def ask_path(parent: Any, title: str, filter_: str, *, save: bool) -> str:
    """A file name from Qt's file dialog (empty when cancelled)."""
    from qtpy.QtWidgets import QFileDialog

    if save:
        path, _ = QFileDialog.getSaveFileName(parent, title, "", filter_)
    else:
        path, _ = QFileDialog.getOpenFileName(parent, title, "", filter_)
    return str(path)
