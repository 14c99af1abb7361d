"""The dock widget driven through its real workflow in a real viewer (Xvfb)."""

from __future__ import annotations

import numpy as np
import pytest

napari = pytest.importorskip("napari", reason="napari is part of the [testing] extra")

from napari_heatmap_digitizer._napari._boxes import (  # noqa: E402
    box_from_rectangle,
    rectangle_from_box,
)
from napari_heatmap_digitizer._napari._layers import cursor_text  # noqa: E402
from napari_heatmap_digitizer._napari._sample_data import (  # noqa: E402
    multi_panel_sample,
    single_panel_sample,
)
from napari_heatmap_digitizer._napari._widget import (  # noqa: E402
    COLORBAR_LAYER,
    PANELS_LAYER,
    DigitizerWidget,
)
from napari_heatmap_digitizer.core import (  # noqa: E402
    Box,
    DigitizerError,
    Extent,
    Recipe,
    ocr_available,
    run_recipe,
)
from napari_heatmap_digitizer.data import load_sample  # noqa: E402


@pytest.fixture
def viewer(make_napari_viewer):
    return make_napari_viewer()


def open_sample(viewer, which=single_panel_sample):
    ((data, meta, _),) = which()
    return viewer.add_image(data, **meta)


def wait(qtbot, widget, timeout=60000):
    qtbot.waitUntil(lambda: not widget.busy, timeout=timeout)


def test_rectangles_round_trip():
    box = Box(80, 40, 480, 420)
    assert box_from_rectangle(rectangle_from_box(box), (480, 640), what="x") == (
        box,
        False,
    )
    clipped, was = box_from_rectangle(
        rectangle_from_box(Box(600, 40, 700, 420)), (480, 640), what="x"
    )
    assert clipped == Box(600, 40, 640, 420) and was
    rotated = np.array([[0, 5], [5, 10], [10, 5], [5, 0]], float)
    with pytest.raises(DigitizerError, match="rotated"):
        box_from_rectangle(rotated, (480, 640), what="x")


def test_full_workflow_single_panel(viewer, qtbot, tmp_path):
    sample = load_sample("single")
    widget = DigitizerWidget(viewer)
    viewer.window.add_dock_widget(widget)
    open_sample(viewer)
    widget.figure.value = viewer.layers["single heat map"]
    widget.create_box_layers()
    assert PANELS_LAYER in viewer.layers and COLORBAR_LAYER in viewer.layers
    assert viewer.layers[PANELS_LAYER].mode == "add_rectangle"
    recipe = sample.recipe
    widget.set_boxes([p.box for p in recipe.panels], recipe.colorbar.box)
    widget.vmin.value, widget.vmax.value = "-2", "3"
    widget.extents.value = "0,10,0,5"
    widget.update_preview()
    assert widget.preview_text.value.startswith("continuous: -2")

    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == ""
    values = viewer.layers["single heat map values [0]"]
    box = recipe.panels[0].box
    np.testing.assert_allclose(values.translate, (box.top, box.left))
    assert tuple(values.contrast_limits) == (-2, 3)
    err = np.abs(values.data - sample.truth[0])[sample.judged[0]] / 5
    assert np.nanmedian(err) < 0.003
    assert not viewer.layers["single heat map distance [0]"].visible
    assert not viewer.layers["single heat map unmatched [0]"].visible
    # The value layer lies exactly over its panel: same world position.
    assert np.allclose(values.data_to_world((0, 0)), (box.top, box.left))

    # Moving a rectangle and digitizing again replaces the layers.
    n_layers = len(viewer.layers)
    widget.set_boxes([Box(100, 60, 300, 300)], recipe.colorbar.box)
    widget.digitize()
    wait(qtbot, widget)
    assert len(viewer.layers) == n_layers
    assert viewer.layers["single heat map values [0]"].data.shape == (240, 200)

    # Cursor read-out in data coordinates.
    viewer.cursor.position = (150.0, 200.0)
    widget._on_cursor()
    assert widget.cursor.value.startswith("panel 0: x=")

    # Export all panels and reload the recipe: the CLI gives the same numbers.
    outputs = widget.export(tmp_path / "values.npy")
    np.testing.assert_array_equal(
        np.load(outputs[0]), viewer.layers["single heat map values [0]"].data
    )
    saved = widget.save_recipe(tmp_path / "recipe.json")
    again = Recipe.load(saved)
    assert again.panels[0].box == Box(100, 60, 300, 300)
    (panel,) = run_recipe(again, sample.image)
    np.testing.assert_array_equal(panel.result.values, np.load(outputs[0]))
    with pytest.raises(DigitizerError, match="exists"):
        widget.export(tmp_path / "values.npy")


