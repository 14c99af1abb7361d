"""The ``heatmap-digitizer`` command.

Calls :mod:`napari_heatmap_digitizer.core` only (``gui`` imports napari
lazily). Errors in the user's input print one line and exit with status 2;
nothing is written then.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from napari_heatmap_digitizer import __version__
from napari_heatmap_digitizer._progress import Progress
from napari_heatmap_digitizer.core import (
    DEFAULT_MAX_DISTANCE,
    Box,
    ColorbarSpec,
    DigitizerError,
    Extent,
    Panel,
    Recipe,
)
from napari_heatmap_digitizer.core._cells import parse_cells
from napari_heatmap_digitizer.core._outputs import (
    check_outputs,
    result_metadata,
    run_to_files,
)
from napari_heatmap_digitizer.core._read import load_image, open_figure, streams
from napari_heatmap_digitizer.core._scale import parse_ticks
from napari_heatmap_digitizer.core._write import (
    atomic_write_text,
    check_can_write,
    output_format,
    panel_paths,
    write_result,
)

PROG = "heatmap-digitizer"
SOFTWARE = f"napari-heatmap-digitizer {__version__}"

EPILOG = """\
Boxes are pixel LEFT,TOP,RIGHT,BOTTOM with the origin at the image's top-left
corner and the right/bottom edges exclusive (as PIL's crop). With one --plot,
OUT gets a float32 array of shape (BOTTOM-TOP, RIGHT-LEFT), row 0 at the top,
NaN where no colour matched; with several, panel i goes to STEM_i.EXT.

examples:
  heatmap-digitizer digitize fig.png --plot 80,40,480,420 \\
      --colorbar 507,37,533,423 --vmin 0 --vmax 1 -o values.npy
  heatmap-digitizer digitize fig.jpg --plot 80,40,480,420 --colormap viridis \\
      --vmin 1e-3 --vmax 10 --norm log --extent 0,10,0,5 -o values.csv
  heatmap-digitizer digitize --recipe fig.recipe.json -o values.tif
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``heatmap-digitizer`` (all sub-commands)."""
    parser = _Parser(
        prog=PROG,
        description="Turn pictures of heat maps back into numbers.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    d = sub.add_parser(
        "digitize",
        help="digitize plot panels of a figure through its colour bar",
        description="Digitize plot panels of a heat-map figure through its colour bar.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d.add_argument(
        "image",
        nargs="?",
        metavar="IMAGE",
        help="figure file (PNG, JPEG, TIFF, BMP, WebP); optional with "
        "--recipe when the recipe names one",
    )
    d.add_argument(
        "--plot",
        action="append",
        metavar="L,T,R,B",
        default=None,
        help="a plot panel's box in pixels; repeat for several panels",
    )
    bar = d.add_mutually_exclusive_group()
    bar.add_argument(
        "--colorbar",
        metavar="L,T,R,B",
        help="box around the colour bar (may be loose: outline, ticks and "
        "background are trimmed)",
    )
    bar.add_argument(
        "--colormap",
        metavar="NAME",
        help="use a named colour map instead of reading the bar, e.g. "
        "viridis, RdBu_r, cmocean:thermal (see 'colormaps')",
    )
    d.add_argument(
        "--auto",
        action="store_true",
        help="detect whatever is not given: panels, colour bar (or the best "
        "colour map when there is none), and the range from the tick labels "
        "when the OCR extra is installed; flags given always win",
    )
    d.add_argument("--vmin", type=float, help="value at the low end of the colour bar")
    d.add_argument("--vmax", type=float, help="value at the high end of the colour bar")
    d.add_argument(
        "--norm",
        choices=("linear", "log"),
        help="how values are spread along the bar (default linear)",
    )
    d.add_argument(
        "--ticks",
        metavar="POS:VALUE,...",
        help="tick marks instead of --vmin/--vmax: POS is the tick's pixel row "
        "(vertical bar) or column (horizontal bar) in the figure, or the "
        "fraction 0-1 along the map with --colormap",
    )
    d.add_argument(
        "--orientation",
        choices=("vertical", "horizontal"),
        help="colour bar orientation (default: from the box's shape)",
    )
    d.add_argument(
        "--flip",
        action="store_true",
        default=None,
        help="the low end is at the top (vertical) or right (horizontal)",
    )
    steps = d.add_mutually_exclusive_group()
    steps.add_argument(
        "--discrete",
        dest="discrete",
        action="store_const",
        const=True,
        help="the bar is stepped (e.g. contourf): one value per band",
    )
    steps.add_argument(
        "--continuous",
        dest="discrete",
        action="store_const",
        const=False,
        help="the bar is continuous (default: recognised from the colours)",
    )
    d.add_argument(
        "--band-value",
        choices=("centre", "lower", "upper"),
        help="value of a band of a stepped bar (default centre)",
    )
    d.add_argument(
        "--extent",
        action="append",
        metavar="XMIN,XMAX,YMIN,YMAX",
        help="data values at the panel's left, right, bottom and top edges; "
        "once for all panels or once per --plot",
    )
    d.add_argument(
        "--xscale",
        choices=("linear", "log"),
        default=None,
        help="x axis spacing for --extent (default linear)",
    )
    d.add_argument(
        "--yscale",
        choices=("linear", "log"),
        default=None,
        help="y axis spacing for --extent (default linear)",
    )
    d.add_argument(
        "--max-distance",
        type=float,
        metavar="DE",
        help="colour tolerance: pixels farther than this CIELAB ΔE from "
        f"every colour-bar colour become NaN (default {DEFAULT_MAX_DISTANCE:g})",
    )
    d.add_argument(
        "--cells",
        metavar="auto|COLSxROWS",
        help="one value per cell of a matrix heat map: detect the grid ('auto') "
        "or give it (e.g. 12x8); writes a (rows, cols) matrix",
    )
    d.add_argument(
        "--long",
        action="store_true",
        help="with --cells and a .csv output: one line per cell "
        "(row,col,x,y,value,matched,spread) instead of a matrix",
    )
    d.add_argument(
        "--regions",
        action="store_true",
        help="one sample per region of one colour (contour bands, hexbin "
        "hexagons, classes): writes a .csv table region,x,y,px,py,value,area",
    )
    d.add_argument(
        "--hexagons",
        action="store_true",
        help="like --regions, for hexbin plots: one row per hexagon of the "
        "fitted hexagon lattice, also where touching hexagons share a colour",
    )
    d.add_argument(
        "--min-area",
        type=int,
        default=9,
        metavar="PX",
        help="with --regions: smallest region kept, in pixels (default 9)",
    )
    d.add_argument(
        "--fill",
        choices=("nearest", "inpaint"),
        help="fill pixels left NaN under text or lines from their neighbours "
        "(the filled pixels are listed in the TIFF metadata count)",
    )
    d.add_argument(
        "--recipe",
        metavar="FILE",
        help="read the settings from a recipe JSON; flags given override it",
    )
    d.add_argument(
        "--save-recipe",
        metavar="FILE",
        help="also write the settings used as a recipe JSON",
    )
    d.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="output file: .npy (float32), .csv (long format x,y,value), "
        ".tif (tiled float32 with the recipe in its metadata) or .zarr (a group "
        "with values, distance, x and y; the recipe in its attributes)",
    )
    d.add_argument(
        "--stream",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read the figure chunk by chunk and write the output band by band, "
        "so figures larger than memory work (TIFF and Zarr; default: on for Zarr "
        "and for TIFF figures over 268 Mpx)",
    )
    d.add_argument(
        "--overwrite", action="store_true", help="replace output files that exist"
    )
    d.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing on success"
    )

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
        default="tif",
        help="output format (default tif)",
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
    b.add_argument(
        "--stream",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="as for digitize: read figures chunk by chunk (default: Zarr and "
        "TIFF over 268 Mpx)",
    )
    b.add_argument(
        "--summary",
        metavar="FILE.csv",
        help="where to write the summary table (default DIR/summary.csv)",
    )
    b.add_argument(
        "-q", "--quiet", action="store_true", help="print only failures and the end"
    )

    gui = sub.add_parser(
        "gui",
        help="open napari with a figure and the digitizer widget",
        description="Open napari with FIGURE (the bundled sample when none is given) "
        "and the heat-map digitizer widget docked.",
    )
    gui.add_argument(
        "figure",
        nargs="?",
        metavar="FIGURE",
        help="image file to digitize (default: the bundled sample)",
    )

    det = sub.add_parser(
        "detect",
        help="find the panels and colour bars of a figure; print them as JSON",
        description="Find the plot panels and colour bars of a figure, name each "
        "bar's colour map and read its tick labels (with the OCR extra), and "
        "print the result as JSON. Prints a 'message' and empty lists when "
        "nothing is found.",
    )
    det.add_argument("image", metavar="IMAGE", help="figure file")
    ocr = det.add_mutually_exclusive_group()
    ocr.add_argument(
        "--ocr",
        action="store_true",
        default=None,
        help="read tick labels (fails when Tesseract is missing; default: read "
        "them when it is installed)",
    )
    ocr.add_argument(
        "--no-ocr", dest="ocr", action="store_false", help="do not read tick labels"
    )
    det.add_argument(
        "-o", "--output", metavar="OUT.json", help="also write the JSON to a file"
    )
    det.add_argument(
        "--overwrite", action="store_true", help="replace an output file that exists"
    )

    cm = sub.add_parser(
        "colormaps",
        help="list the colour-map names --colormap accepts",
        description="List the colour-map names --colormap accepts.",
    )
    cm.add_argument(
        "pattern", nargs="?", default="", help="only names containing this text"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for bad input, 1 for an unexpected failure.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "digitize":
            return _digitize(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "colormaps":
            return _colormaps(args)
        if args.command == "detect":
            return _detect(args)
        if args.command == "gui":
            return _gui(args)
        if args.command == "batch":
            return _batch(args)
    except DigitizerError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; no output was left half-written", file=sys.stderr)
        return 130
    except MemoryError:
        print(
            f"{PROG}: error: out of memory; digitize fewer or smaller panels",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:
        if os.environ.get("HEATMAP_DIGITIZER_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (please report it "
            "with the command you ran; set HEATMAP_DIGITIZER_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1
    parser.error(f"unknown command {args.command!r}")
    return 2


def recipe_from_args(args: argparse.Namespace) -> Recipe:
    """Combine ``--recipe`` (if any) with the flags given (flags win).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``digitize`` arguments.

    Returns
    -------
    Recipe

    Raises
    ------
    DigitizerError
    """
    if args.recipe:
        recipe = Recipe.load(args.recipe)
        if recipe.image and not Path(recipe.image).is_absolute():
            recipe.image = str(Path(args.recipe).parent / recipe.image)
    else:
        recipe = Recipe(panels=[], colorbar=ColorbarSpec())
    if args.image:
        recipe.image = args.image
    if args.plot:
        recipe.panels = [Panel(Box.parse(p, what="--plot")) for p in args.plot]
    cb = recipe.colorbar
    if args.colorbar:
        cb.box, cb.colormap = Box.parse(args.colorbar, what="--colorbar"), None
    if args.colormap:
        cb.colormap, cb.box = args.colormap, None
    if args.ticks:
        cb.ticks, cb.vmin, cb.vmax = parse_ticks(args.ticks), None, None
    if args.vmin is not None or args.vmax is not None:
        cb.vmin, cb.vmax, cb.ticks = args.vmin, args.vmax, None
        if args.ticks:
            raise DigitizerError("give either --vmin/--vmax or --ticks, not both")
    for name in ("norm", "orientation", "flip", "discrete", "band_value"):
        value = getattr(args, name)
        if value is not None:
            setattr(cb, name, value)
    if args.extent:
        if len(args.extent) not in (1, len(recipe.panels)):
            raise DigitizerError(
                f"give --extent once for all panels or once per --plot "
                f"({len(recipe.panels)}), not {len(args.extent)} times"
            )
        extents = [
            Extent.parse(
                e, xscale=args.xscale or "linear", yscale=args.yscale or "linear"
            )
            for e in args.extent
        ]
        if len(extents) == 1:
            extents = extents * len(recipe.panels)
        for panel, extent in zip(recipe.panels, extents, strict=True):
            panel.extent = extent
    if args.max_distance is not None:
        recipe.max_distance = args.max_distance
    if args.cells is not None:
        parse_cells(args.cells)
        for panel in recipe.panels:
            panel.cells, panel.grid = args.cells.strip().lower(), None
    if args.auto:
        _auto_fill(recipe, args)
    if not recipe.panels:
        raise DigitizerError("no plot panel given: add --plot LEFT,TOP,RIGHT,BOTTOM")
    if cb.box is None and cb.colormap is None:
        raise DigitizerError(
            "no colour bar given: add --colorbar LEFT,TOP,RIGHT,BOTTOM or "
            "--colormap NAME"
        )
    if recipe.image is None:
        raise DigitizerError("no image given: name the figure file")
    return recipe


def _digitize(args: argparse.Namespace) -> int:
    recipe = recipe_from_args(args)
    fmt = output_format(args.output)
    table = "--hexagons" if args.hexagons else "--regions" if args.regions else None
    check_outputs(recipe, fmt, table=table, long=args.long)
    outputs = panel_paths(args.output, len(recipe.panels))
    extra = [Path(args.save_recipe)] if args.save_recipe else []
    check_can_write([*outputs, *extra], overwrite=args.overwrite)
    start = time.perf_counter()
    image = open_figure(recipe.image, stream=args.stream)  # type: ignore[arg-type]
    with Progress(enabled=not args.quiet, what="digitizing") as bar:
        written = run_to_files(
            recipe,
            image,
            outputs,
            software=SOFTWARE,
            overwrite=args.overwrite,
            fill=args.fill,
            table=table,
            min_area=args.min_area,
            long=args.long,
            progress=bar.fraction,
        )
    elapsed = time.perf_counter() - start
    if args.save_recipe:
        recipe.save(args.save_recipe, overwrite=args.overwrite)
    if not args.quiet:
        print(written[0].colorbar)
        for w in written:
            print(f"{w.line} -> {w.path}")
            for warning in w.warnings:
                print(f"warning: {warning}", file=sys.stderr)
        print(f"done in {elapsed:.2f} s")
    else:
        for w in written:
            for warning in w.warnings:
                print(f"warning: {warning}", file=sys.stderr)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from napari_heatmap_digitizer.data import accuracy, load_sample

    sample = load_sample(args.sample)
    outputs = panel_paths(args.output, len(sample.recipe.panels)) if args.output else []
    if args.output:
        output_format(args.output)
        check_can_write(outputs, overwrite=args.overwrite)
    print(f"sample figure: {sample.recipe.image}")
    start = time.perf_counter()
    results = sample.recipe.run(sample.image)
    elapsed = time.perf_counter() - start
    print(results[0].colorbar.describe())
    worst = 0.0
    for result, truth, judged in zip(results, sample.truth, sample.judged, strict=True):
        acc = accuracy(result, truth, judged)
        worst = max(worst, acc["median_error"])
        print(result.summary())
        print(
            f"  against the known data: median |error| {acc['median_error']:.3f}% of "
            f"the range, 95th percentile {acc['p95_error']:.3f}%, "
            f"{acc['coverage']:.1f}% of pixels matched"
        )
    print(f"digitized in {elapsed:.2f} s (the first run includes compiling the kernel)")
    for i, (result, path) in enumerate(zip(results, outputs, strict=False)):
        metadata = result_metadata(result, sample.recipe, i, SOFTWARE)
        write_result(path, result, metadata=metadata, overwrite=args.overwrite)
        print(f"wrote {path}")
    return 0 if worst < 1.0 else 1


def _batch(args: argparse.Namespace) -> int:
    from napari_heatmap_digitizer.core._batch import plan, run_batch, write_summary

    recipe = Recipe.load(args.recipe)
    if not recipe.panels:
        raise DigitizerError(f"recipe {args.recipe!r} has no plot panel")
    if recipe.colorbar.box is None and recipe.colorbar.colormap is None:
        raise DigitizerError(f"recipe {args.recipe!r} names no colour bar or map")
    check_outputs(recipe, args.format)
    if args.workers is not None and args.workers < 1:
        raise DigitizerError("--workers must be at least 1")
    jobs = plan(
        args.files,
        len(recipe.panels),
        args.out,
        args.format,
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
    total, skipped = len(jobs), sum(j.complete for j in jobs)
    finished: dict[int, dict[str, object]] = {}
    running: dict[int, float] = {}
    start = time.perf_counter()

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

        def on_row(index: int, row: dict[str, object]) -> None:
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
            rows = run_batch(
                recipe,
                jobs,
                software=SOFTWARE,
                workers=args.workers,
                scheduler=args.scheduler,
                stream=args.stream,
                on_progress=on_progress,
                on_row=on_row,
            )
        except KeyboardInterrupt:
            rows = [
                finished.get(j.index)
                or j.row(
                    "skipped" if j.complete else "not run",
                    message="" if j.complete else "the batch was interrupted",
                )
                for j in jobs
            ]
            write_summary(summary, rows)  # type: ignore[arg-type]
            raise
    write_summary(summary, rows)
    failed = sum(r["status"] == "failed" for r in rows)
    print(
        f"{total - failed} of {total} figures done ({skipped} skipped), {failed} "
        f"failed, in {time.perf_counter() - start:.1f} s; summary: {summary}",
        file=sys.stderr if failed else sys.stdout,
    )
    return 1 if failed else 0


def _gui(args: argparse.Namespace) -> int:
    if args.figure is not None:
        from napari_heatmap_digitizer.core import load_image

        load_image(args.figure)  # a bad file is an error before any window opens
    try:
        from napari_heatmap_digitizer._napari._launch import launch
    except ImportError as exc:
        raise DigitizerError(
            f"the napari front end is not installed ({exc.name} is missing): "
            "pip install 'napari-heatmap-digitizer[napari]'"
        ) from None
    launch(args.figure)
    return 0


def _detect(args: argparse.Namespace) -> int:
    import json

    from napari_heatmap_digitizer.core._detect import detect

    image = load_image(args.image)
    if args.output:
        check_can_write([Path(args.output)], overwrite=args.overwrite)
    found = detect(image, ticks=args.ocr)
    text = json.dumps(found.to_dict(), indent=2, ensure_ascii=False)
    if args.output:
        atomic_write_text(Path(args.output), text + "\n")
    print(text)
    if not found.found:
        print(f"{PROG}: {found.message}", file=sys.stderr)
    return 0


def _auto_fill(recipe: Recipe, args: argparse.Namespace) -> None:
    """Fill in from detection what the flags and recipe left open."""
    from napari_heatmap_digitizer.core._detect import detect

    if recipe.image is None:
        raise DigitizerError("no image given: name the figure file")
    if streams(recipe.image, args.stream):
        raise DigitizerError(
            "--auto needs the figure in memory; give --plot and --colorbar for a "
            "figure read chunk by chunk (or pass --no-stream)"
        )
    cb = recipe.colorbar
    need_range = cb.vmin is None and cb.vmax is None and not cb.ticks
    need_bar = cb.box is None and cb.colormap is None
    found = detect(
        load_image(recipe.image), ticks=None if (need_range and need_bar) else False
    )
    if not found.found:
        raise DigitizerError(f"--auto: {found.message.replace('; draw', '; give')}")
    notes = []
    bar = None
    if need_bar and found.colorbars:
        bar = max(found.colorbars, key=lambda b: len(b.panels))
        cb.box, cb.orientation = bar.box, cb.orientation or bar.orientation
        notes.append(f"colour bar {bar.box.as_text()}")
        if bar.colormaps:
            notes[-1] += f" ({bar.colormaps[0].name})"
        if len(found.colorbars) > 1:
            notes.append(
                f"{len(found.colorbars)} colour bars found, using the one serving "
                "the most panels; give --plot/--colorbar for the others"
            )
    if not recipe.panels:
        indices = bar.panels if bar is not None else list(range(len(found.panels)))
        if not indices:
            raise DigitizerError("--auto: no plot panel found; give --plot")
        recipe.panels = [Panel(found.panels[i]) for i in indices]
        if args.cells is not None:
            for panel in recipe.panels:
                panel.cells = args.cells.strip().lower()
        notes.append("panels " + ", ".join(found.panels[i].as_text() for i in indices))
    if need_bar and bar is None:
        ranked = found.colormaps.get(0) or next(iter(found.colormaps.values()), [])
        if not ranked:
            raise DigitizerError("--auto: no colour bar found; give --colorbar")
        cb.colormap = ranked[0].name
        notes.append(
            f"no colour bar: best-fitting colour map {ranked[0].name} "
            f"(mean ΔE {ranked[0].delta_e:.1f}; next: "
            + ", ".join(m.name for m in ranked[1:3])
            + ")"
        )
        if need_range:
            raise DigitizerError(
                f"--auto: no colour bar found (best colour map {ranked[0].name}); "
                "give --vmin and --vmax"
            )
    if need_range:
        if bar is None or bar.ticks is None:
            raise DigitizerError(
                "--auto: could not read the colour bar's range from its tick "
                "labels (needs the OCR extra and Tesseract); give --vmin and --vmax"
            )
        cb.vmin, cb.vmax = bar.ticks.vmin, bar.ticks.vmax
        if args.norm is None:
            cb.norm = bar.ticks.norm
        notes.append(
            f"range {bar.ticks.vmin:g} to {bar.ticks.vmax:g} ({cb.norm}) from "
            f"tick labels {', '.join(bar.ticks.labels)}"
        )
    if not args.quiet:
        for note in notes:
            print(f"auto: {note}", file=sys.stderr)


def _colormaps(args: argparse.Namespace) -> int:
    from napari_heatmap_digitizer.core import catalogue_names

    pattern = args.pattern.lower()
    names = [n for n in catalogue_names() if pattern in n.lower()]
    if not names:
        raise DigitizerError(f"no colour map name contains {args.pattern!r}")
    print("\n".join(names))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
