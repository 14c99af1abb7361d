"""One recipe applied to many figures on dask.distributed.

Every figure is one task: :func:`process_file` runs on a worker, reads the
figure (chunk by chunk when it is large), digitizes it with
:func:`~.jobs.run_to_files` exactly as ``heatmap-digitizer digitize`` would,
and returns a row of the summary. A bad figure gives a ``failed`` row and
leaves no output behind; the other figures go on. The work runs on a
:class:`distributed.LocalCluster` by default or on an existing cluster.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from napari_heatmap_digitizer.core._atomic import check_distinct, check_replaceable
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._outputs import run_to_files
from napari_heatmap_digitizer.core._recipe import Recipe
from napari_heatmap_digitizer.core._stale import clean_stale, partials
from napari_heatmap_digitizer.core._write import (
    atomic_write_text,
    output_format,
    panel_paths,
)

#: Columns of the summary table.
COLUMNS = ("file", "status", "panels", "coverage", "outputs", "seconds", "message")
#: Statuses of a figure whose outputs were written.
WRITTEN = ("done", "doubtful")

#: Progress messages a worker sends per second at most.
REPORT_RATE = 4.0


@dataclass
class FileJob:
    """One figure of a batch and where its outputs go."""

    index: int
    source: Path
    outputs: list[Path]
    complete: bool = False
    overwrite: bool = False

    def row(self, status: str, **fields: Any) -> dict[str, Any]:
        """A summary row for this figure."""
        row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
        row.update(file=str(self.source), status=status, **fields)
        return row


def plan(
    files: Sequence[str | os.PathLike[str]],
    n_panels: int,
    out_dir: str | os.PathLike[str],
    fmt: str,
    *,
    resume: bool = False,
    overwrite: bool = False,
    summary: str | os.PathLike[str] | None = None,
    inputs: Sequence[str | os.PathLike[str]] = (),
) -> list[FileJob]:
    """Output paths for every figure; raise before any work when they clash.

    A figure ``STEM.EXT`` writes ``DIR/STEM.FMT`` (``DIR/STEM_i.FMT`` for
    several panels).

    Parameters
    ----------
    files : sequence of path
        The figures.
    n_panels : int
        Panels in the recipe.
    out_dir : path
        Folder for the outputs (made when missing).
    fmt : str
        Output ending without the dot: ``tif``, ``npy``, ``csv`` or ``zarr``.
    resume : bool
        Mark figures whose outputs all exist as complete (they are skipped);
        a figure with only some of them is redone.
    overwrite : bool
        Allow replacing existing outputs.
    summary : path, optional
        The summary table, which no figure's output may be.
    inputs : sequence of path
        Other inputs (the recipe), which no output may be.

    Returns
    -------
    list of FileJob

    Raises
    ------
    DigitizerError
        If no files are given, two figures would write the same output, an
        output is an input or the summary, or an output exists without
        ``resume`` or ``overwrite``.
    """
    if not files:
        raise DigitizerError("no figure files given")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DigitizerError(f"--out {str(out)!r} is a file; give a folder")
    output_format(f"x.{fmt}")
    jobs: list[FileJob] = []
    owners: dict[Path, Path] = {}
    for i, name in enumerate(files):
        source = Path(name)
        outputs = panel_paths(out / f"{source.stem}.{fmt}", n_panels)
        for path in outputs:
            if path in owners:
                raise DigitizerError(
                    f"{str(owners[path])!r} and {str(source)!r} would both write "
                    f"{str(path)!r}; give figures different names"
                )
            owners[path] = source
        complete = all(p.exists() for p in outputs)
        if any(p.exists() for p in outputs) and not (resume or overwrite):
            first = next(p for p in outputs if p.exists())
            raise DigitizerError(
                f"output {str(first)!r} exists; pass --resume to skip figures "
                "already done or --overwrite to redo them"
            )
        some = any(p.exists() for p in outputs)
        for path in outputs:  # --overwrite replaces only what it may
            if (overwrite or resume) and (path.exists() or path.is_symlink()):
                check_replaceable(path, folder=fmt == "zarr")
        jobs.append(
            FileJob(
                i,
                source,
                outputs,
                complete=resume and complete,
                overwrite=overwrite or (resume and some),
            )
        )
    check_distinct(
        {
            "input": [Path(f) for f in [*files, *inputs]],
            "summary": [Path(summary)] if summary is not None else [],
            "values of the figures": list(owners),
        }
    )
    return jobs


def process_file(
    recipe: dict[str, Any],
    source: str,
    outputs: list[str],
    *,
    software: str,
    overwrite: bool = True,
    stream: bool | None = None,
    threads: int | None = None,
    topic: str | None = None,
    index: int = 0,
) -> dict[str, Any]:
    """Digitize one figure of a batch; never raises for a bad figure.

    Runs on a dask worker (or anywhere). A figure's outputs appear together
    when all are complete; a figure that fails leaves no new file and keeps
    its earlier outputs.

    Parameters
    ----------
    recipe : dict
        :meth:`Recipe.to_dict` output.
    source : str
        The figure file.
    outputs : list of str
        One per panel.
    software : str
        Name and version stored in the outputs' metadata.
    overwrite : bool
        Replace outputs that exist (earlier ones, or left by an interrupted
        run).
    stream : bool, optional
        Read the figure chunk by chunk (default: as the recipe says).
    threads : int, optional
        Threads for the kernel (default: all of Numba's).
    topic : str, optional
        Progress ``{"index", "fraction"}`` is sent as a worker event on this
        topic.
    index : int
        The figure's place in the batch (for progress).

    Returns
    -------
    dict
        A summary row: ``status`` is ``done``, ``doubtful`` (written, but a
        panel's result is doubtful: ``message`` says why) or ``failed``.
    """
    job = FileJob(index, Path(source), [Path(p) for p in outputs])
    start = time.perf_counter()
    if threads:
        import numba

        # numba.config sets its settings at run time, out of mypy's sight.
        most = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
        numba.set_num_threads(max(1, min(threads, most)))
    report = _reporter(topic, index)
    try:
        plan_ = Recipe.from_dict(recipe)
        plan_.image = source
        if stream is not None:
            plan_.output.stream = stream
        written = run_to_files(
            plan_,
            source,
            job.outputs,
            software=software,
            overwrite=overwrite,
            progress=report,
        )
    except BaseException as exc:
        if isinstance(exc, DigitizerError):
            message = str(exc)
        elif isinstance(exc, MemoryError):
            message = "out of memory; run fewer workers (--workers) or use --stream"
        elif isinstance(exc, Exception):
            message = f"internal error: {type(exc).__name__}: {exc}"
        else:
            raise
        return job.row("failed", seconds=_seconds(start), message=message)
    doubts = [
        f"panel {w.confidence.box}: {d}"
        for w in written
        if w.confidence is not None
        for d in w.confidence.doubts
    ]
    return job.row(
        "doubtful" if doubts else "done",
        panels=len(written),
        coverage=";".join(f"{100 * w.coverage:.2f}" for w in written),
        outputs=";".join(str(w.path) for w in written),
        seconds=_seconds(start),
        message="; ".join(doubts),
    )


def run_batch(
    recipe: Recipe,
    jobs: list[FileJob],
    *,
    software: str,
    workers: int | None = None,
    scheduler: str | None = None,
    stream: bool | None = None,
    on_progress: Callable[[int, float], None] | None = None,
    on_row: Callable[[int, dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every job that is not complete on dask.distributed.

    Parameters
    ----------
    recipe : Recipe
    jobs : list of FileJob
        From :func:`plan`.
    software : str
        Name and version stored in the outputs.
    workers : int, optional
        Worker processes of the local cluster (default: one per core, at most
        one per figure). Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    stream : bool, optional
        Read the figure chunk by chunk (default: as the recipe says).
    on_progress : callable, optional
        ``on_progress(index, fraction)`` as figures advance (in a client thread).
    on_row : callable, optional
        ``on_row(index, row)`` as each figure finishes.

    Returns
    -------
    list of dict
        Summary rows in the order of ``jobs`` (complete jobs: ``skipped``).

    Raises
    ------
    DigitizerError
        If the scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster, as_completed

    rows: dict[int, dict[str, Any]] = {}
    todo = [j for j in jobs if not j.complete]
    for job in jobs:
        if job.complete:
            rows[job.index] = job.row(
                "skipped", panels=len(job.outputs), outputs=_joined(job.outputs)
            )
    if not todo:
        return [rows[j.index] for j in jobs]
    cluster = None
    cores = os.cpu_count() or 1
    threads = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise DigitizerError(
                    f"cannot reach the dask scheduler at {scheduler!r} ({exc}); "
                    "check the address, or leave out --scheduler to run locally"
                ) from None
        else:
            n = workers or min(len(todo), cores)
            threads = max(1, cores // n)
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        with client:
            topic = f"heatmap-digitizer-{uuid.uuid4().hex}"
            if on_progress is not None:
                client.subscribe_topic(
                    topic, lambda event: on_progress(*_progress_message(event))
                )
            recipe_dict = recipe.to_dict()
            futures = {
                client.submit(
                    process_file,
                    recipe_dict,
                    str(job.source),
                    [str(p) for p in job.outputs],
                    software=software,
                    overwrite=job.overwrite,
                    stream=stream,
                    threads=threads,
                    topic=topic,
                    index=job.index,
                    key=f"digitize-{job.index}-{topic}",
                    pure=False,
                ): job
                for job in todo
            }
            try:
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        row = future.result()
                    except Exception as exc:  # the worker died or the task was lost
                        row = job.row(
                            "failed",
                            message=f"the worker running it failed ({exc}); out of "
                            "memory? try fewer --workers",
                        )
                    rows[job.index] = row
                    if on_row is not None:
                        on_row(job.index, row)
            except BaseException:
                client.cancel(list(futures))
                for job in todo:
                    rows.setdefault(
                        job.index, job.row("not run", message="the batch was stopped")
                    )
                raise
    finally:
        if cluster is not None:
            cluster.close()
        clean_partials(todo)
    return [rows[j.index] for j in jobs]


def clean_partials(jobs: Sequence[FileJob]) -> list[Path]:
    """Remove temporary files the jobs' writers left (a worker that died).

    Only this tool's temporary names of the jobs' outputs whose writer is gone
    are removed.

    Parameters
    ----------
    jobs : sequence of FileJob

    Returns
    -------
    list of pathlib.Path
        Temporary files still there (a writer still holds them).
    """
    folders: dict[Path, set[str]] = {}
    for job in jobs:
        for path in job.outputs:
            folders.setdefault(path.parent, set()).add(path.name)
    left = []
    for folder, names in folders.items():
        clean_stale(folder, before=time.time() + 1, names=names)
        left += partials(folder, names)
    return left


def summary_csv(rows: list[dict[str, Any]]) -> str:
    """The summary table as CSV text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def is_summary(path: Path) -> bool:
    """Whether ``path`` is a summary table this tool wrote (by its header).

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    bool
    """
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.readline(4096).rstrip("\r\n") == ",".join(COLUMNS)
    except (OSError, UnicodeDecodeError):
        return False


def check_summary(path: Path, *, replace: bool) -> None:
    """Raise unless the summary may be written at ``path``.

    Parameters
    ----------
    path : pathlib.Path
    replace : bool
        Whether an earlier summary may be replaced (``--resume``,
        ``--overwrite``).

    Raises
    ------
    DigitizerError
        If something is there and may not be replaced: only a summary this
        tool wrote may be.
    """
    if not (path.exists() or path.is_symlink()):
        return
    if not replace:
        raise DigitizerError(
            f"summary {str(path)!r} exists; pass --resume or --overwrite, or "
            "give another --summary"
        )
    if path.is_dir() or not is_summary(path):
        raise DigitizerError(
            f"--summary {str(path)!r} exists and is not a summary written by this "
            "tool; it is left as it is: give another --summary"
        )


def write_summary(
    path: Path, rows: list[dict[str, Any]], *, overwrite: bool | None = None
) -> None:
    """Write the summary table atomically, keeping coverage of skipped figures.

    Coverage of a ``skipped`` figure is taken from the summary being replaced.

    Parameters
    ----------
    path : pathlib.Path
    rows : list of dict
    overwrite : bool, optional
        Whether a file at ``path`` may be replaced (default: a summary of this
        tool that is there now).

    Raises
    ------
    DigitizerError
        If ``path`` holds something else, or appeared meanwhile without
        ``overwrite``.
    """
    if overwrite is None:
        overwrite = path.is_file() and is_summary(path)
    if path.exists() and overwrite and not is_summary(path):
        raise DigitizerError(
            f"--summary {str(path)!r} is not a summary written by this tool; it "
            "is left as it is: give another --summary"
        )
    earlier: dict[str, dict[str, str]] = {}
    if path.exists():
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                earlier = {r["file"]: r for r in csv.DictReader(fh)}
        except (OSError, KeyError, csv.Error, UnicodeDecodeError):
            earlier = {}
    for row in rows:
        old = earlier.get(row["file"])
        if row["status"] == "skipped" and old and old.get("status") in WRITTEN:
            row["coverage"] = old.get("coverage", "")
    atomic_write_text(path, summary_csv(rows), overwrite=overwrite)


def _reporter(topic: str | None, index: int) -> Callable[[float], None]:
    """Send progress as worker events, at most :data:`REPORT_RATE` a second."""
    if topic is None:
        return lambda _f: None
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return lambda _f: None
    last = [0.0]

    def report(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 1 / REPORT_RATE or fraction >= 1:
            last[0] = now
            worker.log_event(topic, {"index": index, "fraction": float(fraction)})

    return report


def _progress_message(event: Any) -> tuple[int, float]:
    message = event[1] if isinstance(event, tuple) else event
    return int(message["index"]), float(message["fraction"])


def _seconds(start: float) -> str:
    return f"{time.perf_counter() - start:.2f}"


def _joined(paths: list[Path]) -> str:
    return ";".join(str(p) for p in paths)
