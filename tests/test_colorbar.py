from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import figure

from napari_heatmap_digitizer.core import Box, Colorbar, DigitizerError, digitize


def loose(box: Box, m: int = 4) -> Box:
    return Box(box.left - m, box.top - m, box.right + m, box.bottom + m)


def test_from_name_tables():
    bar = Colorbar.from_name("viridis", 0, 1)
    # 256 entries; consecutive entries of one colour merge into one at their
    # middle (viridis repeats two of its 8-bit colours)
    assert not bar.discrete and 250 <= len(bar.lab) <= 256
    assert np.all(np.diff(bar.positions) > 0)
    assert np.all(np.any(bar.lab[1:] != bar.lab[:-1], axis=1))
    assert bar.vmin == 0 and bar.vmax == 1
    rev = Colorbar.from_name("viridis_r", 0, 1)
    np.testing.assert_array_equal(rev.rgb, bar.rgb[::-1])
    tab = Colorbar.from_name("tab10", 0, 10)
    assert tab.discrete and len(tab.rgb) == 10
    np.testing.assert_allclose(tab.values, np.arange(10) + 0.5)


def test_unknown_colormap_suggests_close_names():
    with pytest.raises(DigitizerError, match="did you mean viridis") as err:
        Colorbar.from_name("viridiss", 0, 1)
    assert "\n" not in str(err.value)
    with pytest.raises(DigitizerError, match="unknown colour map"):
        Colorbar.from_name("zzqqxx", 0, 1)


def test_missing_values_and_both_values_and_ticks():
    with pytest.raises(DigitizerError, match="vmin and vmax"):
        Colorbar.from_name("viridis")
    with pytest.raises(DigitizerError, match="not both"):
        Colorbar.from_name("viridis", 0, 1, ticks=[(0, 0), (1, 1)])


def test_orientation_from_box_shape_and_ends():
    fig = figure()
    bar = Colorbar.from_image(fig.image, loose(fig.colorbar), 0, 1)
    assert bar.source["orientation"] == "vertical"
    # The bar's ends are found to within a pixel (outline centred on edges).
    lo, hi = bar.source["edges"]
    assert abs(lo - fig.colorbar.bottom) <= 1 and abs(hi - fig.colorbar.top) <= 1
    h = figure(orientation="horizontal")
    hbar = Colorbar.from_image(h.image, loose(h.colorbar), 0, 1)
    assert hbar.source["orientation"] == "horizontal"
    lo, hi = hbar.source["edges"]
    assert abs(lo - h.colorbar.left) <= 1 and abs(hi - h.colorbar.right) <= 1


def test_low_end_color_is_first():
    fig = figure(cmap="viridis")
    bar = Colorbar.from_image(fig.image, loose(fig.colorbar), 0, 1)
    ref = Colorbar.from_name("viridis", 0, 1)
    assert np.linalg.norm(bar.lab[1] - ref.lab[0]) < 5
    assert np.linalg.norm(bar.lab[-2] - ref.lab[-1]) < 5


def test_flip_reads_a_bar_drawn_upside_down():
    fig = figure()
    image = fig.image.copy()
    cb = loose(fig.colorbar)
    image[cb.slices] = image[cb.slices][::-1]
    upright = Colorbar.from_image(fig.image, cb, 0, 1)
    flipped = Colorbar.from_image(image, cb, 0, 1, flip=True)
    a = digitize(fig.image, upright, fig.panels[0]).values
    b = digitize(fig.image, flipped, fig.panels[0]).values
    ok = np.isfinite(a) & np.isfinite(b)
    assert ok.mean() > 0.95
    assert np.median(np.abs(a - b)[ok]) < 0.005
    wrong = Colorbar.from_image(image, cb, 0, 1)  # without flip: reversed values
    c = digitize(fig.image, wrong, fig.panels[0]).values
    assert np.nanmedian(np.abs(a + c - 1)) < 0.01


