"""Colour bars: the table that says which colour means which value.

A :class:`Colorbar` is an ordered table of CIELAB colours with their positions
along the bar (0 at the low end, 1 at the high end) and a
:class:`~.scale.ValueScale` that turns positions into values. It is read from a
box in the figure (:meth:`Colorbar.from_image`) or taken from the colour-map
catalogue by name (:meth:`Colorbar.from_name`).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._read import as_rgb8, crop_rgb8
from napari_heatmap_digitizer.core._scale import ValueScale

Orientation = Literal["vertical", "horizontal"]
BandValue = Literal["centre", "lower", "upper"]

#: Rows along a colour bar on which its position across the box is judged.
SAMPLE_ROWS = 2048

#: Columns across a colour bar whose median colour is taken at each row.
SAMPLE_COLUMNS = 64

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
            If the box is outside the image, the box shows no colour gradient,
            or the value range is invalid.

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
        if getattr(image, "ndim", 0) not in (2, 3):
            as_rgb8(np.asarray(image))  # raises the error that says what is wrong
        box = Box.parse(box, what="colour bar box").check_inside(
            image.shape, what="colour bar box"
        )
        if orientation is None:
            orientation = "vertical" if box.height >= box.width else "horizontal"
        if orientation not in ("vertical", "horizontal"):
            raise DigitizerError(
                f"orientation must be 'vertical' or 'horizontal', got {orientation!r}"
            )
        crop, _ = crop_rgb8(image, box)
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
        sampled = _sample_bar(np.ascontiguousarray(along))
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
        source = {
            "box": list(box),
            "orientation": orientation,
            "flip": bool(flip),
            "edges": [origin + sign * lo_edge, origin + sign * hi_edge],
        }
        _check_band_value(band_value)
        _check_gradient(sampled.lab, source)
        bands = None if discrete is False else _find_bands(sampled.lab)
        if discrete and bands is None:
            raise DigitizerError(
                "the colour bar does not look stepped; leave 'discrete' unset or off"
            )
        if bands is not None:
            rgb, lab, edges = _band_table(
                sampled.rgb, sampled.lab, sampled.positions, bands
            )
            return _stepped(rgb, lab, edges, scale, band_value, source)
        rgb, lab, positions = _extend_to_ends(
            sampled.rgb, sampled.lab, sampled.positions
        )
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
            A name known to the ``cmap`` catalogue, e.g. ``"viridis"``,
            ``"RdBu_r"``, ``"cmocean:thermal"``. ``_r`` reverses a map.
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
            If the name is unknown (the message lists close names).
        """
        cm = _catalogue_map(name)
        stepped = cm.interpolation == "nearest" if discrete is None else bool(discrete)
        if stepped:
            colours = np.asarray(cm.color_stops.color_array)[:, :3]
            k = len(colours)
            edges = np.linspace(0.0, 1.0, k + 1)
            positions = (edges[:-1] + edges[1:]) / 2
        else:
            colours = np.asarray(cm.lut(n))[:, :3]
            edges = np.linspace(0.0, 1.0, n + 1)
            # Entry i is what matplotlib shows for positions [i/n, (i+1)/n).
            positions = (np.arange(n) + 0.5) / n
        rgb = np.rint(np.clip(colours, 0, 1) * 255).astype(np.uint8)
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


def catalogue_names() -> list[str]:
    """All colour-map names in the catalogue (without namespaces), sorted."""
    import cmap

    return sorted(cmap.Catalog().short_keys())


def _catalogue_map(name: str) -> Any:
    import cmap

    try:
        return cmap.Colormap(name)
    except (ValueError, KeyError, TypeError):
        pass
    names = catalogue_names()
    base = name[:-2] if name.endswith("_r") else name
    close = difflib.get_close_matches(base, names, n=5, cutoff=0.6)
    lowered = [n for n in names if n.lower() == base.lower()]
    close = list(dict.fromkeys(lowered + close))
    hint = (
        f"; did you mean {', '.join(close)}?"
        if close
        else ("; run 'heatmap-digitizer colormaps' to list them")
    )
    raise DigitizerError(f"unknown colour map {name!r}{hint}")


