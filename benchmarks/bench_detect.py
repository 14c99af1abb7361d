"""Detection of panels and colour bars, colour-map naming and tick reading.

    python benchmarks/bench_detect.py

1. Boxes: single, 2x2 and 1x3 figures, vertical and horizontal bars (one
   shared bar, a bar per panel, or none), PNG and JPEG quality 75. A figure
   passes when it has exactly the right panels and bars, every box with
   intersection-over-union >= 0.95 against the coloured area inside the axes
   spines, and every bar serving the right panels. Baseline in the same run:
   the bounding boxes of the connected non-background areas (no hole filling,
   no opening, no frame trimming).
2. Colour maps: matplotlib maps rendered to PNG and JPEG q75, named from
   their bar; and ranked from the panel alone (no bar).
3. Tick labels by OCR (when Tesseract is installed): labels read and ranges
   recovered, at 100, 150 and 200 dpi.
4. Time: detection (without OCR, with OCR) against digitizing the same
   figure.

Prints Markdown tables for docs/accuracy.md.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
from scipy import ndimage as ndi

from napari_heatmap_digitizer import Colorbar, digitize
from napari_heatmap_digitizer.core._areas import content_mask
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._detect import (
    _background,
    detect,
    name_colormap,
)
from napari_heatmap_digitizer.core._frames import lab
from napari_heatmap_digitizer.core._ticks import ocr_available
from napari_heatmap_digitizer.testing import (
    ACCURACY_CASES,
    grid_layout,
    render,
)

MAPS = [
    "viridis", "plasma", "inferno", "magma", "cividis", "turbo", "jet", "gray",
    "hot", "bone", "coolwarm", "RdBu_r", "Spectral", "PuOr", "YlGnBu",
    "twilight", "seismic", "terrain", "cubehelix", "Blues", "YlOrRd", "PiYG",
]  # fmt: skip


def iou(a: Box, b: Box) -> float:
    return a.iou(b)


def baseline_boxes(image: np.ndarray) -> list[Box]:
    """Bounding boxes of connected non-background areas of >= 400 px."""
    labels, _ = ndi.label(content_mask(lab(image), _background(image)))
    boxes = []
    for sl in ndi.find_objects(labels):
        box = Box(sl[1].start, sl[0].start, sl[1].stop, sl[0].stop)
        if box.width * box.height >= 400:
            boxes.append(box)
    return boxes


def boxes() -> None:
    tally: dict[str, list[int]] = {}
    ious: dict[str, list[float]] = {}
    for (rows, cols), orientation, bars, jpeg in itertools.product(
        ((1, 1), (2, 2), (1, 3)),
        ("vertical", "horizontal"),
        ("shared", "each", "none"),
        (False, True),
    ):
        png = render(
            layout=grid_layout(rows, cols, orientation=orientation, bars=bars),
            cmap="viridis",
            seed=rows * 10 + cols,
        )
        fig = png.as_jpeg(75) if jpeg else png
        key = "JPEG q75" if jpeg else "PNG"
        truth = [png.inside_spines(p) for p in png.panels]
        bar_truth = [png.inside_spines(b) for b, _, _ in png.bars]
        found = detect(fig.image, ticks=False, colormaps=False)
        best = [max([iou(t, p) for p in found.panels] or [0]) for t in truth]
        best += [
            max([iou(t, b.box) for b in found.colorbars] or [0]) for t in bar_truth
        ]
        served = sorted(b.panels for b in found.colorbars)
        ok = (
            len(found.panels) == len(truth)
            and len(found.colorbars) == len(bar_truth)
            and min(best) >= 0.95
            and served == sorted(p for _, _, p in png.bars)
        )
        base = baseline_boxes(fig.image)
        base_best = [max([iou(t, b) for b in base] or [0]) for t in truth + bar_truth]
        t = tally.setdefault(key, [0, 0, 0])
        t[0] += ok
        t[1] += len(base) == len(truth + bar_truth) and min(base_best) >= 0.95
        t[2] += 1
        ious.setdefault(key, []).extend(best)
        ious.setdefault(key + " baseline", []).extend(base_best)
    print(
        "| figures | all boxes right (ours) | min / median IoU (ours) "
        "| all boxes right (baseline) | min / median IoU (baseline) |"
    )
    print("|---|---|---|---|---|")
    for key, (ok, base_ok, n) in tally.items():
        a, b = np.array(ious[key]), np.array(ious[key + " baseline"])
        print(
            f"| {key} | {ok}/{n} | {a.min():.3f} / {np.median(a):.3f} "
            f"| {base_ok}/{n} | {b.min():.3f} / {np.median(b):.3f} |"
        )


def colormaps() -> None:
    import matplotlib

    print()
    print(
        "| figures | named from the bar (top 1) | mean ΔE of the match "
        "| ranked first from the panel alone |"
    )
    print("|---|---|---|---|")
    for jpeg in (False, True):
        named, ranked, des = 0, 0, []
        for cmap in MAPS:
            fig = render(cmap=cmap)
            image = fig.as_jpeg(75).image if jpeg else fig.image
            best = name_colormap(image, fig.colorbar)[0]
            named += _same(best.name, cmap, matplotlib)
            des.append(best.delta_e)
            nobar = render(layout=grid_layout(1, 1, bars="none"), cmap=cmap, seed=3)
            img2 = nobar.as_jpeg(75).image if jpeg else nobar.image
            found = detect(img2, ticks=False)
            if found.colormaps:
                ranked += _same(found.colormaps[0][0].name, cmap, matplotlib)
        n = len(MAPS)
        print(
            f"| {'JPEG q75' if jpeg else 'PNG'} | {named}/{n} | "
            f"median {np.median(des):.1f}, max {max(des):.1f} | {ranked}/{n} |"
        )


def _same(name: str, cmap: str, matplotlib) -> bool:
    ours = Colorbar.from_name(name.removesuffix("_r"), 0, 1)
    t = (np.arange(256) + 0.5) / 256
    theirs = matplotlib.colormaps[cmap](t)[:, :3] * 255
    rgb = ours.rgb[::-1] if name.endswith("_r") else ours.rgb
    pos = ours.positions
    mine = np.array([rgb[np.argmin(np.abs(pos - x))] for x in t], float)
    d = np.abs(mine - theirs)
    return bool(d.mean() <= 1.5 and d.max() <= 12)


def ticks() -> None:
    if not ocr_available():
        print("\n(Tesseract not installed: tick reading skipped)")
        return
    print()
    print("| dpi | bars | range exactly right | labels read / shown | wrong labels |")
    print("|---|---|---|---|---|")
    for dpi in (100, 150, 200):
        right = n = read = shown = wrong = 0
        for kw in ACCURACY_CASES.values():
            if kw.get("kind") == "contourf":
                continue
            fig = render(dpi=dpi, **kw)
            (bar,) = detect(fig.image, colormaps=False, ticks=True).colorbars
            n += 1
            true = fig.ticks[0]
            shown += len(true)
            if bar.ticks is None:
                continue
            values = [v for _, v in bar.ticks.pairs]
            read += len(values)
            wrong += sum(not np.isclose(true, v).any() for v in values)
            right += bool(
                np.isclose(bar.ticks.vmin, fig.vmin)
                and np.isclose(bar.ticks.vmax, fig.vmax)
            )
        print(f"| {dpi} | {n} | {right}/{n} | {read}/{shown} | {wrong} |")


def timing() -> None:
    fig = render(layout=grid_layout(2, 2, bars="each"), cmap="viridis")
    big = np.kron(fig.image, np.ones((4, 4, 1), np.uint8))  # a 16x larger scan
    print()
    print(
        "| figure | digitize all panels (s) | detect, no OCR (s) | ratio "
        "| detect with OCR (s) | ratio |"
    )
    print("|---|---|---|---|---|---|")
    for name, image in (("2x2, 810x590", fig.image), ("2x2 x4, 3240x2360", big)):
        found = detect(image, ticks=False)  # warm up (Numba, catalogue)

        def run_digitize(image=image, found=found) -> None:
            for bar in found.colorbars:
                cb = Colorbar.from_image(image, bar.box, 0, 1)
                for i in bar.panels:
                    digitize(image, cb, found.panels[i])

        t_dig = _best(run_digitize)
        t_det = _best(lambda image=image: detect(image, ticks=False))
        if ocr_available():
            t_ocr = _best(lambda image=image: detect(image, ticks=True), repeat=1)
            ocr = f"{t_ocr:.2f} | {t_ocr / t_dig:.0f}"
        else:
            ocr = "- | -"
        print(f"| {name} | {t_dig:.3f} | {t_det:.3f} | {t_det / t_dig:.1f} | {ocr} |")


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    boxes()
    colormaps()
    ticks()
    timing()
