"""Heat-map figures rendered with matplotlib from known data.

Used to make the bundled samples, by the tests (which check that the numbers
come back) and by the benchmarks. Axes are placed on whole pixels, so every
pixel of a panel shows exactly one known data value. Needs matplotlib.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._boxes import Box

#: The figures the accuracy tests and benchmark render (``render`` keywords).
ACCURACY_CASES: dict[str, dict[str, Any]] = {
    "viridis": {},
    "jet": {"cmap": "jet"},
    "diverging RdBu_r": {"cmap": "RdBu_r", "vmin": -5.0, "vmax": 5.0},
    "reversed magma_r": {"cmap": "magma_r"},
    "log 0.1-1000": {"norm": "log", "vmin": 0.1, "vmax": 1000.0},
    "horizontal bar": {"orientation": "horizontal"},
    "contourf, 10 bands": {"kind": "contourf", "levels": 10},
    "white grid lines": {"grid": "white"},
    "white text over panel": {"text": "white"},
    "black text, inferno": {"text": "black", "cmap": "inferno"},
    "three panels, cividis": {"panels": 3, "cmap": "cividis"},
    "gray": {"cmap": "gray"},
    "turbo": {"cmap": "turbo"},
}

#: The bundled samples (``render`` keywords; ``tools/make_samples.py``). Their
#: axes are labelled in the data coordinates their recipes' extents give.
SAMPLE_FIGURES: dict[str, dict[str, Any]] = {
    "single": {
        "cmap": "viridis",
        "vmin": -2.0,
        "vmax": 3.0,
        "seed": 1,
        "extent": (0.0, 10.0, 0.0, 5.0),
    },
    "multi": {
        "cmap": "magma",
        "vmin": 0.0,
        "vmax": 100.0,
        "panels": 3,
        "seed": 4,
        "extent": (0.0, 1.0, 0.0, 1.0),
    },
}

_F = TypeVar("_F", bound="_ImageFile")

#: What the axes of a panel show at its edges: ``(x0, x1, y0, y1)`` = x at
#: the left and right edges, y at the bottom and top edges (as `Extent`).
Limits = tuple[float, float, float, float]


@dataclass
class Layout:
    """Figure size and the pixel boxes of the panel(s) and colour bar(s).

    ``bars`` holds ``(box, orientation, panel indices)`` per colour bar.
    """

    width: int
    height: int
    panels: list[Box]
    bars: list[tuple[Box, str, list[int]]]

    @property
    def colorbar(self) -> Box:
        return self.bars[0][0]

    @property
    def orientation(self) -> str:
        return self.bars[0][1]


def default_layout(orientation: str = "vertical", panels: int = 1) -> Layout:
    """A 640x480 figure (or 1000x480 for three panels) with a colour bar."""
    if panels == 1:
        if orientation == "vertical":
            return Layout(
                640,
                480,
                [Box(80, 40, 480, 420)],
                [(Box(510, 40, 530, 420), "vertical", [0])],
            )
        return Layout(
            640,
            480,
            [Box(80, 30, 560, 330)],
            [(Box(80, 390, 560, 410), "horizontal", [0])],
        )
    boxes = [Box(60 + i * 290, 60, 60 + i * 290 + 250, 400) for i in range(panels)]
    right = boxes[-1].right
    bar = Box(right + 30, 60, right + 50, 400)
    return Layout(right + 120, 460, boxes, [(bar, "vertical", list(range(panels)))])


def grid_layout(
    rows: int,
    cols: int,
    *,
    orientation: str = "vertical",
    bars: str = "shared",
    panel: tuple[int, int] = (240, 200),
) -> Layout:
    """Panels on a ``rows`` x ``cols`` grid with room for titles and labels.

    ``bars`` is ``"shared"`` (one bar for all panels, right of or below the
    grid), ``"each"`` (a bar beside or under every panel) or ``"none"``.
    """
    pw, ph = panel
    each = bars == "each"
    vertical = orientation == "vertical"
    left, top, bottom_room = 70, 45, 50
    cell_w = left + pw + (95 if each and vertical else 25)
    cell_h = top + ph + bottom_room + (60 if each and not vertical else 0)
    boxes = [
        Box(
            c * cell_w + left,
            r * cell_h + top,
            c * cell_w + left + pw,
            r * cell_h + top + ph,
        )
        for r in range(rows)
        for c in range(cols)
    ]
    width, height = cols * cell_w, rows * cell_h
    placed: list[tuple[Box, str, list[int]]] = []
    if each:
        for i, b in enumerate(boxes):
            if vertical:
                placed.append(
                    (Box(b.right + 15, b.top, b.right + 33, b.bottom), orientation, [i])
                )
            else:
                placed.append(
                    (
                        Box(b.left, b.bottom + 45, b.right, b.bottom + 61),
                        orientation,
                        [i],
                    )
                )
    elif bars == "shared":
        everything = list(range(len(boxes)))
        first, last = boxes[0], boxes[-1]
        if vertical:
            placed.append(
                (
                    Box(width + 5, first.top, width + 25, last.bottom),
                    orientation,
                    everything,
                )
            )
            width += 100
        else:
            placed.append(
                (
                    Box(first.left, height + 5, last.right, height + 23),
                    orientation,
                    everything,
                )
            )
            height += 60
    return Layout(width, height, boxes, placed)


def smooth_field(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A smooth 2-D field spanning exactly 0..1 (bumps and a ramp)."""
    rng = np.random.default_rng(seed)
    rows, cols = shape
    y, x = np.mgrid[0:rows, 0:cols]
    x = (x + 0.5) / cols
    y = (y + 0.5) / rows
    f = 0.6 * x + 0.25 * y
    for _ in range(5):
        cx, cy = rng.uniform(0.1, 0.9, 2)
        s = rng.uniform(0.08, 0.25)
        a = rng.uniform(-0.6, 0.8)
        f = f + a * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
    f -= f.min()
    return f / f.max()


