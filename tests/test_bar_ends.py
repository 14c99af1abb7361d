"""Colour bars with triangular extensions: the box is the rectangle only."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from napari_heatmap_digitizer import detect
from napari_heatmap_digitizer.core._boxes import Box

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")  # drawn off screen, whatever backend is installed
plt = pytest.importorskip("matplotlib.pyplot")


def _figure(
    extend: str, orientation: str, levels: int | None
) -> tuple[np.ndarray, Box]:
    """A field with a colour bar extended at ``extend``; the bar's true box."""
    y, x = np.mgrid[0:1:120j, 0:1:160j]
    field = np.sin(3 * x) + np.cos(2 * y)
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    if levels:
        mappable = ax.contourf(field, levels=levels, cmap="bwr", extend=extend)
    else:
        mappable = ax.imshow(field, cmap="viridis", vmin=-0.5, vmax=1.5)
    cbar = fig.colorbar(mappable, ax=ax, extend=extend, orientation=orientation)
    fig.canvas.draw()
    height = fig.canvas.get_width_height()[1]
    ext = cbar.ax.get_window_extent()
    true = Box(
        round(ext.x0), round(height - ext.y1), round(ext.x1), round(height - ext.y0)
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB")), true


@pytest.mark.parametrize("orientation", ["vertical", "horizontal"])
@pytest.mark.parametrize("extend", ["min", "max", "both"])
@pytest.mark.parametrize("levels", [None, 12])
def test_extend_triangles_are_left_out_of_the_bar(extend, orientation, levels):
    image, true = _figure(extend, orientation, levels)
    found = detect(image, ticks=False)
    assert len(found.colorbars) == 1
    box = found.colorbars[0].box
    # the rectangle's ends to 2 px (the outline and anti-aliasing), not the
    # triangles' (a tenth of its length more per extension)
    assert abs(box.top - true.top) <= 2 and abs(box.bottom - true.bottom) <= 2
    assert abs(box.left - true.left) <= 2 and abs(box.right - true.right) <= 2
