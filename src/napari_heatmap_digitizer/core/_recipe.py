"""The recipe: every choice a user can make, in one object.

The napari widget edits a recipe, the CLI builds one from flags or reads it
from JSON, batch jobs apply one to many figures and detection completes one.
:func:`~napari_heatmap_digitizer.core.run_recipe` turns a recipe and a figure
into numbers, so the same recipe gives the same numbers everywhere.

A recipe is plain data: it knows how to check, save and load itself, and
nothing about how it is run.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Colorbar, Orientation
from napari_heatmap_digitizer.core._confidence import Bounds
from napari_heatmap_digitizer.core._digitize import DEFAULT_MAX_DISTANCE
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._fields import Fields, is_number
from napari_heatmap_digitizer.core._grid import Grid, parse_cells
from napari_heatmap_digitizer.core._matrix import NUMBERS
from napari_heatmap_digitizer.core._nodata import normal_nodata
from napari_heatmap_digitizer.core._write import atomic_write_text, check_can_write

FORMAT = "napari-heatmap-digitizer recipe"

#: Recipes larger than this are refused unread (they hold boxes and numbers).
MAX_RECIPE_BYTES = 16 * 2**20

#: Version written; versions 1 and 2 are read.
VERSION = 2

#: What values are given per: one per pixel, cell, region of one colour, or
#: hexagon of a hexbin plot.
PER = ("pixel", "cell", "region", "hexagon")

#: How gaps (pixels under text and lines) may be filled.
FILLS = ("nearest", "inpaint")

#: Output formats, by file ending.
FORMATS = ("csv", "npy", "tif", "zarr")

NORMS = ("linear", "log")
ORIENTATIONS = ("vertical", "horizontal")
BAND_VALUES = ("centre", "lower", "upper")


@dataclass
class ColorbarSpec:
    """How to obtain the colour bar: a box in the figure or a colour-map name.

    See :meth:`Colorbar.from_image` and :meth:`Colorbar.from_name` for the
    meaning of each field. ``ticks`` positions are figure pixels for a box and
    fractions 0-1 for a colour-map name. ``None`` means "not given": detection
    may fill it in, and otherwise the default applies (``norm`` linear,
    ``orientation`` from the box's shape, ``discrete`` from the colours).
    """

    box: Box | None = None
    colormap: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    norm: str | None = None
    ticks: list[tuple[float, float]] | None = None
    orientation: Orientation | None = None
    flip: bool = False
    discrete: bool | None = None
    band_value: str = "centre"
    #: How the range was had when the user did not give it (detection
    #: fills it in: "tick labels 0, 0.5, 1"); reported with the results.
    range_from: str | None = None

    @property
    def has_source(self) -> bool:
        """Whether a box or a colour-map name says where the colours come from."""
        return self.box is not None or self.colormap is not None

    @property
    def has_range(self) -> bool:
        """Whether values are given (both ends, or tick marks)."""
        return bool(self.ticks) or (self.vmin is not None and self.vmax is not None)

    def build(self, image: Any) -> Colorbar:
        """Make the :class:`Colorbar` for ``image``.

        Parameters
        ----------
        image : numpy.ndarray or dask.array.Array
            The figure (only the colour bar's box is read).

        Returns
        -------
        Colorbar

        Raises
        ------
        DigitizerError
            If neither or both of a box and a colour-map name are given, or
            the colour bar cannot be read.
        """
        if (self.box is None) == (self.colormap is None):
            raise DigitizerError(
                "give either a colour bar box (--colorbar L,T,R,B) or a colour map "
                "name (--colormap NAME)"
            )
        common: dict[str, Any] = {
            "norm": self.norm or "linear",
            "ticks": self.ticks,
            "discrete": self.discrete,
            "band_value": self.band_value,
        }
        if self.colormap is not None:
            return Colorbar.from_name(self.colormap, self.vmin, self.vmax, **common)
        assert self.box is not None
        return Colorbar.from_image(
            image,
            self.box,
            self.vmin,
            self.vmax,
            orientation=self.orientation,
            flip=self.flip,
            **common,
        )


@dataclass
class Panel:
    """One plot panel: its box and, optionally, its axes' extent and cell edges.

    ``grid`` holds explicit cell edges (panel pixels, e.g. corrected by hand
    in napari); it wins over :attr:`Values.cells` for this panel.
    ``colorbar`` is the panel's own colour bar, for figures with one bar per
    panel; None reads the panel through the recipe's colour bar.
    """

    box: Box
    extent: Extent | None = None
    grid: Grid | None = None
    colorbar: ColorbarSpec | None = None

    def bar(self, recipe: Recipe) -> ColorbarSpec:
        """The colour bar this panel is read through."""
        return self.colorbar if self.colorbar is not None else recipe.colorbar


@dataclass
class Values:
    """What the numbers are given per, and how gaps are treated.

    Attributes
    ----------
    per : {"pixel", "cell", "region", "hexagon"}
        A value per pixel; one per cell of a matrix heat map; one per region
        of one colour (contour bands, classes); one per hexagon of a hexbin
        plot.
    cells : str
        With ``per="cell"``: ``"auto"`` (find the grid) or ``"COLSxROWS"``.
    min_area : int
        With ``per="region"``: smallest region kept, in pixels.
    fill : {"nearest", "inpaint"} or None
        Fill pixels left unmatched under text or lines from their neighbours.
    numbers : {"auto", "off"}
        With ``per="cell"``: read the numbers printed in the cells (when
        Tesseract is installed) and take each that agrees with its colour.
    """

    per: str = "pixel"
    cells: str = "auto"
    min_area: int = 9
    fill: str | None = None
    numbers: str = "auto"

    @property
    def needs_memory(self) -> bool:
        """Whether the panels must be computed whole (cells, regions, filling)."""
        return self.per != "pixel" or self.fill is not None


@dataclass
class Output:
    """How results are read and written.

    Attributes
    ----------
    format : {"csv", "npy", "tif", "zarr"} or None
        Default output format (``batch`` without ``--format``; CSV if none).
    long : bool
        Per cell, one CSV line per cell instead of a matrix.
    stream : bool or None
        Read the figure chunk by chunk (TIFF and Zarr); ``None``: only when it
        is too large to load.
    """

    format: str | None = None
    long: bool = False
    stream: bool | None = None


@dataclass
class Recipe:
    """Everything needed to digitize a figure.

    Attributes
    ----------
    panels : list of Panel
        The plot panels, in order; results come back in this order.
    colorbar : ColorbarSpec
        Where the colour bar is and what its values are.
    max_distance : float
        ΔE tolerance beyond which pixels get NaN.
    nodata : str
        What inside a panel is not data (NaN, never filled): ``"auto"`` (the
        page around the data, flat areas such as land, lines drawn over the
        data), ``"none"`` (every pixel matching the colour bar is data), or
        colours that are no data wherever they appear, e.g.
        ``"#ffffff,#808080"``, alone or after ``auto`` (``"auto,#808080"``).
    bounds : Bounds
        When a panel's result is doubtful (see :class:`Bounds`).
    values : Values
        What values are given per, and gap filling.
    output : Output
        How the figure is read and results written.
    image : str or None
        The figure's file, when known.
    notes : dict
        Free-form notes carried along (not used for digitizing).
    """

    panels: list[Panel] = field(default_factory=list)
    colorbar: ColorbarSpec = field(default_factory=ColorbarSpec)
    max_distance: float = DEFAULT_MAX_DISTANCE
    nodata: str = "auto"
    bounds: Bounds = field(default_factory=Bounds)
    values: Values = field(default_factory=Values)
    output: Output = field(default_factory=Output)
    image: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Recipe:
        """A deep copy (front ends edit copies, never a recipe in use)."""
        return copy.deepcopy(self)

    # -- checks -------------------------------------------------------------
    def missing(self) -> list[str]:
        """What must still be given before the recipe can run (empty: nothing).

        Returns
        -------
        list of str
            One message per missing choice, saying what to give.
        """
        out = []
        if not self.panels:
            out.append("no plot panel given: add --plot LEFT,TOP,RIGHT,BOTTOM")
        if not all(p.bar(self).has_source for p in self.panels) or (
            not self.panels and not self.colorbar.has_source
        ):
            out.append(
                "no colour bar given: add --colorbar LEFT,TOP,RIGHT,BOTTOM or "
                "--colormap NAME"
            )
        return out

    def check(self, shape: tuple[int, ...]) -> None:
        """Raise if the recipe cannot run on a figure of ``shape``.

        Parameters
        ----------
        shape : tuple of int
            ``(rows, cols, ...)`` of the figure.

        Raises
        ------
        DigitizerError
            If something is missing, a box lies outside the figure or the
            colour bar's box overlaps a panel.
        """
        for problem in self.missing():
            raise DigitizerError(problem)
        for i, panel in enumerate(self.panels):
            panel.box.check_inside(shape, what=f"plot box {i}")
        bars = [self.colorbar.box] + [
            p.colorbar.box for p in self.panels if p.colorbar is not None
        ]
        for bar in dict.fromkeys(b for b in bars if b is not None):
            bar.check_inside(shape, what="colour bar box")
            for i, panel in enumerate(self.panels):
                if bar.overlaps(panel.box):
                    raise DigitizerError(
                        f"the colour bar box {bar.as_text()} overlaps plot box {i} "
                        f"{panel.box.as_text()}: draw them around separate areas"
                    )

    # -- JSON ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (boxes as ``[L, T, R, B]`` lists)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "image": self.image,
            "panels": [
                {
                    "box": list(p.box),
                    "extent": None if p.extent is None else p.extent.as_list(),
                    "xscale": "linear" if p.extent is None else p.extent.xscale,
                    "yscale": "linear" if p.extent is None else p.extent.yscale,
                    "grid": None if p.grid is None else p.grid.to_dict(),
                    # only when the panel has a bar of its own
                    **(
                        {"colorbar": _colorbar_dict(p.colorbar)}
                        if p.colorbar is not None
                        else {}
                    ),
                }
                for p in self.panels
            ],
            "colorbar": _colorbar_dict(self.colorbar),
            "max_distance": self.max_distance,
            "nodata": self.nodata,
            "bounds": self.bounds.to_dict(),
            "values": {
                "per": self.values.per,
                "cells": self.values.cells,
                "min_area": self.values.min_area,
                "fill": self.values.fill,
                "numbers": self.values.numbers,
            },
            "output": {
                "format": self.output.format,
                "long": self.output.long,
                "stream": self.output.stream,
            },
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Recipe:
        """Rebuild a recipe from :meth:`to_dict` output (version 1 or 2).

        Every field is checked: a wrong type, an unknown choice or an unknown
        key is an error naming the field, never a guess.

        Parameters
        ----------
        data : dict

        Returns
        -------
        Recipe

        Raises
        ------
        DigitizerError
            If the dictionary is not a valid recipe.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise DigitizerError(
                "this JSON is not a heatmap-digitizer recipe (save one from the "
                "napari widget or with 'heatmap-digitizer digitize --save-recipe')"
            )
        top = Fields(data, "")
        version = top.integer("version", 1)
        if version > VERSION or version < 1:
            raise DigitizerError(
                f"recipe version {version} is not one this program understands "
                f"(1 to {VERSION}); upgrade napari-heatmap-digitizer"
            )
        keys = {"format", "version", "image", "panels", "colorbar", "max_distance"}
        keys |= {"notes", "nodata", "bounds"}
        keys |= {"values", "output"} if version >= 2 else set()
        top.only(keys)
        values = _values(top.section("values"))
        panels = []
        for i, item in enumerate(top.items("panels")):
            p = Fields(item, f"panels[{i}]")
            p.only(_PANEL_KEYS | _V1_PANEL)
            panels.append(_panel(p))
            if version == 1 and p.data.get("cells") is not None:
                values.per, values.cells = "cell", _cells_text(p, "cells")
        max_distance = top.number("max_distance", DEFAULT_MAX_DISTANCE)
        if not max_distance > 0:
            top.fail("max_distance", "a positive ΔE", max_distance)
        notes = top.data.get("notes") or {}
        if not isinstance(notes, dict):
            top.fail("notes", "an object", notes)
        return cls(
            panels=panels,
            colorbar=_colorbar(top.section("colorbar", required=True)),
            max_distance=max_distance,
            nodata=_nodata_text(top, "nodata"),
            bounds=Bounds.from_dict(top.data.get("bounds")),
            values=values,
            output=_output(top.section("output")),
            image=top.text("image"),
            notes=dict(notes),
        )

    def to_json(self) -> str:
        """The recipe as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the recipe as JSON, atomically.

        Parameters
        ----------
        path : str or path-like
        overwrite : bool
            Replace an existing file.

        Returns
        -------
        pathlib.Path
        """
        path = Path(path)
        check_can_write([path], overwrite=overwrite)
        atomic_write_text(path, self.to_json() + "\n", overwrite=overwrite)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Recipe:
        """Read a recipe JSON file.

        A relative ``image`` is taken relative to the recipe's folder.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        Recipe

        Raises
        ------
        DigitizerError
            If the file is missing or not a valid recipe.
        """
        path = Path(path)
        if not path.exists():
            raise DigitizerError(f"recipe file {str(path)!r} does not exist")
        if not path.is_file():  # a folder, FIFO or device would hang or never end
            raise DigitizerError(f"recipe {str(path)!r} is not a regular file")
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_RECIPE_BYTES + 1)
            if len(raw) > MAX_RECIPE_BYTES:
                raise DigitizerError(
                    f"recipe {str(path)!r} is larger than "
                    f"{MAX_RECIPE_BYTES // 2**20} MiB: not a recipe"
                )
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DigitizerError(f"cannot read recipe {str(path)!r}: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DigitizerError(
                f"recipe {str(path)!r} is not valid JSON (line {exc.lineno}: {exc.msg})"
            ) from None
        except RecursionError:
            raise DigitizerError(
                f"recipe {str(path)!r} is nested too deeply to be a recipe"
            ) from None
        try:
            recipe = cls.from_dict(data)
        except DigitizerError as exc:
            raise DigitizerError(f"{str(path)!r}: {exc}") from None
        if recipe.image and not Path(recipe.image).is_absolute():
            recipe.image = str(path.parent / recipe.image)
        return recipe


# -- reading JSON, field by field ---------------------------------------------
_V1_PANEL = {"cells"}
_PANEL_KEYS = {"box", "extent", "xscale", "yscale", "grid", "colorbar"}


def _panel(p: Fields) -> Panel:
    box = p.numbers("box", 4)
    if box is None:
        raise DigitizerError(f"recipe field '{p.name('box')}' is missing")
    extent = p.numbers("extent", 4)
    xscale = p.choice("xscale", NORMS, "linear")
    yscale = p.choice("yscale", NORMS, "linear")
    grid = p.section("grid")
    bar = p.section("colorbar")
    own = _colorbar(bar) if bar.data else None
    try:
        return Panel(
            Box.parse(box, what=f"recipe field '{p.name('box')}'"),
            None
            if extent is None
            else Extent.parse(extent, xscale=xscale, yscale=yscale),
            Grid.from_dict(grid.data) if grid.data else None,
            own,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DigitizerError):
            raise
        raise DigitizerError(
            f"recipe field '{p.name('grid')}' is malformed ({exc})"
        ) from None


def _colorbar_dict(cb: ColorbarSpec) -> dict[str, Any]:
    return {
        "box": None if cb.box is None else list(cb.box),
        "colormap": cb.colormap,
        "vmin": cb.vmin,
        "vmax": cb.vmax,
        "norm": cb.norm,
        "ticks": None if cb.ticks is None else [list(t) for t in cb.ticks],
        "orientation": cb.orientation,
        "flip": cb.flip,
        "discrete": cb.discrete,
        "band_value": cb.band_value,
        "range_from": cb.range_from,
    }


def _colorbar(c: Fields) -> ColorbarSpec:
    c.only(
        {"box", "colormap", "vmin", "vmax", "norm", "ticks", "orientation", "flip"}
        | {"discrete", "band_value", "range_from"}
    )
    box = c.numbers("box", 4)
    ticks = c.data.get("ticks")
    if ticks is not None and not (
        isinstance(ticks, list)
        and all(
            isinstance(t, list) and len(t) == 2 and all(map(is_number, t))
            for t in ticks
        )
    ):
        c.fail("ticks", "a list of [position, value] pairs", ticks)
    return ColorbarSpec(
        box=None if box is None else Box.parse(box, what="recipe's colour bar box"),
        colormap=c.text("colormap"),
        vmin=c.number("vmin"),
        vmax=c.number("vmax"),
        norm=c.choice("norm", NORMS),
        ticks=None if ticks is None else [(float(a), float(b)) for a, b in ticks],
        orientation=c.choice("orientation", ORIENTATIONS),
        flip=c.boolean("flip", False),
        discrete=c.boolean("discrete"),
        band_value=c.choice("band_value", BAND_VALUES, "centre"),
        range_from=c.text("range_from"),
    )


def _values(v: Fields) -> Values:
    v.only({"per", "cells", "min_area", "fill", "numbers"})
    min_area = v.integer("min_area", 9)
    if min_area < 1:
        v.fail("min_area", "at least 1", min_area)
    return Values(
        per=v.choice("per", PER, "pixel"),
        cells=_cells_text(v, "cells"),
        min_area=min_area,
        fill=v.choice("fill", FILLS),
        numbers=v.choice("numbers", NUMBERS, "auto"),
    )


def _nodata_text(f: Fields, key: str) -> str:
    return normal_nodata(f.text(key, "auto"), f"recipe field '{f.name(key)}'")


def _cells_text(f: Fields, key: str) -> str:
    text = f.text(key, "auto")
    try:
        parse_cells(text)
    except DigitizerError as exc:
        raise DigitizerError(f"recipe field '{f.name(key)}': {exc}") from None
    return str(text).strip().lower()


def _output(o: Fields) -> Output:
    o.only({"format", "long", "stream"})
    return Output(
        format=o.choice("format", FORMATS),
        long=o.boolean("long", False),
        stream=o.boolean("stream"),
    )