def _make_scale(
    vmin: float | None,
    vmax: float | None,
    norm: str,
    ticks: Sequence[tuple[float, float]] | None,
    to_position: Any,
    unit: str,
) -> ValueScale:
    if ticks:
        if vmin is not None or vmax is not None:
            raise DigitizerError("give either vmin/vmax or ticks, not both")
        try:
            pos = [to_position(float(p)) for p, _ in ticks]
            val = [float(v) for _, v in ticks]
        except (TypeError, ValueError):
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
    if band_value not in ("centre", "lower", "upper"):
        raise DigitizerError(
            f"band value must be 'centre', 'lower' or 'upper', got {band_value!r}"
        )


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


@dataclass
class _Sampled:
    rgb: np.ndarray  # (n, 3) uint8
    lab: np.ndarray  # (n, 3)
    positions: np.ndarray  # (n,)
    edges: tuple[float, float]  # bar ends in "along" pixel-edge coordinates


def _delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((np.asarray(a) - np.asarray(b)) ** 2).sum(axis=-1))


def _sample_bar(along: np.ndarray) -> _Sampled:
    """Find the bar inside a loose box and sample its colours.

    ``along`` is the cropped box with the bar's length on axis 0 (low end
    first) and its width on axis 1.
    """
    n_along = along.shape[0]
    # Where the bar lies across the box, and what frames it, is judged on at
    # most SAMPLE_ROWS rows along it; the colours are the median of at most
    # SAMPLE_COLUMNS columns across it. Huge bars (poster scans) thus take
    # little time and memory; ordinary ones are read whole.
    some = np.unique(np.linspace(0, n_along - 1, min(n_along, SAMPLE_ROWS)).round())
    lab = _to_lab(along[some.astype(int)])
    g0, g1 = _bar_columns(lab)
    frame = _frame(lab, g0, g1)
    width = g1 - g0
    trim = 2 if width >= 12 else 1 if width >= 4 else 0
    inner = np.arange(g0 + trim, g1 - trim)
    if inner.size > SAMPLE_COLUMNS:
        inner = inner[
            np.linspace(0, inner.size - 1, SAMPLE_COLUMNS).round().astype(int)
        ]
    profile = np.median(_to_lab(along[:, inner]), axis=1)
    profile_rgb = np.median(along[:, inner].astype(np.float64), axis=1)
    lo_edge, first = _bar_end(profile, frame)
    hi_rev, last_rev = _bar_end(profile[::-1], frame)
    hi_edge, last = n_along - hi_rev, n_along - 1 - last_rev
    if last - first < 2:
        raise DigitizerError(
            "the colour bar box shows no colour gradient along its length; draw the "
            "box over the colour bar itself"
        )
    rows = np.arange(first, last + 1)
    positions = (rows + 0.5 - lo_edge) / (hi_edge - lo_edge)
    return _Sampled(
        rgb=np.rint(profile_rgb[rows]).astype(np.uint8),
        lab=profile[rows],
        positions=positions,
        edges=(float(lo_edge), float(hi_edge)),
    )


