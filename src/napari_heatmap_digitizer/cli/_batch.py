"""``heatmap-digitizer batch``: one recipe over many figures on dask.distributed."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_heatmap_digitizer.cli._flags import add_recipe_flags, apply_flags
from napari_heatmap_digitizer.cli._progress import Progress
from napari_heatmap_digitizer.core import DigitizerError, Recipe
from napari_heatmap_digitizer.core._outputs import SOFTWARE, check_outputs
from napari_heatmap_digitizer.core._write import check_can_write

if TYPE_CHECKING:
    from napari_heatmap_digitizer.cli._common import SubParsers
    from napari_heatmap_digitizer.core._batch import FileJob

#: Output format when neither --format nor the recipe names one.
DEFAULT_FORMAT = "tif"


def add_parser(sub: SubParsers) -> None:
    """Declare ``batch`` and its flags.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    b = sub.add_parser(
        "batch",
        help="apply one recipe to many figures on dask.distributed",
        description="Apply one recipe (the JSON the napari widget or "
        "'digitize --save-recipe' saves) to many figures, in parallel on a local "
        "dask cluster or an existing one. FIGURE.EXT writes DIR/FIGURE.FORMAT "
        "(DIR/FIGURE_i.FORMAT for several panels), exactly as 'digitize "
        "--recipe' would, and DIR/summary.csv lists every figure with its "
        "status, coverage and outputs. A bad figure is reported there and the "
        "others still finish. Exit status: 0 when every figure was done or "
        "skipped, 1 when some failed, 2 for a bad command.",
    )
    b.add_argument("recipe", metavar="RECIPE.json", help="the recipe to apply")
    b.add_argument("files", nargs="+", metavar="FIGURE", help="figure files")
    b.add_argument(
        "--out", required=True, metavar="DIR", help="output folder (made if missing)"
    )
    b.add_argument(
        "--format",
        choices=("tif", "npy", "csv", "zarr"),
        default=None,
        help="output format (default: the recipe's, the one 'digitize "
        f"--save-recipe' wrote; else {DEFAULT_FORMAT})",
    )
    where = b.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes of the local dask cluster (default: one per core, "
        "at most one per figure)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="use a running dask scheduler instead, e.g. tcp://10.0.0.5:8786 "
        "(the workers must have napari-heatmap-digitizer installed and see the "
        "same files)",
    )
    again = b.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        help="skip figures whose outputs all exist (from an earlier run)",
    )
    again.add_argument(
        "--overwrite", action="store_true", help="redo figures whose outputs exist"
    )
    add_recipe_flags(b, only={"--stream"})
    b.add_argument(
        "--summary",
        metavar="FILE.csv",
        help="where to write the summary table (default DIR/summary.csv)",
    )
    b.add_argument(
        "-q", "--quiet", action="store_true", help="print only failures and the end"
    )
    b.set_defaults(run=batch)


def batch(args: argparse.Namespace) -> int:
    """Run ``batch``: plan every output, run on the cluster, write the summary.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        0 when every figure was done or skipped, 1 when some failed.

    Raises
    ------
    DigitizerError
        For a bad command (nothing has run then).
    """
    from napari_heatmap_digitizer.core._batch import plan, write_summary

    recipe = Recipe.load(args.recipe)
    apply_flags(recipe, args)
    if not recipe.panels:
        raise DigitizerError(f"recipe {args.recipe!r} has no plot panel")
    if not recipe.colorbar.has_source:
        raise DigitizerError(f"recipe {args.recipe!r} names no colour bar or map")
    fmt = args.format or recipe.output.format or DEFAULT_FORMAT
    check_outputs(recipe, fmt)
    if args.workers is not None and args.workers < 1:
        raise DigitizerError("--workers must be at least 1")
    jobs = plan(
        args.files,
        len(recipe.panels),
        args.out,
        fmt,
        resume=args.resume,
        overwrite=args.overwrite,
    )
    summary = Path(args.summary) if args.summary else Path(args.out) / "summary.csv"
    if summary.exists() and not (args.resume or args.overwrite):
        raise DigitizerError(
            f"summary {str(summary)!r} exists; pass --resume or --overwrite, or "
            "give another --summary"
        )
    Path(args.out).mkdir(parents=True, exist_ok=True)
    check_can_write([summary], overwrite=True)
    start = time.perf_counter()
    rows = _run(recipe, jobs, args, summary)
    write_summary(summary, rows)
    total, skipped = len(jobs), sum(j.complete for j in jobs)
    failed = sum(r["status"] == "failed" for r in rows)
    print(
        f"{total - failed} of {total} figures done ({skipped} skipped), {failed} "
        f"failed, in {time.perf_counter() - start:.1f} s; summary: {summary}",
        file=sys.stderr if failed else sys.stdout,
    )
    return 1 if failed else 0


def _run(
    recipe: Recipe, jobs: list[FileJob], args: argparse.Namespace, summary: Path
) -> list[dict[str, Any]]:
    """Run the jobs with a progress bar; on Ctrl-C write the summary so far."""
    from napari_heatmap_digitizer.core._batch import run_batch, write_summary

    total, skipped = len(jobs), sum(j.complete for j in jobs)
    finished: dict[int, dict[str, Any]] = {}
    running: dict[int, float] = {}
    with Progress(enabled=not args.quiet, what="batch") as bar:

        def show() -> None:
            failed = sum(r["status"] == "failed" for r in finished.values())
            text = f"{len(finished) + skipped}/{total} figures"
            text += f", {failed} failed" if failed else ""
            if running:
                i = max(running)
                text += f"; {jobs[i].source.name} {100 * running[i]:.0f}%"
            done = len(finished) + skipped + sum(running.values())
            bar.fraction(done / total, text)

        def on_progress(index: int, fraction: float) -> None:
            if index not in finished:
                running[index] = min(fraction, 0.99)
                show()

        def on_row(index: int, row: dict[str, Any]) -> None:
            running.pop(index, None)
            finished[index] = row
            if row["status"] == "failed":
                bar.log(f"failed: {row['file']}: {row['message']}")
            elif not args.quiet:
                matched = ", ".join(f"{c}%" for c in str(row["coverage"]).split(";"))
                bar.log(f"done: {row['file']} (matched {matched})")
            show()

        if skipped and not args.quiet:
            bar.log(f"skipping {skipped} figure(s) whose outputs exist (--resume)")
        try:
            return run_batch(
                recipe,
                jobs,
                software=SOFTWARE,
                workers=args.workers,
                scheduler=args.scheduler,
                stream=recipe.output.stream,
                on_progress=on_progress,
                on_row=on_row,
            )
        except KeyboardInterrupt:
            write_summary(
                summary,
                [
                    finished.get(j.index)
                    or j.row(
                        "skipped" if j.complete else "not run",
                        message="" if j.complete else "the batch was interrupted",
                    )
                    for j in jobs
                ],
            )
            raise
