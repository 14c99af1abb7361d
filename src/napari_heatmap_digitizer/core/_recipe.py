"""The recipe: every choice the user made, in one object.

The napari widget edits a recipe, the CLI builds one from flags or reads it
from JSON, and batch jobs apply one to many figures. The same recipe gives the
same numbers everywhere.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from dask import is_dask_collection

from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cells import Grid, parse_cells
from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._digitize import (
    DEFAULT_MAX_DISTANCE,
    _prepare,
    _steps,
    digitize_lazy,
    drive,
)
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._read import (
    as_rgb8,
    float_top,
    load_image,
)
from napari_heatmap_digitizer.core._result import Result
from napari_heatmap_digitizer.core._write import atomic_write_text, check_can_write

FORMAT = "napari-heatmap-digitizer recipe"
VERSION = 1


@dataclass
class ColorbarSpec:
    """How to obtain the colour bar: a box in the figure or a colour-map name.

    See :meth:`Colorbar.from_image` and :meth:`Colorbar.from_name` for the
    meaning of each field. ``ticks`` positions are figure pixels for a box and
    fractions 0-1 for a colour-map name.
    """

    box: Box | None = None
    colormap: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    norm: str = "linear"
    ticks: list[tuple[float, float]] | None = None
    orientation: str | None = None
    flip: bool = False
    discrete: bool | None = None
    band_value: str = "centre"

    def build(self, image: np.ndarray) -> Colorbar:
        """Make the :class:`Colorbar` for ``image``.

        Parameters
        ----------
        image : numpy.ndarray
            The figure.

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
            "norm": self.norm,
            "ticks": self.ticks,
            "discrete": self.discrete,
            "band_value": self.band_value,
        }
        if self.colormap is not None:
            return Colorbar.from_name(self.colormap, self.vmin, self.vmax, **common)
        return Colorbar.from_image(
            image,
            self.box,  # type: ignore[arg-type]
            self.vmin,
            self.vmax,
            orientation=self.orientation,  # type: ignore[arg-type]
            flip=self.flip,
            **common,
        )


