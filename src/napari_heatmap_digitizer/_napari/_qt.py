"""The widget's plumbing: kernels, the digitizing worker, layers, file dialogs."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from dask import is_dask_collection
from napari.layers import Image as ImageLayer
from qtpy.QtCore import QTimer

from napari_heatmap_digitizer._napari._layers import (
    KEY,
    KINDS,
    LayerData,
    panel_layers,
)
from napari_heatmap_digitizer.core import (
    DigitizerError,
    PanelResult,
    Recipe,
    prepare_kernels,
    run_recipe_steps,
)

OPEN_FIRST = "open a figure first (File > Open, or File > Open Sample)"
#: Said while the kernels compile (the first run on a machine).
PREPARING = "preparing the kernels (first run on this machine only)…"

Done = tuple[list[PanelResult], list[LayerData], list[str]]
#: What the digitizing worker yields: fraction done and a message (or None).
Step = tuple[float, str | None]

_kernels_lock = threading.Lock()
_kernels_ready = False


def kernels_ready() -> bool:
    """Whether this process has its kernels compiled or loaded."""
    return _kernels_ready


def ensure_kernels() -> None:
    """Compile or load the kernels once per process (waits for another thread)."""
    global _kernels_ready
    with _kernels_lock:
        if not _kernels_ready:
            prepare_kernels()
            _kernels_ready = True


def prepare_in_background() -> threading.Thread:
    """Start :func:`ensure_kernels` in a daemon thread (no Qt: it may outlive it)."""
    thread = threading.Thread(
        target=ensure_kernels, name="prepare-kernels", daemon=True
    )
    thread.start()
    return thread


def digitize_work(
    recipe: Recipe, image: Any, where: dict[str, Any]
) -> Generator[Step, None, Done]:
    """The worker: yields ``(fraction, message)`` as it goes (the widget's bar).

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
    if not kernels_ready():
        yield 0.0, PREPARING
        ensure_kernels()
    n = len(recipe.panels)
    yield 0.0, f"digitizing {n} panel{'' if n == 1 else 's'}…"
    steps = run_recipe_steps(recipe, image)
    done = 0
    while True:
        try:
            fraction = next(steps)
        except StopIteration as finished:
            panels: list[PanelResult] = finished.value
            break
        if int(100 * fraction) > done:
            done = int(100 * fraction)
            yield fraction, None
    yield 1.0, "preparing the layers…"
    layers = [
        item for p in panels for item in panel_layers(p, recipe, image=image, **where)
    ]
    lines = [
        f"[{p.index}] computed as displayed (dask)"
        if p.result.lazy
        else f"[{p.index}] {p.summary()}"
        for p in panels
    ]
    # each panel's confidence, gathered here, off the viewer's thread
    lines += [f"[{p.index}] {p.confidence.line()}" for p in panels if not p.result.lazy]
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
        self,
        figure: str,
        layers: Sequence[LayerData],
        then: Callable[[], None],
        *,
        on_top: Sequence[str] = (),
        select: str | None = None,
    ) -> None:
        """Show a run's ``layers``, remove the figure's result layers not among them.

        Parameters
        ----------
        figure : str
            The figure layer's name.
        layers : sequence of (data, kwargs, layer_type)
        then : callable
            Called once every layer is in.
        on_top : sequence of str
            Layers moved to the top of the list once the results are in (the
            box layers, so they stay in reach however many results there are).
        select : str, optional
            The layer selected then (so napari's status bar reads it).
        """
        names = {kwargs["name"] for _, kwargs, _ in layers}
        mine = re.compile(rf"{re.escape(figure)} ({'|'.join(KINDS)}) \[\d+\]")
        for layer in list(self._viewer.layers):  # kinds or panels that went away
            if mine.fullmatch(layer.name) and layer.name not in names:
                self._viewer.layers.remove(layer)
        arrange = partial(arrange_layers, self._viewer, on_top, select)
        self._pending += [*layers, arrange, self._keep_whole(figure), then]
        self._drain()

    def _keep_whole(self, figure: str) -> Callable[[], None]:
        """What re-fits the view if the results' layers cost the figure's whole view.

        Long result-layer names widen napari's layer list and shrink the
        canvas; a figure seen whole before is seen whole after. A view the
        user zoomed stays as it is.
        """
        viewer = self._viewer
        layer = viewer.layers[figure] if figure in viewer.layers else None  # noqa: SIM401
        was_whole = layer is not None and whole_in_view(viewer, layer)

        def refit() -> None:
            if was_whole and not self.closed and not whole_in_view(viewer, layer):
                viewer.reset_view()

        return lambda: QTimer.singleShot(100, refit)  # once Qt laid the docks out

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
        info = kwargs.get("metadata", {}).get(KEY) or {}
        if kind == "image" and "x" in info and "y" in info:
            self._viewer.add_layer(
                CalibratedImage(data, multiscale=multiscale, **kwargs)
            )
            return
        extra = {"multiscale": multiscale} if kind == "image" else {}
        getattr(self._viewer, f"add_{kind}")(data, **kwargs, **extra)


