"""Prepare the Numba kernels before the first real figure needs them.

The kernels are compiled with ``cache=True``: the first run on a machine
compiles them (tens of seconds), every later process loads them from the
cache (well under a second). :func:`prepare_kernels` runs the pipeline once
on a tiny figure made here, so a front end can do this at a moment of its
choosing (in the background when the napari widget opens) and say truly
whether compiling happened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import ModuleType

import numpy as np
from numba.core.registry import CPUDispatcher

from napari_heatmap_digitizer.core import _bands, _frames, _grid, _kernel, _morph
from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._detect import detect
from napari_heatmap_digitizer.core._pipeline import run_recipe
from napari_heatmap_digitizer.core._recipe import ColorbarSpec, Panel, Recipe, Values

#: The modules whose compiled functions are counted.
_KERNEL_MODULES: tuple[ModuleType, ...] = (_kernel, _bands, _grid, _morph, _frames)


@dataclass(frozen=True)
class KernelStatus:
    """What preparing the kernels took.

    Attributes
    ----------
    seconds : float
        Wall time of the preparation.
    compiled : bool
        Whether any kernel was compiled (rather than loaded from Numba's
        cache or already loaded in this process).
    """

    seconds: float
    compiled: bool


def _misses() -> int:
    """Cache misses (compilations) so far of every kernel, summed."""
    total = 0
    for module in _KERNEL_MODULES:
        for item in vars(module).values():
            if isinstance(item, CPUDispatcher):
                total += sum(item.stats.cache_misses.values())
    return total


def _tiny_figure() -> tuple[np.ndarray, Recipe]:
    """A 4×4-cell matrix and a vertical ramp bar, with their recipe."""
    ramp = np.linspace(0, 255, 32)
    bar_rgb = np.stack([ramp, 255 - ramp, np.full_like(ramp, 128)], axis=1)
    image = np.full((40, 64, 3), 255, dtype=np.uint8)
    image[4:36, 48:56] = bar_rgb[::-1, None, :].round().astype(np.uint8)
    cells = bar_rgb[[2, 9, 16, 23, 29, 5, 12, 19, 26, 30, 1, 8, 15, 22, 27, 3]]
    block = cells.reshape(4, 4, 3).round().astype(np.uint8)
    image[4:36, 4:36] = np.repeat(np.repeat(block, 8, axis=0), 8, axis=1)
    recipe = Recipe(
        panels=[Panel(Box(4, 4, 36, 36), Extent(0.0, 1.0, 0.0, 1.0))],
        colorbar=ColorbarSpec(box=Box(46, 2, 58, 38), vmin=0.0, vmax=1.0),
        values=Values(per="cell"),
    )
    return image, recipe


def prepare_kernels() -> KernelStatus:
    """Compile (or load from the cache) the kernels digitizing and detection use.

    Runs the pipeline on a tiny figure, per pixel and per cell, and detects
    its panel and bar, so the next real run starts at once. Safe to call
    from a background thread and more than once; later calls take
    milliseconds.

    Returns
    -------
    KernelStatus
        How long it took and whether compiling was needed.
    """
    before = _misses()
    start = time.perf_counter()
    image, recipe = _tiny_figure()
    for panel in run_recipe(recipe, image):
        panel.summary()
        panel.result.summary()
    # detection's masks and morphology (no tick labels: no OCR engine needed),
    # and the judging of holes, which this figure does not need
    detect(image, ticks=False)
    empty = np.zeros((3, 3), bool)
    _morph.hole_borders(np.zeros((3, 3), np.int32), empty, empty, 0)
    edges = np.zeros((1, 4), np.int64)
    _frames._tree_judged(empty, edges, edges, np.zeros(1, bool))
    return KernelStatus(time.perf_counter() - start, _misses() > before)
