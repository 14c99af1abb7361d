"""snap_panel: a loose hand-drawn plot box shrinks to the inside of the frame.

Figures come from the renderer (which knows its panels' exact boxes) and
from small matplotlib figures with and without spines. A loose box must snap
back to the panel; a tight one, or one inside the data, must stay as drawn.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from napari_heatmap_digitizer.core import Box, DigitizerError, snap_panel
from napari_heatmap_digitizer.testing import render, smooth_field
from napari_heatmap_digitizer.testing._figures import _ImageFile

pytest.importorskip("matplotlib")

#: How much each side of a panel is grown, as (left, top, right, bottom).
GROWN = [(3, 3, 3, 3), (15, 15, 15, 15), (5, 12, 9, 15), (14, 4, 3, 11), (8, 8, 8, 8)]


def _grow(box: Box, left: int, top: int, right: int, bottom: int) -> Box:
    return Box(box.left - left, box.top - top, box.right + right, box.bottom + bottom)


def _off(a: Box, b: Box) -> int:
    """Largest distance between corresponding edges, in pixels."""
    return int(np.abs(np.subtract(a, b)).max())


def _jpeg(image: np.ndarray) -> np.ndarray:
    return _ImageFile(image).as_jpeg(75).image


def _figure(data: np.ndarray, cmap: str, *, spines: bool) -> tuple[np.ndarray, Box]:
    """A 640x480 figure with one panel at a known box, axes labelled."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    box, (W, H) = Box(90, 50, 470, 400), (640, 480)
    fig = Figure(figsize=(W / 100, H / 100), dpi=100, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((box.left / W, 1 - box.bottom / H, box.width / W, box.height / H))
    ax.imshow(data, cmap=cmap, interpolation="nearest", aspect="auto")
    ax.set_title("panel")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    for spine in ax.spines.values():
        spine.set_visible(spines)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy(), box


@pytest.mark.parametrize(
    "case", [{}, {"cmap": "jet"}, {"panels": 3}, {"kind": "contourf"}]
)
def test_loose_box_snaps_to_the_panel(case):
    fig = render(**case)
    for panel in fig.panels:
        inside = fig.inside_spines(panel)
        for grown in GROWN:
            snapped = snap_panel(fig.image, _grow(panel, *grown))
            assert _off(snapped, panel) <= 1, (grown, snapped, panel)
            # Exactly inside the frame: the spines are gone.
            assert snapped == inside


@pytest.mark.parametrize("case", [{}, {"cmap": "magma_r"}, {"panels": 3}])
def test_loose_box_snaps_on_jpeg(case):
    fig = render(**case)
    image = _jpeg(fig.image)
    for panel in fig.panels:
        for grown in GROWN:
            snapped = snap_panel(image, _grow(panel, *grown))
            assert _off(snapped, panel) <= 2, (grown, snapped, panel)


@pytest.mark.parametrize("jpeg", [False, True])
def test_tight_box_and_box_inside_the_data_stay(jpeg):
    fig = render(panels=3, cmap="cividis")
    image = _jpeg(fig.image) if jpeg else fig.image
    for panel in fig.panels:
        inside = fig.inside_spines(panel)
        assert snap_panel(image, panel) in (panel, inside)
        for box in (
            inside,
            Box(panel.left + 1, panel.top + 2, panel.right - 1, panel.bottom - 2),
            Box(panel.left + 5, panel.top + 5, panel.right - 5, panel.bottom - 5),
            Box(panel.left + 30, panel.top + 40, panel.right - 50, panel.bottom - 9),
        ):
            if jpeg and box == inside:
                continue  # JPEG blurs the frame into the plot's first line
            assert snap_panel(image, box) == box


@pytest.mark.parametrize("spines", [True, False])
@pytest.mark.parametrize("jpeg", [False, True])
def test_figures_with_and_without_spines(spines, jpeg):
    image, panel = _figure(smooth_field((350, 380), 5), "viridis", spines=spines)
    image = _jpeg(image) if jpeg else image
    for grown in GROWN:
        snapped = snap_panel(image, _grow(panel, *grown))
        assert _off(snapped, panel) <= (2 if jpeg else 1), (grown, snapped)
    assert _off(snap_panel(image, panel), panel) <= 1
    inner = Box(panel.left + 4, panel.top + 4, panel.right - 4, panel.bottom - 4)
    assert snap_panel(image, inner) == inner


@pytest.mark.parametrize("spines", [True, False])
@pytest.mark.parametrize("jpeg", [False, True])
def test_dark_data_along_the_frame_is_never_cut(spines, jpeg):
    # magma's low end is black, like the spines: the top rows and the left
    # columns of the data are black, or nearly so.
    data = smooth_field((350, 380), 3)
    data[:6] = 0.0
    data[:, :3] = 0.0
    data[6:40] = np.minimum(data[6:40], np.linspace(0, 0.3, 34)[:, None])
    image, panel = _figure(data, "magma", spines=spines)
    image = _jpeg(image) if jpeg else image
    frame = 1 if spines else 0
    for grown in GROWN:
        snapped = snap_panel(image, _grow(panel, *grown))
        # Never into the data by more than the frame; never far outside it.
        assert snapped.left <= panel.left + frame
        assert snapped.top <= panel.top + frame
        assert _off(snapped, panel) <= (2 if jpeg else 1), (grown, snapped)
    for box in (panel, Box(panel.left + 2, panel.top + 2, panel.right, panel.bottom)):
        assert snap_panel(image, box) == box


def test_light_data_fading_into_the_background_is_never_cut():
    # 'Blues' and 'Greys' start at (near) white, the figure's background:
    # data fading into white along the left edge is left as drawn there.
    data = smooth_field((350, 380), 2)
    data[:, :40] = np.minimum(data[:, :40], np.linspace(0, 0.5, 40))
    for cmap in ("Blues", "Greys"):
        image, panel = _figure(data, cmap, spines=False)
        for grown in GROWN:
            snapped = snap_panel(image, _grow(panel, *grown))
            assert snapped.left <= panel.left
            assert _off(snapped._replace(left=panel.left), panel) <= 1
        assert snap_panel(image, panel) == panel


def test_grey_rgba_float_and_dask_figures():
    fig = render(cmap="gray")
    (panel,) = fig.panels
    loose = _grow(panel, 9, 7, 12, 5)
    expected = snap_panel(fig.image, loose)
    assert _off(expected, panel) <= 1
    grey = fig.image[..., 0]
    rgba = np.dstack([fig.image, np.full(grey.shape, 255, np.uint8)])
    # Transparent background: shown over white, as a viewer does.
    clear = rgba.copy()
    clear[..., 3][np.all(fig.image == 255, axis=2)] = 0
    as_float = fig.image.astype(np.float32) / 255
    for image in (grey, rgba, clear, as_float, list(loose)):
        if isinstance(image, list):
            continue
        assert snap_panel(image, loose) == expected
    da = pytest.importorskip("dask.array")
    assert snap_panel(da.from_array(fig.image, chunks=128), loose) == expected
    assert snap_panel(fig.image, loose.as_text()) == expected
    assert snap_panel(fig.image, list(loose)) == expected


def test_large_figure_reads_only_the_edges():
    fig = render()
    (panel,) = fig.panels
    # A 12000 x 12000 figure, mostly never touched (zero pages stay unread).
    big = np.zeros((12_000, 12_000, 3), np.uint8)
    big[:480, :640] = fig.image
    big[:, 640:] = 255
    big[480:, :640] = 255
    start = time.perf_counter()
    snapped = snap_panel(big, _grow(panel, 10, 10, 10, 10))
    assert time.perf_counter() - start < 2.0
    assert snapped == fig.inside_spines(panel)


def test_tiny_box_and_plain_figure_stay():
    fig = render()
    tiny = Box(100, 100, 112, 109)
    assert snap_panel(fig.image, tiny) == tiny
    noise = np.random.default_rng(0).integers(0, 256, (200, 300, 3), dtype=np.uint8)
    box = Box(20, 20, 200, 150)
    assert snap_panel(noise, box) == box  # no background: nothing to trim


@pytest.mark.parametrize(
    ("image", "box", "message"),
    [
        ("figure.png", (0, 0, 5, 5), "not a file name"),
        ([[1, 2], [3, 4]], (0, 0, 1, 1), "array of pixels"),
        (np.zeros((4, 4, 5), np.uint8), (0, 0, 2, 2), "grey, RGB or RGBA"),
        (np.zeros((40, 40, 3), np.uint8), (0, 0, 50, 20), "outside"),
        (np.zeros((40, 40, 3), np.uint8), "1,2,3", "four numbers"),
        (np.zeros((40, 40, 3), np.uint8), (5, 5, 2, 9), "empty or inverted"),
    ],
)
def test_bad_input_is_refused(image, box, message):
    with pytest.raises(DigitizerError, match=message):
        snap_panel(image, box)
