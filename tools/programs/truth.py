"""Exact truth for a heat map drawn by another plotting program.

A program draws the figure several times with the same layout and only the
data (or the colour map) changed; comparing the drawings gives, without any
knowledge of the program:

- all-minimum vs all-maximum data: the pixels that change are the data
  areas (one connected area per panel);
- column stripes (cells alternately minimum and maximum) and row stripes:
  the cell edges, to a fraction of a pixel;
- a second colour map: the pixels that change outside the data areas are
  the colour bar;
- for a figure with numbers printed in its cells (``Spec.printed``), the
  real data drawn without them: the pixels that change are the text, which
  is no data (left out of the data areas and of the cell-edge search).

`make_truth` turns the drawings into the fields of
``../shared/figures-wild/expected.json`` (panels, colorbars, ...) plus the
data and cell edges, from which the true value of every pixel follows
(`napari_heatmap_digitizer.testing.ProgramFigure.truth`).
"""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

# A pixel "changes" when some channel moves more than this (0-255).
CHANGED = 24


@dataclass
class Spec:
    """One figure to draw: what the program module's ``draw`` receives.

    ``data`` holds one array per panel, row 0 at the *top* of the panel (as
    the figure shows it); NaN is a missing cell. ``colormap`` is the
    program's own name for the map; ``alt_colormap`` one or more clearly
    different ones (used to find the bar: together they must change every
    colour of the bar, ends included). ``bars`` is how many colour bars the
    figure shows: one for all panels, or one per panel (each then serves the
    panel nearest to it). With ``norm="log"`` the data must be positive and
    the program must draw a log colour scale; stripes then alternate the
    two ends the same way.

    ``printed`` holds, per panel, the strings the figure prints in its cells
    (row 0 at the top, ``None`` for an empty cell). They are the formatted
    ``data`` and a drawing must print exactly them in *every* drawing,
    whatever data it is given, with colours that follow ``data`` only
    (never the data drawn); with ``printed=None`` it prints no numbers.
    """

    name: str
    data: list[np.ndarray]
    vmin: float
    vmax: float
    colormap: str
    alt_colormap: str | tuple[str, ...]
    norm: str = "linear"
    orientation: str = "vertical"
    colormap_name: str | None = None  # the name in our catalogue, if any
    options: dict[str, Any] = field(default_factory=dict)
    bars: int = 1
    printed: list[list[list[str | None]]] | None = None


Draw = Callable[[Spec, list[np.ndarray], str, Path], None]


def smooth_field(shape: tuple[int, int], vmin: float, vmax: float, seed: int):
    """A smooth field spanning most of [vmin, vmax] (row 0 at the top)."""
    rng = np.random.default_rng(seed)
    ny, nx = shape
    y, x = np.mgrid[0:ny, 0:nx]
    y = y / max(ny - 1, 1)
    x = x / max(nx - 1, 1)
    a, b, c = rng.uniform(0.8, 2.2, 3)
    f = np.sin(a * np.pi * x + b) * np.cos(c * np.pi * y) + 0.6 * x * y
    f = (f - f.min()) / (f.max() - f.min())
    # a margin at each end so no pixel sits beyond the bar
    return vmin + (vmax - vmin) * (0.03 + 0.94 * f)


def matrix(shape: tuple[int, int], vmin: float, vmax: float, seed: int):
    """Cells with independent values in [vmin, vmax] (rounded to 0.01)."""
    rng = np.random.default_rng(seed)
    span = vmax - vmin
    return np.round(vmin + span * rng.uniform(0.02, 0.98, shape), 2)


def printed(
    data: list[np.ndarray], fmt: Callable[[float], str]
) -> list[list[list[str | None]]]:
    """The strings ``fmt`` makes of every cell of every panel (None for NaN)."""
    return [
        [[None if np.isnan(v) else fmt(float(v)) for v in row] for row in d]
        for d in data
    ]


