"""Cell grids from every kind of evidence, against the colour steps alone.

    python benchmarks/bench_grids.py [--only NAME] [--no-synthetic]

For every matrix with a known grid (the wild corpus's figures with ``cells``,
the other programs' figures in ``tests/data/programs``) the panel is
digitized with its true box and colour bar, then its grid is found twice:
by ``detect_grid`` (colour steps only) and by ``find_grid`` (colour steps,
separator lines, tick marks, tick labels, printed numbers, regularity).
A grid is *right* when its shape is; its edges are scored by the largest
distance from the true edges (px). Where a grid fills only part of the panel
(``cells_box``), the panel given is that part.

Then synthetic matrices (``render_matrix``: plain, numbers, white and black
lines, JPEG) are scored the same way.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench_cells import detection_matrix
from napari_heatmap_digitizer import (
    Box,
    Colorbar,
    ColorbarSpec,
    DigitizerError,
    Panel,
    Recipe,
    digitize,
    load_image,
    run_recipe,
)
from napari_heatmap_digitizer.core._grid import detect_grid
from napari_heatmap_digitizer.core._grid_evidence import find_grid

ROOT = Path(__file__).resolve().parent.parent
WILD = ROOT.parent / "shared" / "figures-wild"
PROGRAMS = ROOT / "tests" / "data" / "programs"


def _spec(bar: dict) -> ColorbarSpec:
    return ColorbarSpec(
        box=Box(*bar["box"]),
        vmin=float(bar["vmin"]),
        vmax=float(bar["vmax"]),
        norm=bar["norm"],
        orientation=bar["orientation"],
    )


def _results(image: np.ndarray, boxes: list[Box], bar: dict) -> list[Any]:
    recipe = Recipe(panels=[Panel(b) for b in boxes], colorbar=_spec(bar))
    return [p.result for p in run_recipe(recipe, image)]


def _score(
    fn: Any, image: np.ndarray, result: Any, shape: tuple[int, int], truth: Any
) -> dict[str, Any]:
    """Shape right, largest edge error (px), warnings or the error's text."""
    start = time.perf_counter()
    try:
        grid = fn(image, result)
    except DigitizerError as exc:
        return {"ok": False, "got": "error", "why": str(exc).split(";")[0][-70:]}
    ms = 1000 * (time.perf_counter() - start)
    out: dict[str, Any] = {"got": f"{grid.shape[1]}x{grid.shape[0]}", "ms": ms}
    out["ok"] = grid.shape == shape
    out["warn"] = bool(grid.warnings)
    if out["ok"]:
        xe, ye = truth
        out["edge"] = float(
            max(
                np.abs(grid.col_edges - xe).max(),
                np.abs(grid.row_edges - ye).max(),
            )
        )
    return out


def _before(image: np.ndarray, result: Any) -> Any:
    return detect_grid(result)


def _cases(only: str | None) -> list[tuple[str, np.ndarray, Any, tuple, Any]]:
    """(name, image, result, (rows, cols), (col edges, row edges))."""
    cases = []
    expected = json.loads((WILD / "expected.json").read_text())
    for name, exp in sorted(expected.items()):
        if "cells" not in exp or (only and only not in name):
            continue
        image = load_image(WILD / name)
        bar = next(b for b in exp["colorbars"] if 0 in b["panels"])
        box = Box(*(exp.get("cells_box") or exp["panels"][0]))
        (result,) = _results(image, [box], bar)
        cols, rows = exp["cells"]
        truth = (
            np.linspace(0, box.width, cols + 1),
            np.linspace(0, box.height, rows + 1),
        )
        cases.append((f"wild/{name}", image, result, (rows, cols), truth))
    for meta in sorted(PROGRAMS.glob("*.json")):
        if only and only not in meta.stem:
            continue
        exp = json.loads(meta.read_text())
        if "cells" not in exp:
            continue
        image = load_image(meta.with_suffix(".png"))
        with np.load(meta.with_suffix(".truth.npz")) as f:
            arrays = {k: f[k] for k in f.files}
        for bar in exp["colorbars"]:
            idx = bar["panels"]
            if not idx:
                continue
            boxes = [Box(*exp["panels"][i]) for i in idx]
            for i, result in zip(idx, _results(image, boxes, bar), strict=True):
                cols, rows = exp["cells"][i]
                truth = (arrays[f"x_edges_{i}"], arrays[f"y_edges_{i}"])
                label = f"programs/{meta.stem}" + (f"[{i}]" if len(idx) > 1 else "")
                cases.append((label, image, result, (rows, cols), truth))
    return cases


def _synthetic() -> list[tuple[str, np.ndarray, Any, tuple, Any]]:
    cases = []
    sizes = [(3, 3), (5, 7), (10, 10), (12, 9), (25, 30)]
    for (rows, cols), grid, numbers, jpeg in itertools.product(
        sizes, [None, "white", "black"], [False, True], [False, True]
    ):
        m = detection_matrix(rows, cols, "imshow", grid, numbers, jpeg)
        bar = Colorbar.from_image(m.image, m.colorbar, vmin=m.vmin, vmax=m.vmax)
        result = digitize(m.image, bar, m.panel)
        name = (
            f"synthetic/{cols}x{rows} {grid or 'plain'}"
            f"{' numbers' if numbers else ''}{' jpeg' if jpeg else ''}"
        )
        cases.append((name, m.image, result, (rows, cols), (m.col_edges, m.row_edges)))
    return cases


def _cell(s: dict[str, Any]) -> str:
    if s["got"] == "error":
        return "error"
    text = s["got"] + (" ok" if s["ok"] else " WRONG") + (" warn" if s["warn"] else "")
    if "edge" in s:
        text += f" {s['edge']:.1f}px"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only figures whose name holds this")
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--no-before", action="store_true")
    args = parser.parse_args(argv)
    cases = _cases(args.only)
    if not args.no_synthetic and not args.only:
        cases += _synthetic()
    tally: dict[str, list[int]] = {}
    print("| figure | cells | before (detect_grid) | after (find_grid) | ms |")
    print("|---|---|---|---|---|")
    for name, image, result, shape, truth in cases:
        before = (
            {"ok": False, "got": "-", "warn": False}
            if args.no_before
            else _score(_before, image, result, shape, truth)
        )
        after = _score(find_grid, image, result, shape, truth)
        group = name.split("/")[0]
        t = tally.setdefault(group, [0, 0, 0, 0, 0, 0])
        t[0] += 1
        for k, s in ((1, before), (3, after)):
            right = s["ok"] and not s.get("warn") and s.get("edge", 9) <= 2
            t[k] += int(right)
            t[k + 1] += int(s["got"] not in ("error", "-") and not s["ok"])
        t[5] += int(after["ok"] and after.get("edge", 9) <= 1 and not after["warn"])
        ms = f"{after['ms']:.0f}" if "ms" in after else ""
        print(
            f"| {name} | {shape[1]}x{shape[0]} | {_cell(before)} | {_cell(after)} "
            f"| {ms} |"
        )
    print()
    print(
        "| group | figures | before right | before wrong shape "
        "| after right | after wrong shape | after within 1 px |"
    )
    print("|---|---|---|---|---|---|---|")
    for group, t in tally.items():
        print(f"| {group} | {t[0]} | {t[1]} | {t[2]} | {t[3]} | {t[4]} | {t[5]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
