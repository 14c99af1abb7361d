"""``heatmap-digitizer demo``: the bundled sample, digitized and judged."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from napari_heatmap_digitizer.core import output_paths, run_recipe, write_outputs
from napari_heatmap_digitizer.core._outputs import SOFTWARE
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
    start = time.perf_counter()
    panels = run_recipe(recipe, sample.image)
    elapsed = time.perf_counter() - start
    print(panels[0].result.colorbar.describe())
    worst = 0.0
    for panel, truth, judged in zip(panels, sample.truth, sample.judged, strict=True):
        acc = accuracy(panel.result, truth, judged)
        worst = max(worst, acc["median_error"])
        print(panel.summary())
        print(
            f"  against the known data: median |error| {acc['median_error']:.3f}% of "
            f"the range, 95th percentile {acc['p95_error']:.3f}%, "
            f"{acc['coverage']:.1f}% of pixels matched"
        )
    print(f"digitized in {elapsed:.2f} s (the first run includes compiling the kernel)")
    if outputs:
        written = write_outputs(
            panels, recipe, outputs, software=SOFTWARE, overwrite=args.overwrite
        )
        for w in written:
            print(f"wrote {w.path}")
    return 0 if worst < 1.0 else 1
