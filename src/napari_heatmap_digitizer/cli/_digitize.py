"""``heatmap-digitizer digitize``: one figure through its colour bar to files."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from napari_heatmap_digitizer.cli._flags import add_recipe_flags, apply_flags
from napari_heatmap_digitizer.cli._kernels import FIRST_RUN, prepare
from napari_heatmap_digitizer.cli._progress import Progress
from napari_heatmap_digitizer.core import (
    DigitizerError,
    Recipe,
    complete_recipe,
    detect,
    load_image,
    run_to_files,
)
from napari_heatmap_digitizer.core._atomic import check_distinct, staged
from napari_heatmap_digitizer.core._outputs import SOFTWARE, Written, check_outputs
from napari_heatmap_digitizer.core._read import streams
from napari_heatmap_digitizer.core._stale import clean_stale
from napari_heatmap_digitizer.core._write import (
    atomic_write_text,
    check_can_write,
    output_format,
    panel_paths,
)

if TYPE_CHECKING:
    from napari_heatmap_digitizer.cli._common import SubParsers

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


def add_parser(sub: SubParsers) -> None:
    """Declare ``digitize`` and its flags.

    Parameters
    ----------
    sub : argparse subparsers action
    """
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
    add_recipe_flags(d)
    d.add_argument(
        "--auto",
        action="store_true",
        help="detect whatever is not given: panels, colour bar (or the best "
        "colour map when there is none), and the range from the tick labels "
        "when the OCR extra is installed; flags given always win",
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
        "--overwrite",
        action="store_true",
        help="replace output files that exist (a .zarr only when this tool wrote "
        "it; the old files go only once the new ones are complete)",
    )
    d.add_argument(
        "--report",
        metavar="FILE",
        help="also write each panel's confidence report as JSON (what matched, "
        "ΔE, no data, how the range was had, doubts)",
    )
    d.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing on success"
    )
    d.set_defaults(run=digitize)


def recipe_from_args(args: argparse.Namespace) -> Recipe:
    """The recipe to run: ``--recipe`` (if any), the flags, then ``--auto``.

    The outputs are checked as far as they can be before detection (which
    takes seconds): the ending, the folder, and the file when the number of
    panels is known or taken as one.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``digitize`` arguments.

    Returns
    -------
    Recipe
        Complete: it has panels, a colour bar and an image.

    Raises
    ------
    DigitizerError
        If something is missing or contradictory, an output cannot be
        written, or detection fails.
    """
    recipe = Recipe.load(args.recipe) if args.recipe else Recipe()
    if args.image:
        recipe.image = args.image
    apply_flags(recipe, args)
    if args.auto:
        _check_outputs(recipe, args, panels=len(recipe.panels) or 1)
        recipe = _auto(recipe, args)
    for problem in recipe.missing():
        raise DigitizerError(problem)
    if recipe.image is None:
        raise DigitizerError("no image given: name the figure file")
    recipe.output.format = output_format(args.output)
    return recipe


def digitize(args: argparse.Namespace) -> int:
    """Run ``digitize``: check every output path, digitize, write, report.

    The values of every panel and the saved recipe appear together at the
    end, or none of them (on an error, Ctrl-C or SIGTERM).

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        Exit status 0, or 3 when a panel's result is doubtful (its outputs
        are written all the same; each doubt is printed).

    Raises
    ------
    DigitizerError
        For bad input; nothing has been written then.
    """
    started = time.time()
    recipe = recipe_from_args(args)
    outputs = _check_outputs(recipe, args, panels=len(recipe.panels))
    extra = [Path(p) for p in (args.save_recipe, args.report) if p]
    for folder in {p.parent for p in [*outputs, *extra]}:
        clean_stale(folder, before=started)  # left by runs that were killed
    with Progress(enabled=not args.quiet, what="digitizing") as bar, staged():
        say = f"compiling the kernels ({FIRST_RUN})…"  # while the bar waits
        kernels = prepare((lambda: bar.log(say)) if bar.live else None)
        start = time.perf_counter()
        written = run_to_files(
            recipe,
            None,
            outputs,
            software=SOFTWARE,
            overwrite=args.overwrite,
            progress=bar.fraction,
        )
        if args.save_recipe:
            _saved(recipe, Path(args.save_recipe)).save(
                args.save_recipe, overwrite=args.overwrite
            )
        if args.report:
            write_report(args.report, recipe, written, overwrite=args.overwrite)
    elapsed = time.perf_counter() - start
    if not args.quiet:
        for described in dict.fromkeys(w.colorbar for w in written):  # each bar
            print(described)
        for w in written:
            print(f"{w.line} -> {w.path}")
            if w.confidence is not None:
                print(f"  {w.confidence.line()}")
                for note in w.confidence.notes:
                    print(f"  note: {note}")
    for w in written:
        for warning in w.warnings:
            where = "" if w.confidence is None else f"panel {w.confidence.box}: "
            print(f"doubtful: {where}{warning}", file=sys.stderr)
    if not args.quiet:
        compiled = ""
        if kernels.compiled:  # a terminal was told that it is the first run
            compiled = f" (and {kernels.seconds:.1f} s compiling the kernels"
            compiled += ")" if bar.live else f", {FIRST_RUN})"
        print(f"done in {elapsed:.2f} s{compiled}")
    if any(w.doubtful for w in written):
        print(
            "the result is doubtful (exit status 3): see the lines above; relax "
            "the bounds (--min-matched, --max-delta-e, --max-edge-page) only when "
            "you have checked the values",
            file=sys.stderr,
        )
        return 3
    return 0


def _check_outputs(recipe: Recipe, args: argparse.Namespace, panels: int) -> list[Path]:
    """Refuse outputs that cannot be written for ``panels`` panels; their paths.

    Checks the ending against what the recipe makes, that no output is an
    input or another output, and that each can be written (it does not
    exist unless ``--overwrite``, its folder exists and is writable).
    """
    check_outputs(recipe, output_format(args.output))
    outputs = panel_paths(args.output, panels)
    saved = [Path(args.save_recipe)] if args.save_recipe else []
    report = [Path(args.report)] if args.report else []
    inputs = [Path(p) for p in (recipe.image, args.recipe) if p is not None]
    check_distinct(
        {
            "input": inputs,
            **{f"values of panel {i}": [p] for i, p in enumerate(outputs)},
            "saved recipe (--save-recipe)": saved,
            "confidence report (--report)": report,
        }
    )
    check_can_write([*outputs, *saved, *report], overwrite=args.overwrite)
    return outputs


def _auto(recipe: Recipe, args: argparse.Namespace) -> Recipe:
    """Complete ``recipe`` from detection; the flags are applied again after."""
    if recipe.image is None:
        raise DigitizerError("no image given: name the figure file")
    if streams(recipe.image, recipe.output.stream):
        raise DigitizerError(
            "--auto needs the figure in memory; give --plot and --colorbar for a "
            "figure read chunk by chunk (or pass --no-stream)"
        )
    cb = recipe.colorbar
    read_ticks = not cb.has_range and cb.colormap is None  # a named map has none
    found = detect(load_image(recipe.image), ticks=None if read_ticks else False)
    done = complete_recipe(recipe, found)
    if done.problems:
        raise DigitizerError(f"--auto: {done.problems[0].replace('; draw', '; give')}")
    apply_flags(done.recipe, args)  # flags reach the panels detection found
    if not args.quiet:
        for note in done.notes:
            print(f"auto: {note}", file=sys.stderr)
    return done.recipe


def write_report(
    path: str | Path, recipe: Recipe, written: list[Written], *, overwrite: bool
) -> None:
    """Write the panels' confidence reports as JSON, atomically.

    Parameters
    ----------
    path : str or pathlib.Path
    recipe : Recipe
        The recipe run (its image is named in the report).
    written : list of Written
        What each panel gave.
    overwrite : bool
        Replace a report that exists.
    """
    panels = []
    for w in written:
        entry = {"output": str(w.path)}
        if w.confidence is not None:
            entry.update(w.confidence.to_dict())
        panels.append(entry)
    report = {
        "software": SOFTWARE,
        "image": None if recipe.image is None else str(recipe.image),
        "doubtful": any(w.doubtful for w in written),
        "bounds": recipe.bounds.to_dict(),
        "panels": panels,
    }
    atomic_write_text(Path(path), json.dumps(report, indent=2), overwrite=overwrite)


def _saved(recipe: Recipe, path: Path) -> Recipe:
    """The recipe as saved beside ``path``: its image relative to that folder."""
    saved = recipe.copy()
    if saved.image is not None:
        image = Path(saved.image).resolve()
        try:
            saved.image = os.path.relpath(image, path.resolve().parent)
        except ValueError:  # another drive (Windows)
            saved.image = str(image)
    return saved
