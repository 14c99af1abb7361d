"""A bar read from the image, matched against the colour-map catalogue.

A program that colours the data through a catalogue map but draws its
colour bar with the colours a little off their places (gnuplot's colour box
lags by about half a percent) is read through the map itself; so is a bar of
a map its program evaluates at each value (ggplot2's ramps in CIELAB),
however small the shift. A bar that is a catalogue map's table of levels
gives the levels' unrounded colours, on which the cells are placed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from napari_heatmap_digitizer import Box, Colorbar, digitize, load_image
from napari_heatmap_digitizer.core import _program_maps
from napari_heatmap_digitizer.core._bar_maps import catalogue_map, match_shift
from napari_heatmap_digitizer.core._cell_estimate import estimate
from napari_heatmap_digitizer.testing import program_figures

DATA = Path(__file__).parent / "data" / "programs"
BAR = 400  # px along the bar


def _figure(name: str, lag: float, start: float = 0.0, stop: float = 1.0):
    """A vertical bar of ``name`` lagging by ``lag`` and a panel of 10 cells.

    Row ``i`` of the bar (from the bottom) shows the map at its centre's
    place less ``lag``, scaled to ``start``-``stop`` of the map; cell ``k``
    of the panel shows the map at ``k / 9`` (the same part of it).
    """
    cm = catalogue_map(name)
    place = (np.arange(BAR) + 0.5) / BAR - lag
    along = np.clip(start + (stop - start) * place, 0.0, 1.0)
    bar = np.rint(np.asarray(cm(along[::-1]))[:, :3] * 255).astype(np.uint8)
    values = np.linspace(0.0, 1.0, 10)
    cells = np.rint(
        np.asarray(cm(start + (stop - start) * values))[:, :3] * 255
    ).astype(np.uint8)
    image = np.full((BAR + 40, 360, 3), 255, np.uint8)
    image[20 : 20 + BAR, 300:320] = bar[:, None, :]
    image[20:60, 20:220] = np.repeat(cells, 20, axis=0)[None, :, :]
    return image, values


def _read(image):
    return Colorbar.from_image(image, Box(296, 16, 324, 24 + BAR), vmin=0, vmax=1)


def _program_bar(name: str, i: int = 0):
    """A committed program figure, its pixels and bar ``i`` read with the true box."""
    fig = next(f for f in program_figures(DATA) if f.name == name)
    png = np.asarray(load_image(fig.path))[..., :3]
    spec = fig.bar(i)
    bar = Colorbar.from_image(
        png,
        Box(*spec["box"]),
        vmin=spec["vmin"],
        vmax=spec["vmax"],
        norm=spec["norm"],
        orientation=spec["orientation"],
    )
    return fig, png, bar


def _worst_cell(fig, png, bar, i: int = 0) -> float:
    """The largest cell error (fraction of the range) of panel ``i``."""
    cells = estimate(
        digitize(png, bar, fig.panels[i]),
        fig.arrays[f"x_edges_{i}"],
        fig.arrays[f"y_edges_{i}"],
        image=png,
    )
    truth = fig.scaled(i, fig.arrays[f"values_{i}"])
    return float(np.nanmax(np.abs(fig.scaled(i, cells.values) - truth)))


def test_a_lagging_bar_is_read_through_its_map() -> None:
    image, values = _figure("gnuplot", lag=0.008)
    bar = _read(image)
    assert bar.source["colormap"] == "gnuplot"
    assert bar.source["shift"] == pytest.approx(-0.008, abs=0.0015)
    assert "read through gnuplot" in bar.describe()
    assert "off their places" in bar.describe()
    result = digitize(image, bar, Box(20, 20, 220, 60))
    cells = estimate(result, np.arange(0, 201, 20), np.array([0.0, 40.0]))
    # within the colours' 8-bit rounding (the lag left would be 0.8 %)
    np.testing.assert_allclose(cells.values[0], values, atol=0.0045)


@pytest.mark.parametrize("lag", [0.0, 0.001, -0.002])
def test_a_bar_in_its_place_keeps_its_own_colours(lag) -> None:
    # within the spread of programs' sampling (half of 1/256), nothing moves
    image, _ = _figure("viridis", lag=lag)
    bar = _read(image)
    assert "shift" not in bar.source and "colormap" not in bar.source


def test_part_of_a_map_is_not_taken_for_the_map() -> None:
    image, _ = _figure("viridis", lag=0.005, start=0.2, stop=0.8)
    assert "shift" not in _read(image).source


def test_a_lag_past_one_percent_is_not_corrected() -> None:
    image, _ = _figure("gnuplot", lag=0.02)
    assert "shift" not in _read(image).source


def test_colours_of_no_catalogue_map_are_not_matched() -> None:
    rng = np.random.default_rng(3)
    stops = rng.uniform(0, 100, (5, 3))
    t = np.linspace(0, 1, 200)
    lab = np.stack([np.interp(t, np.linspace(0, 1, 5), stops[:, c]) for c in range(3)])
    assert match_shift(lab.T, t, 200.0) is None


def test_gnuplot_cells_read_through_its_palette() -> None:
    # gnuplot 5.4 draws its colour box lagging its image's colours
    for i in range(2):
        fig, png, bar = _program_bar("gnuplot_multiplot_two", i)
        assert bar.source["colormap"] == "gnuplot"
        assert -0.008 < bar.source["shift"] < -0.003
        # was 1.6 % through the bar's colours
        assert _worst_cell(fig, png, bar, i) < 0.004


# R 4.2.2, scales 1.2.1: gradient_n_pal(COLOURS, NULL, "Lab")(PLACES)
PLACES = [0.0, 0.1234, 0.37, 0.5, 0.77, 1.0]
R_RAMPS = {
    "ggplot2:default": "132B43 1A3A57 2A5981 336A98 4590CA 56B1F7",
    "ggplot2:viridis": "440154 452F73 {} 2B9089 71CB5A FDE725",
    "ggplot2:RdBu_r": "2166AC 5897C6 D9E9F2 F7F7F7 F7A987 B2182B",
    "ggplot2:magma": "000004 281046 81257E B63875 FA936D FCFDBF",
}


@pytest.mark.parametrize("name", sorted(R_RAMPS))
def test_ggplot2_ramps_are_rs(name):
    want = R_RAMPS[name].split()
    t = np.asarray(PLACES)
    if "{}" in want:  # not asked of R at that place
        keep = [i for i, w in enumerate(want) if w != "{}"]
        want, t = [want[i] for i in keep], t[keep]
    full, reverse = _program_maps.resolve(name)
    rgb = _program_maps.sample(full, 1.0 - t if reverse else t)
    got = ["".join(f"{v:02X}" for v in c) for c in np.rint(rgb * 255).astype(int)]
    assert got == want
    assert _program_maps.per_value(name)
    assert _program_maps.per_value("vega:viridis")  # Vega's schemes too
    assert not _program_maps.per_value("viridis")
    assert not _program_maps.per_value("plotly:Viridis")


def test_per_value_map_read_through_at_a_small_shift():
    # a bar 0.15 % off its places: too little to correct on a map drawn from
    # a table, but a ggplot2 ramp colours each value itself
    full = "ggplot2:viridis"
    place = np.clip((np.arange(BAR) + 0.5) / BAR - 0.0015, 0.0, 1.0)
    bar = np.rint(_program_maps.sample(full, place[::-1]) * 255).astype(np.uint8)
    image = np.full((BAR + 40, 80, 3), 255, np.uint8)
    image[20 : 20 + BAR, 30:50] = bar[:, None, :]
    found = Colorbar.from_image(image, Box(30, 20, 50, 20 + BAR), vmin=0, vmax=1)
    assert found.source["colormap"] == full
    assert -0.003 < found.source["shift"] < 0.0


@pytest.mark.parametrize(
    ("name", "program"),
    [
        ("ggplot2_legend_bottom", "ggplot2:"),
        ("ggplot2_raster", "ggplot2:"),
        ("vegalite_log_scale", "vega:"),
    ],
)
def test_figure_read_through_its_ramp(name, program):
    # ggplot2 draws the legend's picture of the ramp up to half a pixel off
    # its box (0.4 % of the range at the low end); the data are coloured
    # through the ramp itself (0.57-0.71 % through the bar's colours; Vega's
    # gradient legend 0.46 %)
    fig, png, bar = _program_bar(name)
    assert bar.source["colormap"].startswith(program)
    assert _worst_cell(fig, png, bar) < 0.004


@pytest.mark.parametrize(
    ("name", "table", "worst"),
    [
        # imshow truncates the cells' colours; 0.84 % through the bar alone
        ("sklearn_confusion_counts", {"colormap": "Blues", "levels": 256}, 0.005),
        # 255 of 256 levels seen (the last under the outline); 0.56 % before
        ("matplotlib_field", {"colormap": "viridis", "levels": 256}, 0.005),
        # a table of bands is its own colours, not the map resampled
        ("octave_jet_matrix", {"colormap": "jet64", "levels": 64}, 0.0079),
    ],
)
def test_bar_of_a_catalogue_maps_levels(name, table, worst):
    fig, png, bar = _program_bar(name)
    assert bar.source["table"] == table
    assert f"{table['levels']} levels of {table['colormap']}" in bar.describe()
    assert _worst_cell(fig, png, bar) < worst