def test_ticks_in_figure_pixels():
    fig = figure(vmin=0, vmax=1)
    top, bottom = fig.colorbar.top, fig.colorbar.bottom

    def tick(v):  # pixel row of a tick at value v
        return bottom - v * (bottom - top) - 0.5

    bar = Colorbar.from_image(
        fig.image, loose(fig.colorbar), ticks=[(tick(0.2), 20.0), (tick(0.8), 80.0)]
    )
    assert bar.vmin == pytest.approx(0, abs=0.6)
    assert bar.vmax == pytest.approx(100, abs=0.6)
    r = digitize(fig.image, bar, fig.panels[0])
    err = np.abs(r.values / 100 - fig.truth[0])[fig.judged[0]]
    assert np.nanmedian(err) < 0.003


def test_stepped_bar_is_recognised():
    fig = figure(kind="contourf", levels=10)
    for image in (fig.image, fig.as_jpeg(75).image):
        bar = Colorbar.from_image(image, loose(fig.colorbar), 0, 1)
        assert bar.discrete and len(bar.rgb) == 10
        np.testing.assert_allclose(bar.band_edges, np.linspace(0, 1, 11), atol=0.006)
        np.testing.assert_allclose(bar.values, np.arange(10) / 10 + 0.05, atol=0.006)
    low = Colorbar.from_image(fig.image, loose(fig.colorbar), 0, 1, band_value="lower")
    np.testing.assert_allclose(low.values, np.arange(10) / 10, atol=0.006)
    forced = Colorbar.from_image(fig.image, loose(fig.colorbar), 0, 1, discrete=False)
    assert not forced.discrete


@pytest.mark.parametrize("cmap", ["viridis", "jet", "RdBu_r", "gray"])
def test_continuous_bars_are_not_taken_for_stepped(cmap):
    fig = figure(cmap=cmap)
    for image in (fig.image, fig.as_jpeg(75).image):
        assert not Colorbar.from_image(image, loose(fig.colorbar), 0, 1).discrete
    with pytest.raises(DigitizerError, match="does not look stepped"):
        Colorbar.from_image(fig.image, loose(fig.colorbar), 0, 1, discrete=True)


def test_box_without_gradient_is_refused():
    fig = figure()
    blank = Box(5, 5, 40, 300)  # white margin of the figure
    with pytest.raises(DigitizerError, match="single colour|no colour gradient"):
        Colorbar.from_image(fig.image, blank, 0, 1)
    outline_only = Box(fig.colorbar.left - 8, 100, fig.colorbar.left + 1, 300)
    with pytest.raises(DigitizerError, match="gradient|single colour"):
        Colorbar.from_image(fig.image, outline_only, 0, 1)
    with pytest.raises(DigitizerError, match="outside"):
        Colorbar.from_image(fig.image, Box(600, 0, 700, 400), 0, 1)


def test_preview_strip():
    bar = Colorbar.from_name("viridis", 0, 1)
    strip = bar.preview(64)
    assert strip.shape == (64, 3) and strip.dtype == np.uint8
    assert "continuous" in bar.describe()


@pytest.mark.parametrize("jpeg", [False, True])
def test_tick_marks_crossing_the_bar_are_bridged(jpeg):
    """gnuplot draws its colour box's ticks across the bar: not map colours."""
    lut = Colorbar.from_name("gnuplot", 0, 1).rgb
    h, bar = 400, Box(300, 20, 320, 420)
    img = np.full((440, 360, 3), 255, np.uint8)
    idx = ((np.arange(h) + 0.5) / h * len(lut)).astype(int)[::-1]
    img[bar.top : bar.bottom, bar.left : bar.right] = lut[idx][:, None]
    ticks = [bar.top + k * h // 5 for k in range(1, 5)]
    for y in ticks:
        img[y, bar.left : bar.right] = 0  # a 1-px black line across it
    if jpeg:
        import io

        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=75)
        img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    read = Colorbar.from_image(img, bar, vmin=0, vmax=1)
    # every colour read away from the low (black) end is the map's own
    truth = lut[np.clip((read.positions * len(lut)).astype(int), 0, len(lut) - 1)]
    far = np.abs(read.rgb.astype(int) - truth.astype(int)).max(axis=1)
    away = read.positions > 0.1
    assert far[away].max() <= (25 if jpeg else 8)
    # a cell of the colour at 0.4 (a tick row) is read as 0.4, not as black
    cell = np.zeros((10, 10, 3), np.uint8) + lut[int(0.41 * len(lut))]
    value = digitize(cell, read).values
    assert np.abs(value - 0.41).max() < 0.02