def _read(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        if im.mode in ("RGBA", "LA", "P"):
            im = im.convert("RGBA")
            white = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(white, im)
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape != b.shape:
        raise RuntimeError(f"drawings differ in size: {a.shape} vs {b.shape}")
    return np.abs(a - b).max(axis=2) > CHANGED


def _box(mask: np.ndarray) -> list[int]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]


def _areas(mask: np.ndarray, count: int) -> list[list[int]]:
    """Boxes of the ``count`` largest areas, in reading order."""
    # close thin gaps (separators between cells, missing cells)
    closed = ndimage.binary_closing(mask, np.ones((9, 9)), border_value=0)
    labels, n = ndimage.label(closed | mask)
    sizes = ndimage.sum(np.ones_like(labels), labels, range(1, n + 1))
    keep = np.argsort(sizes)[::-1][:count] + 1
    boxes = [_box((labels == k) & mask) for k in keep]
    return sorted(boxes, key=lambda b: (round(b[1] / 20), b[0]))


def _edges(
    lo: np.ndarray,
    hi: np.ndarray,
    stripes: np.ndarray,
    axis: int,
    text: np.ndarray | None = None,
):
    """Fractional cell edges along ``axis`` inside one panel's crop.

    ``stripes`` shows cells alternately at the minimum (even) and maximum
    (odd) colour; each pixel's position between the two colours is its
    share of an odd cell. Edges are where that share crosses one half.
    Pixels of ``text`` (printed numbers) are left out.
    """
    lo, hi, st = (a.astype(float) for a in (lo, hi, stripes))
    d = hi - lo
    t = ((st - lo) * d).sum(axis=2) / np.maximum((d * d).sum(axis=2), 1.0)
    changes = np.abs(d).max(axis=2) > CHANGED
    if text is not None:
        changes &= ~text
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # separator lines
        profile = np.nanmedian(np.where(changes, t, np.nan), 1 - axis)
    valid = np.flatnonzero(np.isfinite(profile))
    edges = [0.0]
    for i, j in itertools.pairwise(valid):
        a, b = profile[i] - 0.5, profile[j] - 0.5
        if j > i + 1:
            # a separator (never changes colour) lies between two cells
            edges.append((i + 1 + j) / 2)
        elif a * b < 0:
            # pixel i has its centre at i + 0.5 in box coordinates
            edges.append(i + 0.5 + a / (a - b))
    edges.append(float(profile.size))
    return np.array(edges)


def _served(bar: list[int], panels: list[list[int]], n_bars: int) -> list[int]:
    """The panels a bar serves: all of them, or the nearest one of many bars."""
    if n_bars == 1:
        return list(range(len(panels)))

    def distance(p: list[int]) -> float:
        dx = max(p[0] - bar[2], bar[0] - p[2], 0)
        dy = max(p[1] - bar[3], bar[1] - p[3], 0)
        return float(np.hypot(dx, dy))

    return [int(np.argmin([distance(p) for p in panels]))]