def test_multi_panel_and_recipe_loading(viewer, qtbot, tmp_path):
    sample = load_sample("multi")
    widget = DigitizerWidget(viewer)
    open_sample(viewer, multi_panel_sample)
    widget.figure.value = viewer.layers["multi heat map"]
    path = tmp_path / "multi.json"
    sample.recipe.save(path)
    widget.open_recipe(path)
    assert len(viewer.layers[PANELS_LAYER].data) == 3
    assert widget.vmax.value == "100"
    widget.digitize()
    wait(qtbot, widget)
    for i, truth in enumerate(sample.truth):
        layer = viewer.layers[f"multi heat map values [{i}]"]
        err = np.abs(layer.data - truth)[sample.judged[i]] / 100
        assert np.nanmedian(err) < 0.003
    # One panel fewer: its layers go away.
    widget.set_boxes(
        [p.box for p in sample.recipe.panels[:2]], sample.recipe.colorbar.box
    )
    widget.digitize()
    wait(qtbot, widget)
    assert "multi heat map values [2]" not in viewer.layers
    assert "multi heat map values [1]" in viewer.layers


def test_color_map_name_instead_of_bar(viewer, qtbot):
    sample = load_sample("single")
    widget = DigitizerWidget(viewer)
    open_sample(viewer)
    widget.set_boxes([sample.recipe.panels[0].box], None)
    widget.bar_source.value = "colour map name"
    widget.colormap.value = "viridis"
    widget.vmin.value, widget.vmax.value = "-2", "3"
    widget.digitize()
    wait(qtbot, widget)
    layer = viewer.layers["single heat map values [0]"]
    err = np.abs(layer.data - sample.truth[0])[sample.judged[0]] / 5
    assert np.nanmedian(err) < 0.003


@pytest.mark.parametrize(
    ("setup", "message", "early"),
    [
        ("no figure", "open a figure first", True),
        ("no panels", "no plot panel", True),
        ("no bar", "exactly one rectangle", True),
        ("ellipse", "rectangles only", True),
        ("outside", "outside the figure", True),
        ("overlap", "overlaps plot box 0", True),
        ("bad vmin", "vmin 'abc' is not a number", True),
        ("log zero", "positive", False),  # found reading the bar, in the worker
    ],
)
def test_bad_input_is_a_notification(viewer, qtbot, setup, message, early):
    widget = DigitizerWidget(viewer)
    sample = load_sample("single")
    if setup != "no figure":
        open_sample(viewer)
        widget.create_box_layers()
        panels, bar = [sample.recipe.panels[0].box], sample.recipe.colorbar.box
        if setup == "no panels":
            panels = []
        if setup == "no bar":
            bar = None
        if setup == "overlap":
            bar = Box(400, 40, 533, 423)
        widget.set_boxes(panels, bar)
        widget.vmin.value, widget.vmax.value = "-2", "3"
        if setup == "ellipse":
            viewer.layers[PANELS_LAYER].add_ellipses(np.array([[50, 50], [20, 20]]))
        if setup == "outside":
            viewer.layers[PANELS_LAYER].data = [
                rectangle_from_box(Box(700, 10, 800, 100))
            ]
        if setup == "bad vmin":
            widget.vmin.value = "abc"
        if setup == "log zero":
            widget.vmin.value, widget.norm.value = "0", "log"
    worker = widget.digitize()
    assert (worker is None) == early
    wait(qtbot, widget)
    assert message in widget.last_error
    assert widget.run_button.enabled
    assert widget.results == []
    assert not any("values" in layer.name for layer in viewer.layers)


def test_rgba_and_16_bit_figures(viewer, qtbot):
    sample = load_sample("single")
    widget = DigitizerWidget(viewer)
    rgba = np.dstack([sample.image, np.full(sample.image.shape[:2], 255, np.uint8)])
    rgba[:, :200, 3] = 0  # left part transparent
    layer = viewer.add_image(rgba, name="rgba", rgb=True)
    widget.figure.value = layer
    widget.set_boxes([sample.recipe.panels[0].box], sample.recipe.colorbar.box)
    widget.vmin.value, widget.vmax.value = "-2", "3"
    widget.digitize()
    wait(qtbot, widget)
    values = viewer.layers["rgba values [0]"].data
    assert np.isnan(values[:, : 200 - 80]).all()
    assert np.isfinite(values[5:-5, 130:-5]).mean() > 0.97
    wide = viewer.add_image(sample.image.astype(np.uint16) * 257, name="wide", rgb=True)
    widget.figure.value = wide
    widget.digitize()
    wait(qtbot, widget)
    err = np.abs(viewer.layers["wide values [0]"].data - sample.truth[0])
    assert np.nanmedian(err[sample.judged[0]]) / 5 < 0.003


