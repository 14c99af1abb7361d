"""Name colour maps: which catalogue map a colour bar or a panel shows.

A colour bar's colours are compared with every map in the ``cmap`` catalogue
and the other programs' maps it lacks (`_program_maps`: MATLAB's parula,
plotly's and Vega's scales, ...), and with their reversals; with no colour
bar, a panel's colours are scored by how closely they lie on each map.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit, prange

from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core import _program_maps
from napari_heatmap_digitizer.core._bar_pixels import _delta_e
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Colorbar, Orientation
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._read import as_rgb8

#: How many catalogue maps to report, best first.
TOP = 5
#: A colour bar is named only when its closest map differs from it by at
#: most this mean ΔE; above, it shows custom colours (read from the bar).
NAMED_DELTA_E = 10.0
#: A panel without a colour bar is given a map only when the map's
#: `rank_colormaps` score is at most this. Maps drawn smoothly score up to
#: ~5 (JPEG included), in a few flat steps up to ~11 (the unused part of
#: the map alone adds ~9); colours of no catalogue map score 15 and more.
RANKED_SCORE = 12.0
#: Another program's map that differs from a map already in the catalogue
#: (or its reversal) by at most this mean ΔE is the same map drawn from
#: fewer stops (plotly's Viridis, Vega's plasma): it is not named apart.
SAME_DELTA_E = 3.0


@dataclass
class ColormapMatch:
    """A catalogue colour map and how well it fits.

    ``delta_e`` is the mean colour difference (CIE ΔE*ab) between the map
    and the colours seen: below ~3 is a near-exact match, above
    `NAMED_DELTA_E` no match.
    """

    name: str
    delta_e: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "delta_e": round(float(self.delta_e), 2)}


_SAMPLES = 64


@functools.lru_cache(maxsize=2)
def _catalogue(n: int) -> tuple[list[str], np.ndarray]:
    """Names and Lab tables (maps, n, 3) of the distinct catalogue maps.

    Names are the short ones where the short name means this map, so they
    can be passed back as ``--cmap``. Other programs' maps follow the
    catalogue's, but not those within `SAME_DELTA_E` of a map before them.
    """
    import cmap

    catalog = cmap.Catalog()
    t = np.linspace(0.0, 1.0, n)
    entries = []
    for key in catalog.namespaced_keys():
        try:
            colors = np.asarray(cmap.Colormap(key)(t))[:, :3]
        except Exception:
            continue
        short = key.split(":", 1)[1]
        try:
            resolved = catalog.resolve(short)
        except (KeyError, ValueError):
            resolved = None
        name = short if resolved == key else key
        # matplotlib's maps go by matplotlib's (shortest) name.
        mpl = [
            a.split(":", 1)[1]
            for a in catalog[key].aliases
            if a.startswith("matplotlib:")
        ]
        if key.startswith("matplotlib:") or mpl:
            name = min([short, *mpl] if key.startswith("matplotlib:") else mpl, key=len)
        rgb = np.rint(np.clip(colors, 0, 1) * 255).astype(np.uint8)
        entries.append(
            (not (key.startswith("matplotlib:") or mpl), len(name), name, rgb)
        )
    # Identical maps are reported once: matplotlib's name first, else the
    # shortest.
    entries.sort(key=lambda e: e[:3])
    names, tables, seen = [], [], set()
    for _, _, name, rgb in entries:
        core = rgb[1:-1].tobytes()  # maps that differ only at the ends are one
        if core in seen:
            continue
        seen.add(core)
        names.append(name)
        tables.append(kernel.rgb8_to_lab(rgb, kernel.SRGB_LINEAR))
    return _add_program_maps(names, np.asarray(tables), t)


def _add_program_maps(
    names: list[str], tables: np.ndarray, t: np.ndarray
) -> tuple[list[str], np.ndarray]:
    full = list(_program_maps.program_maps())
    if not full:
        return names, tables
    rgb = np.stack([_program_maps.sample(f, t) for f in full])
    rgb8 = np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8).reshape(-1, 3)
    lab = kernel.rgb8_to_lab(rgb8, kernel.SRGB_LINEAR).reshape(len(full), len(t), 3)
    to_old = _closest(lab, tables).min(axis=1)
    to_new = _closest(lab, lab)
    kept: list[int] = []
    for i in range(len(full)):
        if to_old[i] > SAME_DELTA_E and all(to_new[i, j] > SAME_DELTA_E for j in kept):
            kept.append(i)
    names = names + [_program_maps.display_name(full[i]) for i in kept]
    return names, np.concatenate([tables, lab[kept]])


def _closest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean ΔE ``(len(a), len(b))`` between tables, each way round the lesser."""
    core = slice(1, a.shape[1] - 1)
    # one contiguous (maps, samples) array a channel: sums over a last axis
    # of three are slow
    ways = [
        [np.ascontiguousarray(x[:, core, c]) for c in range(3)] for x in (b, b[:, ::-1])
    ]
    out = np.full((len(a), len(b)), np.inf)
    for i in range(len(a)):
        for chans in ways:
            d2 = sum((chans[c] - a[i, core, c]) ** 2 for c in range(3))
            np.minimum(out[i], np.sqrt(d2).mean(axis=1), out=out[i])
    return out


