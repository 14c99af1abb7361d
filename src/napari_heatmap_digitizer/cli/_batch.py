"""``heatmap-digitizer batch``: one recipe over many figures on dask.distributed."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_heatmap_digitizer.cli._flags import add_recipe_flags, apply_flags
from napari_heatmap_digitizer.cli._progress import Progress
from napari_heatmap_digitizer.core import DigitizerError, Recipe
from napari_heatmap_digitizer.core._outputs import SOFTWARE, check_outputs
from napari_heatmap_digitizer.core._stale import clean_stale
from napari_heatmap_digitizer.core._write import check_can_write

if TYPE_CHECKING:
    from napari_heatmap_digitizer.cli._common import SubParsers
    from napari_heatmap_digitizer.core._batch import FileJob

#: Output format when neither --format nor the recipe names one.
DEFAULT_FORMAT = "tif"

#: Most worker processes allowed (and at most this many per core).
MAX_WORKERS, WORKERS_PER_CORE = 256, 4


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
        "status (done, doubtful, failed), coverage and outputs. A bad figure is "
        "reported there and the others still finish. Exit status: 0 when every "
        "figure was done or skipped, 1 when some failed, 3 when none failed but "
        "some are doubtful (written, but a panel's result is doubtful: the "
        "summary's message says why), 2 for a bad command, 130/143 when "
        "interrupted. A figure's outputs appear together when all are "
        "complete; one that fails keeps its earlier outputs.",
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
        f"at most one per figure; at most {WORKERS_PER_CORE} per core and "
        f"{MAX_WORKERS})",
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
        help="skip figures whose outputs all exist (from an earlier run); "
        "redo the others",
    )
    again.add_argument(
        "--overwrite",
        action="store_true",
        help="redo figures whose outputs exist (the old outputs go only when the "
        "new ones are complete)",
    )
    add_recipe_flags(b, only={"--stream"})
    b.add_argument(
        "--summary",
        metavar="FILE.csv",
        help="where to write the summary table (default DIR/summary.csv); an "
        "existing file is replaced only when it is such a summary",
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
        0 when every figure was done or skipped, 1 when some failed, 3 when
        none failed but some are doubtful.

    Raises
    ------
    DigitizerError
        For a bad command (nothing has run then).
    """
    from napari_heatmap_digitizer.core._batch import (
        check_summary,
        plan,
        write_summary,
    )

    started = time.time()
    recipe = Recipe.load(args.recipe)
    apply_flags(recipe, args)
    if not recipe.panels:
        raise DigitizerError(f"recipe {args.recipe!r} has no plot panel")
    if not all(p.bar(recipe).has_source for p in recipe.panels):
        raise DigitizerError(f"recipe {args.recipe!r} names no colour bar or map")
    fmt = args.format or recipe.output.format or DEFAULT_FORMAT
    check_outputs(recipe, fmt)
    _check_workers(args.workers)
    summary = Path(args.summary) if args.summary else Path(args.out) / "summary.csv"
    jobs = plan(
        args.files,
        len(recipe.panels),
        args.out,
        fmt,
        resume=args.resume,
        overwrite=args.overwrite,
        summary=summary,
        inputs=[args.recipe],
    )
    check_summary(summary, replace=args.resume or args.overwrite)
    replace = summary.exists() or args.overwrite
    made = _make_folder(Path(args.out))
    try:
        check_can_write([summary], overwrite=True)
        # Temporary files of killed runs (older than this one) go now.
        for folder in {Path(args.out), summary.parent}:
            clean_stale(folder, before=started)
        start = time.perf_counter()
        rows = _run(recipe, jobs, args, summary, replace)
        write_summary(summary, rows, overwrite=replace)
    except DigitizerError:
        if made:  # no empty --out folder left behind
            _remove_empty(Path(args.out))
        raise
    total, skipped = len(jobs), sum(j.complete for j in jobs)
    failed = sum(r["status"] == "failed" for r in rows)
    doubtful = sum(r["status"] == "doubtful" for r in rows)
    print(
        f"{total - failed} of {total} figures done ({skipped} skipped, "
        f"{doubtful} doubtful), {failed} failed, in "
        f"{time.perf_counter() - start:.1f} s; summary: {summary}",
        file=sys.stderr if failed or doubtful else sys.stdout,
    )
    return 1 if failed else 3 if doubtful else 0


def _check_workers(workers: int | None) -> None:
    """Refuse a number of workers below 1 or beyond reason."""
    if workers is None:
        return
    if workers < 1:
        raise DigitizerError("--workers must be at least 1")
    cores = os.cpu_count() or 1
    most = min(MAX_WORKERS, WORKERS_PER_CORE * cores)
    if workers > most:
        raise DigitizerError(
            f"--workers {workers} is more than this machine can run ({cores} cores: "
            f"at most {most}); give fewer, or use --scheduler for a cluster"
        )


def _make_folder(out: Path) -> bool:
    """Make the output folder; whether it was made (one line when it cannot be)."""
    if out.is_dir():
        return False
    try:
        out.mkdir(parents=True)
    except FileExistsError:
        return False
    except OSError as exc:
        raise DigitizerError(
            f"cannot make the output folder {str(out)!r}: {exc.strerror or exc}; "
            "give a folder you can write to"
        ) from None
    return True


def _remove_empty(out: Path) -> None:
    with contextlib.suppress(OSError):  # only when empty
        out.rmdir()


def _run(
    recipe: Recipe,
    jobs: list[FileJob],
    args: argparse.Namespace,
    summary: Path,
    replace: bool,
) -> list[dict[str, Any]]:
    """Run the jobs with a progress bar; on Ctrl-C write the summary so far."""
    from napari_heatmap_digitizer.core._batch import (
        clean_partials,
        run_batch,
        write_summary,
    )

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
            if row["status"] in ("failed", "doubtful"):
                bar.log(f"{row['status']}: {row['file']}: {row['message']}")
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
        except KeyboardInterrupt as exc:
            left = clean_partials([j for j in jobs if not j.complete])
            try:
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
                    overwrite=replace,
                )
                where = f"summary so far: {summary}"
            except DigitizerError as error:
                where = f"no summary written ({error})"
            kept = sum(r["status"] in ("done", "doubtful") for r in finished.values())
            note = f"{kept} figure(s) finished and kept; {where}; "
            if left:
                note += (
                    f"{len(left)} partial file(s) could not be removed yet, e.g. "
                    f"{str(left[0])!r} (the next run into that folder removes them)"
                )
            else:
                note += "unfinished figures left no files"
            exc.note = note  # type: ignore[attr-defined]
            raise
