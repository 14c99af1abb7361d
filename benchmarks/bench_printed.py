"""Numbers printed in matrix cells: read exactly, and never accepted wrongly.

    python benchmarks/bench_printed.py [--wild FOLDER] [--zero-input]

For every annotated matrix drawn by other programs (``tests/data/programs``,
figures whose json lists the ``printed`` strings) and, with ``--wild``, every
figure of the real-figure corpus with ``cells_truth``: the figure is read
with its true panel box and range and its true grid (``--cells COLSxROWS``),
then (``--zero-input``) with no input but the file (``--auto --cells auto``).

Per figure: cells with a printed number, the share read exactly, printed
values *accepted* (source ``both``/``printed``) that differ from the truth
(must be 0), cells whose printed number was rejected (colour kept), and the
time. Prints a Markdown table for docs/accuracy.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from napari_heatmap_digitizer.core import (
    Box,
    ColorbarSpec,
    DigitizerError,
    Panel,
    Recipe,
    complete_recipe,
    detect,
    load_image,
    run_recipe,
)
from napari_heatmap_digitizer.core._recipe import Values
from napari_heatmap_digitizer.core._ticks import parse_label
from napari_heatmap_digitizer.testing import program_figures

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE.parent / "tests" / "data" / "programs"


def _truth(strings: list[list[str | None]]) -> np.ndarray:
    out = np.full((len(strings), len(strings[0])), np.nan)
    for (r, c), s in np.ndenumerate(np.asarray(strings, dtype=object)):
        if s is not None:
            v = parse_label(str(s))
            out[r, c] = np.nan if v is None else v
    return out


def _score(cells, want: np.ndarray) -> dict:
    """Exact reads, wrong acceptances and rejections against ``want``."""
    if cells is None or cells.shape != want.shape:
        got = None if cells is None else cells.shape
        return {"shape": got, "cells": int(np.isfinite(want).sum())}
    known = np.isfinite(want)
    printed = (
        cells.printed.values
        if cells.printed is not None
        else np.full_like(want, np.nan)
    )
    source = (
        cells.source
        if cells.source is not None
        else np.full(want.shape, "colour", dtype=object)
    )
    exact = known & np.isclose(printed, want, rtol=1e-9, atol=1e-12)
    accepted = np.isin(source, ("both", "printed"))
    right = np.isclose(cells.values, want, rtol=1e-9, atol=1e-12)
    if cells.printed is not None:  # "6.2%" may stand for 0.062 on a 0-1 bar
        right |= cells.printed.percent & np.isclose(cells.values, want / 100)
    wrong = known & accepted & ~right
    return {
        "shape": cells.shape,
        "cells": int(known.sum()),
        "exact": int(exact.sum()),
        "accepted": int((known & accepted).sum()),
        "wrong": int(wrong.sum()),
        "rejected": int((known & ~accepted).sum()),
    }


def _given(image, panel: Box, bar: dict, cols: int, rows: int):
    recipe = Recipe(
        panels=[Panel(panel)],
        colorbar=ColorbarSpec(
            box=Box(*bar["box"]),
            vmin=float(bar["vmin"]),
            vmax=float(bar["vmax"]),
            norm=bar.get("norm") or "linear",
            orientation=bar["orientation"],
        ),
        values=Values(per="cell", cells=f"{cols}x{rows}"),
    )
    [out] = run_recipe(recipe, image)
    return out.cells


def _zero(image, panel: Box):
    found = detect(image)
    done = complete_recipe(Recipe(values=Values(per="cell")), found)
    if done.problems:
        raise DigitizerError(done.problems[0])
    boxes = [p.box for p in done.recipe.panels]
    best = max(range(len(boxes)), key=lambda i: boxes[i].iou(panel))
    if boxes[best].iou(panel) < 0.8:
        raise DigitizerError("panel not found")
    return run_recipe(done.recipe, image)[best].cells


def cases(wild: Path | None) -> list[tuple[str, Path, Box, dict, int, int, np.ndarray]]:
    out = []
    for fig in program_figures(PROGRAMS):
        strings = fig.printed(0)
        if strings is None:
            continue
        cols, rows = fig.expected["cells"][0]
        out.append(
            (fig.name, fig.path, fig.panels[0], fig.bar(0), cols, rows, _truth(strings))
        )
    if wild is not None:
        expected = json.loads((wild / "expected.json").read_text())
        expected = expected.get("figures", expected)
        for name, e in sorted(expected.items()):
            if "cells_truth" not in e:
                continue
            cols, rows = e["cells"]
            panel = Box(*(e.get("cells_box") or e["panels"][0]))
            want = np.array(
                [[np.nan if v is None else v for v in row] for row in e["cells_truth"]],
                dtype=float,
            )
            bar = e["colorbars"][0]
            out.append((name, wild / name, panel, bar, cols, rows, want))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wild", type=Path, help="the real-figure corpus folder")
    parser.add_argument("--zero-input", action="store_true")
    args = parser.parse_args()
    modes = ["given", "zero input"] if args.zero_input else ["given"]
    print(
        "| figure | mode | grid | cells | read exactly | accepted wrong | rejected "
        "| s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    totals: dict[str, list[int]] = {m: [0, 0, 0] for m in modes}
    for name, path, panel, bar, cols, rows, want in cases(args.wild):
        image = load_image(path)
        for mode in modes:
            start = time.perf_counter()
            try:
                cells = (
                    _given(image, panel, bar, cols, rows)
                    if mode == "given"
                    else _zero(image, panel)
                )
                s = _score(cells, want)
            except DigitizerError as exc:
                s = {
                    "shape": None,
                    "cells": int(np.isfinite(want).sum()),
                    "error": str(exc),
                }
            took = time.perf_counter() - start
            t = totals[mode]
            t[0] += s["cells"]
            t[1] += s.get("exact", 0)
            t[2] += s.get("wrong", 0)
            shape = "—" if s["shape"] is None else f"{s['shape'][1]}x{s['shape'][0]}"
            right = "" if s["shape"] == want.shape else " (wrong)"
            if "exact" in s:
                print(
                    f"| `{name}` | {mode} | {shape}{right} | {s['cells']} | "
                    f"{s['exact']} ({100 * s['exact'] / max(s['cells'], 1):.0f} %) | "
                    f"{s['wrong']} | {s['rejected']} | {took:.1f} |"
                )
            else:
                why = s.get("error", "grid")[:60]
                print(
                    f"| `{name}` | {mode} | {shape}{right} | {s['cells']} | "
                    f"— ({why}) | 0 | — | {took:.1f} |"
                )
    for mode, (n, exact, wrong) in totals.items():
        print(
            f"\n{mode}: {exact} of {n} printed numbers read exactly "
            f"({100 * exact / max(n, 1):.1f} %), {wrong} accepted wrongly"
        )


if __name__ == "__main__":
    main()
