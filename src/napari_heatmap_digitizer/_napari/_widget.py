"""The dock widget: mark panels and the colour bar, digitize, export.

The widget edits a :class:`~napari_heatmap_digitizer.core.Recipe`; digitizing
runs :meth:`Recipe.run_steps` in a napari ``thread_worker`` with a progress
bar, so the viewer never waits for it. Every problem is shown as a napari
notification and in the widget's status line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from dask import is_dask_collection
from magicgui.widgets import (
    CheckBox,
    ComboBox,
    Container,
    FloatSlider,
    Image,
    Label,
    LineEdit,
    PushButton,
    RadioButtons,
)
from napari.layers import Image as ImageLayer
from napari.layers import Shapes
from napari.qt.threading import thread_worker
from napari.utils.notifications import show_error, show_info, show_warning
from qtpy.QtCore import QTimer

from napari_heatmap_digitizer._napari._convert import (
    box_from_rectangle,
    napari_colormap,
    rectangle_from_box,
)
from napari_heatmap_digitizer.core import (
    DEFAULT_MAX_DISTANCE,
    ColorbarSpec,
    DigitizerError,
    Extent,
    Panel,
    Recipe,
    Result,
    catalogue_names,
)
from napari_heatmap_digitizer.core._blockwise import digitize_blocks
from napari_heatmap_digitizer.core._cells import Cells, Grid, panel_cells, parse_cells
from napari_heatmap_digitizer.core._detect import Detection
from napari_heatmap_digitizer.core._detect import detect as detect_figure
from napari_heatmap_digitizer.core._read import float_top
from napari_heatmap_digitizer.core._regions import (
    Regions,
    fill_gaps,
    find_hexagons,
    find_regions,
)
from napari_heatmap_digitizer.core._scale import parse_ticks
from napari_heatmap_digitizer.core._write import (
    check_can_write,
    output_format,
    panel_paths,
    write_array,
    write_matrix_csv,
    write_result,
    write_table_csv,
)

if TYPE_CHECKING:
    import napari

log = logging.getLogger(__name__)

PANELS_LAYER = "plot panels"
COLORBAR_LAYER = "colour bar"
BAR_SOURCES = ("colour bar box", "colour map name")
PER_CHOICES = ("pixel", "cell", "region", "hexagon")
FILL_CHOICES = ("none", "nearest", "inpaint")


class DigitizerWidget(Container):
    """Heat-map digitizer dock widget.

    Parameters
    ----------
    viewer : napari.viewer.Viewer
        The viewer whose layers the widget reads and writes.
    """

    def __init__(self, viewer: napari.viewer.Viewer) -> None:
        super().__init__(labels=True)
        self._viewer = viewer
        self._worker: Any = None
        self._closed = False
        self.results: list[Result] = []
        #: Cells or Regions per panel from the last run (None for per pixel).
        self.reduced: list[Any] = []
        self._grids: dict[str, Grid] = {}
        self._explicit: set[str] = set()  # grid layers that hold a user's grid
        self._pending: list[Any] = []
        self.last_error = ""

        self.figure = ComboBox(
            choices=self._figure_choices, label="figure", nullable=True
        )
        self.add_boxes = PushButton(text="Add box layers")
        self.detect_button = PushButton(
            text="Detect panels and colour bar",
            tooltip="propose the rectangles (and the range, from the tick labels "
            "when Tesseract is installed); adjust them, then Digitize",
        )
        self._detecting: Any = None
        #: What the last Detect found.
        self.detection: Detection | None = None
        self.bar_source = RadioButtons(
            choices=BAR_SOURCES,
            value=BAR_SOURCES[0],
            label="colours from",
            orientation="horizontal",
        )
        self.colormap = ComboBox(
            choices=catalogue_names(),
            value="viridis",
            label="colour map",
            visible=False,
        )
        self.vmin = LineEdit(value="0", label="vmin", tooltip="value at the low end")
        self.vmax = LineEdit(value="1", label="vmax", tooltip="value at the high end")
        self.norm = ComboBox(choices=["linear", "log"], value="linear", label="scale")
        self.ticks = LineEdit(
            value="",
            label="ticks",
            tooltip="instead of vmin/vmax: POS:VALUE,... where POS is the tick's pixel "
            "row (vertical bar) or column (horizontal bar) in the figure",
        )
        self.bar_orientation = ComboBox(
            choices=["auto", "vertical", "horizontal"],
            value="auto",
            label="orientation",
        )
        self.flip = CheckBox(value=False, text="low end at top / right (flip)")
        self.stepped = ComboBox(
            choices=["auto", "continuous", "stepped"], value="auto", label="bar kind"
        )
        self.preview = Image(value=np.zeros((14, 200, 3), np.uint8), label="read")
        self.preview_text = Label(value="no colour bar yet", label="")
        self.tolerance = FloatSlider(
            min=1.0,
            max=60.0,
            value=DEFAULT_MAX_DISTANCE,
            step=0.5,
            label="tolerance ΔE",
        )
        self.extents = LineEdit(
            value="",
            label="axis extents",
            tooltip="XMIN,XMAX,YMIN,YMAX at the panel's left, right, bottom, top "
            "edges; one for all panels, or one per panel separated by ';'",
        )
        self.xscale = ComboBox(
            choices=["linear", "log"], value="linear", label="x axis"
        )
        self.yscale = ComboBox(
            choices=["linear", "log"], value="linear", label="y axis"
        )
        self.per = ComboBox(
            choices=list(PER_CHOICES),
            value="pixel",
            label="values per",
            tooltip="pixel: a value per pixel; cell: one per cell of a matrix "
            "heat map (grid drawn in a Shapes layer you can correct and re-run); "
            "region: one per patch of one colour (bands, classes) as points; "
            "hexagon: one per hexagon of a hexbin plot",
        )
        self.cells = LineEdit(
            value="auto",
            label="cells",
            tooltip="'auto' to detect the cell grid, or COLSxROWS (e.g. 12x8)",
        )
        self.fill = ComboBox(
            choices=list(FILL_CHOICES),
            value="none",
            label="fill gaps",
            tooltip="fill pixels left empty under text or lines from their "
            "neighbours (shown in the 'unmatched' layer)",
        )
        self.run_button = PushButton(text="Digitize")
        self.status = Label(value="", label="")
        self.cursor = Label(value="", label="")
        self.export_button = PushButton(text="Export values…")
        self.save_button = PushButton(text="Save recipe…")
        self.load_button = PushButton(text="Load recipe…")
        self.extend(
            [
                self.figure,
                self.add_boxes,
                self.detect_button,
                self.bar_source,
                self.colormap,
                self.vmin,
                self.vmax,
                self.norm,
                self.ticks,
                self.bar_orientation,
                self.flip,
                self.stepped,
                self.preview,
                self.preview_text,
                self.tolerance,
                self.extents,
                self.xscale,
                self.yscale,
                self.per,
                self.cells,
                self.fill,
                self.run_button,
                self.status,
                self.cursor,
                self.export_button,
                self.save_button,
                self.load_button,
            ]
        )

        self.native.setMaximumWidth(420)
        for label in (self.status, self.cursor, self.preview_text):
            label.native.setWordWrap(True)
        self.add_boxes.changed.connect(self.create_box_layers)
        self.detect_button.changed.connect(self.detect)
        self.run_button.changed.connect(self.digitize)
        self.export_button.changed.connect(self._export_dialog)
        self.save_button.changed.connect(self._save_dialog)
        self.load_button.changed.connect(self._load_dialog)
        self.bar_source.changed.connect(self._on_source)
        for w in (
            self.colormap,
            self.vmin,
            self.vmax,
            self.norm,
            self.ticks,
            self.bar_orientation,
            self.flip,
            self.stepped,
            self.figure,
        ):
            w.changed.connect(self.update_preview)
        viewer.layers.events.inserted.connect(self._on_layers_changed)
        viewer.layers.events.removed.connect(self._on_layers_changed)
        viewer.cursor.events.position.connect(self._on_cursor)
        self.native.destroyed.connect(self._on_close)
        self._watch_colorbar_layer()
        self._on_layers_changed()

    # -- layers
    def _layer(self, name: str) -> Any:
        layers = self._viewer.layers  # a LayerList: no .get()
        return layers[name] if name in layers else None  # noqa: SIM401

    def create_box_layers(self) -> None:
        """Add the "plot panels" and "colour bar" Shapes layers over the figure."""
        figure = self.figure.value
        if figure is None:
            self._fail("open a figure first (File > Open, or File > Open Sample)")
            return
        common = {
            "scale": figure.scale,
            "translate": figure.translate,
            "face_color": "transparent",
            "edge_width": 2,
            "ndim": 2,
        }
        if self._layer(COLORBAR_LAYER) is None:
            self._viewer.add_shapes(name=COLORBAR_LAYER, edge_color="magenta", **common)
        if self._layer(PANELS_LAYER) is None:
            self._viewer.add_shapes(name=PANELS_LAYER, edge_color="cyan", **common)
        panels = self._layer(PANELS_LAYER)
        self._viewer.layers.selection.active = panels
        panels.mode = "add_rectangle"
        self._say(
            "draw one rectangle per plot panel, then one around the colour bar "
            f"in '{COLORBAR_LAYER}'"
        )

    def set_boxes(self, panels: list[Any], colorbar: Any | None) -> None:
        """Replace the rectangles by pixel boxes (``LEFT, TOP, RIGHT, BOTTOM``)."""
        if self._layer(PANELS_LAYER) is None or self._layer(COLORBAR_LAYER) is None:
            self.create_box_layers()
        panel_layer = self._layer(PANELS_LAYER)
        bar_layer = self._layer(COLORBAR_LAYER)
        if panel_layer is None or bar_layer is None:
            return
        _replace_rectangles(panel_layer, panels)
        _replace_rectangles(bar_layer, [] if colorbar is None else [colorbar])
        panel_layer.mode = "pan_zoom"
        self.update_preview()

    def detect(self) -> Any:
        """Detect panels and colour bars in a background worker (returns it)."""
        if self._detecting is not None:
            return self._detecting
        try:
            image = self._figure_array()
            if is_dask_collection(image):
                if image.shape[0] * image.shape[1] > DETECT_LAZY_PIXELS:
                    raise DigitizerError(
                        "this figure is read chunk by chunk and is too large to "
                        "search whole; draw the panel and colour-bar rectangles"
                    )
                image = np.asarray(image)
        except DigitizerError as exc:
            self._fail(str(exc))
            return None
        self.detect_button.enabled = False
        self._say("detecting panels and colour bars…")
        worker = thread_worker(detect_figure, ignore_errors=True)(image)
        worker.returned.connect(self.apply_detection)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_detect_finished)
        self._detecting = worker
        worker.start()
        return worker

    def _on_detect_finished(self) -> None:
        self._detecting = None
        if not self._closed:
            self.detect_button.enabled = True

    def apply_detection(self, found: Detection) -> None:
        """Put what `detect` found into the Shapes layers and the settings.

        With several colour bars, the one serving the most panels is used
        with its panels; the others are named in the status line.
        """
        if self._closed:
            return
        self.detection = found
        if not found.found:
            self._fail(found.message)
            return
        bar = max(found.colorbars, key=lambda b: len(b.panels), default=None)
        indices = bar.panels if bar is not None and bar.panels else None
        if indices is None:
            indices = list(range(len(found.panels)))
        self.set_boxes([found.panels[i] for i in indices], bar and bar.box)
        said = [f"found {len(indices)} panel(s)"]
        if bar is not None:
            self.bar_source.value = BAR_SOURCES[0]
            if bar.colormaps:
                best = bar.colormaps[0]
                said.append(f"a colour bar ({best.name}, ΔE {best.delta_e:.1f})")
            if bar.ticks is not None:
                self.ticks.value = ""
                self.vmin.value = f"{bar.ticks.vmin:g}"
                self.vmax.value = f"{bar.ticks.vmax:g}"
                self.norm.value = bar.ticks.norm
                said.append(
                    f"range {bar.ticks.vmin:g} to {bar.ticks.vmax:g} "
                    f"({bar.ticks.norm}) from the tick labels"
                )
            else:
                said.append("type the range (vmin, vmax)")
            if len(found.colorbars) > 1:
                said.append(
                    f"{len(found.colorbars) - 1} more colour bar(s) at "
                    + "; ".join(
                        b.box.as_text() for b in found.colorbars if b is not bar
                    )
                )
        else:
            ranked = found.colormaps.get(indices[0], []) if indices else []
            if ranked and ranked[0].name in self.colormap.choices:
                self.bar_source.value = BAR_SOURCES[1]
                self.colormap.value = ranked[0].name
            if ranked:
                said.append(
                    "no colour bar; best colour map "
                    + ", ".join(f"{m.name} (ΔE {m.delta_e:.1f})" for m in ranked[:3])
                    + "; type the range"
                )
        self._say("; ".join(said) + ". Adjust the rectangles, then Digitize.")

    def _watch_colorbar_layer(self) -> None:
        layer = self._layer(COLORBAR_LAYER)
        if layer is not None:
            layer.events.data.connect(self.update_preview)

    def _figure_choices(self, _: Any = None) -> list[tuple[str, Any]]:
        """Image layers that can be figures (not the digitizer's own results)."""
        return [
            (layer.name, layer)
            for layer in self._viewer.layers
            if isinstance(layer, ImageLayer)
            and "heatmap_digitizer" not in layer.metadata
        ]

    def _on_layers_changed(self, event: Any = None) -> None:
        if self._closed:
            return
        current = self.figure.value
        self.figure.reset_choices()
        layers = [c for c in self.figure.choices if c is not None]
        if current is None and layers:
            self.figure.value = layers[0]
        added = getattr(event, "value", None)
        if getattr(added, "name", "") == COLORBAR_LAYER:
            self._watch_colorbar_layer()
        if getattr(added, "name", "") == PANELS_LAYER and "recipe" in added.metadata:
            # Opened from a recipe file (the plugin's reader): take its settings.
            try:
                self.apply_settings(Recipe.from_dict(added.metadata["recipe"]))
            except DigitizerError as exc:
                self._fail(str(exc))

    def _on_source(self) -> None:
        named = self.bar_source.value == BAR_SOURCES[1]
        self.colormap.visible = named
        for w in (self.bar_orientation, self.flip):
            w.visible = not named
        self.update_preview()

    # -- the recipe
    def _figure_array(self) -> np.ndarray:
        figure = self.figure.value
        if figure is None:
            raise DigitizerError(
                "open a figure first (File > Open, or File > Open Sample)"
            )
        data = figure.data[0] if figure.multiscale else figure.data
        # dask (e.g. a Zarr figure) stays lazy: only what is needed is read
        array = data if is_dask_collection(data) else np.asarray(data)
        if array.ndim == 3 and array.shape[-1] not in (3, 4):
            raise DigitizerError(
                f"layer '{figure.name}' is a {array.shape} stack, not a figure; "
                "pick an RGB or grey image"
            )
        if array.ndim not in (2, 3):
            raise DigitizerError(f"layer '{figure.name}' is not a 2-D image")
        return array

    def _boxes(self, name: str, shape: tuple[int, ...]) -> list[Any]:
        layer = self._layer(name)
        if layer is None or len(layer.data) == 0:
            return []
        boxes = []
        for i, (corners, kind) in enumerate(
            zip(layer.data, layer.shape_type, strict=True)
        ):
            what = f"shape {i} of '{name}'"
            if kind != "rectangle":
                raise DigitizerError(f"{what} is a {kind}; draw rectangles only")
            box, clipped = box_from_rectangle(corners, shape, what=what)
            if clipped:
                show_warning(
                    f"{what} reaches outside the figure; it was cut to the figure"
                )
            boxes.append(box)
        return boxes

    def recipe(self) -> Recipe:
        """The recipe the widget's settings and rectangles describe.

        Raises
        ------
        DigitizerError
            If something is missing or malformed.
        """
        image = self._figure_array()
        panels = self._boxes(PANELS_LAYER, image.shape)
        if not panels:
            raise DigitizerError(
                f"no plot panel: press 'Add box layers' and draw a rectangle in "
                f"'{PANELS_LAYER}'"
            )
        spec = self._colorbar_spec(image.shape)
        extents = self._extents(len(panels))
        figure = self.figure.value
        source = getattr(getattr(figure, "source", None), "path", None)
        cells = None
        if self.per.value == "cell":
            parse_cells(self.cells.value)
            cells = self.cells.value.strip().lower()
        recipe_panels = [
            Panel(b, e, cells, self._edited_grid(i, b) if cells else None)
            for i, (b, e) in enumerate(zip(panels, extents, strict=True))
        ]
        return Recipe(
            panels=recipe_panels,
            colorbar=spec,
            max_distance=float(self.tolerance.value),
            image=None if source is None else str(source),
        )

    def _edited_grid(self, i: int, box: Any) -> Grid | None:
        """The grid of panel ``i`` as edited in its grid layer, if it was edited."""
        figure = self.figure.value
        name = f"{figure.name if figure is not None else 'figure'} grid [{i}]"
        layer = self._layer(name)
        shown = self._grids.get(name)
        if layer is None or shown is None:
            return None
        grid = grid_from_lines(layer.data, box)
        if grid is None:
            raise DigitizerError(
                f"'{name}' needs vertical and horizontal lines at the cell edges, "
                "including the panel's outer edges"
            )
        same = (
            grid.shape == shown.shape
            and np.allclose(grid.col_edges, shown.col_edges, atol=0.25)
            and np.allclose(grid.row_edges, shown.row_edges, atol=0.25)
        )
        if same and name not in self._explicit:
            return None  # as detected: detect again (settings may have changed)
        return grid

    def _colorbar_spec(self, shape: tuple[int, ...]) -> ColorbarSpec:
        spec = ColorbarSpec(norm=self.norm.value)
        if self.bar_source.value == BAR_SOURCES[1]:
            spec.colormap = self.colormap.value
        else:
            bars = self._boxes(COLORBAR_LAYER, shape)
            if len(bars) != 1:
                raise DigitizerError(
                    "draw exactly one rectangle around the colour bar in "
                    f"'{COLORBAR_LAYER}' (there are {len(bars)}), or use a colour "
                    "map name"
                )
            spec.box = bars[0]
            if self.bar_orientation.value != "auto":
                spec.orientation = self.bar_orientation.value
            spec.flip = bool(self.flip.value)
        spec.discrete = {"auto": None, "continuous": False, "stepped": True}[
            self.stepped.value
        ]
        if self.ticks.value.strip():
            spec.ticks = parse_ticks(self.ticks.value)
        else:
            spec.vmin = _number(self.vmin.value, "vmin")
            spec.vmax = _number(self.vmax.value, "vmax")
        return spec

    def _extents(self, n: int) -> list[Extent | None]:
        text = self.extents.value.strip()
        if not text:
            return [None] * n
        parts = [p for p in text.split(";") if p.strip()]
        extents = [
            Extent.parse(p, xscale=self.xscale.value, yscale=self.yscale.value)
            for p in parts
        ]
        if len(extents) == 1:
            return extents * n
        if len(extents) != n:
            raise DigitizerError(
                f"give one axis extent for all panels or one per panel ({n}), "
                f"not {len(extents)}"
            )
        return list(extents)

    def load_recipe(self, recipe: Recipe) -> None:
        """Show a recipe's settings and rectangles in the widget."""
        self.apply_settings(recipe)
        self.set_boxes([p.box for p in recipe.panels], recipe.colorbar.box)

    def apply_settings(self, recipe: Recipe) -> None:
        """Show a recipe's colour-bar, tolerance and axis settings (not its boxes)."""
        cb = recipe.colorbar
        self.bar_source.value = BAR_SOURCES[1] if cb.colormap else BAR_SOURCES[0]
        if cb.colormap:
            if cb.colormap not in self.colormap.choices:
                self.colormap.choices = (*self.colormap.choices, cb.colormap)
            self.colormap.value = cb.colormap
        self.norm.value = cb.norm
        self.ticks.value = ",".join(f"{p:g}:{v:g}" for p, v in cb.ticks or [])
        self.vmin.value = "" if cb.vmin is None else f"{cb.vmin:g}"
        self.vmax.value = "" if cb.vmax is None else f"{cb.vmax:g}"
        self.bar_orientation.value = cb.orientation or "auto"
        self.flip.value = bool(cb.flip)
        self.stepped.value = {None: "auto", False: "continuous", True: "stepped"}[
            cb.discrete
        ]
        self.tolerance.value = recipe.max_distance
        cells = next((p.cells for p in recipe.panels if p.cells), None)
        if cells:
            self.per.value, self.cells.value = "cell", cells
        extents = [p.extent for p in recipe.panels]
        if any(e is not None for e in extents):
            first = next(e for e in extents if e is not None)
            self.xscale.value, self.yscale.value = first.xscale, first.yscale
            if all(e == first for e in extents):
                self.extents.value = _extent_text(first)
            else:
                self.extents.value = "; ".join(
                    _extent_text(e) if e else "" for e in extents
                )
        else:
            self.extents.value = ""

    # -- preview
    def update_preview(self, *_: Any) -> None:
        """Read the colour bar with the current settings and show what was read."""
        if self._closed:
            return
        try:
            image = self._figure_array()
            bar = self._colorbar_spec(image.shape).build(image)
        except DigitizerError as exc:
            self.preview.value = np.full((14, 200, 3), 230, np.uint8)
            self.preview_text.value = f"colour bar: {exc}"
            return
        strip = bar.preview(200)
        self.preview.value = np.ascontiguousarray(np.repeat(strip[None], 14, axis=0))
        mid = float(bar.scale.to_value(0.5))
        kind = f"stepped, {len(bar.rgb)} bands" if bar.discrete else "continuous"
        self.preview_text.value = (
            f"{kind}: {bar.vmin:.4g} … {mid:.4g} … {bar.vmax:.4g} ({bar.scale.norm})"
        )

    # -- digitizing
    def digitize(self) -> Any:
        """Digitize every panel in a background worker; returns the worker."""
        if self._worker is not None:
            self._say("already digitizing; wait for it to finish")
            return self._worker
        try:
            recipe = self.recipe()
            image = self._figure_array()
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
        self._say("digitizing…")
        worker = thread_worker(
            _work, progress={"total": 100, "desc": "Digitizing"}, ignore_errors=True
        )(recipe, image, self.per.value, self.fill.value)
        worker.returned.connect(lambda done: self._show(recipe, done))
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        worker.start()
        return worker

    def _on_finished(self) -> None:
        self._worker = None
        if not self._closed:
            self.run_button.enabled = True

    def _on_error(self, exc: Exception) -> None:
        if self._closed:
            return
        if isinstance(exc, DigitizerError):
            self._fail(str(exc))
        else:
            log.error("digitizing failed", exc_info=exc)
            self._fail(f"digitizing failed: {type(exc).__name__}: {exc}")

    @property
    def busy(self) -> bool:
        """Whether digitizing or showing the results is still under way."""
        return self._worker is not None or bool(self._pending)

    def _show(
        self, recipe: Recipe, done: tuple[list[Result], list[Any], list[Any]]
    ) -> None:
        """Queue the result layers; they are added one per event-loop turn."""
        if self._closed:
            return
        results, displays, reduced = done
        figure = self.figure.value
        name = figure.name if figure is not None else "figure"
        scale = np.asarray(figure.scale if figure is not None else (1, 1))[-2:]
        translate = np.asarray(figure.translate if figure is not None else (0, 0))[-2:]
        colormap = napari_colormap(results[0].colorbar)
        limits = sorted((results[0].colorbar.vmin, results[0].colorbar.vmax))
        for i, (result, (values, distance, unmatched)) in enumerate(
            zip(results, displays, strict=True)
        ):
            where = translate + scale * np.array([result.box.top, result.box.left])
            meta = {
                "heatmap_digitizer": {
                    "panel": i,
                    "box": list(result.box),
                    "x": result.x.tolist(),
                    "y": result.y.tolist(),
                    "extent": None
                    if result.extent is None
                    else result.extent.as_list(),
                    "recipe": recipe.to_dict(),
                }
            }
            common = {"scale": scale, "translate": where, "metadata": meta}
            self._pending += [
                (
                    f"{name} values [{i}]",
                    values,
                    {"colormap": colormap, "contrast_limits": limits, **common},
                ),
                (
                    f"{name} distance [{i}]",
                    distance,
                    {
                        "colormap": "magma",
                        "visible": False,
                        "contrast_limits": (0.0, float(result.max_distance)),
                        **common,
                    },
                ),
                (
                    f"{name} unmatched [{i}]",
                    unmatched,
                    {
                        "colormap": "red",
                        "contrast_limits": (0, 1),
                        "blending": "additive",
                        "visible": False,
                        **common,
                    },
                ),
            ]
            if isinstance(reduced[i], Cells):
                self._pending += self._cell_layers(
                    name, i, reduced[i], scale, where, colormap, limits, meta
                )
                if recipe.panels[i].grid is not None:
                    self._explicit.add(f"{name} grid [{i}]")
                else:
                    self._explicit.discard(f"{name} grid [{i}]")
            elif isinstance(reduced[i], Regions):
                self._pending.append(
                    lambda i=i, where=where: self._put_regions(
                        f"{name} regions [{i}]",
                        reduced[i],
                        scale,
                        where,
                        colormap,
                        limits,
                    )
                )
        for kind in ("cells", "grid", "regions"):
            for i, red in enumerate(reduced):
                keep = (kind == "regions" and isinstance(red, Regions)) or (
                    kind != "regions" and isinstance(red, Cells)
                )
                if not keep and f"{name} {kind} [{i}]" in self._viewer.layers:
                    self._viewer.layers.remove(f"{name} {kind} [{i}]")
        stale = [
            f"{name} {kind} [{i}]"
            for kind in ("values", "distance", "unmatched", "cells", "grid", "regions")
            for i in range(len(results), len(results) + 1000)
            if f"{name} {kind} [{i}]" in self._viewer.layers
        ]
        self._pending.append(lambda: self._finish(results, stale, reduced))
        self._drain()

    def _drain(self) -> None:
        """Add or update one pending layer, then yield to the event loop.

        Adding a large layer takes napari tens of milliseconds; one at a time
        keeps every pause of the viewer short.
        """
        if self._closed or not self._pending:
            self._pending.clear()
            return
        item = self._pending.pop(0)
        if callable(item):
            item()
        else:
            self._put(*item)
        if self._pending:
            QTimer.singleShot(0, self._drain)

    def _finish(
        self, results: list[Result], stale: list[str], reduced: list[Any]
    ) -> None:
        for layer_name in stale:  # panels that went away
            if layer_name in self._viewer.layers:
                self._viewer.layers.remove(layer_name)
        self.results = results
        self.reduced = reduced
        self.cursor.value = ""
        parts = []
        for i, (r, red) in enumerate(zip(results, reduced, strict=True)):
            text = (
                f"[{i}] computed as displayed (dask)"
                if r.lazy
                else f"[{i}] {100 * r.coverage:.1f}% matched"
            )
            if isinstance(red, Cells):
                rows, cols = red.shape
                text += f", {cols}x{rows} cells ({int(red.doubtful().sum())} doubtful)"
                for w in red.warnings:
                    show_warning(f"panel {i}: {w}")
            elif isinstance(red, Regions):
                text += f", {len(red)} regions"
            parts.append(text)
        self._say("; ".join(parts))

    def _cell_layers(
        self,
        name: str,
        i: int,
        cells: Cells,
        scale: np.ndarray,
        where: np.ndarray,
        colormap: Any,
        limits: list[float],
        meta: dict[str, Any],
    ) -> list[Any]:
        """Pending items for the cell matrix image and the editable grid lines."""
        grid = cells.grid
        cw, ch = np.diff(grid.col_edges), np.diff(grid.row_edges)
        meta = {
            "heatmap_digitizer": {
                **meta["heatmap_digitizer"],
                "cells": grid.to_dict(),
                "x": cells.x.tolist(),
                "y": cells.y.tolist(),
            }
        }
        if np.ptp(cw) < 1e-6 and np.ptp(ch) < 1e-6:
            # regular: one image pixel per cell, scaled to the cell size
            cell = np.array([ch[0], cw[0]])
            data = cells.values.astype(np.float32)
            kwargs = {
                "scale": scale * cell,
                "translate": where + scale * (cell - 1) / 2,
            }
        else:
            # irregular: paint each cell over its pixels
            h, w = cells.result.values.shape
            r = np.searchsorted(grid.row_edges[1:-1], np.arange(h) + 0.5)
            c = np.searchsorted(grid.col_edges[1:-1], np.arange(w) + 0.5)
            data = cells.values.astype(np.float32)[r][:, c]
            kwargs = {"scale": scale, "translate": where}
        cells_name = f"{name} cells [{i}]"
        grid_name = f"{name} grid [{i}]"
        lines = grid_lines(grid, cells.result.box)
        figure = self.figure.value
        fig_scale = np.asarray(figure.scale)[-2:] if figure is not None else (1, 1)
        fig_translate = (
            np.asarray(figure.translate)[-2:] if figure is not None else (0, 0)
        )

        def put_grid() -> None:
            if grid_name in self._viewer.layers:
                self._viewer.layers.remove(grid_name)
            self._viewer.add_shapes(
                lines,
                shape_type="line",
                edge_color="white",
                edge_width=1,
                name=grid_name,
                scale=fig_scale,
                translate=fig_translate,
            )
            self._grids[grid_name] = grid

        return [
            (
                cells_name,
                data,
                {
                    "colormap": colormap,
                    "contrast_limits": limits,
                    "metadata": meta,
                    **kwargs,
                },
            ),
            put_grid,
        ]

    def _put_regions(
        self,
        name: str,
        regions: Regions,
        scale: np.ndarray,
        where: np.ndarray,
        colormap: Any,
        limits: list[float],
    ) -> None:
        """Show one point per region, coloured by value, with its table."""
        if name in self._viewer.layers:
            self._viewer.layers.remove(name)
        box = regions.result.box
        coords = np.column_stack([regions.py - box.top, regions.px - box.left]) - 0.5
        size = (
            float(np.clip(np.sqrt(np.median(regions.area)) / 3, 3, 12))
            if len(regions)
            else 5.0
        )
        colour: dict[str, Any] = {"face_color": "white"}
        if len(regions):
            colour = {
                "face_color": "value",
                "face_colormap": colormap,
                "face_contrast_limits": tuple(limits),
            }
        self._viewer.add_points(
            coords,
            name=name,
            features=regions.table(),
            size=size,
            scale=scale,
            translate=where,
            border_color="white",
            border_width=0.1,
            **colour,
        )

    def _put(self, name: str, data: Any, kwargs: dict[str, Any]) -> None:
        """Update the image layer called ``name`` in place, or add it."""
        layer = self._layer(name)
        multiscale = isinstance(data, list)
        if layer is not None and (
            not isinstance(layer, ImageLayer) or layer.multiscale != multiscale
        ):
            self._viewer.layers.remove(layer)
            layer = None
        if layer is None:
            self._viewer.add_image(data, name=name, multiscale=multiscale, **kwargs)
            return
        layer.data = data
        for key, value in kwargs.items():
            setattr(layer, key, value)

    # -- cursor read-out
    def _on_cursor(self, event: Any = None) -> None:
        if self._closed or not self.results:
            return
        figure = self.figure.value
        if figure is None:
            return
        position = np.asarray(self._viewer.cursor.position)[-2:]
        scale = np.asarray(figure.scale)[-2:]
        translate = np.asarray(figure.translate)[-2:]
        row, col = np.round((position - translate) / scale).astype(int)
        for i, result in enumerate(self.results):
            box = result.box
            if box.top <= row < box.bottom and box.left <= col < box.right:
                r, c = row - box.top, col - box.left
                value, distance = (
                    float(np.asarray(a[r, c])) for a in (result.values, result.distance)
                )
                text = "no match" if np.isnan(value) else f"{value:.6g}"
                self.cursor.value = (
                    f"panel {i}: x={result.x[c]:.6g}, y={result.y[r]:.6g} → {text} "
                    f"(ΔE {distance:.2f})"
                )
                return
        self.cursor.value = ""

    # -- files
    def export(
        self, path: str | os.PathLike[str], *, overwrite: bool = False
    ) -> list[Path]:
        """Write every panel's values (``STEM_i.EXT`` for several panels).

        Per cell, the matrix (CSV: a header of column centres, each row led by
        its y); per region, the table of regions (``.csv`` only).

        Parameters
        ----------
        path : str or path-like
            ``.npy``, ``.csv`` or ``.tif``.
        overwrite : bool
            Replace existing files.

        Returns
        -------
        list of pathlib.Path
        """
        if not self.results:
            raise DigitizerError("nothing to export yet: press Digitize first")
        fmt = output_format(path)
        reduced = self.reduced or [None] * len(self.results)
        if fmt != "csv" and any(isinstance(r, Regions) for r in reduced):
            raise DigitizerError("regions are a table: export them to a .csv file")
        outputs = panel_paths(path, len(self.results))
        check_can_write(outputs, overwrite=overwrite)
        for i, (result, out) in enumerate(zip(self.results, outputs, strict=True)):
            red = reduced[i]
            if isinstance(red, Regions):
                write_table_csv(out, red.table(), overwrite=overwrite)
                continue
            if isinstance(red, Cells):
                if fmt == "csv":
                    write_matrix_csv(out, red.values, red.x, red.y, overwrite=overwrite)
                else:
                    write_array(
                        out,
                        red.values,
                        overwrite=overwrite,
                        metadata={"panel": i, "grid": red.grid.to_dict()},
                    )
                continue
            write_result(  # band by band: lazy results are never whole in memory
                out,
                result,
                overwrite=overwrite,
                metadata={
                    "panel": i,
                    "box": list(result.box),
                    "colorbar": result.colorbar.describe(),
                },
            )
        return outputs

    def save_recipe(
        self, path: str | os.PathLike[str], *, overwrite: bool = False
    ) -> Path:
        """Write the current settings as a recipe JSON the CLI accepts."""
        return self.recipe().save(path, overwrite=overwrite)

    def open_recipe(self, path: str | os.PathLike[str]) -> Recipe:
        """Read a recipe JSON and show it in the widget."""
        recipe = Recipe.load(path)
        self.load_recipe(recipe)
        return recipe

    def _export_dialog(self) -> None:
        path = _ask_path(self, "Export values", "Values (*.csv *.tif *.npy)", save=True)
        if path:
            self._guard(
                lambda: self._say(
                    "wrote "
                    + ", ".join(str(p) for p in self.export(path, overwrite=True))
                )
            )

    def _save_dialog(self) -> None:
        path = _ask_path(self, "Save recipe", "Recipe (*.json)", save=True)
        if path:
            self._guard(
                lambda: self._say(f"wrote {self.save_recipe(path, overwrite=True)}")
            )

    def _load_dialog(self) -> None:
        path = _ask_path(self, "Load recipe", "Recipe (*.json)", save=False)
        if path:
            self._guard(lambda: self.open_recipe(path))

    # -- messages and lifetime
    def _guard(self, action: Any) -> None:
        try:
            action()
        except DigitizerError as exc:
            self._fail(str(exc))

    def _say(self, text: str) -> None:
        if not self._closed:
            self.status.value = text

    def _fail(self, text: str) -> None:
        self.last_error = text
        self._say(text)
        show_error(text)

    def _on_close(self, *_: Any) -> None:
        self._closed = True
        for worker in (self._worker, self._detecting):
            if worker is not None:
                worker.quit()
        try:
            self._viewer.cursor.events.position.disconnect(self._on_cursor)
            self._viewer.layers.events.inserted.disconnect(self._on_layers_changed)
            self._viewer.layers.events.removed.disconnect(self._on_layers_changed)
        except (RuntimeError, TypeError, ValueError):
            pass


def _work(
    recipe: Recipe, image: np.ndarray, per: str = "pixel", fill: str = "none"
) -> Generator[None, None, tuple[list[Result], list[Any], list[Any]]]:
    """The worker: one yield per finished percent (napari's progress bar).

    Returns the results, per panel what the layers will show (values,
    distance, unmatched mask; prepared here rather than in the viewer) and the
    per-cell or per-region reduction (``None`` per pixel).
    """
    steps = recipe.run_steps(image)
    done = 0
    while True:
        try:
            fraction = next(steps)
        except StopIteration as finished:
            results: list[Result] = finished.value
            break
        while done < int(100 * fraction):
            done += 1
            yield
    if fill != "none" or per != "pixel":  # these need the panels in memory
        results = [r.compute() for r in results]
    if fill != "none":
        results = [fill_gaps(r, fill) for r in results]
    reduced: list[Any] = [None] * len(results)
    if per == "cell":
        reduced = [
            panel_cells(r, p.cells, p.grid)
            for r, p in zip(results, recipe.panels, strict=True)
        ]
    elif per == "region":
        reduced = [find_regions(r) for r in results]
    elif per == "hexagon":
        reduced = [find_hexagons(r) for r in results]
    displays = [
        _lazy_levels(image, r)
        if r.lazy
        else (
            _levels(r.values),
            _levels(r.distance),
            _levels(r.unmatched.astype(np.uint8)),
        )
        for r in results
    ]
    return results, displays, reduced


def _lazy_levels(image: Any, result: Result) -> tuple[list[Any], list[Any], list[Any]]:
    """Dask pyramids of values, ΔE and unmatched for a lazy result.

    Level ``k`` digitizes every ``2**k``-th pixel of the panel, which gives
    exactly ``values[::2**k, ::2**k]`` while reading only the chunks napari
    shows; nothing is computed here.
    """
    crop = image[result.box.slices]
    top = float_top(image)
    levels: list[tuple[Any, Any, Any]] = []
    step = 1
    while True:
        part = crop[::step, ::step]
        if step == 1:
            values, distance, nodata = result.values, result.distance, result.nodata
        else:
            values, distance = digitize_blocks(
                part, result.colorbar, result.max_distance, top=top
            )
            nodata = None if result.nodata is None else result.nodata[::step, ::step]
        unmatched = np.isnan(values) if nodata is None else np.isnan(values) & ~nodata
        levels.append((values, distance, unmatched.astype(np.uint8)))
        if max(part.shape[:2]) <= (PYRAMID_ABOVE if step == 1 else 1024):
            break
        step *= 2
    if len(levels) == 1:
        return levels[0]  # type: ignore[return-value]
    return tuple(list(kind) for kind in zip(*levels, strict=True))  # type: ignore[return-value]


#: Lazy (dask) figures with more pixels than this are not searched by Detect.
DETECT_LAZY_PIXELS = 64 * 2**20

#: Results larger than this (pixels per side) are shown as image pyramids, so
#: napari only ever uploads what the screen shows.
PYRAMID_ABOVE = 2048


def grid_lines(grid: Grid, box: Any) -> list[np.ndarray]:
    """The grid's edges as line shapes in figure data coordinates (row, col)."""
    top, left = box.top - 0.5, box.left - 0.5
    bottom, right = top + grid.row_edges[-1], left + grid.col_edges[-1]
    lines = [np.array([[top, left + x], [bottom, left + x]]) for x in grid.col_edges]
    lines += [np.array([[top + y, left], [top + y, right]]) for y in grid.row_edges]
    return lines


def grid_from_lines(lines: list[np.ndarray], box: Any) -> Grid | None:
    """Cell edges from vertical and horizontal line shapes (see :func:`grid_lines`)."""
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


def _levels(array: np.ndarray) -> np.ndarray | list[np.ndarray]:
    """``array``, or a pyramid of halvings of it when it is large."""
    if max(array.shape) <= PYRAMID_ABOVE:
        return array
    levels = [array]
    while max(levels[-1].shape) > 1024:
        levels.append(np.ascontiguousarray(levels[-1][::2, ::2]))
    return levels


def _replace_rectangles(layer: Shapes, boxes: list[Any]) -> None:
    """Replace all shapes of ``layer`` by rectangles for pixel ``boxes``."""
    if len(layer.data):
        layer.selected_data = set(range(len(layer.data)))
        layer.remove_selected()
    if boxes:
        layer.add_rectangles([rectangle_from_box(b) for b in boxes])


def _number(text: str, what: str) -> float:
    try:
        return float(str(text).strip().replace("−", "-"))
    except ValueError:
        raise DigitizerError(f"{what} {text!r} is not a number") from None


def _extent_text(e: Extent) -> str:
    return ",".join(f"{v:g}" for v in e.as_list())


def _ask_path(widget: Container, title: str, filter_: str, *, save: bool) -> str:
    from qtpy.QtWidgets import QFileDialog

    if save:
        path, _ = QFileDialog.getSaveFileName(widget.native, title, "", filter_)
    else:
        path, _ = QFileDialog.getOpenFileName(widget.native, title, "", filter_)
    return str(path)
