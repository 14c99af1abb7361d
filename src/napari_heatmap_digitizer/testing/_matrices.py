"""Matrix and hexbin heat maps rendered with matplotlib from known cell values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.testing._figures import _ImageFile


@dataclass
class RenderedMatrix(_ImageFile):
    """A rendered matrix heat map (cells or hexagons) with its ground truth.

    ``col_edges``/``row_edges`` are the true cell edges in panel pixels
    (0 = the panel's left/top edge); ``values[r, c]`` the value of each cell,
    row 0 at the top. Hexbin figures give ``centres`` (panel pixels, x and y)
    and ``values`` per hexagon instead.
    """

    image: np.ndarray
    panel: Box
    colorbar: Box
    values: np.ndarray
    vmin: float
    vmax: float
    cmap: str
    col_edges: np.ndarray | None = None
    row_edges: np.ndarray | None = None
    centres: np.ndarray | None = None


def _matrix_figure(width: int, height: int, dpi: int) -> tuple[Any, Any, Box, Box]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panel = Box(80, 40, 80 + width, 40 + height)
    bar = Box(panel.right + 30, panel.top, panel.right + 50, panel.bottom)
    W, H = bar.right + 90, panel.bottom + 60
    fig = Figure(figsize=(W / dpi, H / dpi), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)

    def axes_for(box: Box) -> Any:
        return fig.add_axes(
            (box.left / W, 1 - box.bottom / H, box.width / W, box.height / H)
        )

    return canvas, axes_for, panel, bar


def render_matrix(
    rows: int,
    cols: int,
    *,
    kind: str = "imshow",
    grid: str | None = None,
    numbers: bool = False,
    printed: np.ndarray | None = None,
    fmt: str = "{:.2f}",
    irregular: bool = False,
    cmap: str = "viridis",
    vmin: float = 0.0,
    vmax: float = 1.0,
    size: tuple[int, int] = (480, 420),
    seed: int = 0,
    dpi: int = 100,
) -> RenderedMatrix:
    """Render a matrix heat map (imshow or pcolormesh cells) from random data.

    Parameters
    ----------
    rows, cols : int
        Matrix shape.
    kind : {"imshow", "pcolormesh"}
        How the cells are drawn.
    grid : str, optional
        Colour of 1-px lines between cells.
    numbers : bool
        Print each cell's value in it (black or white, whichever contrasts).
    printed : numpy.ndarray, optional
        ``(rows, cols)`` numbers to print instead of the cells' values (to
        draw a figure whose numbers disagree with its colours).
    fmt : str
        How the numbers are printed (a ``str.format`` pattern).
    irregular : bool
        Cells of random widths and heights (``pcolormesh`` only).
    cmap : str
        matplotlib colour map name.
    vmin, vmax : float
        Value range; the data span it exactly.
    size : (int, int)
        Panel width and height in pixels.
    seed : int
        Seed of the data.
    dpi : int
        Figure dpi.

    Returns
    -------
    RenderedMatrix
    """
    from matplotlib import colormaps

    rng = np.random.default_rng(seed)
    f = rng.uniform(0, 1, (rows, cols))
    f.flat[rng.choice(f.size, 2, replace=False)] = (0.0, 1.0)
    data = vmin + f * (vmax - vmin)
    width, height = size
    canvas, axes_for, panel, bar = _matrix_figure(width, height, dpi)
    fig = canvas.figure

    def edges(n: int, length: int) -> np.ndarray:
        if not irregular:
            return np.linspace(0, length, n + 1)
        w = rng.uniform(0.6, 1.6, n)
        e = np.concatenate([[0], np.cumsum(w)])
        return np.round(e / e[-1] * length)

    xe, ye = edges(cols, width), edges(rows, height)
    ax = axes_for(panel)
    lw = 72.0 / dpi  # 1 px
    if kind == "imshow" and not irregular:
        m = ax.imshow(
            data,
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            interpolation="nearest",
            aspect="auto",
            extent=(0, width, height, 0),
        )
        if grid:
            ax.vlines(xe[1:-1], 0, height, colors=grid, linewidth=lw)
            ax.hlines(ye[1:-1], 0, width, colors=grid, linewidth=lw)
    else:
        m = ax.pcolormesh(
            xe,
            ye,
            data,
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            edgecolors=grid if grid else "face",
            linewidth=lw if grid else 0,
            antialiased=False,
        )
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_xticks([])
    ax.set_yticks([])
    if numbers:
        lut = colormaps[cmap]
        cw = np.diff(xe).min()
        ch = np.diff(ye).min()
        px = min(14.0, 0.5 * ch, 0.4 * cw)
        for r in range(rows):
            for c in range(cols):
                rgb = np.asarray(lut(f[r, c]))[:3]
                dark = float(rgb @ (0.299, 0.587, 0.114)) < 0.5
                ax.text(
                    (xe[c] + xe[c + 1]) / 2,
                    (ye[r] + ye[r + 1]) / 2,
                    fmt.format(data[r, c] if printed is None else printed[r, c]),
                    color="white" if dark else "black",
                    fontsize=px * 72.0 / dpi,
                    ha="center",
                    va="center",
                )
    fig.colorbar(m, cax=axes_for(bar))
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3].copy()
    return RenderedMatrix(
        image=image,
        panel=panel,
        colorbar=bar,
        values=data,
        vmin=vmin,
        vmax=vmax,
        cmap=cmap,
        col_edges=xe,
        row_edges=ye,
    )


def render_hexbin(
    *,
    gridsize: int = 20,
    cmap: str = "viridis",
    size: tuple[int, int] = (480, 420),
    seed: int = 0,
    dpi: int = 100,
) -> RenderedMatrix:
    """Render a hexbin plot of a known field (mean of the field per hexagon).

    Parameters
    ----------
    gridsize : int
        Hexagons across.
    cmap : str
        matplotlib colour map name.
    size : (int, int)
        Panel width and height in pixels.
    seed : int
        Seed of the sample points.
    dpi : int
        Figure dpi.

    Returns
    -------
    RenderedMatrix
        ``centres`` are the hexagon centres in panel pixels, ``values`` their
        values; ``vmin``/``vmax`` the colour range.
    """
    rng = np.random.default_rng(seed)
    n = 40 * gridsize * gridsize
    x = rng.uniform(0, 1, n)
    y = rng.uniform(0, 1, n)
    keep = (x - 0.5) ** 2 + (y - 0.5) ** 2 < 0.2  # a round cloud, empty corners
    x, y = x[keep], y[keep]
    c = np.sin(3 * x) + np.cos(4 * y) + rng.normal(0, 0.3, x.size)
    width, height = size
    canvas, axes_for, panel, bar = _matrix_figure(width, height, dpi)
    ax = axes_for(panel)
    hb = ax.hexbin(x, y, C=c, gridsize=gridsize, cmap=cmap, extent=(0, 1, 0, 1))
    values = np.asarray(hb.get_array(), dtype=np.float64)
    vmin, vmax = float(values.min()), float(values.max())
    hb.set_clim(vmin, vmax)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    canvas.figure.colorbar(hb, cax=axes_for(bar))
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3].copy()
    off = np.asarray(hb.get_offsets(), dtype=np.float64)
    centres = np.column_stack([off[:, 0] * width, (1 - off[:, 1]) * height])
    return RenderedMatrix(
        image=image,
        panel=panel,
        colorbar=bar,
        values=values,
        vmin=vmin,
        vmax=vmax,
        cmap=cmap,
        centres=centres,
    )
