"""Does the viewer stay responsive while a 50-megapixel figure is digitized?

    xvfb-run -a python benchmarks/bench_gui_responsiveness.py [--megapixels 50]

Builds a figure of about MEGAPIXELS by tiling the bundled sample, opens it in
napari with the digitizer widget, marks one panel covering all tiles but the
last column (whose colour bar is used), presses Digitize and records when a
5 ms Qt timer actually fires while the worker runs and the result layers are
added. The longest gap between two firings is the longest time the event
loop was blocked. Then it digitizes again (layers are updated in place).

Baselines in the same run: the timer with the viewer idle, and the same
workflow on the small sample figure (0.3 Mpx) — napari's own cost of creating
a layer, whatever its size. Target: no gap over 100 ms for the big figure
beyond what the small one shows.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, default=50.0)
    args = parser.parse_args()

    import napari
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication

    from napari_heatmap_digitizer._napari._widget import DigitizerWidget
    from napari_heatmap_digitizer.core import Box
    from napari_heatmap_digitizer.data import load_sample

    sample = load_sample("single")
    tile_rows, tile_cols = sample.image.shape[:2]
    n = int(np.ceil(np.sqrt(args.megapixels * 1e6 / (tile_rows * tile_cols))))
    big = np.tile(sample.image, (n, n, 1))
    bar = sample.recipe.colorbar.box
    last = (n - 1) * tile_cols

    app = None
    ticks: list[float] = []

    def record(seconds: float | None = None, until=None) -> np.ndarray:
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        ticks.clear()
        timer.start()
        start = time.perf_counter()
        while True:
            app.processEvents()
            time.sleep(0.001)
            if seconds is not None and time.perf_counter() - start > seconds:
                break
            if until is not None and until():
                break
        if until is not None:  # let the last layers draw
            end = time.perf_counter()
            while time.perf_counter() - end < 0.3:
                app.processEvents()
                time.sleep(0.001)
        timer.stop()
        return np.diff(ticks) * 1000 if len(ticks) > 1 else np.array([0.0])

    def session(name: str, figure: np.ndarray, panel: Box, color_bar: Box) -> dict:
        nonlocal app
        viewer = napari.Viewer(show=True)
        app = QApplication.instance()
        widget = DigitizerWidget(viewer)
        viewer.window.add_dock_widget(widget)
        viewer.add_image(figure, name=name, rgb=True)
        widget.figure.value = viewer.layers[name]
        widget.set_boxes([panel], color_bar)
        widget.vmin.value, widget.vmax.value = "-2", "3"
        record(1.5)  # draw the figure, compile kernels
        idle = record(1.0)
        t0 = time.perf_counter()
        widget.digitize()
        first = record(until=lambda: not widget.busy)
        t1 = time.perf_counter()
        widget.digitize()
        again = record(until=lambda: not widget.busy)
        out = {
            "mpx": figure.shape[0] * figure.shape[1] / 1e6,
            "panel_mpx": panel.width * panel.height / 1e6,
            "idle": idle.max(),
            "first": first.max(),
            "again": again.max(),
            "first_over": int(np.sum(first > 100)),
            "again_over": int(np.sum(again > 100)),
            "seconds": t1 - t0,
        }
        viewer.close()
        return out

    small = session("small", sample.image, sample.recipe.panels[0].box, bar)
    large = session(
        "big",
        big,
        Box(0, 0, last, big.shape[0]),
        Box(bar.left + last, bar.top, bar.right + last, bar.bottom),
    )
    print(
        "| figure | panel | digitize + show | longest pause, idle | longest pause, "
        "first digitize (new layers) | longest pause, digitize again |"
    )
    print("|---|---|---|---|---|---|")
    for label, r in (("sample", small), ("tiled", large)):
        print(
            f"| {label} {r['mpx']:.1f} Mpx | {r['panel_mpx']:.1f} Mpx "
            f"| {r['seconds']:.2f} s | {r['idle']:.0f} ms "
            f"| {r['first']:.0f} ms ({r['first_over']} over 100 ms) "
            f"| {r['again']:.0f} ms ({r['again_over']} over 100 ms) |"
        )
    print(
        f"big / small longest pause, first digitize: "
        f"{large['first'] / small['first']:.2f}x; again: "
        f"{large['again'] / small['again']:.2f}x"
    )


if __name__ == "__main__":
    main()