def test_closing_the_viewer_while_digitizing(make_napari_viewer, qtbot):
    viewer = make_napari_viewer()
    widget = DigitizerWidget(viewer)
    viewer.window.add_dock_widget(widget)
    sample = load_sample("single")
    big = np.tile(sample.image, (6, 6, 1))
    viewer.add_image(big, name="big", rgb=True)
    widget.figure.value = viewer.layers["big"]
    widget.set_boxes(
        [Box(0, 0, 640 * 5, 480 * 6)], Box(507 + 640 * 5, 37, 533 + 640 * 5, 423)
    )
    widget.vmin.value, widget.vmax.value = "-2", "3"
    worker = widget.digitize()
    assert worker is not None
    viewer.close()
    qtbot.waitUntil(lambda: not worker.is_running, timeout=60000)


def test_widget_is_listed_by_the_installed_plugin():
    from npe2 import PluginManager

    pm = PluginManager.instance()
    pm.discover()
    widgets = [
        w.display_name
        for w in pm.iter_widgets()
        if w.plugin_name == "napari-heatmap-digitizer"
    ]
    assert widgets == ["Heat-map digitizer"]
    assert pm.get_manifest("napari-heatmap-digitizer").contributions.sample_data


def visible_region(viewer):
    """World (row, col) bounds the canvas shows now."""
    h, w = viewer.canvas.size
    camera = viewer.scene.camera if hasattr(viewer, "scene") else viewer.camera
    cy, cx = camera.center[-2:]
    rows, cols = h / 2 / camera.zoom, w / 2 / camera.zoom
    return (cy - rows, cy + rows), (cx - cols, cx + cols)


def test_gui_command_opens_the_sample_ready_to_digitize(qtbot):
    from napari_heatmap_digitizer._napari._launch import launch

    viewer, widget = launch(run=False)
    try:
        assert widget.figure.value.name == "single heat map"
        assert len(viewer.layers[PANELS_LAYER].data) == 1
        assert widget.vmin.value == "-2" and widget.vmax.value == "3"
        # The whole figure in view, in a canvas with room (1600x1000 screen).
        qtbot.wait(50)  # the fit queued for the next turn of the event loop
        rows, cols = widget.figure.value.data.shape[:2]
        (top, bottom), (left, right) = visible_region(viewer)
        assert top <= -0.5 and bottom >= rows - 0.5
        assert left <= -0.5 and right >= cols - 0.5
        assert bottom - top < 2 * rows  # not a thumbnail either
        assert viewer.canvas.size[1] >= 500
        # The sample opens ready: the boxes and range are in, and it says so.
        assert widget.status.value == "1 panel marked: press Digitize"
        widget.digitize()
        wait(qtbot, widget)
        assert "single heat map values [0]" in viewer.layers
    finally:
        viewer.close()


