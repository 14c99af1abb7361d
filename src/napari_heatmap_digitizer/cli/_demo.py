"""``heatmap-digitizer demo``: the bundled sample, digitized and judged."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

import numpy as np

from napari_heatmap_digitizer.cli._kernels import FIRST_RUN, prepare
from napari_heatmap_digitizer.core import (
    Result,
    output_paths,
    run_recipe,
    write_outputs,
)
from napari_heatmap_digitizer.core._outputs import SOFTWARE
from napari_heatmap_digitizer.core._result import share
from napari_heatmap_digitizer.core._write import check_can_write

if TYPE_CHECKING:
    from napari_heatmap_digitizer.cli._common import SubParsers


def add_parser(sub: SubParsers) -> None:
    """Declare ``demo`` and its flags.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    demo = sub.add_parser(
        "demo",
        help="digitize a bundled sample figure and report its accuracy",
        description="Digitize a bundled sample figure (made from known data) and "
        "print how close the numbers come to that data.",
    )
    demo.add_argument(
        "--sample",
        choices=("single", "multi"),
        default="single",
        help="which sample figure (default single)",
    )
    demo.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="also write the values (.npy, .csv or .tif)",
    )
    demo.add_argument(
        "--overwrite", action="store_true", help="replace output files that exist"
    )
    demo.set_defaults(run=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    """Run ``demo``: digitize the sample, compare with its known data.

    Prints, per panel, the share of its pixels that got a value, the share
    of the pixels that show the map unobstructed (those the known data
    judges) that got one, and the errors there.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        0 when the median error is under 1 % of the range, else 1.
    """
    from napari_heatmap_digitizer.data import accuracy, load_sample

    sample = load_sample(args.sample)
    recipe = sample.recipe
    outputs = output_paths(recipe, args.output) if args.output else []
    check_can_write(outputs, overwrite=args.overwrite)
    print(f"sample figure: {recipe.image}")
    live = sys.stdout.isatty()
    kernels = prepare(_compiling if live else None)
    if kernels.compiled:
        print(
            f" {kernels.seconds:.1f} s"
            if live
            else f"compiled the kernels in {kernels.seconds:.1f} s ({FIRST_RUN})"
        )
    start = time.perf_counter()
    panels = run_recipe(recipe, sample.image)
    elapsed = time.perf_counter() - start
    print(panels[0].result.colorbar.describe())
    worst = 0.0
    for panel, truth, judged in zip(panels, sample.truth, sample.judged, strict=True):
        acc = accuracy(panel.result, truth, judged)
        worst = max(worst, acc["median_error"])
        print(panel_line(panel.result, acc, float(np.mean(judged))))
    print(f"digitized in {elapsed:.2f} s")
    if outputs:
        written = write_outputs(
            panels, recipe, outputs, software=SOFTWARE, overwrite=args.overwrite
        )
        for w in written:
            print(f"wrote {w.path}")
    return 0 if worst < 1.0 else 1


def _compiling() -> None:
    """Say on the terminal that compiling has started (the time follows)."""
    print(f"compiling the kernels ({FIRST_RUN})…", end="", flush=True)


def panel_line(result: Result, acc: dict[str, float], judged: float) -> str:
    """One line per panel, each number said once with what it is of.

    Parameters
    ----------
    result : Result
        The panel's values.
    acc : dict
        ``median_error``, ``p95_error`` and ``coverage`` from
        :func:`napari_heatmap_digitizer.data.accuracy`.
    judged : float
        The share (0-1) of the panel's pixels that show the map
        unobstructed, which the known data judges.

    Returns
    -------
    str
    """
    stats = result.stats()
    values = f"{stats.vmin:.6g}..{stats.vmax:.6g}" if stats.matched else "none"
    box = result.box
    return (
        f"panel {box.as_text()} ({box.width}x{box.height} px): values {values} for "
        f"{_share(100 * stats.coverage)} of its pixels and {_share(acc['coverage'])} "
        f"of the {100 * judged:.1f}% showing the map unobstructed; error there "
        f"against the known data: median {acc['median_error']:.3f}%, 95th "
        f"percentile {acc['p95_error']:.3f}% of the range"
    )


def _share(percent: float) -> str:
    """A percentage to 0.1, as the panel summaries say it (100.0% only when all)."""
    return share(percent / 100)
