"""What a new user meets first in napari: the window, the status, the read-out.

Each test drives the real widget in a real viewer (under Xvfb, on a
1600×1000 virtual screen set in ``pyproject.toml``).
"""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari", reason="napari is part of the [testing] extra")

from napari_heatmap_digitizer._napari import _qt  # noqa: E402
from napari_heatmap_digitizer._napari._sample_data import (  # noqa: E402
    multi_panel_sample,
    single_panel_sample,
)
from napari_heatmap_digitizer._napari._status import (  # noqa: E402
    State,
    StatusBox,
    brief,
    next_step,
)
from napari_heatmap_digitizer._napari._widget import (  # noqa: E402
    COLORBAR_LAYER,
    PANELS_LAYER,
    DigitizerWidget,
)
from napari_heatmap_digitizer.core import KernelStatus  # noqa: E402
from napari_heatmap_digitizer.data import load_sample  # noqa: E402


@pytest.fixture
def viewer(make_napari_viewer):
    return make_napari_viewer()


def docked(viewer, which=single_panel_sample):
    ((data, meta, _),) = which()
    layer = viewer.add_image(data, **meta)
    widget = DigitizerWidget(viewer)
    viewer.window.add_dock_widget(widget)
    widget.figure.value = layer
    return widget, layer


def wait(qtbot, widget, timeout=60000):
    qtbot.waitUntil(lambda: not widget.busy, timeout=timeout)


def test_next_step_is_true_of_the_state():
    def hint(**kw):
        state = dict(
            figure=True,
            box_layers=True,
            panels=1,
            bars=1,
            from_box=True,
            range_given=True,
        )
        state.update(kw)
        return next_step(State(**state), panels_layer="P", colorbar_layer="C")

    assert hint(figure=False).startswith("open a figure")
    assert "Add box layers" in hint(box_layers=False)
    assert hint(panels=0, bars=0, range_given=False) == (
        "draw a rectangle around each plot panel in 'P'; draw one around the "
        "colour bar in 'C'; type vmin and vmax (the colour bar's range)"
    )
    assert hint(bars=2) == "keep one rectangle in 'C' (there are 2)"
    assert hint(from_box=False, bars=0) == "1 panel marked: press Digitize"
    assert hint(panels=3) == "3 panels marked: press Digitize"


def test_detect_status_leaves_what_the_rectangles_show_to_the_tooltip():
    notes = [
        "colour bar 71,301,980,318 (RdBu_r)",
        "2 colour bars found, using the one serving the most panels; the others: "
        "5,6,7,8",
        "panels 71,46,310,245, 406,46,645,245",
        "range -5 to 5 (linear) from tick labels -4, -2, 0, 2, 4",
    ]
    assert brief(notes) == [
        "colour bar (RdBu_r)",
        "2 colour bars found, using the one serving the most panels",
        "range -5 to 5 (linear) from the tick labels",
    ]


def test_status_follows_the_boxes_and_keeps_its_height(viewer, qtbot):
    sample = load_sample("single")
    widget, _ = docked(viewer)
    assert "Add box layers" in widget.status.value
    widget.create_box_layers()
    assert widget.status.value.startswith("draw a rectangle around each plot panel")
    height = widget.status.native.height()
    y_digitize, y_export = (
        b.native.mapTo(widget.native, b.native.rect().topLeft()).y()
        for b in (widget.run_button, widget.export_button)
    )
    widget.cursor.value = "panel 0: x=1.23456, y=2.34567 → 3.45678 (ΔE 0.12) " * 2
    widget.status_box.working(0.5, "digitizing…")
    qtbot.wait(10)
    moved = widget.export_button.native.mapTo(
        widget.native, widget.export_button.native.rect().topLeft()
    ).y()
    assert moved == y_export
    widget.set_boxes([sample.recipe.panels[0].box], sample.recipe.colorbar.box)
    assert widget.status.value == "type vmin and vmax (the colour bar's range)"
    widget.vmin.value, widget.vmax.value = "-2", "3"
    assert widget.status.value == "1 panel marked: press Digitize"
    # Nothing below moves when the read-out line or the progress bar appear.
    widget.cursor.value = "panel 0: x=1.23456, y=2.34567 → 3.45678 (ΔE 0.12) " * 2
    widget.status_box.working(0.5, "digitizing…")
    qtbot.wait(10)
    widget.status_box.idle()
    widget.cursor.value = ""
    widget._say("a long message " * 40)  # many lines: cut to the area, whole in tip
    qtbot.wait(10)
    assert widget.status.native.height() == height
    assert widget.status.tooltip == "a long message " * 40
    assert (
        widget.export_button.native.mapTo(
            widget.native, widget.export_button.native.rect().topLeft()
        ).y()
        == y_export
    )
    assert (
        widget.run_button.native.mapTo(
            widget.native, widget.run_button.native.rect().topLeft()
        ).y()
        == y_digitize
    )