def test_gui_command_with_a_bad_file_exits_2(tmp_path, capsys):
    from napari_heatmap_digitizer.cli import main

    assert main(["gui", str(tmp_path / "missing.png")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_writer_and_recipe_reader(viewer, qtbot, tmp_path):
    from napari_heatmap_digitizer._napari._io import (
        get_recipe_reader,
        write_values,
    )
    from napari_heatmap_digitizer.data import sample_path

    sample = load_sample("single")
    recipe_path = tmp_path / "fig.recipe.json"
    sample.recipe.image = str(sample_path("single"))
    sample.recipe.colorbar.vmin, sample.recipe.colorbar.vmax = -2.0, 3.0
    sample.recipe.save(recipe_path)
    assert get_recipe_reader(str(tmp_path / "other.png")) is None
    (tmp_path / "plain.json").write_text("{}")
    assert get_recipe_reader(str(tmp_path / "plain.json")) is None
    reader = get_recipe_reader(str(recipe_path))
    layers = reader(str(recipe_path))
    assert [kind for *_, kind in layers] == ["image", "shapes", "shapes"]

    widget = DigitizerWidget(viewer)
    widget.vmin.value = "99"
    for data, meta, kind in layers:
        getattr(viewer, f"add_{kind}")(data, **meta)
    assert widget.vmin.value == "-2"  # settings came with the recipe's layers
    widget.figure.value = viewer.layers["single"]
    widget.digitize()
    wait(qtbot, widget)
    layer = viewer.layers["single values [0]"]
    out = tmp_path / "v.csv"
    assert write_values(str(out), layer.data, {"metadata": layer.metadata}) == [
        str(out)
    ]
    lines = out.read_text().splitlines()
    assert lines[0] == "x,y,value"
    x, y, _ = (float(v) for v in lines[1].split(","))
    assert (x, y) == pytest.approx((0.0125, 4.99342105), rel=1e-6)  # data coordinates
    write_values(str(tmp_path / "v.npy"), layer.data, {"metadata": layer.metadata})
    np.testing.assert_array_equal(np.load(tmp_path / "v.npy"), layer.data)


def _matrix_in_viewer(viewer, m, name="matrix"):
    from napari_heatmap_digitizer.testing import RenderedMatrix

    assert isinstance(m, RenderedMatrix)
    layer = viewer.add_image(m.image, name=name, rgb=True)
    widget = DigitizerWidget(viewer)
    viewer.window.add_dock_widget(widget)
    widget.figure.value = layer
    widget.create_box_layers()
    widget.set_boxes([m.panel], m.colorbar)
    widget.vmin.value, widget.vmax.value = f"{m.vmin:g}", f"{m.vmax:g}"
    return widget


def test_cells_layer_lies_over_the_cells_and_grid_edits_rerun(viewer, qtbot, tmp_path):
    pytest.importorskip("matplotlib")
    from napari_heatmap_digitizer.testing import render_matrix

    m = render_matrix(6, 8, grid="white", numbers=True, seed=21)
    widget = _matrix_in_viewer(viewer, m)
    widget.per.value = "cell"
    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == ""
    cells = viewer.layers["matrix cells [0]"]
    assert cells.data.shape == (6, 8)
    assert np.abs(cells.data - m.values).max() <= 0.0075
    # the centre of cell (r, c) lies over the centre of that cell in the figure
    for r, c in ((0, 0), (5, 7), (2, 3)):
        world = cells.data_to_world((r, c))
        y = m.panel.top - 0.5 + (m.row_edges[r] + m.row_edges[r + 1]) / 2
        x = m.panel.left - 0.5 + (m.col_edges[c] + m.col_edges[c + 1]) / 2
        np.testing.assert_allclose(world, (y, x), atol=1e-6)
    grid = viewer.layers["matrix grid [0]"]
    assert len(grid.data) == 9 + 7
    assert "8x6 cells" in widget.status.value
    if ocr_available():  # the printed numbers, each checked against its colour
        numbers = viewer.layers["matrix numbers [0]"]
        assert len(numbers.data) == 48
        source = numbers.features["source"].to_numpy()
        assert (source == "both").mean() >= 0.95
        np.testing.assert_allclose(
            cells.data.ravel()[source == "both"],
            np.round(m.values, 2).ravel()[source == "both"],
        )
        assert "printed numbers" in widget.status.value
        panels = widget.results
        y = m.panel.top + int(m.row_edges[1] + 2)
        x = m.panel.left + int(m.col_edges[2] + 2)
        assert "cell (1, 2) = " in cursor_text(panels, y, x)
        widget.numbers.value = False  # colours only: no numbers layer
        widget.digitize()
        wait(qtbot, widget)
        assert "matrix numbers [0]" not in viewer.layers
        assert np.abs(viewer.layers["matrix cells [0]"].data - m.values).max() < 0.01
        widget.numbers.value = True
        widget.digitize()
        wait(qtbot, widget)
        grid = viewer.layers["matrix grid [0]"]

    # the user drags out a column line: re-running uses the edited grid
    lines = [np.asarray(d) for d in grid.data]
    keep = [
        d
        for d in lines
        if not (
            abs(d[0, 1] - d[1, 1]) < 1e-6
            and abs(d[0, 1] - (m.panel.left - 0.5 + m.col_edges[4])) < 1e-6
        )
    ]
    assert len(keep) == len(lines) - 1
    grid.data = keep
    grid.shape_type = ["line"] * len(keep)
    widget.digitize()
    wait(qtbot, widget)
    cells = widget.results[0].cells
    assert cells.shape == (6, 7)
    # irregular now: painted over the panel's pixels
    assert viewer.layers["matrix cells [0]"].data.shape == m.panel.shape
    assert any("more than one colour" in w for w in cells.warnings)

    out = tmp_path / "cells.csv"
    widget.export(out)
    assert len(out.read_text().splitlines()) == 7
    recipe_path = tmp_path / "r.json"
    widget.save_recipe(recipe_path)
    saved = Recipe.load(recipe_path)
    assert saved.values.per == "cell" and saved.values.cells == "auto"
    assert saved.panels[0].grid is not None and saved.panels[0].grid.shape == (6, 7)


def test_regions_become_points_with_values(viewer, qtbot, tmp_path):
    pytest.importorskip("matplotlib")
    from napari_heatmap_digitizer.testing import render_hexbin

    h = render_hexbin(gridsize=12, seed=3)
    widget = _matrix_in_viewer(viewer, h, name="hexbin")
    widget.per.value = "region"
    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == ""
    points = viewer.layers["hexbin regions [0]"]
    assert len(points.data) >= 0.75 * len(h.values)
    assert {"value", "area", "x", "y"} <= set(points.features.columns)
    # the point of each found hexagon sits on it, carrying its value
    world = np.array([points.data_to_world(p) for p in points.data])
    offset = np.array([h.panel.top - 0.5, h.panel.left - 0.5])
    truth = np.column_stack([h.centres[:, 1], h.centres[:, 0]]) + offset
    d = np.sqrt(((truth[:, None] - world[None]) ** 2).sum(-1))
    found = d.min(1) < 3
    assert found.mean() >= 0.75
    values = points.features["value"].to_numpy()[d.argmin(1)[found]]
    assert np.abs(values - h.values[found]).max() <= 0.01 * (h.vmax - h.vmin)
    widget.per.value = "hexagon"
    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == ""
    assert len(viewer.layers["hexbin regions [0]"].data) == len(h.values)
    out = tmp_path / "regions.csv"
    widget.export(out)
    assert out.read_text().startswith("region,x,y,px,py,value,area")
    with pytest.raises(DigitizerError, match="csv"):
        widget.export(tmp_path / "regions.npy")


def test_bad_cells_text_is_a_notification(viewer, qtbot):
    pytest.importorskip("matplotlib")
    from napari_heatmap_digitizer.testing import render_matrix

    widget = _matrix_in_viewer(viewer, render_matrix(4, 4, seed=1))
    widget.per.value = "cell"
    widget.cells.value = "four by four"
    widget.digitize()
    wait(qtbot, widget)
    assert "COLSxROWS" in widget.last_error
    widget.cells.value = "500x4"
    widget.digitize()
    wait(qtbot, widget)
    assert "do not fit" in widget.last_error


def _detected(qtbot, widget):
    worker = widget.detect()
    assert worker is not None
    qtbot.waitUntil(lambda: widget._detecting is None, timeout=60000)
    return widget.detection


def test_detect_button_proposes_boxes_and_range_then_digitizes(viewer, qtbot):
    from napari_heatmap_digitizer.core._ticks import ocr_available

    sample = load_sample("single")
    widget = DigitizerWidget(viewer)
    viewer.window.add_dock_widget(widget)
    layer = open_sample(viewer)
    widget.figure.value = layer
    assert widget.vmin.value == widget.vmax.value == ""  # not given: Detect reads it
    found = _detected(qtbot, widget)
    assert widget.last_error == ""
    assert "found 1 panel(s)" in widget.status.value
    shape = sample.image.shape[:2]
    (panel,) = [
        box_from_rectangle(r, shape, what="x")[0]
        for r in viewer.layers[PANELS_LAYER].data
    ]
    (bar,) = [
        box_from_rectangle(r, shape, what="x")[0]
        for r in viewer.layers[COLORBAR_LAYER].data
    ]
    assert panel == found.panels[0] and bar == found.colorbars[0].box
    true = sample.recipe.panels[0].box
    assert abs(panel.left - true.left) <= 2 and abs(panel.bottom - true.bottom) <= 2
    if ocr_available():  # the CI installs Tesseract, so this branch runs there
        assert (widget.vmin.value, widget.vmax.value) == ("-2", "3")
    else:
        widget.vmin.value, widget.vmax.value = "-2", "3"
    widget.digitize()
    wait(qtbot, widget)
    values = viewer.layers["single heat map values [0]"].data
    t = sample.truth[0][panel.top - true.top :, panel.left - true.left :]
    j = sample.judged[0][panel.top - true.top :, panel.left - true.left :]
    h, w = values.shape
    err = np.abs(values - t[:h, :w])[j[:h, :w]] / 5
    assert np.nanmedian(err) < 0.003

    # What the user typed wins over what Detect reads; the boxes are proposed.
    widget.set_boxes([Box(10, 10, 50, 50)], None)
    widget.vmin.value, widget.vmax.value = "-1", "4"
    widget.norm.value = "linear"
    widget.extents.value = "0,10,0,5"
    _detected(qtbot, widget)
    assert (widget.vmin.value, widget.vmax.value) == ("-1", "4")
    assert widget.extents.value == "0,10,0,5"
    recipe = widget.recipe()
    assert (recipe.colorbar.vmin, recipe.colorbar.vmax) == (-1.0, 4.0)
    assert recipe.colorbar.norm == "linear"
    assert recipe.panels[0].box == panel  # proposed again
    assert recipe.panels[0].extent == Extent(0, 10, 0, 5)
    assert "range" not in widget.status.value  # nothing read: it was given


def test_detect_on_a_blank_figure_is_a_notification(viewer, qtbot):
    widget = DigitizerWidget(viewer)
    layer = viewer.add_image(np.full((200, 300, 3), 255, np.uint8), rgb=True)
    widget.figure.value = layer
    found = _detected(qtbot, widget)
    assert not found.found
    assert "nothing found" in widget.last_error
    assert widget.detect_button.enabled


def test_detect_without_a_bar_picks_the_color_map(viewer, qtbot):
    pytest.importorskip("matplotlib")
    from napari_heatmap_digitizer.testing import grid_layout, render

    fig = render(layout=grid_layout(1, 1, bars="none"), cmap="plasma", seed=2)
    widget = DigitizerWidget(viewer)
    widget.figure.value = viewer.add_image(fig.image, rgb=True)
    _detected(qtbot, widget)
    assert widget.bar_source.value == "colour map name"
    assert widget.colormap.value == "plasma"
    assert "no colour bar" in widget.status.value


def large_figure(rows=2600, cols=900):
    """A heat map panel over 2048 px tall and a colour bar, from a known field."""
    from cmap import Colormap

    from napari_heatmap_digitizer.testing import smooth_field

    table = np.rint(Colormap("viridis").lut(256)[:, :3] * 255).astype(np.uint8)
    image = np.full((rows, cols + 200, 3), 255, np.uint8)
    truth = smooth_field((rows - 100, cols - 100), 3)
    image[50 : rows - 50, 50 : cols - 50] = table[np.rint(truth * 255).astype(int)]
    ramp = np.rint(np.linspace(255, 0, rows - 100)).astype(int)
    image[50 : rows - 50, cols + 50 : cols + 100] = table[ramp][:, None, :]
    return (
        image,
        Box(50, 50, cols - 50, rows - 50),
        Box(cols + 50, 50, cols + 100, rows - 50),
        truth,
    )


def test_dask_figure_gives_dask_layers_computed_as_displayed(
    viewer, qtbot, tmp_path, monkeypatch
):
    import dask.array as da

    image, panel, bar, truth = large_figure()
    reads = []

    def counting(block):
        if block.size > 3:
            reads.append(block.shape)
        return block

    lazy = da.from_array(image, chunks=(256, 256, 3)).map_blocks(counting)
    layer = viewer.add_image(lazy, name="big", rgb=True)
    reads.clear()
    widget = DigitizerWidget(viewer)
    widget.figure.value = layer
    widget.create_box_layers()
    widget.set_boxes([panel], bar)
    widget.vmin.value, widget.vmax.value = "0", "1"
    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == ""
    values = viewer.layers["big values [0]"]
    assert values.multiscale and len(values.data) >= 2
    assert type(values.data[0]).__module__.startswith("dask")
    assert tuple(values.contrast_limits) == (0, 1)
    assert "dask" in widget.status.value
    chunks_in_panel = (-(-panel.height // 256) + 1) * (-(-panel.width // 256) + 1)
    assert len(reads) < chunks_in_panel  # not the whole figure, only what was shown
    full = np.asarray(values.data[0])
    np.testing.assert_array_equal(np.asarray(values.data[1]), full[::2, ::2])
    assert np.nanmedian(np.abs(full - truth)) < 0.004
    ref = run_recipe(Recipe.from_dict(widget.recipe().to_dict()), image)[0]
    np.testing.assert_array_equal(full, ref.result.values)
    unmatched = viewer.layers["big unmatched [0]"]
    assert np.asarray(unmatched.data[-1]).sum() == 0

    # The npe2 writer writes the lazy layer band by band, never whole.
    import dask

    from napari_heatmap_digitizer._napari._io import write_values
    from napari_heatmap_digitizer.core import _bands

    monkeypatch.setattr(_bands, "BAND_PIXELS", 512 * panel.width)

    computed = []
    real = dask.compute

    def spy(*args, **kwargs):
        computed.extend(a.shape for a in args if hasattr(a, "shape"))
        return real(*args, **kwargs)

    monkeypatch.setattr(dask, "compute", spy)
    out = tmp_path / "big.npy"
    write_values(str(out), values.data, {"metadata": values.metadata})
    monkeypatch.undo()
    assert len(computed) > 2 and max(c[0] for c in computed) < panel.height
    np.testing.assert_array_equal(np.load(out), ref.result.values)


def _figures():
    from napari_heatmap_digitizer.testing import render_hexbin, render_matrix

    m = render_matrix(5, 4, grid="white", seed=4)
    h = render_hexbin(gridsize=10, seed=5)
    return {"single": load_sample("single"), "matrix": m, "hexbin": h}


def _set_every_option(widget, figs, config):
    """Set the widget's options for one configuration."""
    single, m, h = figs["single"], figs["matrix"], figs["hexbin"]
    if config == "cells":
        widget.set_boxes([m.panel], m.colorbar)
        widget.vmin.value, widget.vmax.value = f"{m.vmin:g}", f"{m.vmax:g}"
        widget.norm.value, widget.bar_orientation.value = "linear", "vertical"
        widget.stepped.value = "continuous"
        widget.tolerance.value = 20.0
        widget.extents.value = "1,100,1,10"
        widget.xscale.value, widget.yscale.value = "log", "log"
        widget.per.value, widget.cells.value, widget.fill.value = (
            "cell",
            "4x5",
            "nearest",
        )
    elif config == "regions":
        widget.set_boxes([m.panel], m.colorbar)
        bar = m.colorbar
        widget.ticks.value = f"{bar.bottom - 1}:{m.vmin:g},{bar.top}:{m.vmax:g}"
        widget.norm.value = "linear"
        widget.per.value, widget.min_area.value = "region", 12
    elif config == "hexagons":
        widget.set_boxes([h.panel], h.colorbar)
        widget.vmin.value, widget.vmax.value = f"{h.vmin:.6g}", f"{h.vmax:.6g}"
        widget.per.value = "hexagon"
    elif config == "flipped":
        widget.set_boxes([single.recipe.panels[0].box], single.recipe.colorbar.box)
        widget.vmin.value, widget.vmax.value = "-2", "3"
        widget.flip.value, widget.stepped.value = True, "continuous"
        widget.colorbar_editor.band_value.value = "lower"
        widget.extents.value = "0,10,0,5"
        widget.fill.value = "inpaint"
    else:  # a colour map's name instead of a box, log values
        widget.set_boxes([single.recipe.panels[0].box], None)
        widget.bar_source.value, widget.colormap.value = "colour map name", "viridis"
        widget.vmin.value, widget.vmax.value, widget.norm.value = "0.1", "1000", "log"


def _same_numbers(a, b):
    np.testing.assert_array_equal(a.result.values, b.result.values)
    assert (a.cells is None) == (b.cells is None)
    assert (a.regions is None) == (b.regions is None)
    if a.cells is not None:
        np.testing.assert_array_equal(a.cells.values, b.cells.values)
    if a.regions is not None:
        np.testing.assert_array_equal(a.regions.value, b.regions.value)


def _cli_numbers(recipe_path, image, out_dir, panel):
    """The CLI's numbers for the recipe (None when the CLI cannot be imported)."""
    try:
        from napari_heatmap_digitizer.cli import main
    except ImportError:  # being rewritten: run_recipe has checked the numbers
        return None
    from PIL import Image as PILImage

    figure = out_dir / "figure.png"
    PILImage.fromarray(image).save(figure)
    table = panel.regions is not None
    out = out_dir / ("out.csv" if table else "out.npy")
    args = ["digitize", str(figure), "--recipe", str(recipe_path), "-o", str(out)]
    assert main([*args, "-q", "--overwrite"]) == 0
    if table:
        return np.genfromtxt(out, delimiter=",", names=True)["value"]
    return np.load(out)


@pytest.mark.parametrize("config", ["cells", "regions", "hexagons", "flipped", "named"])
def test_every_option_survives_save_load_run(viewer, qtbot, tmp_path, config):
    pytest.importorskip("matplotlib")
    figs = _figures()
    widget, fresh = DigitizerWidget(viewer), DigitizerWidget(viewer)
    widget.tolerance.value = 15.0
    key = {"cells": "matrix", "regions": "matrix", "hexagons": "hexbin"}
    image = figs[key.get(config, "single")].image
    layer = viewer.add_image(image, name="figure", rgb=True)
    widget.figure.value = fresh.figure.value = layer
    widget.create_box_layers()
    _set_every_option(widget, figs, config)
    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == "", widget.last_error
    path = widget.save_recipe(tmp_path / "r.json")
    # (a) the recipe shows the same in a fresh widget
    fresh.open_recipe(path)
    assert fresh.recipe().to_dict() == widget.recipe().to_dict()
    # (b) the saved recipe gives the widget's numbers through the pipeline ...
    again = run_recipe(Recipe.load(path), image)
    assert len(again) == len(widget.results)
    for a, b in zip(again, widget.results, strict=True):
        _same_numbers(a, b)
    # ... and through the CLI
    (panel,) = widget.results
    cli = _cli_numbers(path, image, tmp_path, panel)
    if cli is not None:
        want = panel.result.values
        if panel.cells is not None:
            want = panel.cells.values
        if panel.regions is not None:  # a CSV table: 10 significant digits
            want = panel.regions.value
        else:  # an NPY array: written as float32
            want = np.asarray(want, dtype=np.float32)
        np.testing.assert_allclose(cli, want, rtol=1e-9, atol=0)


def test_a_doubtful_result_is_a_warning_and_no_data_a_layer(viewer, qtbot, monkeypatch):
    """A wrong colour map: DOUBTFUL in the status, each doubt a warning."""
    from napari_heatmap_digitizer._napari import _widget as widget_module

    shown = []
    monkeypatch.setattr(widget_module, "show_warning", shown.append)
    sample = load_sample("single")
    widget = DigitizerWidget(viewer)
    open_sample(viewer)
    widget.set_boxes([sample.recipe.panels[0].box], None)
    widget.bar_source.value = "colour map name"
    widget.colormap.value = "magma"  # the sample is drawn in viridis
    widget.vmin.value, widget.vmax.value = "-2", "3"
    widget.digitize()
    wait(qtbot, widget)
    assert widget.status.value.endswith("DOUBTFUL")
    assert any("wrong colour map" in text for text in shown), shown
    assert widget.results[0].confidence.doubtful

    # the no-data choice is part of the recipe; a bad one is refused in a line
    widget.nodata.value = "none"
    assert widget.recipe().nodata == "none"
    widget.nodata.value = "auto,#808080"
    assert widget.recipe().nodata == "auto,#808080"
    widget.nodata.value = "purple-ish"
    with pytest.raises(DigitizerError, match="no data"):
        widget.recipe()

    # a page around the data: its no-data layer lies over the panel
    widget.nodata.value = "auto"
    widget.bar_source.value = "colour bar box"
    box = sample.recipe.panels[0].box
    wide = Box(box.left - 30, box.top, box.right, box.bottom)
    widget.set_boxes([wide], sample.recipe.colorbar.box)
    shown.clear()
    widget.digitize()
    wait(qtbot, widget)
    layer = viewer.layers["single heat map nodata [0]"]
    assert not layer.visible and layer.data[:, :20].mean() > 0.7  # the margin
    assert any("past the plot's frame" in text for text in shown), shown


@pytest.mark.skipif(not ocr_available(), reason="the range and numbers are read")
def test_detect_then_values_per_cell_reads_a_confusion_matrix(viewer, qtbot):
    from pathlib import Path

    from napari_heatmap_digitizer.core import load_image
    from napari_heatmap_digitizer.core._ticks import parse_label
    from napari_heatmap_digitizer.testing import program_figures

    folder = Path(__file__).parent / "data" / "programs"
    [fig] = [f for f in program_figures(folder) if f.name == "sklearn_confusion_counts"]
    widget = DigitizerWidget(viewer)
    viewer.window.add_dock_widget(widget)
    widget.figure.value = viewer.add_image(load_image(fig.path), name="cm", rgb=True)
    found = _detected(qtbot, widget)  # no input but the figure
    assert widget.last_error == "" and len(found.panels) == 1
    widget.per.value = "cell"
    widget.digitize()
    wait(qtbot, widget)
    assert widget.last_error == ""
    cells = widget.results[0].cells
    want = np.array([[parse_label(s) for s in row] for row in fig.printed(0)])
    assert cells.shape == want.shape == (10, 10)
    # the counts printed in the cells, exact, on at least 98 of the 100 cells
    assert (cells.values == want).sum() >= 98
    assert (cells.source == "both").sum() >= 98
    assert cells.col_labels == [str(i) for i in range(10)]
    assert "printed numbers" in widget.status.value