class CalibratedImage(ImageLayer):
    """An image of values whose status bar read-out adds the figure's axes.

    Hovering shows napari's pixel position and value and, from the layer's
    ``metadata["heatmap_digitizer"]`` ``x`` and ``y`` (pixel or cell
    centres in data units), the point's data coordinates.
    """

    @property
    def _type_string(self) -> str:
        return "image"  # a plain image to napari's writers and menus

    def get_status(
        self,
        position: Any = None,
        *,
        view_direction: Any = None,
        dims_displayed: Any = None,
        world: bool = False,
        value: Any = None,
    ) -> dict[str, Any]:
        """Napari's status, with ``x=…, y=…`` in data units before the value."""
        given = {} if value is None else {"value": value}  # napari ≥ 0.5.5 takes it
        status: dict[str, Any] = super().get_status(
            position,
            view_direction=view_direction,
            dims_displayed=dims_displayed,
            world=world,
            **given,
        )
        if position is None:
            return status
        where = data_coordinates(self, position, world=world)
        if where and "coords" in status:  # napari ≥ 0.5.5 splits them out
            status["coords"] = f"{status['coords']} {where}"
            status["coordinates"] = f"{status['coords']}: {status['value']}"
        elif where:
            status["coordinates"] = f"{where} {status.get('coordinates', '')}"
        return status


def data_coordinates(layer: Any, position: Any, *, world: bool = True) -> str:
    """``x=…, y=…`` of the layer pixel under ``position`` (empty outside it)."""
    info = layer.metadata.get(KEY) or {}
    xs, ys = info.get("x"), info.get("y")
    if xs is None or ys is None:
        return ""
    point = layer.world_to_data(position) if world else np.asarray(position)
    row, col = (int(np.floor(v + 0.5)) for v in np.asarray(point)[-2:])
    if 0 <= row < len(ys) and 0 <= col < len(xs):
        return f"x={xs[col]:.6g}, y={ys[row]:.6g}"
    return ""


def arrange_layers(viewer: Any, on_top: Sequence[str], select: str | None) -> None:
    """Move the layers named ``on_top`` to the top of the list; select ``select``.

    Result layers pile up above the figure; keeping the box layers on top
    keeps them in reach however many panels there are.
    """
    layers = viewer.layers
    for name in on_top:
        if name in layers:
            layers.move(layers.index(name), len(layers))
    if select is not None and select in layers:
        layers.selection.active = layers[select]


#: The file dialogs: title, file filter, and whether the file is written.
DIALOGS = {
    "export": ("Export values", "Values (*.csv *.tif *.npy *.zarr)", True),
    "save": ("Save recipe", "Recipe (*.json)", True),
    "load": ("Load recipe", "Recipe (*.json)", False),
}


def default_path(figure: Any, kind: str) -> str:
    """Where the ``kind`` dialog starts: beside the figure's file.

    ``<figure>_values.csv`` to export, ``<figure>.recipe.json`` to save a
    recipe, the figure's folder to load one. A figure without a file (a
    sample, an array) is placed in the working folder.
    """
    source = getattr(getattr(figure, "source", None), "path", None)
    if source:
        folder, stem = Path(str(source)).parent, Path(str(source)).stem
    else:
        folder, stem = Path.cwd(), getattr(figure, "name", None) or "figure"
    names = {"export": f"{stem}_values.csv", "save": f"{stem}.recipe.json"}
    return str(folder / names[kind]) if kind in names else str(folder)


#: Lazy (dask) figures with more pixels than this are not searched by Detect.
DETECT_LAZY_PIXELS = 64 * 2**20


def searchable(image: Any) -> np.ndarray:
    """The figure as NumPy for Detect; a huge lazy one is refused.

    Raises
    ------
    DigitizerError
        For a lazy figure of more than :data:`DETECT_LAZY_PIXELS` pixels.
    """
    if is_dask_collection(image) and image.shape[0] * image.shape[1] > (
        DETECT_LAZY_PIXELS
    ):
        raise DigitizerError(
            "this figure is read chunk by chunk and is too large to search whole; "
            "draw the panel and colour-bar rectangles"
        )
    return np.asarray(image)


def placement_of(figure: Any) -> dict[str, Any]:
    """A figure layer's name, scale and translate (result layers share them)."""
    if figure is None:
        return {"figure": "figure", "scale": (1, 1), "translate": (0, 0)}
    return {
        "figure": figure.name,
        "scale": tuple(np.asarray(figure.scale)[-2:]),
        "translate": tuple(np.asarray(figure.translate)[-2:]),
    }


def is_figure(layer: Any) -> bool:
    """Whether a layer can be a figure: an image, not one of the results."""
    return isinstance(layer, ImageLayer) and KEY not in layer.metadata


def whole_in_view(viewer: Any, layer: Any) -> bool:
    """Whether the canvas shows all of ``layer`` now."""
    camera = getattr(viewer, "scene", viewer).camera
    (top, left), (bottom, right) = np.asarray(layer.extent.world)[:, -2:]
    canvas = getattr(viewer, "canvas", None)  # napari < 0.6: _canvas_size
    size = canvas.size if canvas is not None else viewer._canvas_size
    rows, cols = np.asarray(size) / 2 / camera.zoom
    cy, cx = np.asarray(camera.center)[-2:]
    return bool(
        cy - rows <= top
        and cy + rows >= bottom
        and cx - cols <= left
        and cx + cols >= right
    )


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


def ask_path(parent: Any, kind: str, default: str) -> str:
    """A file name from Qt's ``kind`` dialog (:data:`DIALOGS`); empty if cancelled."""
    from qtpy.QtWidgets import QFileDialog

    title, filter_, save = DIALOGS[kind]
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    path, _ = ask(parent, title, default, filter_)
    return str(path)