def test_first_digitize_says_it_prepares_the_kernels(viewer, qtbot, monkeypatch):
    calls = []

    def prepare():
        calls.append(1)
        return KernelStatus(0.0, True)

    monkeypatch.setattr(_qt, "_kernels_ready", False)
    monkeypatch.setattr(_qt, "prepare_kernels", prepare)
    widget, _ = docked(viewer)
    # Opening the widget starts preparing them in the background.
    qtbot.waitUntil(lambda: _qt.kernels_ready(), timeout=10000)
    assert calls == [1]

    widget.load_recipe(load_sample("single").recipe)
    monkeypatch.setattr(_qt, "_kernels_ready", False)  # as if not ready yet
    said, bar = [], widget.status_box.bar
    working = StatusBox.working

    def record(self, fraction, message=None):
        working(self, fraction, message)
        said.append((message, not bar.native.isHidden(), bar.value))

    monkeypatch.setattr(StatusBox, "working", record)
    worker = widget.digitize()
    assert worker is not None
    wait(qtbot, widget)
    messages = [m for m, _, _ in said if m]
    assert messages[:2] == ["digitizing…", _qt.PREPARING]
    assert messages[2] == "digitizing 1 panel…"
    assert all(visible for _, visible, _ in said)  # the bar shows while working
    assert said[-1][2] == 100
    assert calls == [1, 1]
    assert widget.status_box.bar.native.isHidden()  # hidden once done
    assert widget.status.value.startswith("[0] panel")


def test_results_selected_for_hover_and_boxes_stay_on_top(viewer, qtbot):
    widget, _ = docked(viewer, multi_panel_sample)
    widget.load_recipe(load_sample("multi").recipe)
    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == ""
    names = [layer.name for layer in viewer.layers]
    assert names[-2:] == [COLORBAR_LAYER, PANELS_LAYER]  # the top of the list
    # Three panels: how much of each matched; each summary and confidence
    # line in the tooltip.
    assert widget.status.value.startswith("3 panels digitized, matched: [0] ")
    assert "DOUBTFUL" not in widget.status.value
    assert widget.status.tooltip.count("\n") == 5
    assert widget.status.tooltip.endswith(widget.results[2].confidence.line())
    assert widget.status.tooltip.startswith(f"[0] {widget.results[0].summary()}")
    active = viewer.layers.selection.active
    assert active.name == "multi heat map values [0]"
    assert active.visible

    # Hovering the values: napari's status bar shows the value and the point
    # in the figure's data units.
    panel = widget.results[0].result
    row, col = 30, 70
    world = active.data_to_world((row, col))
    status = active.get_status(world, world=True)
    value = float(panel.values[row, col])
    assert f"x={panel.x[col]:.6g}, y={panel.y[row]:.6g}" in status["coordinates"]
    assert float(status["value"]) == pytest.approx(value, rel=2e-3)  # 3 digits
    assert active._type_string == "image"  # a plain image to napari's writers


def test_detect_preselects_the_detected_colour_map(viewer, qtbot):
    pytest.importorskip("matplotlib")
    from napari_heatmap_digitizer.testing import render

    fig = render(cmap="plasma", vmin=0, vmax=1, seed=3)
    widget = DigitizerWidget(viewer)
    widget.figure.value = viewer.add_image(fig.image, rgb=True, name="plasma fig")
    widget.detect()
    qtbot.waitUntil(lambda: widget._detecting is None, timeout=60000)
    assert widget.detection.colorbars[0].colormaps[0].name == "plasma"
    assert widget.bar_source.value == "colour bar box"  # the bar is still read
    widget.bar_source.value = "colour map name"
    assert widget.colormap.value == "plasma"
    assert widget.colorbar_editor.value.colormap == "plasma"


