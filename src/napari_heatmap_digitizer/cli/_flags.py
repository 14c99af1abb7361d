"""The recipe flags, declared once: each flag, its help and the field it sets.

:data:`FLAGS` is the only list of the flags that change a recipe.
:func:`add_recipe_flags` declares them on a parser and :func:`apply_flags`
writes the ones given into a recipe, so ``digitize`` (before and after
``--auto``), ``batch`` and the docs all read the same table.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from napari_heatmap_digitizer.cli import _setters as set_
from napari_heatmap_digitizer.cli._setters import Setter
from napari_heatmap_digitizer.core import DEFAULT_MAX_DISTANCE, DigitizerError, Recipe
from napari_heatmap_digitizer.core._confidence import Bounds
from napari_heatmap_digitizer.core._recipe import (
    BAND_VALUES,
    FILLS,
    NORMS,
    ORIENTATIONS,
)
from napari_heatmap_digitizer.core._scale import parse_ticks


@dataclass(frozen=True)
class RecipeFlag:
    """One command-line flag and the recipe fields it sets.

    Attributes
    ----------
    names : tuple of str
        The option strings, e.g. ``("--vmin",)``.
    sets : tuple of str
        Recipe fields the flag sets (dotted; ``panels[]`` means every panel).
    options : dict
        Keyword arguments of :meth:`argparse.ArgumentParser.add_argument`,
        ``help`` included. A flag not given must leave ``None`` in its
        ``dest``.
    apply : callable or None
        Writes the value into a recipe; ``None`` for a flag sharing its
        ``dest`` with an earlier one (``--continuous``).
    clears : tuple of str
        Fields reset to ``None`` when the flag is given (``--colormap``
        clears the bar's box); giving two flags where one sets what the other
        clears is an error.
    group : str or None
        Flags of one group are mutually exclusive on the command line.
    """

    names: tuple[str, ...]
    sets: tuple[str, ...]
    options: dict[str, Any]
    apply: Setter | None
    clears: tuple[str, ...] = ()
    group: str | None = None

    @property
    def dest(self) -> str:
        """The attribute of the parsed arguments holding the value."""
        return str(self.options.get("dest") or self.names[0].lstrip("-")).replace(
            "-", "_"
        )


def _flag(
    names: str | tuple[str, ...],
    sets: str | tuple[str, ...],
    apply: Setter | None,
    *,
    clears: tuple[str, ...] = (),
    group: str | None = None,
    **options: Any,
) -> RecipeFlag:
    return RecipeFlag(
        (names,) if isinstance(names, str) else names,
        (sets,) if isinstance(sets, str) else sets,
        options,
        apply,
        clears,
        group,
    )


_BOX = "L,T,R,B"
_RANGE = ("colorbar.vmin", "colorbar.vmax")

#: Every flag that sets part of a recipe, in the order they are applied.
FLAGS: tuple[RecipeFlag, ...] = (
    _flag(
        "--plot",
        "panels",
        set_.plot,
        action="append",
        metavar=_BOX,
        help="a plot panel's box in pixels; repeat for several panels",
    ),
    _flag(
        "--colorbar",
        "colorbar.box",
        set_.colorbar,
        clears=("colorbar.colormap",),
        group="bar",
        metavar=_BOX,
        help="box around the colour bar (may be loose: outline, ticks and "
        "background are trimmed)",
    ),
    _flag(
        "--colormap",
        "colorbar.colormap",
        set_.to("colorbar.colormap"),
        clears=("colorbar.box",),
        group="bar",
        metavar="NAME",
        help="use a named colour map instead of reading the bar, e.g. "
        "viridis, RdBu_r, cmocean:thermal (see 'colormaps')",
    ),
    _flag(
        "--vmin",
        "colorbar.vmin",
        set_.to("colorbar.vmin"),
        clears=("colorbar.ticks",),
        type=float,
        help="value at the low end of the colour bar",
    ),
    _flag(
        "--vmax",
        "colorbar.vmax",
        set_.to("colorbar.vmax"),
        clears=("colorbar.ticks",),
        type=float,
        help="value at the high end of the colour bar",
    ),
    _flag(
        "--norm",
        "colorbar.norm",
        set_.to("colorbar.norm"),
        choices=NORMS,
        help="how values are spread along the bar (default linear)",
    ),
    _flag(
        "--ticks",
        "colorbar.ticks",
        set_.to("colorbar.ticks", parse_ticks),
        clears=_RANGE,
        metavar="POS:VALUE,...",
        help="tick marks instead of --vmin/--vmax: POS is the tick's pixel row "
        "(vertical bar) or column (horizontal bar) in the figure, or the "
        "fraction 0-1 along the map with --colormap",
    ),
    _flag(
        "--orientation",
        "colorbar.orientation",
        set_.to("colorbar.orientation"),
        choices=ORIENTATIONS,
        help="colour bar orientation (default: from the box's shape)",
    ),
    _flag(
        "--flip",
        "colorbar.flip",
        set_.to("colorbar.flip"),
        action="store_true",
        default=None,
        help="the low end is at the top (vertical) or right (horizontal)",
    ),
    _flag(
        "--discrete",
        "colorbar.discrete",
        set_.to("colorbar.discrete"),
        group="steps",
        dest="discrete",
        action="store_const",
        const=True,
        help="the bar is stepped (e.g. contourf): one value per band",
    ),
    _flag(
        "--continuous",
        "colorbar.discrete",
        None,
        group="steps",
        dest="discrete",
        action="store_const",
        const=False,
        help="the bar is continuous (default: recognised from the colours)",
    ),
    _flag(
        "--band-value",
        "colorbar.band_value",
        set_.to("colorbar.band_value"),
        choices=BAND_VALUES,
        help="value of a band of a stepped bar (default centre)",
    ),
    _flag(
        "--extent",
        "panels[].extent",
        set_.extent,
        action="append",
        metavar="XMIN,XMAX,YMIN,YMAX",
        help="data values at the panel's left, right, bottom and top edges; "
        "once for all panels or once per --plot",
    ),
    _flag(
        "--xscale",
        "panels[].extent.xscale",
        set_.scale("x"),
        choices=NORMS,
        help="x axis spacing for --extent (default linear)",
    ),
    _flag(
        "--yscale",
        "panels[].extent.yscale",
        set_.scale("y"),
        choices=NORMS,
        help="y axis spacing for --extent (default linear)",
    ),
    _flag(
        "--max-distance",
        "max_distance",
        set_.to("max_distance", set_.max_distance),
        type=float,
        metavar="DE",
        help="colour tolerance: pixels farther than this CIELAB ΔE from "
        f"every colour-bar colour become NaN (default {DEFAULT_MAX_DISTANCE:g})",
    ),
    _flag(
        "--nodata",
        "nodata",
        set_.to("nodata", set_.nodata),
        metavar="auto|none|COLOUR,...",
        help="what inside a panel is not data (NaN, never filled): 'auto' "
        "(default) finds the page around the data, flat areas such as land and "
        "lines drawn over the data; 'none' keeps every pixel matching the bar; "
        "colours (#rrggbb, #rgb, white, black, grey; with 'auto,' in front to "
        "add them) are no data wherever they appear",
    ),
    _flag(
        "--min-matched",
        "bounds.min_matched",
        set_.bound("min_matched", "--min-matched"),
        type=float,
        metavar="SHARE",
        help="a panel is doubtful (exit status 3) when less than this share of "
        f"its data pixels match the colour bar (default {Bounds().min_matched:g})",
    ),
    _flag(
        "--max-delta-e",
        "bounds.max_median_delta",
        set_.bound("max_median_delta", "--max-delta-e"),
        type=float,
        metavar="DE",
        help="a panel is doubtful when its data pixels' median ΔE to the colour "
        f"bar is above this (default {Bounds().max_median_delta:g})",
    ),
    _flag(
        "--max-edge-page",
        "bounds.max_edge_page",
        set_.bound("max_edge_page", "--max-edge-page"),
        type=float,
        metavar="SHARE",
        help="a panel is doubtful when whole lines of page deeper than this share "
        "of its size lie along one side (the box reaches past the plot; default "
        f"{Bounds().max_edge_page:g})",
    ),
    _flag(
        "--cells",
        ("values.per", "values.cells"),
        set_.cells,
        clears=("panels[].grid",),
        metavar="auto|COLSxROWS",
        help="one value per cell of a matrix heat map: detect the grid ('auto') "
        "or give it (e.g. 12x8); writes a (rows, cols) matrix",
    ),
    _flag(
        "--numbers",
        "values.numbers",
        set_.to("values.numbers"),
        choices=("auto", "off"),
        help="with --cells: read the numbers printed in the cells ('auto', the "
        "default, when Tesseract is installed) and take each one that agrees "
        "with its cell's colour, and the rows' and columns' names printed "
        "beside them (the CSV's headers); 'off': colours only",
    ),
    _flag(
        "--long",
        "output.long",
        set_.to("output.long"),
        action="store_true",
        default=None,
        help="with --cells and a .csv output: one line per cell "
        "(row,col,x,y[,row_label,col_label],value,matched,spread, and with "
        "printed numbers read source,printed,colour,uncertainty) instead of a "
        "matrix",
    ),
    _flag(
        "--regions",
        "values.per",
        set_.per("region"),
        action="store_true",
        default=None,
        help="one sample per region of one colour (contour bands, hexbin "
        "hexagons, classes): writes a .csv table region,x,y,px,py,value,area",
    ),
    _flag(
        "--hexagons",
        "values.per",
        set_.per("hexagon"),
        action="store_true",
        default=None,
        help="like --regions, for hexbin plots: one row per hexagon of the "
        "fitted hexagon lattice, also where touching hexagons share a colour",
    ),
    _flag(
        "--min-area",
        "values.min_area",
        set_.to("values.min_area", set_.min_area),
        type=int,
        metavar="PX",
        help="with --regions: smallest region kept, in pixels (default 9)",
    ),
    _flag(
        "--fill",
        "values.fill",
        set_.to("values.fill"),
        choices=FILLS,
        help="fill pixels left NaN under text or lines from their neighbours "
        "(the filled pixels are listed in the TIFF metadata count)",
    ),
    _flag(
        "--stream",
        "output.stream",
        set_.to("output.stream"),
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read the figure chunk by chunk and write the output band by band, "
        "so figures larger than memory work (TIFF and Zarr; default: on for Zarr "
        "and for TIFF figures over 268 Mpx)",
    ),
)


def add_recipe_flags(
    parser: argparse.ArgumentParser, only: Collection[str] | None = None
) -> None:
    """Declare the recipe flags (:data:`FLAGS`) on a parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    only : collection of str, optional
        Declare only these flags (their first name, e.g. ``"--stream"``).
    """
    groups: dict[str, Any] = {}
    for flag in FLAGS:
        if only is not None and flag.names[0] not in only:
            continue
        target: Any = parser
        if flag.group is not None:
            if flag.group not in groups:
                groups[flag.group] = parser.add_mutually_exclusive_group()
            target = groups[flag.group]
        target.add_argument(*flag.names, **flag.options)


def given_flags(args: argparse.Namespace) -> list[RecipeFlag]:
    """The recipe flags given on the command line, in the order of :data:`FLAGS`.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    list of RecipeFlag
        One per ``dest`` (``--discrete`` stands for ``--continuous`` too).
    """
    return [
        f
        for f in FLAGS
        if f.apply is not None and getattr(args, f.dest, None) is not None
    ]


def apply_flags(recipe: Recipe, args: argparse.Namespace) -> None:
    """Write the recipe flags given in ``args`` into ``recipe`` (flags win).

    Idempotent: applying the same flags twice gives the same recipe, so
    ``digitize --auto`` applies them again after detection to reach the
    panels it found. Flags about panels (``--extent``) wait while there are
    none.

    Parameters
    ----------
    recipe : Recipe
        Modified in place.
    args : argparse.Namespace
        Parsed arguments; flags not declared on the parser are skipped.

    Raises
    ------
    DigitizerError
        If a value is invalid or two flags given contradict each other.
    """
    given = given_flags(args)
    _check_conflicts(given)
    for flag in given:
        assert flag.apply is not None
        flag.apply(recipe, getattr(args, flag.dest), args)
        for path in flag.clears:
            if path.startswith("panels[]."):
                for panel in recipe.panels:
                    setattr(panel, path.removeprefix("panels[]."), None)
            else:
                set_.set_field(recipe, path, None)


def _check_conflicts(given: Sequence[RecipeFlag]) -> None:
    for i, a in enumerate(given):
        for b in given[i + 1 :]:
            if set(a.sets) & (set(b.sets) | set(b.clears)) or set(a.clears) & set(
                b.sets
            ):
                raise DigitizerError(f"give {a.names[0]} or {b.names[0]}, not both")