@dataclass
class _ImageFile:
    """JPEG round trip and saving for a rendered figure's ``image``."""

    image: np.ndarray

    def as_jpeg(self: _F, quality: int = 75) -> _F:
        """The same figure after a JPEG round trip."""
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(self.image).save(buf, format="JPEG", quality=quality)
        buf.seek(0)
        return replace(self, image=np.asarray(Image.open(buf).convert("RGB")))

    def save(self, path: Any, **kwargs: Any) -> None:
        """Save the image (format from the file name)."""
        from PIL import Image

        Image.fromarray(self.image).save(path, **kwargs)


@dataclass
class AxisTicks:
    """Where a panel's axis ticks are drawn and the values they label.

    Positions are figure pixel coordinates of the tick lines: ``x_pixels``
    along the image's columns and ``y_pixels`` along its rows, measured from
    the image's top-left corner with pixel ``c`` spanning ``c .. c + 1`` (so
    the panel's left edge is ``box.left`` and its bottom edge
    ``box.bottom``). matplotlib draws a tick at position ``p`` in pixel
    column (or row) ``floor(p)``.
    """

    x_pixels: np.ndarray
    x_values: np.ndarray
    y_pixels: np.ndarray
    y_values: np.ndarray


@dataclass
class RenderedFigure(_ImageFile):
    """A rendered figure with its ground truth.

    ``truth[i]`` holds the value shown by each pixel of ``panels[i]`` and
    ``judged[i]`` the pixels that show the heat map unobstructed (not under
    spines, grid lines or text, not on a contour edge). ``extent`` is what
    the panels' axes show at their edges, ``(x0, x1, y0, y1)`` as
    `Extent` takes it, or ``None`` when they show pixel indices (x from 0 at
    the left, y from 0 at the top, growing downwards); ``axis_ticks[i]``
    holds the ticks printed on panel ``i``'s axes.
    """

    image: np.ndarray
    panels: list[Box]
    colorbar: Box | None
    truth: list[np.ndarray]
    judged: list[np.ndarray]
    vmin: float
    vmax: float
    norm: str
    orientation: str
    cmap: str
    levels: np.ndarray | None = None
    bars: list[tuple[Box, str, list[int]]] = field(default_factory=list)
    ticks: list[np.ndarray] = field(default_factory=list)
    extent: Limits | None = None
    axis_ticks: list[AxisTicks] = field(default_factory=list)

    def inside_spines(self, box: Box) -> Box:
        """``box`` less its outer rows and columns that a frame line covers.

        matplotlib draws the axes spines and the colour bar's outline over
        the first row/column of the axes box (and just outside its far
        edges); what is left is the coloured area a detector should find.
        """
        black = self.image[box.slices].max(axis=2) == 0
        left, top, right, bottom = box
        for _ in range(2):
            if black[:, left - box.left].mean() > 0.9:
                left += 1
            if black[:, right - 1 - box.left].mean() > 0.9:
                right -= 1
            if black[top - box.top].mean() > 0.9:
                top += 1
            if black[bottom - 1 - box.top].mean() > 0.9:
                bottom -= 1
        return Box(left, top, right, bottom)

    def position(self, values: np.ndarray) -> np.ndarray:
        """Where values lie along the colour bar (0-1), for judging errors."""
        v = np.asarray(values, dtype=np.float64)
        if self.norm == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                lo, hi = np.log10(self.vmin), np.log10(self.vmax)
                return (np.log10(v) - lo) / (hi - lo)
        return (v - self.vmin) / (self.vmax - self.vmin)


