"""The colour-map catalogue, and a bar read from the image matched against it.

The catalogue is ``cmap``'s maps and the other programs' own maps of
:mod:`._program_maps`; :func:`catalogue_map` takes one by name.

:func:`match_shift` finds the catalogue map whose colours a bar read from the
image shows, end to end, to within 8-bit rounding, and how far the bar's
colours sit from their places along it. Programs colour the data through the
map and draw the bar as a picture of it; some draw each step of the bar
with the colour of the step's lower end (gnuplot's colour box lags its place
by about half a percent of the range) or shift the bar's picture by part of
a pixel (ggplot2's legend). Against the map, that lag shows as a constant
shift, and the bar's positions are corrected by it.
"""

from __future__ import annotations

import difflib
import functools
import logging
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core import _program_maps
from napari_heatmap_digitizer.core._errors import DigitizerError

__all__ = [
    "catalogue_map",
    "catalogue_names",
    "level_table",
    "map_table",
    "match_levels",
    "match_shift",
]

#: Entries of each map's table (positions (i + 0.5) / DENSE).
DENSE = 2048
#: Positions along the bar compared first, to rule most maps out quickly.
PROBES = np.array([0.02, 0.25, 0.5, 0.75, 0.98])
#: A map stays a candidate when, near each probe's place (within the
#: largest shift), it passes within this (ΔE) of the bar's colour there.
PROBE_DE = 3.0
#: A bar shows a map when 95 % of its colours are within this (ΔE) of the
#: map's: 8-bit rounding moves a colour by up to about 0.5.
MATCH_DE = 1.0
#: A shift smaller than this (fraction of the bar) is not corrected: programs
#: that sample a map at 256 places differ by up to half a place (0.2 %). A map
#: whose program colours each value through the ramp itself (ggplot2's and
#: Vega's, see `_program_maps.per_value`) is read through at any shift.
SHIFT_MIN = 0.0025
#: A bar is a map's table of levels when this share of its distinct colours
#: are the table's rounded colours, and as large a share of those are seen.
LEVELS_SEEN = 0.95
#: Up to this many more levels than the bar shows are tried (hidden ends).
LEVELS_HIDDEN = 2
#: A shift larger than this is not a lag: the bar shows part of the map.
SHIFT_MAX = 0.01
#: Most of the bar's colours must lie this close to the shifted map
#: (fraction of the bar, or ``SLACK_PX`` pixels if more).
SLACK = 0.005
SLACK_PX = 2.0


def catalogue_names() -> list[str]:
    """All colour-map names in the catalogue, sorted.

    The ``cmap`` catalogue's names without namespaces, and the maps of other
    programs it lacks (`_program_maps`): by their short name where no other
    map has it (``parula``), else namespaced (``plotly:RdBu``).
    """
    import cmap

    return sorted({*cmap.Catalog().short_keys(), *_program_maps.names()})


def catalogue_map(name: str) -> Any:
    """The catalogue's colour map called ``name`` (a ``cmap.Colormap``).

    Raises
    ------
    DigitizerError
        If the name is unknown (the message lists close names).
    """
    import cmap

    try:
        return cmap.Colormap(name)
    except (ValueError, KeyError, TypeError):
        pass
    found = _program_maps.resolve(name)
    if found is not None:
        return _program_maps.colormap(*found)
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


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[list[str], np.ndarray]:
    """Names of the continuous maps and their CIELAB tables ``(m, DENSE, 3)``."""
    names, tables = [], []
    log = logging.getLogger("cmap")
    level = log.level
    log.setLevel(logging.ERROR)  # short names shared by several maps
    try:
        for name in catalogue_names():
            try:
                cm = catalogue_map(name)
            except DigitizerError:  # pragma: no cover - the names come from it
                continue
            if cm.interpolation == "nearest":
                continue  # stepped maps are read as stepped bars
            names.append(name)
            tables.append(_program_maps.srgb_to_lab(np.asarray(cm.lut(DENSE))[:, :3]))
    finally:
        log.setLevel(level)
    return names, np.asarray(tables, dtype=np.float32)