def make_truth(spec: Spec, draw: Draw, out: Path, program: str, version: str):
    """Draw ``spec`` several times and write ``out`` (.png) with its truth."""
    tmp = out.with_suffix(".work")
    tmp.mkdir(exist_ok=True)

    def drawn(
        tag: str, data: list[np.ndarray], cmap: str, what: Spec = spec
    ) -> np.ndarray:
        path = tmp / f"{tag}.png"
        draw(what, data, cmap, path)
        return _read(path)

    if spec.printed is not None:
        shapes = [np.shape(np.array(p, dtype=object)) for p in spec.printed]
        if shapes != [d.shape for d in spec.data]:
            raise RuntimeError(f"{spec.name}: printed {shapes} is not the data's")

    lows = [np.where(np.isnan(d), np.nan, spec.vmin) for d in spec.data]
    highs = [np.where(np.isnan(d), np.nan, spec.vmax) for d in spec.data]
    real = drawn("real", spec.data, spec.colormap)
    lo = drawn("lo", lows, spec.colormap)
    hi = drawn("hi", highs, spec.colormap)
    alts = spec.alt_colormap
    alts = (alts,) if isinstance(alts, str) else alts
    bar_mask = np.zeros(real.shape[:2], bool)
    for k, cmap in enumerate(alts):
        bar_mask |= _changed(real, drawn(f"alt{k}", spec.data, cmap))
    data_mask = _changed(lo, hi)
    panels = _areas(data_mask, len(spec.data))
    # the printed numbers (and their anti-aliased rims) are no data
    text = np.zeros(real.shape[:2], bool)
    if spec.printed is not None:
        bare = drawn("bare", spec.data, spec.colormap, replace(spec, printed=None))
        text = ndimage.binary_dilation(_changed(real, bare), iterations=1)
        inside = np.zeros_like(text)
        for p in panels:
            inside[p[1] : p[3], p[0] : p[2]] = True
        if (text & ~inside).sum() > 0.01 * text.sum():
            raise RuntimeError(f"{spec.name}: the printed text is not in the panels")
    bar_mask &= ~ndimage.binary_dilation(data_mask, iterations=3)
    for p in panels:
        bar_mask[p[1] : p[3], p[0] : p[2]] = False
    bar_mask = ndimage.binary_opening(bar_mask, np.ones((3, 3)))
    bars = _areas(bar_mask, spec.bars) if bar_mask.any() else []
    if len(bars) != spec.bars:
        raise RuntimeError(
            f"{spec.name}: {len(bars)} colour bars seen, not {spec.bars}"
        )

    def stripes(along: int) -> list[np.ndarray]:
        out = []
        for d in spec.data:
            idx = np.indices(d.shape)[1 - along]
            s = np.where(idx % 2 == 0, spec.vmin, spec.vmax)
            out.append(np.where(np.isnan(d), np.nan, s))
        return out

    cols = drawn("cols", stripes(0), spec.colormap)
    rows = drawn("rows", stripes(1), spec.colormap)
    arrays: dict[str, np.ndarray] = {}
    for i, (p, d) in enumerate(zip(panels, spec.data, strict=True)):
        crop = np.s_[p[1] : p[3], p[0] : p[2]]
        xe = _edges(lo[crop], hi[crop], cols[crop], axis=1, text=text[crop])
        ye = _edges(lo[crop], hi[crop], rows[crop], axis=0, text=text[crop])
        ny, nx = d.shape
        if xe.size != nx + 1 or ye.size != ny + 1:
            raise RuntimeError(
                f"{spec.name}: panel {i} shows {xe.size - 1}x{ye.size - 1} cells,"
                f" the data has {nx}x{ny}"
            )
        arrays[f"values_{i}"] = d.astype(np.float64)
        arrays[f"x_edges_{i}"] = xe
        arrays[f"y_edges_{i}"] = ye
        arrays[f"data_{i}"] = data_mask[crop] & ~text[crop]
    Image.fromarray(real.astype(np.uint8)).save(out, optimize=True)
    np.savez_compressed(out.with_suffix(".truth.npz"), **arrays)
    expected = {
        "program": program,
        "version": version,
        "size": [int(real.shape[1]), int(real.shape[0])],
        "panels": panels,
        "colorbars": [
            {
                "box": b,
                "orientation": spec.orientation,
                "panels": _served(b, panels, len(bars)),
                "vmin": spec.vmin,
                "vmax": spec.vmax,
                "norm": spec.norm,
                "colormap": spec.colormap_name,
            }
            for b in bars
        ],
        "cells": [[int(d.shape[1]), int(d.shape[0])] for d in spec.data],
        "options": spec.options,
    }
    if spec.printed is not None:
        expected["printed"] = spec.printed
    out.with_suffix(".json").write_text(json.dumps(expected, indent=1) + "\n")
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    return expected