def render(
    *,
    cmap: str = "viridis",
    norm: str = "linear",
    vmin: float = 0.0,
    vmax: float = 1.0,
    orientation: str = "vertical",
    kind: str = "imshow",
    levels: int = 10,
    grid: str | None = None,
    text: str | None = None,
    panels: int = 1,
    seed: int = 0,
    dpi: int = 100,
    layout: Layout | None = None,
    extent: Extent | Sequence[float] | None = None,
) -> RenderedFigure:
    """Render a heat-map figure from a known smooth field.

    Parameters
    ----------
    cmap : str
        matplotlib colour map name.
    norm : {"linear", "log"}
    vmin, vmax : float
        Value range (the field is scaled to exactly this range).
    orientation : {"vertical", "horizontal"}
        Colour bar orientation.
    kind : {"imshow", "contourf"}
        Smooth image or stepped filled contours (``levels`` bands).
    levels : int
        Number of bands for ``contourf``.
    grid : str, optional
        Colour of grid lines drawn over the panel.
    text : str, optional
        Colour of a large label drawn over the panel.
    panels : int
        1 or 3 panels sharing the colour bar.
    seed : int
        Seed of the field.
    dpi : int
        Figure dpi (the pixel layout is fixed; dpi scales fonts and lines).
    layout : Layout, optional
        Where panels and bars go (see `grid_layout`); overrides
        ``orientation`` and ``panels``.
    extent : Extent or sequence of 4 floats, optional
        Label every panel's axes in data coordinates: ``(x0, x1, y0, y1)``
        are x at the left and right edges and y at the bottom and top edges,
        y growing upwards, exactly as an `Extent` maps the panel's pixels. By
        default the axes show pixel indices (y growing downwards). The
        panel's pixels (and so ``truth``) are the same either way.

    Returns
    -------
    RenderedFigure
    """
    if layout is None:
        layout = default_layout(orientation, panels)
    limits = _limits(extent)
    fields = [smooth_field(b.shape, seed + i) for i, b in enumerate(layout.panels)]
    if norm == "log":
        lo, hi = np.log10(vmin), np.log10(vmax)
        data = [np.power(10.0, lo + f * (hi - lo)) for f in fields]
    else:
        data = [vmin + f * (vmax - vmin) for f in fields]
    bounds = None
    if kind == "contourf":
        if norm == "log":
            bounds = np.logspace(np.log10(vmin), np.log10(vmax), levels + 1)
        else:
            bounds = np.linspace(vmin, vmax, levels + 1)
    ticks: list[np.ndarray] = []
    axis_ticks: list[AxisTicks] = []
    style = _Style(cmap, norm, vmin, vmax, kind, bounds, dpi, limits)
    clean = _draw(layout, data, style, None, None, ticks, axis_ticks)
    image = clean
    if grid or text:
        image = _draw(layout, data, style, grid, text)
    truth, judged = [], []
    for box, d in zip(layout.panels, data, strict=True):
        t = d
        ok = np.ones(box.shape, dtype=bool)
        if bounds is not None:
            band = np.clip(np.searchsorted(bounds, d, side="right") - 1, 0, levels - 1)
            if norm == "log":
                centres = np.sqrt(bounds[:-1] * bounds[1:])
            else:
                centres = (bounds[:-1] + bounds[1:]) / 2
            t = centres[band]
            ok &= _same_as_neighbours(band, radius=2)
        ok &= np.all(image[box.slices] == clean[box.slices], axis=2)
        ok[:3, :] = ok[-3:, :] = False
        ok[:, :3] = ok[:, -3:] = False
        truth.append(t)
        judged.append(ok)
    return RenderedFigure(
        image=image,
        panels=layout.panels,
        colorbar=layout.colorbar if layout.bars else None,
        truth=truth,
        judged=judged,
        vmin=vmin,
        vmax=vmax,
        norm=norm,
        orientation=layout.orientation if layout.bars else orientation,
        cmap=cmap,
        levels=bounds,
        bars=layout.bars,
        ticks=ticks,
        extent=limits,
        axis_ticks=axis_ticks,
    )


def _limits(extent: Extent | Sequence[float] | None) -> Limits | None:
    if extent is None:
        return None
    values = extent.as_list() if isinstance(extent, Extent) else list(extent)
    if len(values) != 4:
        raise ValueError("extent must be four numbers x0, x1, y0, y1")
    x0, x1, y0, y1 = (float(v) for v in values)
    return (x0, x1, y0, y1)


