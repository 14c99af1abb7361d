"""Colour bars: the table that says which colour means which value.

A :class:`Colorbar` is an ordered table of CIELAB colours with their positions
along the bar (0 at the low end, 1 at the high end) and a
:class:`~.scale.ValueScale` that turns positions into values. It is read from a
box in the figure (:meth:`Colorbar.from_image`) or taken from the colour-map
catalogue by name (:meth:`Colorbar.from_name`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._bar_maps import (
    catalogue_map,
    map_table,
    match_levels,
    match_shift,
)
from napari_heatmap_digitizer.core._bar_pixels import (
    _band_table,
    _delta_e,
    _extend_to_ends,
    _find_bands,
    _sample_bar,
)
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._errors import DigitizerError, shown, text, wrong
from napari_heatmap_digitizer.core._read import as_rgb8, crop_rgb8
from napari_heatmap_digitizer.core._scale import ValueScale

Orientation = Literal["vertical", "horizontal"]
BandValue = Literal["centre", "lower", "upper"]


#: A colour bar whose colours span less than this (ΔE) has no usable gradient.
MIN_GRADIENT = 8.0


@dataclass(frozen=True, eq=False)
class Colorbar:
    """An ordered colour table with positions and a value scale.

    Attributes
    ----------
    rgb : numpy.ndarray
        ``(n, 3)`` ``uint8`` table colours, low end first (for previews).
    lab : numpy.ndarray
        ``(n, 3)`` the same colours in CIELAB (D65).
    positions : numpy.ndarray
        ``(n,)`` positions along the bar, 0 = low end, 1 = high end,
        non-decreasing.
    scale : ValueScale
        Turns positions into values.
    discrete : bool
        ``True`` for stepped bars (e.g. ``contourf``): every colour is one band
        and maps to one value; ``False`` for continuous bars, where colours
        between table entries are interpolated.
    band_edges : numpy.ndarray or None
        ``(n + 1,)`` band boundaries (positions) of a discrete bar.
    band_value : {"centre", "lower", "upper"}
        Which value a band of a discrete bar stands for.
    source : dict
        How the bar was obtained (box, orientation, flip, or colour-map name).
    """

    rgb: np.ndarray
    lab: np.ndarray
    positions: np.ndarray
    scale: ValueScale
    discrete: bool = False
    band_edges: np.ndarray | None = None
    band_value: BandValue = "centre"
    source: dict[str, Any] = field(default_factory=dict)

    # -- construction ---------------------------------------------------
    @classmethod
    def from_image(
        cls,
        image: np.ndarray,
        box: Box | Sequence[float] | str,
        vmin: float | None = None,
        vmax: float | None = None,
        *,
        norm: str = "linear",
        ticks: Sequence[tuple[float, float]] | None = None,
        orientation: Orientation | None = None,
        flip: bool = False,
        discrete: bool | None = None,
        band_value: BandValue = "centre",
    ) -> Colorbar:
        """Read a colour bar from a box drawn around it in the figure.

        The box may be loose: background, the bar's outline and tick marks are
        trimmed, and colours are taken as the median across the bar's width at
        every pixel along it.

        Parameters
        ----------
        image : numpy.ndarray
            The whole figure (grey, RGB or RGBA).
        box : Box, str or sequence of 4 numbers
            ``LEFT, TOP, RIGHT, BOTTOM`` around the colour bar, in pixels.
        vmin, vmax : float, optional
            Values at the low and high end of the bar. Give these or ``ticks``.
        norm : {"linear", "log"}
            How values are spread along the bar.
        ticks : sequence of (float, float), optional
            ``(pixel, value)`` pairs: the pixel row (vertical bar) or column
            (horizontal bar) of a tick mark in the figure and its label.
        orientation : {"vertical", "horizontal"}, optional
            Default: vertical when the box is taller than wide.
        flip : bool
            The low end is at the bottom (vertical) or left (horizontal)
            unless ``flip`` is set.
        discrete : bool, optional
            Force a stepped (``True``) or continuous (``False``) bar; by default
            it is recognised from the colours.
        band_value : {"centre", "lower", "upper"}
            For stepped bars: the value each band stands for.

        Returns
        -------
        Colorbar

        Raises
        ------
        DigitizerError
            If an argument is of the wrong kind (the message says what to
            pass), the box is outside the image, the box shows no colour
            gradient, or the value range is invalid.

        Examples
        --------
        >>> from napari_heatmap_digitizer import Colorbar, load_image
        >>> from napari_heatmap_digitizer.data import load_sample
        >>> sample = load_sample("single")
        >>> bar = Colorbar.from_image(sample.image, sample.recipe.colorbar.box,
        ...                           vmin=0, vmax=1)
        >>> bar.discrete
        False
        """
        if not (hasattr(image, "ndim") and hasattr(image, "shape")):
            raise wrong("image", "an image array (rows, columns[, channels])", image)
        if getattr(image, "ndim", 0) not in (2, 3):
            as_rgb8(np.asarray(image))  # raises the error that says what is wrong
        _check_options(flip, discrete, band_value)
        box = Box.parse(box, what="colour bar box").check_inside(
            image.shape, what="colour bar box"
        )
        if orientation is None:
            orientation = "vertical" if box.height >= box.width else "horizontal"
        if not isinstance(orientation, str) or orientation not in (
            "vertical",
            "horizontal",
        ):
            raise DigitizerError(
                "orientation must be 'vertical' or 'horizontal', got "
                f"{shown(orientation)}"
            )
        crop, outside = _crop_with_ends(image, box, orientation)
        # Put the bar's length on axis 0, low end first.
        along = crop if orientation == "vertical" else crop.transpose(1, 0, 2)
        low_at_start = (orientation == "horizontal") != bool(flip)
        if not low_at_start:
            along = along[::-1]
        if along.shape[0] < 4:
            raise DigitizerError(
                f"colour bar box {box.as_text()} is only {along.shape[0]} px long; "
                "draw it along the whole bar"
            )
        sampled = _sample_bar(
            np.ascontiguousarray(along),
            outside=outside if low_at_start else (outside[1], outside[0]),
        )
        # Image coordinate (pixel edges) of the bar's low-end box edge and the
        # direction in which the bar's "along" coordinate runs in the image.
        if orientation == "vertical":
            origin, sign = (box.bottom, -1.0) if not flip else (box.top, 1.0)
        else:
            origin, sign = (box.left, 1.0) if not flip else (box.right, -1.0)
        lo_edge, hi_edge = sampled.edges

        def to_position(pixel: float) -> float:
            along_coord = sign * (pixel + 0.5 - origin)
            return (along_coord - lo_edge) / (hi_edge - lo_edge)

        scale = _make_scale(vmin, vmax, norm, ticks, to_position, "pixel")
        source: dict[str, Any] = {
            "box": list(box),
            "orientation": orientation,
            "flip": bool(flip),
            "edges": [origin + sign * lo_edge, origin + sign * hi_edge],
            "lossless": sampled.lossless,
        }
        if sampled.n_levels is not None:
            source["levels"] = sampled.n_levels
        _check_band_value(band_value)
        _check_gradient(sampled.lab, source)
        bands = None if discrete is False else _find_bands(sampled.lab)
        if (
            bands is not None
            and not discrete
            and sampled.n_levels is not None
            and len(bands) < sampled.n_levels
        ):
            # runs of equal levels tell apart levels too alike to be bands:
            # a colour table drawn level by level, not a stepped bar
            bands = None
        if discrete and bands is None:
            raise DigitizerError(
                "the colour bar does not look stepped; leave 'discrete' unset or off"
            )
        if bands is not None:
            rgb, lab, edges = _band_table(
                sampled.rgb, sampled.lab, sampled.positions, bands
            )
            return _stepped(rgb, lab, edges, scale, band_value, source)
        rgb, lab, positions = sampled.rgb, sampled.lab, sampled.positions
        if sampled.levels is not None:
            positions = sampled.levels
        if sampled.lossless and (
            found := match_shift(lab, positions, abs(hi_edge - lo_edge))
        ):
            # a catalogue map's colours, shifted along the bar (the bar lags
            # the map the data were coloured with): read through the map
            source["colormap"], source["shift"] = found
            rgb, lab, positions = map_table(found[0])
            return _continuous(rgb, lab, positions, scale, band_value, source)
        if sampled.lossless and sampled.n_levels is not None:
            # the bar is a catalogue map's table of levels, rounded: cells
            # are placed on the table's unrounded colours (_bar_colours)
            table = match_levels(rgb, lab, positions, sampled.n_levels)
            if table is not None:
                source["table"] = {"colormap": table[0], "levels": table[1]}
        rgb, lab, positions = _extend_to_ends(rgb, lab, positions)
        return _continuous(rgb, lab, positions, scale, band_value, source)

    @classmethod
    def from_name(
        cls,
        name: str,
        vmin: float | None = None,
        vmax: float | None = None,
        *,
        norm: str = "linear",
        ticks: Sequence[tuple[float, float]] | None = None,
        discrete: bool | None = None,
        band_value: BandValue = "centre",
        n: int = 256,
    ) -> Colorbar:
        """Take a colour bar from the colour-map catalogue by name.

        Parameters
        ----------
        name : str
            A name in the catalogue (``cmap``'s maps and other programs'
            own: ``heatmap-digitizer colormaps`` lists them), e.g.
            ``"viridis"``, ``"RdBu_r"``, ``"cmocean:thermal"``, ``"parula"``.
            ``_r`` reverses a map.
        vmin, vmax : float, optional
            Values at the low and high end. Give these or ``ticks``.
        norm : {"linear", "log"}
            How values are spread along the bar.
        ticks : sequence of (float, float), optional
            ``(fraction, value)`` pairs, the fraction 0-1 along the map.
        discrete : bool, optional
            Force stepped or continuous; by default categorical maps (such as
            ``tab10``) are stepped and the others continuous.
        band_value : {"centre", "lower", "upper"}
            For stepped maps: the value each band stands for.
        n : int
            Number of table entries for continuous maps (matplotlib uses 256).

        Returns
        -------
        Colorbar

        Raises
        ------
        DigitizerError
            If an argument is of the wrong kind (the message says what to
            pass) or the name is unknown (the message lists close names).
        """
        text(name, "colour map name")
        _check_options(False, discrete, band_value)
        if (
            isinstance(n, bool)
            or not isinstance(n, (int, np.integer))
            or not (2 <= n <= 65536)
        ):
            raise wrong("n", "a whole number of table entries, 2 to 65536", n)
        cm = catalogue_map(name)
        stepped = cm.interpolation == "nearest" if discrete is None else bool(discrete)
        if stepped:
            colors = np.asarray(cm.color_stops.color_array)[:, :3]
            k = len(colors)
            edges = np.linspace(0.0, 1.0, k + 1)
            positions = (edges[:-1] + edges[1:]) / 2
        else:
            colors = np.asarray(cm.lut(n))[:, :3]
            edges = np.linspace(0.0, 1.0, n + 1)
            # Entry i is what matplotlib shows for positions [i/n, (i+1)/n).
            positions = (np.arange(n) + 0.5) / n
        rgb = np.rint(np.clip(colors, 0, 1) * 255).astype(np.uint8)
        lab = kernel.rgb8_to_lab(rgb, kernel.SRGB_LINEAR)
        scale = _make_scale(vmin, vmax, norm, ticks, float, "fraction")
        source = {"colormap": name}
        _check_band_value(band_value)
        if stepped:
            return _stepped(rgb, lab, edges, scale, band_value, source)
        # Entry i stands for the centre of its bin; colours past the first or
        # last entry clamp to those centres.
        return _continuous(rgb, lab, positions, scale, band_value, source)

    # -- derived quantities ---------------------------------------------
    @property
    def values(self) -> np.ndarray:
        """Value of every table entry (band value for stepped bars)."""
        return self.scale.to_value(self.positions)

    @property
    def vmin(self) -> float:
        """Value at the low end of the bar."""
        return float(self.scale.to_value(0.0))

    @property
    def vmax(self) -> float:
        """Value at the high end of the bar."""
        return float(self.scale.to_value(1.0))

    @property
    def key(self) -> str:
        """A digest of everything that decides which value a colour gets."""
        h = hashlib.sha1()
        for arr in (self.lab, self.positions):
            h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
        h.update(repr((self.scale, self.discrete)).encode())
        return h.hexdigest()

    def describe(self) -> str:
        """One line: where the bar came from, its kind and its range."""
        where = self.source.get("colormap") or f"box {self.source.get('box')}"
        if "shift" in self.source:
            where = (
                f"box {self.source.get('box')}, read through {where} (the bar's"
                f" colours are {100 * abs(self.source['shift']):.2f} % off their"
                " places)"
            )
        table = self.source.get("table")
        if table:
            where += f", {table['levels']} levels of {table['colormap']}"
        kind = (
            f"stepped, {len(self.positions)} bands" if self.discrete else "continuous"
        )
        return f"colour bar from {where}: {kind}, {self.scale.describe()}"

    def preview(self, n: int = 256) -> np.ndarray:
        """An ``(n, 3)`` ``uint8`` strip of the table, low end first.

        Parameters
        ----------
        n : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
        """
        p = (np.arange(n) + 0.5) / n
        if self.discrete:
            assert self.band_edges is not None
            i = np.clip(np.searchsorted(self.band_edges, p) - 1, 0, len(self.rgb) - 1)
            return self.rgb[i]
        out = np.empty((n, 3))
        for c in range(3):
            out[:, c] = np.interp(p, self.positions, self.rgb[:, c].astype(float))
        return np.rint(out).astype(np.uint8)


# ---------------------------------------------------------------------------
# Helpers for from_name / from_image


def _make_scale(
    vmin: float | None,
    vmax: float | None,
    norm: str,
    ticks: Sequence[tuple[float, float]] | None,
    to_position: Any,
    unit: str,
) -> ValueScale:
    if ticks is not None:
        if isinstance(ticks, (str, bytes, bytearray)) or not hasattr(ticks, "__len__"):
            raise wrong("ticks", f"a list of ({unit}, value) pairs", ticks)
        try:
            ticks = list(ticks)
        except TypeError:  # a 0-d array
            raise wrong("ticks", f"a list of ({unit}, value) pairs", ticks) from None
    if ticks:
        if vmin is not None or vmax is not None:
            raise DigitizerError("give either vmin/vmax or ticks, not both")
        try:
            pos = [to_position(float(p)) for p, _ in ticks]
            val = [float(v) for _, v in ticks]
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            raise DigitizerError(
                f"ticks must be ({unit}, value) pairs of numbers"
            ) from None
        return ValueScale.from_ticks(pos, val, norm)
    if vmin is None or vmax is None:
        raise DigitizerError(
            "the colour bar's values are missing: give vmin and vmax (or ticks)"
        )
    return ValueScale.from_range(vmin, vmax, norm)


def _check_gradient(lab: np.ndarray, source: dict[str, Any]) -> None:
    span = _delta_e(lab, lab[0]).max()
    if span < MIN_GRADIENT:
        raise DigitizerError(
            f"the colour bar box {source.get('box')} shows no colour gradient "
            f"(colours differ by at most ΔE {span:.1f}); draw the box over the "
            "colour bar itself"
        )


def _check_band_value(band_value: str) -> None:
    if not isinstance(band_value, str) or band_value not in (
        "centre",
        "lower",
        "upper",
    ):
        raise DigitizerError(
            f"band value must be 'centre', 'lower' or 'upper', got {shown(band_value)}"
        )


def _check_options(flip: Any, discrete: Any, band_value: Any) -> None:
    """Refuse a flip, discrete or band value of the wrong kind."""
    if flip is not None and not isinstance(flip, (bool, int, np.bool_, np.integer)):
        raise wrong("flip", "True or False", flip)
    if discrete is not None and not isinstance(
        discrete, (bool, int, np.bool_, np.integer)
    ):
        raise wrong("discrete", "True, False or None", discrete)
    _check_band_value(band_value)


def _continuous(
    rgb: np.ndarray,
    lab: np.ndarray,
    positions: np.ndarray,
    scale: ValueScale,
    band_value: BandValue,
    source: dict[str, Any],
) -> Colorbar:
    # A colour shown by several consecutive pixels (or table entries) stands
    # for the middle of that run: 8-bit colour maps repeat colours, and a bar
    # taller than its table repeats each one over 1-2 pixels.
    lab = np.asarray(lab, dtype=np.float64)
    positions = np.asarray(positions, dtype=np.float64)
    same = np.all(lab[1:] == lab[:-1], axis=1)
    if same.any():
        start = np.flatnonzero(np.concatenate([[True], ~same]))
        counts = np.diff(np.concatenate([start, [len(lab)]]))
        positions = np.add.reduceat(positions, start) / counts
        rgb, lab = rgb[start], lab[start]
    return Colorbar(
        rgb=rgb,
        lab=np.ascontiguousarray(lab),
        positions=positions,
        scale=scale,
        discrete=False,
        band_edges=None,
        band_value=band_value,
        source=source,
    )


def _stepped(
    rgb: np.ndarray,
    lab: np.ndarray,
    edges: np.ndarray,
    scale: ValueScale,
    band_value: BandValue,
    source: dict[str, Any],
) -> Colorbar:
    if band_value == "lower":
        positions = edges[:-1]
    elif band_value == "upper":
        positions = edges[1:]
    else:
        positions = (edges[:-1] + edges[1:]) / 2
    return Colorbar(
        rgb=rgb,
        lab=np.ascontiguousarray(lab),
        positions=np.asarray(positions),
        scale=scale,
        discrete=True,
        band_edges=edges,
        band_value=band_value,
        source=source,
    )


def _crop_with_ends(
    image: Any, box: Box, orientation: str
) -> tuple[np.ndarray, tuple[np.ndarray | None, np.ndarray | None]]:
    """The box's pixels and the image's rows just beyond its two ends.

    The ends are along the bar (top and bottom of a vertical one, left and
    right of a horizontal one), each ``(width, 3)``, ``None`` at the image's
    edge; the image is read once.
    """
    rows, cols = image.shape[:2]
    if orientation == "vertical":
        a, b = int(box.top > 0), int(box.bottom < rows)
        grown = Box(box.left, box.top - a, box.right, box.bottom + b)
    else:
        a, b = int(box.left > 0), int(box.right < cols)
        grown = Box(box.left - a, box.top, box.right + b, box.bottom)
    crop, _ = crop_rgb8(image, grown)
    if orientation != "vertical":
        crop = crop.transpose(1, 0, 2)
    n = crop.shape[0]
    before = crop[0] if a else None
    after = crop[n - 1] if b else None
    inner = crop[a : n - b]
    if orientation != "vertical":
        inner = inner.transpose(1, 0, 2)
    return inner, (before, after)
