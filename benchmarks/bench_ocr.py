"""Time `detect` with tick-label OCR under each way of running Tesseract.

    python benchmarks/bench_ocr.py [--repeats N] [--runners A,B,...]
                                   [--corpus DIR] [--only NAME]

Runs ``detect(image)`` (tick labels read) on the bundled samples, some
figures of ``tests/data/programs`` and some of the real-figure corpus
(default ``../shared/figures-wild`` beside the repository), once with each
runner of ``HEATMAP_DIGITIZER_OCR_RUNNER`` in turn (``pytesseract``, the
earlier way, first), repeated; the runners alternate within each repeat so
that a busy machine slows all of them alike. Kept Tesseract processes are
ended before every run, so their start-up is counted in each figure's time
(as in one ``heatmap-digitizer`` command per figure).

Prints the median seconds per figure and runner, each runner's time as a
fraction of the first's, and the tick labels read; any difference between
what the runners read (labels, values, boxes) is printed and makes the exit
status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer import detect, load_image
from napari_heatmap_digitizer.core import _tesseract, ocr_available
from napari_heatmap_digitizer.data import load_sample

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ("seaborn_log_norm", "vegalite_rect", "ggplot2_log_trans")
WILD = ("ecco_lognorm", "corrplot_color", "polar_pv", "viridis_hexbin")


def figures(corpus: Path, only: list[str] | None) -> dict[str, np.ndarray]:
    """The figures timed, by name."""
    found: dict[str, np.ndarray] = {}
    for name in ("single", "multi"):
        found[f"sample:{name}"] = load_sample(name).image
    for name in PROGRAMS:
        path = ROOT / "tests" / "data" / "programs" / f"{name}.png"
        if path.exists():
            found[f"programs:{name}"] = load_image(path)
    for name in WILD:
        path = corpus / f"{name}.png"
        if path.exists():
            found[f"wild:{name}"] = load_image(path)
    if only:
        found = {k: v for k, v in found.items() if any(o in k for o in only)}
    return found


def labels(reading: dict[str, Any]) -> list[Any]:
    """The tick labels in a detection's JSON form: bars', then axes'."""
    out: list[Any] = [b.get("ticks", {}).get("labels") for b in reading["colorbars"]]
    for axes in reading.get("axes", {}).values():
        out.extend((axes.get(a) or {}).get("labels") for a in ("x", "y"))
    return out


def timed(image: np.ndarray, runner: str) -> tuple[float, dict[str, Any]]:
    """Seconds `detect` took with ``runner``, and what it found (JSON form)."""
    os.environ[_tesseract.RUNNER_VARIABLE] = runner
    _tesseract.close()
    start = time.perf_counter()
    found = detect(image, ticks=True)
    seconds = time.perf_counter() - start
    _tesseract.close()
    return seconds, json.loads(json.dumps(found.to_dict()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runners", default="pytesseract,direct,stream")
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "figures-wild"
    )
    parser.add_argument("--only", action="append", help="figures whose name has this")
    args = parser.parse_args(argv)
    if not ocr_available():
        print("Tesseract is not installed: nothing to time", file=sys.stderr)
        return 2
    runners = [r.strip() for r in args.runners.split(",") if r.strip()]
    if unknown := set(runners) - set(_tesseract.RUNNERS):
        parser.error(f"unknown runners {sorted(unknown)}; use {_tesseract.RUNNERS}")
    images = figures(args.corpus, args.only)
    first = next(iter(images.values()))
    detect(first, ticks=False)  # compile the kernels before timing
    times: dict[str, dict[str, list[float]]] = {n: {} for n in images}
    read: dict[str, dict[str, Any]] = {n: {} for n in images}
    differ = 0
    for name, image in images.items():
        for repeat in range(args.repeats):
            # alternate the order: neither runner always goes first
            order = runners if repeat % 2 == 0 else runners[::-1]
            for runner in order:
                seconds, found = timed(image, runner)
                times[name].setdefault(runner, []).append(seconds)
                read[name].setdefault(runner, found)
                if found != read[name][runners[0]] and runner != runners[0]:
                    differ += 1
                    print(f"DIFFERENT {name} {runner} (repeat {repeat + 1}):")
                    print(f"  {runners[0]}: {labels(read[name][runners[0]])}")
                    print(f"  {runner}: {labels(found)}")
        medians = {r: statistics.median(times[name][r]) for r in runners}
        cells = "  ".join(
            f"{r} {medians[r]:6.2f} s ({medians[r] / medians[runners[0]]:.2f})"
            for r in runners
        )
        print(f"{name:34} {cells}", flush=True)
        print(f"{'':34} labels: {labels(read[name][runners[0]])}", flush=True)
    total = {r: sum(statistics.median(times[n][r]) for n in images) for r in runners}
    cells = "  ".join(
        f"{r} {total[r]:6.2f} s ({total[r] / total[runners[0]]:.2f})" for r in runners
    )
    print(f"{'total of medians':34} {cells}")
    print(
        f"{len(images)} figures x {args.repeats} repeats; "
        + ("what was read differs" if differ else "all runners read the same")
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