@dataclass
class _Style:
    """How `_draw` paints the data: colours, kind and axis labelling."""

    cmap: str
    norm: str
    vmin: float
    vmax: float
    kind: str
    bounds: np.ndarray | None
    dpi: int
    limits: Limits | None


def _same_as_neighbours(band: np.ndarray, radius: int) -> np.ndarray:
    ok = np.ones(band.shape, dtype=bool)
    padded = np.pad(band, radius, mode="edge")
    rows, cols = band.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            ok &= (
                padded[
                    radius + dy : radius + dy + rows, radius + dx : radius + dx + cols
                ]
                == band
            )
    return ok


def _draw(
    layout: Layout,
    data: list[np.ndarray],
    style: _Style,
    grid: str | None,
    text: str | None,
    ticks_out: list[np.ndarray] | None = None,
    axis_ticks_out: list[AxisTicks] | None = None,
) -> np.ndarray:
    from matplotlib import colors
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    W, H = layout.width, layout.height
    dpi = style.dpi
    fig = Figure(figsize=(W / dpi, H / dpi), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)

    def axes_for(box: Box) -> Any:
        return fig.add_axes(
            (box.left / W, 1 - box.bottom / H, box.width / W, box.height / H)
        )

    vmin, vmax = style.vmin, style.vmax
    mpl_norm = (
        colors.LogNorm(vmin=vmin, vmax=vmax)
        if style.norm == "log"
        else colors.Normalize(vmin=vmin, vmax=vmax)
    )
    mappable = None
    panel_axes = []
    for box, d in zip(layout.panels, data, strict=True):
        ax = axes_for(box)
        panel_axes.append(ax)
        h, w = box.shape
        # Pixel indices (y downwards) unless an extent is given (y upwards).
        x0, x1, y0, y1 = style.limits or (0.0, float(w), float(h), 0.0)
        if style.kind == "contourf":
            rows, cols = np.mgrid[0:h, 0:w] + 0.5
            xx = x0 + cols / w * (x1 - x0)
            yy = y1 + rows / h * (y0 - y1)
            mappable = ax.contourf(
                xx, yy, d, levels=style.bounds, cmap=style.cmap, norm=mpl_norm
            )
        else:
            # Row 0 of the data at the top (origin "upper"), whatever y does.
            mappable = ax.imshow(
                d,
                cmap=style.cmap,
                norm=mpl_norm,
                interpolation="nearest",
                aspect="auto",
                extent=(x0, x1, y0, y1),
            )
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title("Heat map", fontsize=9)
        if grid:
            ax.set_xticks(np.linspace(x0, x1, 6))
            ax.set_yticks(np.linspace(y0, y1, 5))
            ax.grid(True, color=grid, linewidth=1.0)
        if text:
            ax.text(
                (x0 + x1) / 2,
                (y0 + y1) / 2,
                "Sample 42",
                color=text,
                fontsize=26,
                ha="center",
                va="center",
            )
    for box, orientation, _ in layout.bars:
        assert mappable is not None  # every layout has a panel
        cb = fig.colorbar(mappable, cax=axes_for(box), orientation=orientation)
        cb.set_label("value")
        if ticks_out is not None:
            t = np.asarray(cb.get_ticks(), dtype=float)
            lo, hi = min(vmin, vmax), max(vmin, vmax)
            ticks_out.append(t[(t >= lo - 1e-9 * abs(hi)) & (t <= hi + 1e-9 * abs(hi))])
    canvas.draw()
    if axis_ticks_out is not None:
        axis_ticks_out.extend(_axis_ticks(ax, H) for ax in panel_axes)
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def _axis_ticks(ax: Any, height: int) -> AxisTicks:
    """The ticks an axes shows, as figure pixel positions and values."""

    def shown(ticks: np.ndarray, limits: tuple[float, float]) -> np.ndarray:
        lo, hi = min(limits), max(limits)
        slack = 1e-9 * (hi - lo)
        return ticks[(ticks >= lo - slack) & (ticks <= hi + slack)]

    xs = shown(np.asarray(ax.get_xticks(), dtype=float), ax.get_xlim())
    ys = shown(np.asarray(ax.get_yticks(), dtype=float), ax.get_ylim())
    y_any, x_any = ax.get_ylim()[0], ax.get_xlim()[0]
    to_display = ax.transData.transform
    x_pixels = to_display(np.column_stack([xs, np.full(xs.size, y_any)]))[:, 0]
    y_display = to_display(np.column_stack([np.full(ys.size, x_any), ys]))[:, 1]
    # Display y grows upwards from the bottom; image rows grow downwards.
    return AxisTicks(x_pixels, xs, height - y_display, ys)