def fitting(
    matches: list[ColormapMatch], limit: float = NAMED_DELTA_E
) -> ColormapMatch | None:
    """The best of ``matches`` when it scores at most ``limit``, else None.

    Parameters
    ----------
    matches : list of ColormapMatch
        Candidates, best first (from `name_colormap` or `rank_colormaps`).
    limit : float
        `NAMED_DELTA_E` for a colour bar's matches, `RANKED_SCORE` for a
        panel's.

    Returns
    -------
    ColormapMatch or None
    """
    if matches and matches[0].delta_e <= limit:
        return matches[0]
    return None


def _ranked(names: list[str], scores: np.ndarray, top: int) -> list[ColormapMatch]:
    order = np.argsort(scores, kind="stable")[:top]
    return [ColormapMatch(names[i], float(scores[i])) for i in order]


def name_colormap(
    image: np.ndarray,
    box: Box,
    orientation: Orientation | None = None,
    *,
    top: int = TOP,
) -> list[ColormapMatch]:
    """The catalogue colour maps closest to a colour bar, best first.

    Parameters
    ----------
    image : numpy.ndarray
        The figure.
    box : Box
        The colour bar's box.
    orientation : {"vertical", "horizontal"}, optional
        Default: from the box's shape.
    top : int
        How many maps to return. Reversed maps are named with ``_r``.

    Returns
    -------
    list of ColormapMatch
        Candidates, best first; none is the bar's map when the best differs
        by more than `NAMED_DELTA_E` (see `fitting`).
    """
    bar = Colorbar.from_image(image, box, 0.0, 1.0, orientation=orientation)
    return _match_bar(bar, top)


def _match_bar(bar: Colorbar, top: int) -> list[ColormapMatch]:
    names, tables = _catalogue(_SAMPLES)
    t = np.linspace(0.0, 1.0, _SAMPLES)
    if bar.discrete and bar.band_edges is not None:
        index = np.clip(
            np.searchsorted(bar.band_edges, t, side="right") - 1, 0, len(bar.lab) - 1
        )
        seen = bar.lab[index]
    else:
        pos = bar.positions
        seen = np.stack([np.interp(t, pos, bar.lab[:, c]) for c in range(3)], axis=1)
    # Ignore the outermost samples: they are the least certain part of a bar.
    core = slice(1, _SAMPLES - 1)
    forward = _delta_e(tables[:, core], seen[core]).mean(axis=1)
    backward = _delta_e(tables[:, ::-1][:, core], seen[core]).mean(axis=1)
    all_names = names + [f"{n}_r" for n in names]
    return _ranked(all_names, np.concatenate([forward, backward]), top)


def rank_colormaps(
    image: np.ndarray, box: Box | str, *, top: int = TOP, seed: int = 0
) -> list[ColormapMatch]:
    """Rank catalogue colour maps by how well they explain a panel's colours.

    For a panel with no colour bar: the score is the mean distance from the
    panel's colours to the nearest colour of each map, plus a penalty for the
    part of the map the panel does not use (so a map is not preferred merely
    for holding many colours). Reversal does not change the score; the value
    range, and its direction, must be entered.

    Parameters
    ----------
    image : numpy.ndarray
        The figure.
    box : Box or str
        The panel.
    top : int
        How many maps to return.
    seed : int
        Seed of the pixel sample.

    Returns
    -------
    list of ColormapMatch
        ``delta_e`` is the score (mean ΔE plus the unused-part penalty);
        none fits when the best scores above `RANKED_SCORE`.
    """
    rgb, _ = as_rgb8(image)
    box = Box.parse(box, what="panel box").check_inside(rgb.shape, what="panel box")
    pixels = rgb[box.slices].reshape(-1, 3)
    counts: np.ndarray
    colors, counts = np.unique(pixels, axis=0, return_counts=True)
    if len(colors) > 4000:
        rng = np.random.default_rng(seed)
        keep = rng.choice(len(colors), 4000, replace=False, p=counts / counts.sum())
        colors, counts = colors[keep], np.ones(len(keep))
    lab = kernel.rgb8_to_lab(np.ascontiguousarray(colors), kernel.SRGB_LINEAR)
    names, tables = _catalogue(_SAMPLES)
    mean_distance, unused = _explain(
        lab.astype(np.float64), counts.astype(np.float64), tables.astype(np.float64)
    )
    if len(colors) < 2:
        raise DigitizerError("the panel shows a single colour; no colour map to rank")
    return _ranked(names, mean_distance + 10.0 * unused, top)


@njit(parallel=True, cache=True)
def _explain(
    lab: np.ndarray, weights: np.ndarray, tables: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    m, n = tables.shape[0], tables.shape[1]
    k = lab.shape[0]
    mean_distance = np.zeros(m)
    unused = np.zeros(m)
    total = weights.sum()
    for j in prange(m):
        acc = 0.0
        used = np.zeros(n, dtype=np.bool_)
        for i in range(k):
            best = 1e30
            arg = 0
            for s in range(n):
                d = (
                    (lab[i, 0] - tables[j, s, 0]) ** 2
                    + (lab[i, 1] - tables[j, s, 1]) ** 2
                    + (lab[i, 2] - tables[j, s, 2]) ** 2
                )
                if d < best:
                    best = d
                    arg = s
            acc += weights[i] * np.sqrt(best)
            if best < 25.0:
                used[arg] = True
        mean_distance[j] = acc / total
        unused[j] = 1.0 - used.sum() / n
    return mean_distance, unused
