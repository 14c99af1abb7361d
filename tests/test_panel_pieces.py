"""Panels made of pieces: maps split by page-coloured borders, trees on a matrix."""

from __future__ import annotations

import numpy as np
import pytest

from napari_heatmap_digitizer.core import Box
from napari_heatmap_digitizer.core._detect import detect


def _field(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A smooth many-coloured field (RGB uint8)."""
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    phase = seed * 0.7
    rgb = np.stack(
        [
            0.5 + 0.4 * np.sin(5 * x + phase),
            0.5 + 0.4 * np.cos(4 * y + 2 * x),
            0.5 + 0.4 * np.sin(3 * y - phase),
        ],
        axis=-1,
    )
    return (rgb * 255).astype(np.uint8)


def _bar(image: np.ndarray, left: int, top: int, width: int, height: int) -> None:
    t = np.linspace(0.0, 1.0, height)[:, None]
    ramp = np.concatenate([t, 0.2 + 0.6 * t, 1.0 - t], axis=1)
    image[top : top + height, left : left + width] = (ramp[:, None] * 255).astype(
        np.uint8
    )


def _map(image: np.ndarray, left: int, top: int, seed: int) -> Box:
    """Two interlocking pieces of a map split by a 3-px border; its box."""
    field = _field(image.shape[0], image.shape[1], seed)
    # piece A: 250 x 150; piece B: 260 x 147 with a tab reaching up beside A
    shape = np.zeros(image.shape[:2], bool)
    shape[top : top + 150, left : left + 250] = True
    shape[top + 153 : top + 300, left + 100 : left + 360] = True
    shape[top + 144 : top + 153, left + 253 : left + 360] = True
    image[shape] = field[shape]
    return Box(left, top, left + 360, top + 300)


def _near(found: Box, expected: Box, tol: int = 2) -> bool:
    return all(
        abs(a - b) <= tol
        for a, b in zip(
            (found.left, found.top, found.right, found.bottom),
            (expected.left, expected.top, expected.right, expected.bottom),
            strict=True,
        )
    )


def test_map_split_into_interlocking_pieces_is_one_panel():
    image = np.full((500, 620, 3), 255, np.uint8)
    expected = _map(image, 60, 100, 0)
    _bar(image, 520, 150, 22, 200)
    found = detect(image, colormaps=False, ticks=False)
    assert len(found.panels) == 1
    assert _near(found.panels[0], expected)
    assert len(found.colorbars) == 1


@pytest.mark.parametrize("gap", [7, 12])
def test_maps_side_by_side_stay_two_panels(gap):
    image = np.full((440, 360 * 2 + gap + 160, 3), 255, np.uint8)
    first = _map(image, 40, 70, 0)
    second = _map(image, first.right + gap, 70, 1)
    _bar(image, second.right + 40, 120, 22, 200)
    found = detect(image, colormaps=False, ticks=False)
    boxes = sorted(found.panels, key=lambda b: b.left)
    assert len(boxes) == 2
    assert _near(boxes[0], first) and _near(boxes[1], second)


def _tree(
    image: np.ndarray, leaves: list[int], base: int, step: int, vertical: bool
) -> None:
    """A dendrogram of 1-px dark lines over leaves along one edge at ``base``.

    Neighbours are joined pairwise, each level ``step`` px further away.
    """
    dark = (40, 40, 40)
    ends = [(float(p), base) for p in leaves]
    level = 0
    while len(ends) > 1:
        level += 1
        joined = []
        for k in range(0, len(ends) - 1, 2):
            (p, a), (q, b) = ends[k], ends[k + 1]
            h = base - level * step
            for pos, start in ((p, a), (q, b)):
                if vertical:
                    image[h : start + 1, round(pos)] = dark
                else:
                    image[round(pos), h : start + 1] = dark
            if vertical:
                image[h, round(p) : round(q) + 1] = dark
            else:
                image[round(p) : round(q) + 1, h] = dark
            joined.append(((p + q) / 2, h))
        if len(ends) % 2:
            joined.append(ends[-1])
        ends = joined


def test_matrix_with_dendrograms_is_found_without_the_trees():
    rng = np.random.default_rng(3)
    image = np.full((560, 640, 3), 255, np.uint8)
    left, top, n, cell = 160, 160, 8, 40
    cells = rng.integers(30, 230, size=(n, n, 3)).astype(np.uint8)
    image[top : top + n * cell, left : left + n * cell] = np.kron(
        cells, np.ones((cell, cell, 1), np.uint8)
    )
    centres = [c * cell + cell // 2 for c in range(n)]
    _tree(image, [left + c for c in centres], top - 1, 30, vertical=True)
    _tree(image, [top + c for c in centres], left - 1, 30, vertical=False)
    _bar(image, 560, 200, 22, 220)
    found = detect(image, colormaps=False, ticks=False)
    assert len(found.panels) == 1
    assert _near(found.panels[0], Box(left, top, left + n * cell, top + n * cell))
