"""Take the user guide's screenshots from the real viewer and widget.

    xvfb-run -a python tools/make_screenshots.py

Opens napari exactly as ``heatmap-digitizer gui`` does, digitizes the bundled
samples and saves window screenshots to docs/images.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from qtpy.QtWidgets import QApplication

from napari_heatmap_digitizer._napari._launch import launch
from napari_heatmap_digitizer._napari._sample_data import multi_panel_sample
from napari_heatmap_digitizer.core import Recipe
from napari_heatmap_digitizer.testing import (
    grid_layout,
    render,
    render_hexbin,
    render_matrix,
)

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def settle(seconds: float = 0.5) -> None:
    app = QApplication.instance()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def wait(widget) -> None:
    while widget.busy:
        settle(0.05)
    settle(0.5)


def hover(viewer, widget, position) -> None:
    """Put the cursor over ``position`` as a mouse would (both read-outs)."""
    viewer.cursor.position = position
    viewer.mouse_over_canvas = True
    viewer.update_status_from_cursor()
    widget._on_cursor()
    settle()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    viewer, widget = launch(run=False)  # sized and fitted as the gui command does
    viewer.window._qt_window.showNormal()
    settle(1.0)
    viewer.screenshot(str(OUT / "napari-boxes.png"), canvas_only=False)

    widget.digitize()  # the values layer is selected when it is done
    wait(widget)
    hover(viewer, widget, (150.0, 250.0))
    viewer.screenshot(str(OUT / "napari-values.png"), canvas_only=False)

    viewer.layers["single heat map values [0]"].visible = False
    viewer.layers["single heat map distance [0]"].visible = True
    settle()
    viewer.screenshot(str(OUT / "napari-distance.png"), canvas_only=False)

    for layer in list(viewer.layers):
        viewer.layers.remove(layer)
    ((data, meta, _),) = multi_panel_sample()
    layer = viewer.add_image(data, **meta)
    widget.figure.value = layer
    widget.load_recipe(Recipe.from_dict(meta["metadata"]["recipe"]))
    widget.digitize()
    wait(widget)
    viewer.reset_view()
    hover(viewer, widget, (300.0, 700.0))
    viewer.screenshot(str(OUT / "napari-multi.png"), canvas_only=False)

    # a matrix heat map with numbers and grid lines, one value per cell; three
    # of its printed numbers disagree with their colours (orange points)
    for layer in list(viewer.layers):
        viewer.layers.remove(layer)
    m = render_matrix(8, 10, grid="white", numbers=True, seed=8)
    printed = np.round(m.values, 2)
    for r, c in ((1, 2), (4, 7), (6, 3)):
        printed[r, c] = round((printed[r, c] + 0.4) % 1.0, 2)
    m = render_matrix(8, 10, grid="white", numbers=True, seed=8, printed=printed)
    layer = viewer.add_image(m.image, name="matrix", rgb=True)
    widget.figure.value = layer
    widget.create_box_layers()
    widget.set_boxes([m.panel], m.colorbar)
    widget.vmin.value, widget.vmax.value = "0", "1"
    widget.extents.value = ""
    widget.per.value = "cell"
    widget.digitize()
    wait(widget)
    viewer.layers["matrix"].visible = True
    viewer.layers["matrix cells [0]"].opacity = 0.85
    viewer.layers.selection.active = viewer.layers["matrix grid [0]"]
    viewer.reset_view()
    settle()
    y = m.panel.top + (m.row_edges[4] + m.row_edges[5]) / 2
    x = m.panel.left + (m.col_edges[7] + m.col_edges[8]) / 2
    hover(viewer, widget, (y, x))
    viewer.screenshot(str(OUT / "napari-cells.png"), canvas_only=False)

    # a hexbin plot, one point per hexagon
    for layer in list(viewer.layers):
        viewer.layers.remove(layer)
    h = render_hexbin(gridsize=15, seed=2)
    layer = viewer.add_image(h.image, name="hexbin", rgb=True)
    widget.figure.value = layer
    widget.create_box_layers()
    widget.set_boxes([h.panel], h.colorbar)
    widget.vmin.value, widget.vmax.value = f"{h.vmin:.4g}", f"{h.vmax:.4g}"
    widget.per.value = "region"
    widget.digitize()
    wait(widget)
    viewer.layers["hexbin values [0]"].visible = False
    viewer.layers.selection.active = viewer.layers["hexbin regions [0]"]
    viewer.reset_view()
    settle()
    viewer.screenshot(str(OUT / "napari-regions.png"), canvas_only=False)

    # a map on the page through a colour map passing through white: the page
    # around it and the white land hold no data (the cyan no-data layer)
    for layer in list(viewer.layers):
        viewer.layers.remove(layer)
    fig = render(cmap="RdBu_r", vmin=-5.0, vmax=5.0, seed=6)
    image, box = fig.image.copy(), fig.panels[0]
    h, w = box.shape
    yy, xx = np.mgrid[0:h, 0:w]
    outside = ((yy - h / 2) / (h / 2)) ** 2 + ((xx - w / 2) / (w / 2)) ** 2 > 1
    land = ((yy - 0.35 * h) / (0.12 * h)) ** 2 + ((xx - 0.6 * w) / (0.15 * w)) ** 2 < 1
    image[box.slices][outside | land] = 255
    layer = viewer.add_image(image, name="map", rgb=True)
    widget.figure.value = layer
    widget.create_box_layers()
    widget.set_boxes([box], fig.colorbar)
    widget.vmin.value, widget.vmax.value = "-5", "5"
    widget.extents.value = ""
    widget.per.value = "pixel"
    widget.digitize()
    wait(widget)
    viewer.layers["map"].visible = False  # the values, and no data in cyan
    viewer.layers["map nodata [0]"].visible = True
    viewer.layers.selection.active = viewer.layers["map nodata [0]"]
    viewer.reset_view()
    settle()
    viewer.screenshot(str(OUT / "napari-nodata.png"), canvas_only=False)

    # Detect on a 1x3 figure sharing a horizontal colour bar
    for layer in list(viewer.layers):
        viewer.layers.remove(layer)
    fig = render(
        layout=grid_layout(1, 3, orientation="horizontal"),
        cmap="RdBu_r",
        vmin=-5.0,
        vmax=5.0,
        seed=5,
    )
    layer = viewer.add_image(fig.image, name="three panels", rgb=True)
    widget.figure.value = layer
    widget.per.value = "pixel"
    # a new figure: clear what was typed for the last one (typed values win)
    widget.vmin.value = widget.vmax.value = widget.extents.value = ""
    widget.detect()
    while widget._detecting is not None:
        settle(0.05)
    viewer.reset_view()
    settle()
    viewer.screenshot(str(OUT / "napari-detect.png"), canvas_only=False)
    viewer.close()
    print("wrote screenshots to", OUT)


if __name__ == "__main__":
    main()