def test_file_dialogs_start_beside_the_figure(viewer, tmp_path, monkeypatch):
    from skimage.io import imsave

    path = tmp_path / "fig 1.png"
    imsave(path, np.full((40, 60, 3), 200, np.uint8), check_contrast=False)
    (layer,) = viewer.open(str(path), plugin="napari")
    assert _qt.default_path(layer, "export") == str(tmp_path / "fig 1_values.csv")
    assert _qt.default_path(layer, "save") == str(tmp_path / "fig 1.recipe.json")
    assert _qt.default_path(layer, "load") == str(tmp_path)

    # The dialog is opened there (Qt's dialog replaced by a recorder).
    widget = DigitizerWidget(viewer)
    widget.figure.value = layer
    asked = []
    monkeypatch.setattr(
        _qt, "ask_path", lambda parent, kind, start: asked.append((kind, start)) or ""
    )
    widget._dialog("export")
    assert asked == [("export", str(tmp_path / "fig 1_values.csv"))]

    monkeypatch.chdir(tmp_path)
    sample, _ = docked(viewer)
    assert _qt.default_path(sample.figure.value, "export") == str(
        tmp_path / "single heat map_values.csv"
    )


def test_a_loose_hand_drawn_plot_box_snaps_to_the_axes_frame(viewer, qtbot):
    from napari_heatmap_digitizer._napari._boxes import (
        box_from_rectangle,
        rectangle_from_box,
    )
    from napari_heatmap_digitizer.core import Box

    sample = load_sample("single")
    true = sample.recipe.panels[0].box
    widget, _ = docked(viewer)
    widget.create_box_layers()
    panels = viewer.layers[PANELS_LAYER]
    loose = Box(true.left - 12, true.top - 9, true.right + 10, true.bottom + 14)
    panels.add_rectangles([rectangle_from_box(loose)])  # as a mouse would
    shape = sample.image.shape

    def snapped():
        return box_from_rectangle(panels.data[-1], shape, what="x")[0]

    qtbot.waitUntil(lambda: snapped() != loose, timeout=5000)
    box = snapped()
    assert all(abs(a - b) <= 1 for a, b in zip(box, true, strict=True))
    assert widget.status.value.startswith("box snapped to the axes frame")
    assert len(panels.data) == 1

    # Boxes given (a recipe, Detect) are placed as they are, never snapped.
    widget.set_boxes([loose], sample.recipe.colorbar.box)
    qtbot.wait(50)
    assert snapped() == loose

    # The snapped box digitizes as well as the true one.
    widget.set_boxes([box], sample.recipe.colorbar.box)
    widget.vmin.value, widget.vmax.value = "-2", "3"
    widget.digitize()
    wait(qtbot, widget)
    assert widget.results[0].result.coverage > 0.99


def test_the_widget_scrolls_rather_than_stretch_the_window(viewer):
    from qtpy.QtWidgets import QScrollArea

    widget, _ = docked(viewer)
    assert isinstance(widget.native, QScrollArea)  # what napari docks
    assert widget.native.minimumSizeHint().height() < 200
    assert widget.native.widget().minimumSizeHint().height() > 600


def test_a_whole_view_stays_whole_and_a_zoomed_one_stays_zoomed(viewer, qtbot):
    widget, layer = docked(viewer, multi_panel_sample)
    widget.load_recipe(load_sample("multi").recipe)
    viewer.reset_view()
    assert _qt.whole_in_view(viewer, layer)
    widget.digitize()
    wait(qtbot, widget)
    qtbot.wait(300)
    assert _qt.whole_in_view(viewer, layer)

    camera = viewer.scene.camera if hasattr(viewer, "scene") else viewer.camera
    camera.zoom *= 4
    zoom, center = camera.zoom, tuple(camera.center)
    assert not _qt.whole_in_view(viewer, layer)
    widget.digitize()
    wait(qtbot, widget)
    qtbot.wait(300)
    assert camera.zoom == zoom and tuple(camera.center) == center


def test_detect_fills_the_axis_extents_it_reads(viewer, qtbot):
    from napari_heatmap_digitizer.core import ocr_available

    if not ocr_available():
        pytest.skip("reading axis labels needs Tesseract")
    widget, _ = docked(viewer)
    assert widget.extents.value == ""
    widget.detect()
    qtbot.waitUntil(lambda: widget._detecting is None, timeout=60000)
    assert widget.extents.value == "0,10,0,5"  # the sample's printed axes
    assert (
        widget.recipe().panels[0].extent
        == load_sample("single").recipe.panels[0].extent
    )