def _to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB of an ``(rows, cols, 3)`` ``uint8`` array."""
    rows, cols = rgb.shape[:2]
    flat = np.ascontiguousarray(rgb).reshape(-1, 3)
    return kernel.rgb8_to_lab(flat, kernel.SRGB_LINEAR).reshape(rows, cols, 3)


def _bar_columns(lab: np.ndarray) -> tuple[int, int]:
    """The run of columns (across the bar) that show the gradient."""
    n_across = lab.shape[1]
    spread = np.sqrt(lab.var(axis=0).sum(axis=1))  # colour variation per column
    if spread.max() < 1.0:
        raise DigitizerError(
            "the colour bar box shows a single colour; draw the box over the "
            "colour bar itself"
        )
    candidates = spread >= 0.5 * spread.max()
    reference = np.median(lab[:, candidates], axis=1)
    mismatch = np.median(_delta_e(lab, reference[:, None, :]), axis=0)
    good = mismatch < max(4.0, 2.0 * np.median(mismatch[candidates]))
    # The longest run of consistent columns is the bar.
    best, start = (0, 0), None
    for c in range(n_across + 1):
        if c < n_across and good[c]:
            start = c if start is None else start
        elif start is not None:
            if c - start > best[1] - best[0]:
                best = (start, c)
            start = None
    return best


@dataclass
class _Frame:
    """What surrounds the bar: background and outline colours (Lab)."""

    background: np.ndarray | None
    outline: np.ndarray | None
    thickness: int


def _frame(lab: np.ndarray, g0: int, g1: int) -> _Frame:
    """Read the background and the outline from the columns beside the bar.

    Going outwards from the bar on each side, uniform columns of similar
    colour are grouped. Two groups mean outline then background; a single
    thin group touching the box edge is an outline, a wide one background.
    """
    n_along, n_across = lab.shape[:2]
    middle = lab[n_along // 4 : max(n_along // 4 + 1, 3 * n_along // 4)]
    centres = np.median(middle, axis=0)  # (n_across, 3)
    wander = np.median(_delta_e(middle, centres[None]), axis=0)
    # JPEG ringing makes flat columns next to the bar vary a little; they
    # still vary much less than the bar's own columns.
    uniform = wander < float(np.clip(0.4 * np.median(wander[g0:g1]), 3.0, 8.0))
    best = _Frame(None, None, 0)
    for side in (range(g0 - 1, -1, -1), range(g1, n_across)):
        groups: list[list[int]] = []
        for c in side:
            if not uniform[c]:
                if groups:
                    break
                continue  # anti-aliased columns next to the bar
            if groups and _delta_e(centres[c], centres[groups[-1][0]]) < 10.0:
                groups[-1].append(c)
            else:
                groups.append([c])
        if len(groups) >= 2:
            outline = np.median(centres[groups[0]], axis=0)
            return _Frame(centres[groups[1][-1]], outline, len(groups[0]))
        if len(groups) == 1:
            colour = centres[groups[0][-1]]
            if len(groups[0]) <= 3 and best.outline is None:
                best = _Frame(best.background, colour, len(groups[0]))
            elif len(groups[0]) > 3 and best.background is None:
                best = _Frame(colour, best.outline, best.thickness)
    return best


def _bar_end(profile: np.ndarray, frame: _Frame) -> tuple[float, int]:
    """Locate the low end of the bar along ``profile``.

    The outline, when the bar has one, is the marker: the first row from the
    box edge that has the outline's colour starts it, and since an outline is
    drawn centred on the bar's edge, the edge is the middle of the line.
    Without an outline, background rows are skipped. Returns the edge
    (pixel-edge coordinate) and the first row of clean bar colour.
    """
    n = profile.shape[0]
    depth = max(3, min(n // 8, int(0.04 * n) + 4))
    if frame.outline is not None:
        inside = profile[min(depth + frame.thickness, n - 1)]
        # JPEG shifts dark colours a lot; judge closeness against the contrast
        # between the outline and the bar just inside it.
        limit = max(10.0, 0.4 * float(_delta_e(frame.outline, inside)))
        d = _delta_e(profile[:depth], frame.outline)
        hits = np.flatnonzero(d < limit)
        if hits.size:
            start = int(hits[0])
            first = start + frame.thickness + 1
            return start + frame.thickness / 2.0, int(min(first, n - 1))
    r = 0
    if frame.background is not None:
        while r < depth and _close(profile[r], frame.background, frame.outline):
            r += 1
    if r == 0:
        # The box edge is the bar edge; drop one row of possible anti-aliasing.
        return 0.0, 1 if n > 8 else 0
    return float(r), int(min(r + 1, n - 1))


def _close(colour: np.ndarray, a: np.ndarray, b: np.ndarray | None) -> bool:
    """Whether ``colour`` is ``a`` or a blend of ``a`` towards ``b``."""
    if float(_delta_e(colour, a)) < 10.0:
        return True
    if b is None:
        return False
    ab = b - a
    t = float(np.clip(np.dot(colour - a, ab) / max(float(np.dot(ab, ab)), 1e-9), 0, 1))
    return t < 0.9 and float(_delta_e(colour, a + t * ab)) < 10.0


def _find_bands(lab: np.ndarray) -> list[tuple[int, int]] | None:
    """Runs of constant colour if the table is stepped, else ``None``.

    A stepped bar is mostly long runs of one colour each, neighbouring runs
    clearly different; the rows between runs (anti-aliasing, JPEG ringing)
    are left out. A continuous bar has no long run of one colour.
    """
    n = lab.shape[0]
    if n < 8:
        return None
    steps = _delta_e(lab[1:], lab[:-1])
    min_len = max(3, n // 100)
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(n):
        if i == n - 1 or steps[i] >= 1.5:
            runs.append((start, i + 1))
            start = i + 1
    bands: list[tuple[int, int]] = []
    for a, b in runs:
        # Trim ringing off the ends of a run, then require one colour.
        centre = np.median(lab[a:b], axis=0)
        while b - a > min_len and _delta_e(lab[a], centre) > 2.0:
            a += 1
        while b - a > min_len and _delta_e(lab[b - 1], centre) > 2.0:
            b -= 1
        if b - a >= min_len and np.percentile(_delta_e(lab[a:b], centre), 95) <= 3.0:
            if (
                bands
                and _delta_e(
                    np.median(lab[bands[-1][0] : bands[-1][1]], axis=0), centre
                )
                < 3.0
            ):
                bands[-1] = (bands[-1][0], b)  # one band split by noise
            else:
                bands.append((a, b))
    if len(bands) < 2 or sum(b - a for a, b in bands) < 0.5 * n:
        return None
    colours = np.array([np.median(lab[a:b], axis=0) for a, b in bands])
    if np.median(_delta_e(colours[1:], colours[:-1])) < 4.0:
        return None
    gaps = [a1 - b0 for (_, b0), (a1, _) in itertools.pairwise(bands)]
    if max(gaps) > max(3, 0.6 * np.median([b - a for a, b in bands])):
        return None
    return bands


def _band_table(
    rgb: np.ndarray,
    lab: np.ndarray,
    positions: np.ndarray,
    bands: list[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One colour per band and the band edges (positions)."""
    band_lab = np.array([np.median(lab[a:b], axis=0) for a, b in bands])
    band_rgb = np.array(
        [np.rint(np.median(rgb[a:b].astype(float), axis=0)) for a, b in bands]
    ).astype(np.uint8)
    edges = [0.0]
    for k, ((_, b0), (a1, _)) in enumerate(itertools.pairwise(bands)):
        edges.append(
            _crossing(lab, positions, b0 - 1, a1, band_lab[k], band_lab[k + 1])
        )
    edges.append(1.0)
    return band_rgb, band_lab, np.array(edges)


