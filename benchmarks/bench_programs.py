"""Figures drawn by other plotting programs, read with no input but the file.

    python benchmarks/bench_programs.py [--only NAME] [--no-ocr] [--json OUT]

The figures in ``tests/data/programs`` were drawn by Octave, gnuplot, R
(ggplot2, pheatmap), Vega-Lite, plotly, seaborn and matplotlib with their
default looks; ``tools/render_programs.py`` drew each several times with
only the data or the colour map changed, which gives the true value of
every data pixel. Each figure is read twice, with the same code for all:

1. Boxes and range given (the true panel and bar boxes and vmin/vmax): the
   engine's own accuracy, the baseline for the same figure.
2. No input but the file, as ``heatmap-digitizer digitize FIG --auto``:
   ``detect`` then ``complete_recipe`` then ``run_recipe``. Reported: panels
   right (every true panel found at intersection-over-union >= 0.8 and
   nothing extra), bar right (IoU >= 0.7), range right (vmin and vmax within
   1 % of the span, scale right), and the median error over the true data
   pixels in % of the range (a pixel left NaN counts as wrong). A figure
   works when that median is at most 1 %.

Also timed, before anything else reads the figure (its colours new to the
kernel's memo, as on a user's first run; the kernels compiled once before
all, detection's too): detection without and with tick-label reading,
against digitizing the panels found (the kernel alone, ``nodata`` none, its
colours new; then the default run, which also looks for no data). Prints a
Markdown table for docs/accuracy.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench_wild import commit, machine
from napari_heatmap_digitizer.core import (
    Recipe,
    complete_recipe,
    detect,
    load_image,
    ocr_available,
    prepare_kernels,
    run_recipe,
)
from napari_heatmap_digitizer.testing import (
    program_figures,
    score_given,
    score_zero_input,
)

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "tests" / "data" / "programs"


def pct(x: float | None) -> str:
    if x is None:
        return "–"
    return "∞" if x == float("inf") else f"{100 * x:.2f} %"


def yes(x: bool | None) -> str:
    return "–" if x is None else ("yes" if x else "no")


def timings(path: Path, ocr: bool) -> dict[str, float]:
    image = load_image(path)
    out = {}
    start = time.perf_counter()
    found = detect(image, ticks=False)
    out["detect"] = time.perf_counter() - start
    if ocr:
        start = time.perf_counter()
        found = detect(image)
        out["detect_ocr"] = time.perf_counter() - start
    done = complete_recipe(Recipe(), found)
    if not done.problems:
        # the kernel alone first (its colours new to the memo), then the
        # default run, which also looks for no data in each panel
        plain = done.recipe.copy()
        plain.nodata = "none"
        start = time.perf_counter()
        run_recipe(plain, image)
        out["digitize"] = time.perf_counter() - start
        start = time.perf_counter()
        run_recipe(done.recipe, image)
        out["digitize_nodata"] = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", help="this figure only")
    parser.add_argument("--no-ocr", action="store_true", help="no tick labels")
    parser.add_argument("--json", type=Path, help="also save the rows here")
    args = parser.parse_args(argv)
    ocr = not args.no_ocr and ocr_available()
    figures = [
        f for f in program_figures(FIGURES) if not args.only or f.name in args.only
    ]
    # compile the kernels (digitizing's and detection's) before anything is
    # timed
    prepare_kernels()
    if figures:
        score_given(figures[0])
    rows = []
    start = time.perf_counter()
    for fig in figures:
        # timed first: digitizing this figure's colours for the first time
        times = timings(fig.path, ocr)
        given = score_given(fig)
        zero = score_zero_input(fig, ocr=ocr)
        rows.append(
            {
                "figure": fig.name,
                "program": fig.expected["version"],
                "size": fig.expected["size"],
                "given_error": given.error,
                "panels_right": zero.panels_right,
                "bars_right": zero.bars_right,
                "range_right": zero.range_right,
                "error": zero.error,
                "unmatched": zero.unmatched,
                "works": zero.works,
                "reason": zero.reason,
                "times": times,
            }
        )
        print(f"{fig.name}: {zero.works} {zero.reason}", file=sys.stderr)
    seconds = time.perf_counter() - start

    head = [
        "figure",
        "drawn by",
        "given: median error",
        "panels",
        "bar",
        "range",
        "no input: median error",
        "works",
        "why not",
    ]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        cells = [
            f"`{r['figure']}`",
            r["program"],
            pct(r["given_error"]),
            yes(r["panels_right"]),
            yes(r["bars_right"]),
            yes(r["range_right"]),
            pct(r["error"]),
            "**yes**" if r["works"] else "no",
            r["reason"].replace("|", "/") or "",
        ]
        print("| " + " | ".join(cells) + " |")
    n = len(rows)
    works = sum(r["works"] for r in rows)
    ratios = [
        r["times"]["detect"] / r["times"]["digitize"]
        for r in rows
        if "digitize" in r["times"]
    ]
    ocr_times = [r["times"]["detect_ocr"] for r in rows if "detect_ocr" in r["times"]]
    print()
    print(
        f"Works with no input: **{works}/{n}**; panels right "
        f"{sum(bool(r['panels_right']) for r in rows)}/{n}, bars right "
        f"{sum(bool(r['bars_right']) for r in rows)}/{n}, ranges right "
        f"{sum(bool(r['range_right']) for r in rows)}/{n}; with boxes and range "
        f"given, {sum((r['given_error'] or 1) <= 0.01 for r in rows)}/{n} within 1 %."
    )
    full = sorted(
        r["times"]["detect"] / r["times"]["digitize_nodata"]
        for r in rows
        if "digitize_nodata" in r["times"]
    )
    if full:
        print(
            "Detection without tick labels / digitizing with the no-data search "
            f"(the default): median {full[len(full) // 2]:.1f}×, worst {full[-1]:.1f}×"
        )
    if ratios:
        ratios.sort()
        print(
            f"Detection without tick labels / digitizing the panels found (the "
            f"kernel alone): median "
            f"{ratios[len(ratios) // 2]:.1f}×, worst {ratios[-1]:.1f}×"
            + (
                f"; detection with tick labels: median "
                f"{sorted(ocr_times)[len(ocr_times) // 2]:.2f} s, worst "
                f"{max(ocr_times):.2f} s"
                if ocr_times
                else ""
            )
            + "."
        )
    print(
        f"{n} figures in {seconds:.0f} s on {machine()}; OCR {'on' if ocr else 'off'};"
        f" commit {commit()}, {time.strftime('%Y-%m-%d')}."
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
