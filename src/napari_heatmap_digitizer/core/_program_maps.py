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


@functools.lru_cache(maxsize=1)
def program_maps() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every map: name -> (stop positions ``(k,)``, stop colours ``(k, 3)`` 0-1).

    Positions run from 0 to 1; colours between stops are interpolated
    linearly in sRGB, as the programs do.
    """
    path = importlib.resources.files("napari_heatmap_digitizer")
    for part in DATA_FILE:
        path = path.joinpath(part)
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for name, entry in doc["maps"].items():
        text = entry["colors"]
        rgb = np.frombuffer(bytes.fromhex(text), dtype=np.uint8).reshape(-1, 3) / 255.0
        k = len(rgb)
        if "positions" in entry:
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
    hexes = ["#" + bytes(c).hex() for c in np.rint(rgb * 255).astype(np.uint8)]
    cm = cmap.Colormap(list(zip(where.tolist(), hexes, strict=True)), name=full)
    return cm.reversed() if reverse else cm
