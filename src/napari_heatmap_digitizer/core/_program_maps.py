"""Colour maps of other programs that the ``cmap`` catalogue lacks.

MATLAB's parula and jet(64) (which Octave 7 draws too), ggplot2's and
pheatmap's own colours, plotly's named scales and Vega's schemes, read from
the bundled ``data/colormaps_extra.json`` (written by
``tools/make_colormaps.py``). Every map goes by its namespaced name
(``matlab:parula``, ``plotly:RdBu``, ``vega:yellowgreenblue``); the part
after the colon alone works too when no other map, here or in the ``cmap``
catalogue, has it (``parula``). Names are matched without regard to case;
``_r`` reverses a map.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any

import numpy as np

#: The bundled file, inside the package.
DATA_FILE = ("data", "colormaps_extra.json")
#: A map whose program interpolates its stops in CIELAB (ggplot2's) is held
#: as this many stops of that ramp, unrounded; linear sRGB between them stays
#: within two hundredths of an 8-bit unit of the ramp.
LAB_STOPS = 512
#: Linear sRGB to CIE XYZ, and the D65 white (as :mod:`._kernel` uses).
_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of ``(n, 3)`` sRGB colours 0-1, unrounded.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(n, 3)`` sRGB, 0 to 1.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` L*, a*, b* as float64.
    """
    rgb = np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0)
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = lin @ _TO_XYZ.T / _WHITE
    eps = (6.0 / 29.0) ** 3
    f = np.where(xyz > eps, np.cbrt(xyz), xyz / (3.0 * (6.0 / 29.0) ** 2) + 4 / 29)
    return np.stack(
        [
            116.0 * f[:, 1] - 16.0,
            500.0 * (f[:, 0] - f[:, 1]),
            200.0 * (f[:, 1] - f[:, 2]),
        ],
        axis=1,
    )


def lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """The sRGB colours 0-1 (clipped) of ``(n, 3)`` CIELAB (D65) colours.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(n, 3)`` L*, a*, b*.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` sRGB, 0 to 1.
    """
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[:, 0] + 16.0) / 116.0
    f = np.stack([fy + lab[:, 1] / 500.0, fy, fy - lab[:, 2] / 200.0], axis=1)
    d = 6.0 / 29.0
    xyz = np.where(f > d, f**3, 3.0 * d * d * (f - 4.0 / 29.0)) * _WHITE
    lin = np.clip(xyz @ np.linalg.inv(_TO_XYZ).T, 0.0, 1.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def _lab_ramp(rgb: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stops interpolated in CIELAB, at ``n`` even places and at the stops.

    The stops (evenly spaced) are kept among the places: the ramp bends there.
    """
    lab = srgb_to_lab(rgb)
    where = np.linspace(0.0, 1.0, len(lab))
    t = np.union1d(np.linspace(0.0, 1.0, n), where)
    ramp = np.stack([np.interp(t, where, lab[:, c]) for c in range(3)], axis=1)
    return t, lab_to_srgb(ramp)


@functools.lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    """The bundled file's maps as written."""
    path = importlib.resources.files("napari_heatmap_digitizer")
    for part in DATA_FILE:
        path = path.joinpath(part)
    entries: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))[
        "maps"
    ]
    return entries


def per_value(name: str) -> bool:
    """Whether the map's program colours each value through the ramp itself.

    True for ggplot2's ramps (interpolated in CIELAB) and Vega's schemes
    (interpolated in sRGB), written with ``"per_value": true``: the data's
    colours are the ramp's own at each value, with no table of levels
    between, so a bar showing the map is best read through the map.

    Parameters
    ----------
    name : str
        Any name `resolve` takes.
    """
    found = resolve(name)
    return found is not None and bool(_entries()[found[0]].get("per_value"))


def listed(name: str) -> np.ndarray | None:
    """A table of equal bands' colours ``(k, 3)`` (0-1), low end first.

    For MATLAB's tables (written ``listed``); None for other maps.

    Parameters
    ----------
    name : str
        Any name `resolve` takes.
    """
    found = resolve(name)
    if found is None or not _entries()[found[0]].get("listed"):
        return None
    rgb = program_maps()[found[0]][1][1:-1]  # less the held ends
    return rgb[::-1] if found[1] else rgb


