"""Colour bars drawn inside thick outlines are found as their gradient only."""

from __future__ import annotations

import numpy as np
import pytest
from cmap import Colormap

from napari_heatmap_digitizer.core import Box
from napari_heatmap_digitizer.core._detect import detect

BLACK, WHITE, GREY = (0, 0, 0), (255, 255, 255), (68, 68, 68)


def _gradient(cmap: str, length: int, steps: int | None = None, gap: int = 0):
    """RGB colours along a bar, low end first; ``steps`` flat bands."""
    lut = (Colormap(cmap).lut(256)[:, :3] * 255).round().astype(np.uint8)
    t = np.linspace(0.0, 1.0, length)
    if steps is not None:
        t = np.minimum(np.floor(t * steps), steps - 1) / (steps - 1)
    colours = lut[np.round(t * 255).astype(int)]
    if steps is not None and gap:
        # white lines between the bands
        edges = np.flatnonzero(np.diff(np.minimum(np.floor(t * steps), steps - 1)))
        for e in edges:
            colours[e + 1 : e + 1 + gap] = WHITE
    return colours


def _figure(
    cmap: str,
    layers: list[tuple[tuple[int, int, int], int]],
    vertical: bool = False,
    steps: int | None = None,
    gap: int = 0,
) -> tuple[np.ndarray, Box]:
    """A white page with one bar; ``layers`` of its outline, outermost first.

    Returns the figure and the gradient's box.
    """
    long, wide = 380, 30
    height, width = (500, 200) if vertical else (200, 500)
    rgb = np.full((height, width, 3), 255, np.uint8)
    colours = _gradient(cmap, long, steps, gap)
    # the gradient's box in (along, across) page coordinates
    start, across = 60, 80
    depth = sum(w for _, w in layers)
    outer = depth
    for colour, w in layers:
        a0, a1 = start - outer, start + long + outer
        c0, c1 = across - outer, across + wide + outer
        if vertical:
            rgb[a0:a1, c0:c1] = colour
        else:
            rgb[c0:c1, a0:a1] = colour
        outer -= w
    if vertical:
        # low end at the bottom
        rgb[start : start + long, across : across + wide] = colours[::-1, None]
        box = Box(across, start, across + wide, start + long)
    else:
        rgb[across : across + wide, start : start + long] = colours[None]
        box = Box(start, across, start + long, across + wide)
    return rgb, box


def _found(rgb: np.ndarray) -> Box:
    bars = detect(rgb, colormaps=False, ticks=False).colorbars
    assert len(bars) == 1
    return bars[0].box


def _close(found: Box, expected: Box) -> None:
    got = np.array([found.left, found.top, found.right, found.bottom])
    want = np.array([expected.left, expected.top, expected.right, expected.bottom])
    assert np.abs(got - want).max() <= 1, (found, expected)


@pytest.mark.parametrize("vertical", [False, True])
@pytest.mark.parametrize(
    "layers",
    [
        [],
        [(BLACK, 1)],
        [(BLACK, 3)],
        [(BLACK, 5)],
        [(BLACK, 2), (WHITE, 3)],
        [(BLACK, 4), (WHITE, 2)],
        [(BLACK, 6), (WHITE, 4)],
        [(GREY, 1)],
        [(GREY, 2), (WHITE, 2)],
    ],
)
def test_outline_is_cut_to_the_gradient(layers, vertical):
    rgb, box = _figure("batlow", layers, vertical)
    _close(_found(rgb), box)


@pytest.mark.parametrize("cmap", ["magma", "magma_r", "Blues", "Blues_r"])
@pytest.mark.parametrize(
    "layers",
    [[], [(BLACK, 1)], [(BLACK, 4)], [(BLACK, 3), (WHITE, 3)], [(GREY, 1)]],
)
def test_black_and_white_ends_keep_their_length(cmap, layers):
    # magma's black end touches a black line; Blues' white end a white gap
    rgb, box = _figure(cmap, layers)
    _close(_found(rgb), box)


@pytest.mark.parametrize("layers", [[], [(BLACK, 4)], [(BLACK, 2), (WHITE, 3)]])
@pytest.mark.parametrize("gap", [0, 2])
def test_stepped_bars_keep_their_length(layers, gap):
    rgb, box = _figure("viridis", layers, vertical=True, steps=7, gap=gap)
    _close(_found(rgb), box)


def test_thick_outline_changes_the_box():
    # without the cut, the outline would be part of the box (a check that
    # the tests above can fail)
    rgb, box = _figure("batlow", [(BLACK, 5), (WHITE, 3)])
    found = _found(rgb)
    assert found.left == pytest.approx(box.left, abs=1)
    assert found.height == pytest.approx(box.height, abs=1)
