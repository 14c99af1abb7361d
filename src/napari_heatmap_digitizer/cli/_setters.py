"""What the recipe flags do to a recipe: one setter per flag, and value checks.

Each setter is ``setter(recipe, value, args)``; :data:`._flags.FLAGS` names
which flag uses which.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from napari_heatmap_digitizer.core import Box, DigitizerError, Extent, Panel, Recipe
from napari_heatmap_digitizer.core._cells import parse_cells
from napari_heatmap_digitizer.core._nodata import normal_nodata

#: Writes a flag's value into a recipe: ``setter(recipe, value, args)``.
Setter = Callable[[Recipe, Any, argparse.Namespace], None]


def to(path: str, convert: Callable[[Any], Any] | None = None) -> Setter:
    """A setter writing the value (converted, if asked) to one field.

    Parameters
    ----------
    path : str
        Dotted field of the recipe, e.g. ``"colorbar.vmin"``.
    convert : callable, optional
        Checks or converts the value first (may raise ``DigitizerError``).

    Returns
    -------
    Setter
    """
    """A setter writing the (converted) value to the dotted field ``path``."""

    def setter(recipe: Recipe, value: Any, args: argparse.Namespace) -> None:
        set_field(recipe, path, value if convert is None else convert(value))

    return setter


def set_field(recipe: Recipe, path: str, value: Any) -> None:
    """Set the dotted field ``path`` of ``recipe`` to ``value``.

    Parameters
    ----------
    recipe : Recipe
    path : str
        E.g. ``"values.fill"``.
    value : object
    """
    *parents, name = path.split(".")
    target: Any = recipe
    for part in parents:
        target = getattr(target, part)
    setattr(target, name, value)


def plot(recipe: Recipe, value: list[str], args: argparse.Namespace) -> None:
    """``--plot``: the panels, one per box given (no extent or grid yet)."""
    recipe.panels = [Panel(Box.parse(p, what="--plot")) for p in value]


def colorbar(recipe: Recipe, value: str, args: argparse.Namespace) -> None:
    """``--colorbar``: the colour bar's box."""
    recipe.colorbar.box = Box.parse(value, what="--colorbar")


def extent(recipe: Recipe, value: list[str], args: argparse.Namespace) -> None:
    """``--extent``: every panel's extent (one for all, or one per panel).

    Waits while there are no panels (``--auto`` applies the flags again).

    Raises
    ------
    DigitizerError
        If the count fits neither one nor every panel, or an extent is bad.
    """
    panels = recipe.panels
    if not panels:  # --auto finds them; the flags are applied again then
        return
    if len(value) not in (1, len(panels)):
        raise DigitizerError(
            f"give --extent once for all panels or once per --plot "
            f"({len(panels)}), not {len(value)} times"
        )
    scales = {"xscale": args.xscale or "linear", "yscale": args.yscale or "linear"}
    extents = [Extent.parse(e, **scales) for e in value]
    for panel, extent in zip(panels, extents * len(panels), strict=False):
        panel.extent = extent


def scale(axis: str) -> Setter:
    """The setter of ``--xscale`` or ``--yscale`` (``axis`` ``"x"`` or ``"y"``)."""

    def setter(recipe: Recipe, value: str, args: argparse.Namespace) -> None:
        panels = recipe.panels
        if panels and all(p.extent is None for p in panels):
            raise DigitizerError(
                f"--{axis}scale goes with --extent (the data values at the "
                "panel's edges)"
            )
        for panel in panels:
            if panel.extent is None:
                continue
            if axis == "x":
                panel.extent = replace(panel.extent, xscale=value)
            else:
                panel.extent = replace(panel.extent, yscale=value)

    return setter


def max_distance(value: float) -> float:
    """Check ``--max-distance`` (a positive ΔE)."""
    if not value > 0:
        raise DigitizerError(f"--max-distance must be a positive ΔE, not {value:g}")
    return value


def min_area(value: int) -> int:
    """Check ``--min-area`` (at least one pixel)."""
    if value < 1:
        raise DigitizerError(f"--min-area must be at least 1 pixel, not {value}")
    return value


def nodata(value: str) -> str:
    """Check ``--nodata`` (``auto``, ``none`` or colours) and write it one way."""
    return normal_nodata(value, "--nodata")


def cells(recipe: Recipe, value: str, args: argparse.Namespace) -> None:
    """``--cells``: values per cell, the grid found (``auto``) or given."""
    parse_cells(value)
    recipe.values.per, recipe.values.cells = "cell", value.strip().lower()


def per(kind: str) -> Setter:
    """The setter of ``--regions`` or ``--hexagons``: values per ``kind``."""

    def setter(recipe: Recipe, value: bool, args: argparse.Namespace) -> None:
        recipe.values.per = kind

    return setter


def bound(name: str, flag: str) -> Setter:
    """A setter for one of the recipe's bounds of doubt (``flag`` names it)."""

    def setter(recipe: Recipe, value: Any, args: argparse.Namespace) -> None:
        try:
            recipe.bounds = replace(recipe.bounds, **{name: value})
        except DigitizerError as exc:
            raise DigitizerError(f"{flag}: {exc}") from None

    return setter