def map_table(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A continuous map's dense table: 8-bit colours, CIELAB and positions.

    Entry ``i`` is the map at ``i / (DENSE - 1)``: the programs that colour
    data through a continuous map take its colour at the value's own place.
    """
    rgb = np.clip(np.asarray(catalogue_map(name).lut(DENSE))[:, :3], 0.0, 1.0)
    rgb8 = np.rint(rgb * 255).astype(np.uint8)
    return rgb8, _program_maps.srgb_to_lab(rgb), np.linspace(0.0, 1.0, DENSE)


def _places(lab: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each colour's place on a table (the middle of equally near entries)."""
    d = ((lab[:, None, :] - table[None, :, :]) ** 2).sum(axis=2)
    best = d.min(axis=1)
    tied = d <= best[:, None] + 1e-6
    where = (np.arange(len(table)) + 0.5) / len(table)
    return (tied * where).sum(axis=1) / tied.sum(axis=1), np.sqrt(best)


def _candidates(
    lab: np.ndarray, positions: np.ndarray
) -> list[tuple[float, str, np.ndarray]]:
    """Maps the bar's colours lie on, best first: ``(score, name, places)``.

    ``score`` is the 95th percentile of the colours' ΔE from the map (at
    most `MATCH_DE`), ``places`` each colour's place on the map. The last
    few bars' answers are kept: `match_shift` and `match_levels` ask the
    same of one bar.
    """
    return _candidates_of(lab.tobytes(), positions.tobytes(), len(positions))


@functools.lru_cache(maxsize=4)
def _candidates_of(
    lab_bytes: bytes, positions_bytes: bytes, n: int
) -> list[tuple[float, str, np.ndarray]]:
    lab = np.frombuffer(lab_bytes, dtype=np.float32).reshape(n, 3)
    positions = np.frombuffer(positions_bytes, dtype=np.float64)
    probe = np.stack(
        [np.interp(PROBES, positions, lab[:, c]) for c in range(3)], axis=1
    )
    names, tables = _tables()
    # each probe's nearest colour within the largest shift of its place
    reach = int(np.ceil(SHIFT_MAX * DENSE))
    at = (PROBES * DENSE).astype(int)[:, None] + np.arange(-reach, reach + 1)
    at = np.clip(at, 0, DENSE - 1)
    found = []
    for reverse in (False, True):
        maps = tables[:, ::-1] if reverse else tables
        d = ((maps[:, at] - probe[None, :, None]) ** 2).sum(axis=3)
        near = np.sqrt(d.min(axis=2)).max(axis=1)
        for k in np.flatnonzero(near <= PROBE_DE):
            t, de = _places(lab, maps[k])
            score = float(np.percentile(de, 95))
            if score <= MATCH_DE:
                found.append((score, names[k] + ("_r" if reverse else ""), t))
    return sorted(found, key=lambda f: f[0])


def match_levels(
    rgb: np.ndarray, lab: np.ndarray, positions: np.ndarray, n_levels: int
) -> tuple[str, int] | None:
    """The catalogue map whose table of levels a bar shows, rounded to 8 bits.

    A program that colours data through a table of N levels of a map
    (matplotlib's 256) draws its bar with those levels' colours. When the
    bar's distinct colours are all (`LEVELS_SEEN`) among the rounded
    colours of the map's table of N levels, and the bar shows nearly all of
    them, the table's unrounded colours are known: the cells' colours can
    be told apart from the bar's rounding (`_bar_colours.table_rounding`).
    N is tried from the levels found on the bar up to `LEVELS_HIDDEN` more
    (levels an outline hides) and 256.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(n, 3)`` ``uint8`` the bar's colours, low end first.
    lab : numpy.ndarray
        ``(n, 3)`` the same in CIELAB.
    positions : numpy.ndarray
        ``(n,)`` their positions along the bar.
    n_levels : int
        The levels found on the bar.

    Returns
    -------
    (str, int) or None
        The map's name and N.
    """
    lab = np.asarray(lab, dtype=np.float32)
    positions = np.asarray(positions, dtype=np.float64)
    if len(positions) < 8:
        return None
    seen = {tuple(c) for c in np.asarray(rgb).tolist()}
    sizes = sorted({*range(n_levels, n_levels + LEVELS_HIDDEN + 1), 256})
    for _, name, _ in _candidates(lab, positions):
        bands = _program_maps.listed(name)
        cm = catalogue_map(name)
        best = None
        for n in sizes if bands is None else [len(bands)]:
            table = np.rint(_level_table(cm, bands, n)).astype(int)
            drawn = {tuple(c) for c in table.tolist()}
            inside = len(seen & drawn)
            fits = inside >= LEVELS_SEEN * max(len(seen), len(drawn))
            # ties go to more levels: an outline may hide some
            if fits and (best is None or inside >= best[0]):
                best = (inside, n)
        if best is not None:
            return name, best[1]
    return None


def level_table(name: str, n: int) -> np.ndarray:
    """The unrounded colours (0-255) of a map's table of ``n`` levels.

    Level ``k`` is the map at ``k / (n - 1)``, as matplotlib's tables are;
    a table of bands (MATLAB's) of ``n`` colours is its colours.
    """
    return _level_table(catalogue_map(name), _program_maps.listed(name), n)


def _level_table(cm: Any, bands: np.ndarray | None, n: int) -> np.ndarray:
    if bands is not None and len(bands) == n:
        return np.asarray(bands) * 255.0
    return np.asarray(cm.lut(n))[:, :3] * 255.0


def match_shift(
    lab: np.ndarray, positions: np.ndarray, length: float
) -> tuple[str, float] | None:
    """The catalogue map a bar shows and the shift of its colours, if any.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(n, 3)`` the bar's colours along it (CIELAB), low end first.
    positions : numpy.ndarray
        ``(n,)`` their positions, 0 at the low end and 1 at the high end.
    length : float
        The bar's length in pixels.

    Returns
    -------
    (str, float) or None
        The map's name (``_r`` for a reversed map) and the shift to add to the
        bar's positions, when the bar shows the map end to end with its
        colours shifted by ``SHIFT_MIN`` to ``SHIFT_MAX``; ``None`` otherwise.
    """
    lab = np.asarray(lab, dtype=np.float32)
    positions = np.asarray(positions, dtype=np.float64)
    if len(positions) < 8 or length <= 0:
        return None
    candidates = _candidates(lab, positions)
    if not candidates:
        return None
    _, name, t = candidates[0]
    inner = (positions > 2 * SHIFT_MAX) & (positions < 1 - 2 * SHIFT_MAX)
    if inner.sum() < 8:
        return None
    off = t[inner] - positions[inner]
    shift = float(np.median(off))
    slack = max(SLACK, SLACK_PX / length)
    if np.mean(np.abs(off - shift) <= slack) < 0.9:
        return None  # not one shift: the bar shows part of the map, or bends
    if abs(shift) > SHIFT_MAX:
        return None
    if abs(shift) < SHIFT_MIN and not _program_maps.per_value(name):
        return None
    return name, shift
