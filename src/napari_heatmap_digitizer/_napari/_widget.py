"""The dock widget: mark panels and the colour bar, digitize, export.

The widget is a composition of parts (:mod:`._parts`), each editing one part
of a :class:`~napari_heatmap_digitizer.core.Recipe`; the boxes live in Shapes
layers (:mod:`._boxes`). :meth:`DigitizerWidget.recipe` and
:meth:`DigitizerWidget.load_recipe` are the one place the widget and a recipe
meet. Digitizing runs the core pipeline (``run_recipe_steps``) in a napari
``thread_worker`` with a progress bar and shows the results as the layers
:mod:`._layers` describes; Export and the npe2 writer use the core writers.
Every problem is shown as a napari notification and in the status line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from magicgui.widgets import ComboBox, Container, FloatSlider, Label, PushButton
from napari.qt.threading import thread_worker
from napari.utils.notifications import show_error, show_info, show_warning
from qtpy.QtCore import QTimer

from napari_heatmap_digitizer._napari import _qt, _status
from napari_heatmap_digitizer._napari._boxes import (
    COLORBAR_LAYER,
    PANELS_LAYER,
    BoxLayers,
    edited_grid,
)
from napari_heatmap_digitizer._napari._cell_layers import grid_layer
from napari_heatmap_digitizer._napari._io import one_bar
from napari_heatmap_digitizer._napari._layers import (
    KEY,
    cursor_text,
    layer_name,
    reading_layer,
)
from napari_heatmap_digitizer._napari._parts import (
    AxesEditor,
    BarPreview,
    ColorbarEditor,
    ValuesEditor,
    nodata_field,
)
from napari_heatmap_digitizer._napari._qt import LayerQueue, Step
from napari_heatmap_digitizer._napari._status import State, StatusBox
from napari_heatmap_digitizer.core import (
    DEFAULT_MAX_DISTANCE,
    Bounds,
    Box,
    Detection,
    DigitizerError,
    Grid,
    Output,
    Panel,
    PanelResult,
    Recipe,
    complete_recipe,
    output_paths,
    write_outputs,
)
from napari_heatmap_digitizer.core import detect as detect_figure
from napari_heatmap_digitizer.core._nodata import normal_nodata

if TYPE_CHECKING:
    import napari

#: The widget's parts, top to bottom.
_LAYOUT = """_figure_row add_boxes detect_button colorbar_editor bar_preview
_tolerance_row axes_editor values_editor run_button status_box cursor export_button
save_button load_button"""


class DigitizerWidget(Container):
    """Heat-map digitizer dock widget.

    Parameters
    ----------
    viewer : napari.viewer.Viewer
        The viewer whose layers the widget reads and writes.

    Attributes
    ----------
    results : list of PanelResult
        What the last Digitize gave, one per panel.
    last_recipe : Recipe or None
        The recipe that gave :attr:`results`.
    detection : Detection or None
        What the last Detect found.
    last_error : str
        The last problem shown.
    """

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        # The parts label their own fields; no empty label column out here.
        super().__init__(labels=False, scrollable=True)  # never taller than the window
        self._viewer = viewer
        self._worker: Any = None
        self._detecting: Any = None
        self._closed = False
        self._box_layers = BoxLayers(viewer)
        self._queue = LayerQueue(viewer)
        self._output, self._notes = Output(), dict[str, Any]()
        self._bounds = Bounds()
        self.results: list[PanelResult] = []
        self.last_recipe: Recipe | None = None
        self.detection: Detection | None = None
        self.last_error = ""

        self.figure = ComboBox(
            choices=self._figure_choices, label="figure", nullable=True
        )
        self.add_boxes = PushButton(text="Add box layers")
        self.detect_button = PushButton(
            text="Detect panels and colour bar",
            tooltip="propose the rectangles (and the range, from the tick labels "
            "when Tesseract is installed); what you typed is kept",
        )
        self.colorbar_editor = ColorbarEditor(label="")
        self.bar_preview = BarPreview(label="")
        self.tolerance = FloatSlider(
            min=1.0,
            max=100.0,
            value=DEFAULT_MAX_DISTANCE,
            step=0.5,
            label="tolerance ΔE",
        )
        self.axes_editor = AxesEditor(label="")
        self.values_editor = ValuesEditor(label="")
        self.run_button = PushButton(text="Digitize")
        self.status_box = StatusBox(label="")
        self.status = self.status_box.text
        self.cursor = Label(value="", label="")
        self.export_button = PushButton(text="Export values…")
        self.save_button = PushButton(text="Save recipe…")
        self.load_button = PushButton(text="Load recipe…")
        self._figure_row = Container(widgets=[self.figure], labels=True)
        self.nodata = nodata_field()
        row: list[Any] = [self.tolerance, self.nodata]
        self._tolerance_row = Container(widgets=row, labels=True)
        self.extend([getattr(self, name) for name in _LAYOUT.split()])
        for part in self:
            if hasattr(part, "margins"):  # nested containers and parts
                part.margins = (0, 0, 0, 0)
        # The parts' fields, by their familiar names.
        bar, axes, values = self.colorbar_editor, self.axes_editor, self.values_editor
        self.bar_source, self.colormap, self.ticks = bar.source, bar.colormap, bar.ticks
        self.vmin, self.vmax, self.norm = bar.vmin, bar.vmax, bar.norm
        self.bar_orientation, self.flip = bar.bar_orientation, bar.flip
        self.stepped, self.preview_text = bar.stepped, self.bar_preview.text
        self.extents, self.xscale, self.yscale = axes.extents, axes.xscale, axes.yscale
        self.per, self.cells, self.fill = values.per, values.cells, values.fill
        self.min_area, self.numbers = values.min_area, values.numbers

        self.native.setMaximumWidth(420)
        _status.keep_room(self.cursor.native, lines=2)  # appearing, it moves nothing
        self.add_boxes.changed.connect(self.create_box_layers)
        self.detect_button.changed.connect(self.detect)
        self.run_button.changed.connect(self.digitize)
        self.export_button.changed.connect(lambda: self._dialog("export"))
        self.save_button.changed.connect(lambda: self._dialog("save"))
        self.load_button.changed.connect(lambda: self._dialog("load"))
        for w in (self.colorbar_editor, self.figure):
            w.changed.connect(self.update_preview)
        self.colorbar_editor.changed.connect(self._hint)
        viewer.layers.events.inserted.connect(self._on_layers_changed)
        viewer.layers.events.removed.connect(self._on_layers_changed)
        viewer.cursor.events.position.connect(self._on_cursor)
        self.native.destroyed.connect(self._on_close)
        for name in (COLORBAR_LAYER, PANELS_LAYER):
            if self._layer(name) is not None:
                self._watch_box_layer(self._layer(name))
        self._on_layers_changed()
        self._hint()
        if not _qt.kernels_ready():  # compile while the user marks the figure
            _qt.prepare_in_background()

    @property
    def native(self) -> Any:
        """The scroll area around the widget: napari docks it, never too tall."""
        return self._widget._mgui_get_root_native_widget()

    # -- layers
    def _layer(self, name: str) -> Any:
        return self._box_layers.get(name)

    def _placement(self) -> dict[str, Any]:
        """The figure layer's name, scale and translate (for result layers)."""
        return _qt.placement_of(self.figure.value)

    def create_box_layers(self) -> None:
        """Add the "plot panels" and "colour bar" Shapes layers over the figure."""
        if self.figure.value is None:
            self._fail(_qt.OPEN_FIRST)
            return
        panels = self._box_layers.create(self.figure.value)
        self._viewer.layers.selection.active = panels
        panels.mode = "add_rectangle"
        self._hint()

    def set_boxes(self, panels: list[Box], colorbar: Box | None) -> None:
        """Replace the rectangles by pixel boxes (``LEFT, TOP, RIGHT, BOTTOM``)."""
        if self._box_layers.counts() is None:
            self.create_box_layers()
        if self._box_layers.counts() is not None:
            self._box_layers.put(panels, colorbar)
            self._layer(PANELS_LAYER).mode = "pan_zoom"
            self.update_preview()

    def _boxes(self, name: str, shape: tuple[int, ...]) -> list[Box]:
        boxes, warnings = self._box_layers.boxes(name, shape)
        for text in warnings:
            show_warning(text)
        return boxes

    def _watch_box_layer(self, layer: Any) -> None:
        if layer.name == COLORBAR_LAYER:
            layer.events.data.connect(self.update_preview)
        else:
            layer.events.data.connect(self._on_panel_drawn)
        layer.events.data.connect(self._hint)

    def _on_panel_drawn(self, event: Any) -> None:
        if self._box_layers.drawn(event):  # snapped once napari is done drawing
            QTimer.singleShot(0, self._snap_drawn)

    def _snap_drawn(self) -> None:
        if not self._closed and self.figure.value is not None:
            snapped = self._box_layers.snap_drawn(self._figure_array())
            if snapped is not None:
                drawn, box = (b.as_text() for b in snapped)
                self._say(f"box snapped to the axes frame: {drawn} → {box}")

    def _figure_choices(self, _: Any = None) -> list[tuple[str, Any]]:
        """Image layers that can be figures (not the digitizer's own results)."""
        return [(x.name, x) for x in self._viewer.layers if _qt.is_figure(x)]

    def _on_layers_changed(self, event: Any = None) -> None:
        if self._closed:
            return
        current = self.figure.value
        self.figure.reset_choices()
        layers = [c for c in self.figure.choices if c is not None]
        if current is None and layers:
            self.figure.value = layers[0]
        added: Any = getattr(event, "value", None)
        name = getattr(added, "name", "")
        if name in (COLORBAR_LAYER, PANELS_LAYER) and event.type == "inserted":
            self._watch_box_layer(added)
        if name in (COLORBAR_LAYER, PANELS_LAYER) or KEY not in getattr(
            added, "metadata", {KEY: 0}
        ):
            self._hint()  # a box layer or a figure came or went
        if name == PANELS_LAYER and "recipe" in added.metadata:
            # Opened from a recipe file (the plugin's reader): take its settings.
            recipe = added.metadata["recipe"]
            self._guard(lambda: self.apply_settings(Recipe.from_dict(recipe)))

    def _figure_array(self) -> Any:
        return _qt.figure_array(self.figure.value)

    def _state(self) -> State:
        return _status.widget_state(
            self.figure.value is not None,
            self._box_layers.counts(),
            self.colorbar_editor,
        )

    def next_step(self) -> str:
        """What to do next, as the status line says it when idle."""
        return _status.next_step(
            self._state(), panels_layer=PANELS_LAYER, colorbar_layer=COLORBAR_LAYER
        )

    def _hint(self, *_: Any) -> None:
        if not self._closed and not self.busy and self._detecting is None:
            self._say(self.next_step())
            self.cursor.value = ""  # boxes or settings changed: the read-out is old

    # -- the recipe: widget ⇄ Recipe, in this one place
    def _settings(self, shape: tuple[int, ...] | None) -> Recipe:
        """Everything but the panels; the colour-bar box too when ``shape`` is given."""
        spec = self.colorbar_editor.value
        if shape is not None and self.colorbar_editor.from_box:
            bars = self._boxes(COLORBAR_LAYER, shape)
            if len(bars) != 1:
                raise DigitizerError(
                    "draw exactly one rectangle around the colour bar in "
                    f"'{COLORBAR_LAYER}' (there are {len(bars)}), or use a colour "
                    "map name"
                )
            spec.box = bars[0]
        source = getattr(getattr(self.figure.value, "source", None), "path", None)
        return Recipe(
            colorbar=spec,
            max_distance=float(self.tolerance.value),
            nodata=normal_nodata(self.nodata.value, "no data"),
            bounds=self._bounds,
            values=self.values_editor.value,
            output=replace(self._output),
            image=None if source is None else str(source),
            notes=dict(self._notes),
        )

    def recipe(self) -> Recipe:
        """The recipe the widget's settings and rectangles describe.

        Raises
        ------
        DigitizerError
            If something is missing or malformed.
        """
        shape = self._figure_array().shape
        boxes = self._boxes(PANELS_LAYER, shape)
        if not boxes:
            raise DigitizerError(
                f"no plot panel: press 'Add box layers' and draw a rectangle in "
                f"'{PANELS_LAYER}'"
            )
        recipe = self._settings(shape)
        extents = self.axes_editor.for_panels(len(boxes))
        cells = recipe.values.per == "cell"
        recipe.panels = [
            Panel(b, e, self._edited_grid(i, b) if cells else None)
            for i, (b, e) in enumerate(zip(boxes, extents, strict=True))
        ]
        return recipe

    def load_recipe(self, recipe: Recipe) -> None:
        """Show a recipe's settings, rectangles and hand-made cell grids."""
        recipe, dropped = one_bar(recipe)  # the widget shows one colour bar
        self.apply_settings(recipe)
        self.set_boxes([p.box for p in recipe.panels], recipe.colorbar.box)
        where = self._placement()
        for i, p in enumerate(recipe.panels):
            if p.grid is not None and self.figure.value is not None:
                for item in grid_layer(p.grid, i, box=p.box, explicit=True, **where):
                    self._queue.put(*item)
        if dropped:
            self._fail(dropped)

    def apply_settings(self, recipe: Recipe) -> None:
        """Show a recipe's settings (not its boxes)."""
        self.colorbar_editor.value = recipe.colorbar
        self.tolerance.value = recipe.max_distance
        self.nodata.value, self._bounds = recipe.nodata, recipe.bounds
        self.axes_editor.value = AxesEditor.compact([p.extent for p in recipe.panels])
        self.values_editor.value = recipe.values
        self._output, self._notes = replace(recipe.output), dict(recipe.notes)

    def _edited_grid(self, i: int, box: Box) -> Grid | None:
        """Panel ``i``'s grid as shown in its grid layer, if the user gave one."""
        name = layer_name(self._placement()["figure"], "grid", i)
        return edited_grid(self._layer(name), box, name=name)

    # -- preview
    def update_preview(self, *_: Any) -> None:
        """Read the colour bar with the current settings and show what was read."""
        if self._closed:
            return
        try:
            image = self._figure_array()
            self.bar_preview.display(self._settings(image.shape).colorbar.build(image))
        except DigitizerError as exc:
            self.bar_preview.display(str(exc))

    # -- detecting
    def detect(self) -> Any:
        """Detect panels and colour bars in a background worker (returns it).

        What the user gave (range, scale, colour map, extents, values,
        tolerance) is kept; only the boxes and what was left open are filled
        in (:func:`~napari_heatmap_digitizer.core.complete_recipe`).
        """
        if self._detecting is not None:
            return self._detecting
        try:
            image = _qt.searchable(self._figure_array())
            given = self._settings(None)
        except DigitizerError as exc:
            self._fail(str(exc))
            return None
        self.detect_button.enabled = False
        self._say("detecting panels and colour bars…")
        worker = thread_worker(detect_figure, ignore_errors=True)(image)
        worker.returned.connect(lambda found: self.apply_detection(found, given))
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_detect_finished)
        self._detecting = worker
        worker.start()
        return worker

    def _on_detect_finished(self) -> None:
        self._detecting = None
        if not self._closed:
            self.detect_button.enabled = True

    def apply_detection(self, found: Detection, given: Recipe | None = None) -> None:
        """Complete ``given`` (default: the settings now) from ``found`` and show it."""
        if self._closed:
            return
        self.detection = found
        if not found.found:
            self._fail(found.message)
            return
        done = complete_recipe(given or self._settings(None), found, own_bars=False)
        panels = done.recipe.panels
        try:
            for panel, extent in zip(
                panels, self.axes_editor.for_panels(len(panels)), strict=True
            ):
                panel.extent = extent or panel.extent  # typed wins, else read
        except DigitizerError as exc:  # one extent per panel, but a new count
            done.problems.append(str(exc))
        self.load_recipe(done.recipe)
        self.colorbar_editor.suggest_colormap(found)  # for "colour map name"
        said = _status.brief(done.notes) + done.problems + [f"next: {self.next_step()}"]
        whole = done.notes + done.problems  # with the boxes and labels read
        self._say(f"found {len(panels)} panel(s); " + "; ".join(said), "\n".join(whole))
        for problem in done.problems:
            show_warning(problem)

    # -- digitizing
    def digitize(self) -> Any:
        """Digitize every panel in a background worker; returns it (or ``None``)."""
        if self._worker is not None:
            self._say("already digitizing; wait for it to finish")
            return self._worker
        try:
            recipe = self.recipe()
            image = self._figure_array()
            recipe.check(image.shape)
        except DigitizerError as exc:
            self._fail(str(exc))
            return None
        if image.ndim == 3 and image.shape[2] == 4:
            show_info(
                "the figure has an alpha channel: transparent pixels are left out"
            )
        if image.dtype != np.uint8:
            show_info(f"the figure has {image.dtype} pixels; they are scaled to 8 bits")
        self.run_button.enabled = False
        self.last_error = ""
        self.status_box.working(0.0, "digitizing…")
        worker = thread_worker(_qt.digitize_work, ignore_errors=True)(
            recipe, image, self._placement()
        )
        worker.yielded.connect(self._on_step)
        worker.returned.connect(lambda done: self._show(recipe, *done))
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        worker.start()
        return worker

    def _on_step(self, step: Step) -> None:
        if not self._closed:
            self.status_box.working(*step)

    def _on_finished(self) -> None:
        self._worker = None
        if not self._closed:
            self.run_button.enabled = True
            if not self._queue.busy:
                self.status_box.idle()

    def _on_error(self, exc: Exception) -> None:
        if self._closed:
            return
        self.status_box.idle()
        if isinstance(exc, DigitizerError):
            self._fail(str(exc))
        else:
            logging.getLogger(__name__).error("digitizing failed", exc_info=exc)
            self._fail(f"digitizing failed: {type(exc).__name__}: {exc}", severe=True)

    @property
    def busy(self) -> bool:
        """Whether digitizing or showing the results is still under way."""
        return self._worker is not None or self._queue.busy

    def _show(
        self, recipe: Recipe, panels: list[PanelResult], layers: Any, lines: list[str]
    ) -> None:
        if not self._closed:
            figure = self._placement()["figure"]
            self._queue.show(  # box layers kept on top, in reach; values selected
                figure,
                layers,
                lambda: self._finish(recipe, panels, lines),
                on_top=(COLORBAR_LAYER, PANELS_LAYER),
                select=reading_layer(figure, panels),
            )

    def _finish(
        self, recipe: Recipe, panels: list[PanelResult], lines: list[str]
    ) -> None:
        self.results, self.last_recipe = panels, recipe
        self.cursor.value = ""
        self.status_box.idle()
        for panel in panels:
            for text in panel.warnings:
                show_warning(f"panel {panel.index}: {text}")
        self._say(_status.results_line(panels, lines), "\n".join(lines))

    # -- cursor read-out
    def _on_cursor(self, event: Any = None) -> None:
        figure = self.figure.value
        if self._closed or not self.results or figure is None:
            return
        pixel = figure.world_to_data(self._viewer.cursor.position)[-2:]
        row, col = (int(v) for v in np.round(pixel))
        self.cursor.value = cursor_text(self.results, row, col)

    # -- files
    def export(
        self, path: str | os.PathLike[str], *, overwrite: bool = False
    ) -> list[Path]:
        """Write every panel's values as the CLI does (``STEM_i.EXT`` for several).

        Per cell, the matrix; per region or hexagon, the table (``.csv``
        only). Values per pixel are written band by band.

        Parameters
        ----------
        path : str or path-like
            ``.csv``, ``.npy``, ``.tif`` or ``.zarr``.
        overwrite : bool
            Replace existing files.

        Returns
        -------
        list of pathlib.Path
        """
        if not self.results or self.last_recipe is None:
            raise DigitizerError("nothing to export yet: press Digitize first")
        paths = output_paths(self.last_recipe, Path(path))
        write_outputs(self.results, self.last_recipe, paths, overwrite=overwrite)
        return paths

    def save_recipe(
        self, path: str | os.PathLike[str], *, overwrite: bool = False
    ) -> Path:
        """Write the current settings as a recipe JSON the CLI accepts."""
        return self.recipe().save(path, overwrite=overwrite)

    def open_recipe(self, path: str | os.PathLike[str]) -> Recipe:
        """Read a recipe JSON and show it in the widget."""
        self.load_recipe(recipe := Recipe.load(path))
        return recipe

    def _dialog(self, kind: str) -> None:
        """Ask for a file, then export values, save or load a recipe."""
        path = _qt.ask_path(
            self.native, kind, _qt.default_path(self.figure.value, kind)
        )
        if path:
            actions: dict[str, Callable[..., object]] = {
                "export": self.export,
                "save": self.save_recipe,
                "load": self.open_recipe,
            }
            action = actions[kind]
            args = {} if kind == "load" else {"overwrite": True}  # Qt asked
            self._guard(lambda: self._say(f"{kind}: {action(path, **args)}"))

    # -- messages and lifetime
    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except DigitizerError as exc:
            self._fail(str(exc))

    def _say(self, text: str, detail: str | None = None) -> None:
        if not self._closed:
            self.status_box.say(text, detail=detail)

    def _fail(self, text: str, *, severe: bool = False) -> None:
        """Show a problem: input to correct is a warning, a failure an error."""
        self.last_error = text
        self._say(text)
        (show_error if severe else show_warning)(text)

    def _on_close(self, *_: Any) -> None:
        self._closed = self._queue.closed = True
        for worker in (self._worker, self._detecting):
            if worker is not None:
                worker.quit()
        try:
            self._viewer.cursor.events.position.disconnect(self._on_cursor)
            self._viewer.layers.events.inserted.disconnect(self._on_layers_changed)
            self._viewer.layers.events.removed.disconnect(self._on_layers_changed)
        except (RuntimeError, TypeError, ValueError):
            pass
