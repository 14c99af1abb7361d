"""Panels found from their axes frames: sparse, mostly white, non-rectangular."""

from __future__ import annotations

import io

import numpy as np
import pytest

from napari_heatmap_digitizer import Box, ColorbarSpec, Recipe, complete_recipe, detect

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


def _render(fig, ax) -> tuple[np.ndarray, Box]:
    """The figure's pixels and the inside of ``ax`` in pixel coordinates."""
    fig.canvas.draw()
    ext = ax.get_window_extent()
    H = fig.canvas.get_width_height()[1]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    plt.close(fig)
    buf.seek(0)
    image = plt.imread(buf)
    rgb = (image[..., :3] * 255).round().astype(np.uint8)
    inside = Box(round(ext.x0), round(H - ext.y1), round(ext.x1), round(H - ext.y0))
    return rgb, inside


def _near(found: Box, inside: Box, tol: int = 2) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(found, inside, strict=True))


def _hist2d(spines: bool = True) -> tuple[np.ndarray, Box]:
    rng = np.random.default_rng(1)
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    x, y = rng.normal(size=(2, 150))
    *_, mesh = ax.hist2d(x, y, bins=25, range=[[-4, 4], [-4, 4]], cmin=1)
    fig.colorbar(mesh, ax=ax)
    if not spines:
        ax.spines[["top", "right"]].set_visible(False)
    return _render(fig, ax)


def test_sparse_hist2d_panel_is_the_axes_inside():
    image, inside = _hist2d()
    found = detect(image, ticks=False, colormaps=False)
    assert len(found.panels) == 1
    assert _near(found.panels[0], inside)
    assert found.colorbars[0].panels == [0]
    recipe = Recipe(colorbar=ColorbarSpec(vmin=1.0, vmax=10.0))
    assert complete_recipe(recipe, found).problems == []


def test_left_and_bottom_spines_only():
    image, inside = _hist2d(spines=False)
    found = detect(image, ticks=False, colormaps=False)
    assert len(found.panels) == 1
    assert _near(found.panels[0], inside)
    assert found.colorbars[0].panels == [0]


def test_mostly_white_confusion_matrix():
    matrix = np.zeros((8, 8))
    np.fill_diagonal(matrix, np.linspace(0.55, 1.0, 8))
    matrix[2, 5] = 0.3
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    im = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(im, ax=ax)
    image, inside = _render(fig, ax)
    found = detect(image, ticks=False, colormaps=False)
    assert len(found.panels) == 1
    assert _near(found.panels[0], inside)
    assert found.colorbars[0].panels == [0]


def test_polar_disc_panel_is_its_bounding_box():
    theta, r = np.meshgrid(np.linspace(0, 2 * np.pi, 60), np.linspace(0, 1, 20))
    fig = plt.figure(figsize=(5, 4), dpi=100)
    ax = fig.add_subplot(projection="polar")
    mesh = ax.pcolormesh(theta, r, np.sin(3 * theta) * r, cmap="viridis")
    ax.set_xticklabels([])
    ax.set_yticklabels([])
    fig.colorbar(mesh, ax=ax)
    image, inside = _render(fig, ax)
    found = detect(image, ticks=False, colormaps=False)
    assert len(found.panels) == 1
    assert _near(found.panels[0], inside, tol=3)
    assert found.colorbars[0].panels == [0]


def test_empty_framed_axes_is_no_panel():
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    image, _ = _render(fig, ax)
    assert detect(image, ticks=False, colormaps=False).panels == []


def test_line_plot_is_no_panel():
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    x = np.linspace(0, 10, 200)
    for k in range(4):
        ax.plot(x, np.sin(x + k), lw=2)
    image, _ = _render(fig, ax)
    assert detect(image, ticks=False, colormaps=False).panels == []