@functools.lru_cache(maxsize=1)
def program_maps() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every map: name -> (stop positions ``(k,)``, stop colours ``(k, 3)`` 0-1).

    Positions run from 0 to 1; colours between stops are interpolated
    linearly in sRGB, as the programs do. A map written with ``"space":
    "lab"`` (evenly spaced stops its program interpolates in CIELAB) comes as
    `LAB_STOPS` unrounded stops of that ramp.
    """
    out = {}
    for name, entry in _entries().items():
        text = entry["colors"]
        rgb = np.frombuffer(bytes.fromhex(text), dtype=np.uint8).reshape(-1, 3) / 255.0
        k = len(rgb)
        if entry.get("space") == "lab":
            where, rgb = _lab_ramp(rgb, LAB_STOPS)
        elif "positions" in entry:
            where = np.asarray(entry["positions"], dtype=float)
        elif entry.get("listed"):
            # a table of k equal bands: each colour at its band's centre,
            # the ends held
            where = np.concatenate([[0.0], (np.arange(k) + 0.5) / k, [1.0]])
            rgb = np.concatenate([rgb[:1], rgb, rgb[-1:]])
        else:
            where = np.linspace(0.0, 1.0, k)
        out[name] = (where, rgb)
    return out


@functools.lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Lower-case full and unambiguous short names -> full name."""
    import cmap

    catalog = cmap.Catalog()
    taken = {k.lower() for k in catalog.short_keys()}
    taken |= {k.lower() for k in catalog.namespaced_keys()}
    names = list(program_maps())
    out = {n.lower(): n for n in names}
    shorts: dict[str, list[str]] = {}
    for n in names:
        shorts.setdefault(n.split(":", 1)[1].lower(), []).append(n)
    for short, owners in shorts.items():
        if len(owners) == 1 and short not in taken and short not in out:
            out[short] = owners[0]
    return out


def resolve(name: str) -> tuple[str, bool] | None:
    """The full name of the map ``name`` means, and whether it is reversed.

    Parameters
    ----------
    name : str
        A full or (unambiguous) short name, any case, optionally ending in
        ``_r``.

    Returns
    -------
    tuple of (str, bool) or None
        None when no map here has that name.
    """
    lookup = _lookup()
    key = name.lower()
    if key in lookup:
        return lookup[key], False
    if key.endswith("_r") and key[:-2] in lookup:
        return lookup[key[:-2]], True
    return None


def display_name(full: str) -> str:
    """The short name where it is unambiguous, else the full one."""
    short = full.split(":", 1)[1]
    return short if _lookup().get(short.lower()) == full else full


def names() -> list[str]:
    """Every map's name as `display_name` gives it."""
    return [display_name(n) for n in program_maps()]


def sample(full: str, t: np.ndarray) -> np.ndarray:
    """The map's colours (0-1) at places ``t`` (0-1).

    Parameters
    ----------
    full : str
        A full name (see `resolve`).
    t : numpy.ndarray
        Places along the map.

    Returns
    -------
    numpy.ndarray
        ``(len(t), 3)``.
    """
    where, rgb = program_maps()[full]
    return np.stack([np.interp(t, where, rgb[:, c]) for c in range(3)], axis=1)


def colormap(full: str, reverse: bool = False) -> Any:
    """The map as a ``cmap.Colormap`` (linear interpolation between stops).

    Parameters
    ----------
    full : str
        A full name (see `resolve`).
    reverse : bool
        Reverse the map (named with ``_r``).

    Returns
    -------
    cmap.Colormap
    """
    import cmap

    where, rgb = program_maps()[full]
    # unrounded stops: a CIELAB ramp's stops are not 8-bit colours
    stops = cmap.ColorStops(np.column_stack([where, rgb, np.ones(len(where))]))
    cm = cmap.Colormap(stops, name=full)
    return cm.reversed() if reverse else cm