@dataclass
class Panel:
    """One plot panel: its box and, optionally, its axes' extent and cells.

    ``cells`` is ``None`` (values per pixel), ``"auto"`` (detect the cell grid)
    or ``"COLSxROWS"``; ``grid`` holds explicit cell edges (panel pixels) and
    wins over ``cells``.
    """

    box: Box
    extent: Extent | None = None
    cells: str | None = None
    grid: Grid | None = None


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
    image : str or None
        The figure's file, when known.
    """

    panels: list[Panel]
    colorbar: ColorbarSpec
    max_distance: float = DEFAULT_MAX_DISTANCE
    image: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    # -- running ----------------------------------------------------------
    def check(self, shape: tuple[int, ...]) -> None:
        """Raise if a box lies outside an image of ``shape`` or boxes clash.

        Parameters
        ----------
        shape : tuple of int
            ``(rows, cols, ...)`` of the figure.

        Raises
        ------
        DigitizerError
        """
        if not self.panels:
            raise DigitizerError("no plot panel given: add at least one --plot L,T,R,B")
        for i, panel in enumerate(self.panels):
            panel.box.check_inside(shape, what=f"plot box {i}")
        bar = self.colorbar.box
        if bar is not None:
            bar.check_inside(shape, what="colour bar box")
            for i, panel in enumerate(self.panels):
                if bar.overlaps(panel.box):
                    raise DigitizerError(
                        f"the colour bar box {bar.as_text()} overlaps plot box {i} "
                        f"{panel.box.as_text()}: draw them around separate areas"
                    )

    def run(
        self,
        image: np.ndarray | str | os.PathLike[str] | None = None,
        *,
        progress: Callable[[float], None] | None = None,
    ) -> list[Result]:
        """Digitize every panel.

        Parameters
        ----------
        image : numpy.ndarray, dask.array.Array or path, optional
            The figure; default: the recipe's own ``image`` file. A dask
            array gives lazy results (see :func:`~.digitize.digitize`); only
            the colour bar is computed here.
        progress : callable, optional
            Called with the overall finished fraction (0-1); may raise to
            cancel.

        Returns
        -------
        list of Result
            One per panel, in order.

        Raises
        ------
        DigitizerError
        """
        return drive(self.run_steps(image), progress)

    def run_steps(
        self, image: np.ndarray | str | os.PathLike[str] | None = None
    ) -> Generator[float, None, list[Result]]:
        """:meth:`run` as a generator yielding the overall finished fraction.

        Everything is checked and the colour bar read before the first yield;
        the generator returns the results (``yield from`` gives them).

        Parameters
        ----------
        image : numpy.ndarray or path, optional
            The figure; default: the recipe's own ``image`` file.

        Yields
        ------
        float

        Returns
        -------
        list of Result
        """
        if image is None:
            if self.image is None:
                raise DigitizerError("the recipe names no image file; give one")
            image = self.image
        if isinstance(image, (str, os.PathLike)):
            image = load_image(image)
        if is_dask_collection(image):
            return self._run_lazy(image)
        rgb, nodata = as_rgb8(image)
        self.check(rgb.shape)
        colorbar = self.colorbar.build(rgb)
        prepared = [
            _prepare(rgb, p.box, self.max_distance, p.extent, nodata)
            for p in self.panels
        ]
        return (yield from _run_all(prepared, colorbar))

    def _run_lazy(self, image: Any) -> list[Result]:
        """Lazy results for a dask figure (nothing computed but the bar)."""
        self.check(image.shape)
        colorbar = self.colorbar.build(image)
        top = float_top(image)
        return [
            digitize_lazy(
                image,
                colorbar,
                p.box,
                max_distance=self.max_distance,
                extent=p.extent,
                top=top,
            )
            for p in self.panels
        ]

    # -- JSON ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (boxes as ``[L, T, R, B]`` lists)."""
        cb = self.colorbar
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
                    "cells": p.cells,
                    "grid": None if p.grid is None else p.grid.to_dict(),
                }
                for p in self.panels
            ],
            "colorbar": {
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
            },
            "max_distance": self.max_distance,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        """Rebuild a recipe from :meth:`to_dict` output.

        Parameters
        ----------
        data : dict

        Returns
        -------
        Recipe

        Raises
        ------
        DigitizerError
            If the dictionary is not a recipe.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise DigitizerError(
                "this JSON is not a heatmap-digitizer recipe (save one from the "
                "napari widget or with 'heatmap-digitizer digitize --save-recipe')"
            )
        if int(data.get("version", 0)) > VERSION:
            raise DigitizerError(
                f"recipe version {data['version']} is newer than this program "
                f"understands ({VERSION}); upgrade napari-heatmap-digitizer"
            )
        try:
            panels = []
            for p in data["panels"]:
                extent = None
                if p.get("extent") is not None:
                    extent = Extent.parse(
                        p["extent"],
                        xscale=p.get("xscale", "linear"),
                        yscale=p.get("yscale", "linear"),
                    )
                cells = p.get("cells")
                if cells is not None:
                    parse_cells(str(cells))
                grid = None if p.get("grid") is None else Grid.from_dict(p["grid"])
                panels.append(
                    Panel(Box.parse(p["box"], what="plot box"), extent, cells, grid)
                )
            c = data["colorbar"]
            ticks = c.get("ticks")
            spec = ColorbarSpec(
                box=None
                if c.get("box") is None
                else Box.parse(c["box"], what="colour bar box"),
                colormap=c.get("colormap"),
                vmin=c.get("vmin"),
                vmax=c.get("vmax"),
                norm=c.get("norm", "linear"),
                ticks=None
                if ticks is None
                else [(float(a), float(b)) for a, b in ticks],
                orientation=c.get("orientation"),
                flip=bool(c.get("flip", False)),
                discrete=c.get("discrete"),
                band_value=c.get("band_value", "centre"),
            )
            return cls(
                panels=panels,
                colorbar=spec,
                max_distance=float(data.get("max_distance", DEFAULT_MAX_DISTANCE)),
                image=data.get("image"),
                notes=dict(data.get("notes") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DigitizerError):
                raise
            raise DigitizerError(
                f"the recipe is incomplete or malformed ({exc})"
            ) from None

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
        atomic_write_text(path, self.to_json() + "\n")
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Recipe:
        """Read a recipe JSON file.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        Recipe

        Raises
        ------
        DigitizerError
            If the file is missing or not a recipe.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DigitizerError(f"recipe file {str(path)!r} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DigitizerError(f"cannot read recipe {str(path)!r}: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DigitizerError(
                f"recipe {str(path)!r} is not valid JSON (line {exc.lineno}: {exc.msg})"
            ) from None
        return cls.from_dict(data)


def _run_all(
    prepared: list[tuple[np.ndarray, np.ndarray | None, Box, float, Extent | None]],
    colorbar: Colorbar,
) -> Generator[float, None, list[Result]]:
    """Digitize prepared panels in turn, yielding the overall fraction."""
    total = sum(crop.shape[0] * crop.shape[1] for crop, *_ in prepared) or 1
    done = 0
    results = []
    for crop, mask, box, max_distance, extent in prepared:
        size = crop.shape[0] * crop.shape[1]
        steps = _steps(crop, mask, box, colorbar, max_distance, extent)
        while True:
            try:
                fraction = next(steps)
            except StopIteration as finished:
                results.append(finished.value)
                break
            yield (done + fraction * size) / total
        done += size
    return results