def _crossing(
    lab: np.ndarray,
    positions: np.ndarray,
    lo: int,
    hi: int,
    c0: np.ndarray,
    c1: np.ndarray,
) -> float:
    """Where, between rows ``lo`` and ``hi``, one band turns into the next.

    That is the position where the colour is half way from band colour ``c0``
    to ``c1``; unlike the gap's midpoint, it is not moved by JPEG ringing.
    """
    axis = c1 - c0
    t = (lab[lo : hi + 1] - c0) @ axis / max(float(axis @ axis), 1e-9)
    above = np.flatnonzero(t >= 0.5)
    if above.size == 0 or above[0] == 0:
        return float((positions[lo] + positions[hi]) / 2)
    i = int(above[0])
    f = (0.5 - t[i - 1]) / max(t[i] - t[i - 1], 1e-9)
    p = positions[lo + i - 1] + f * (positions[lo + i] - positions[lo + i - 1])
    return float(p)


def _extend_to_ends(
    rgb: np.ndarray, lab: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extrapolate the table linearly to positions 0 and 1.

    The rows next to the bar's ends are not sampled (outline, anti-aliasing);
    their colours continue the trend of the nearest sampled rows.
    """

    def extend(p_end: float, idx: slice) -> np.ndarray:
        p = positions[idx]
        c = lab[idx]
        if len(p) < 2 or np.ptp(p) == 0:
            return c[0 if p_end < p[0] else -1]
        slope = np.polyfit(p, c, 1)
        out = slope[0] * p_end + slope[1]
        out[0] = np.clip(out[0], 0.0, 100.0)
        return out

    head = extend(0.0, slice(0, min(5, len(positions))))
    tail = extend(1.0, slice(max(0, len(positions) - 5), len(positions)))
    new_lab = np.vstack([head, lab, tail])
    new_rgb = np.vstack([rgb[:1], rgb, rgb[-1:]])
    new_pos = np.concatenate([[0.0], positions, [1.0]])
    return new_rgb, new_lab, new_pos
