"""Other programs' colour maps in the catalogue: MATLAB, Octave, R, plotly, Vega."""

from __future__ import annotations

import importlib.resources
import json

import numpy as np
import pytest

from napari_heatmap_digitizer.core import Box, Colorbar, DigitizerError
from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core import _naming as naming
from napari_heatmap_digitizer.core import _program_maps as program
from napari_heatmap_digitizer.core._bar_maps import catalogue_names
from napari_heatmap_digitizer.core._naming import name_colormap, rank_colormaps


def _ends(name: str) -> tuple[list[int], list[int]]:
    bar = Colorbar.from_name(name, 0, 1)
    return bar.rgb[0].tolist(), bar.rgb[-1].tolist()


def _bar_image(rgb: np.ndarray, horizontal: bool = False) -> tuple[np.ndarray, Box]:
    """A white figure with one outlined colour bar, low end bottom (or left)."""
    n = len(rgb)
    image = np.full((n + 40, 90, 3), 255, np.uint8)
    image[19 : n + 21, 29:52] = 0  # outline
    image[20 : n + 20, 30:51] = rgb[::-1, None, :]
    box = Box(25, 15, 56, n + 25)
    if horizontal:
        image = np.ascontiguousarray(image.transpose(1, 0, 2)[:, ::-1])
        box = Box(15, 25, n + 25, 56)
    return image, box


def _drawn(name: str, n: int = 256) -> np.ndarray:
    """``n`` bands of the named map, as a program draws a table of ``n``."""
    cm = Colorbar.from_name(name, 0, 1)
    t = (np.arange(n) + 0.5) / n
    return np.stack(
        [np.rint(np.interp(t, cm.positions, cm.rgb[:, c])) for c in range(3)], axis=1
    ).astype(np.uint8)


# -- names -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "parula",
        "matlab:parula",
        "PARULA",
        "parula2014",
        "matlab:jet64",
        "ggplot2:default",
        "pheatmap:default",
        "plotly:RdBu",
        "plotlyjs:RdBu",
        "plotly:Picnic",
        "Picnic",
        "vega:yellowgreenblue",
        "yellowgreenblue",
        "vega:redblue",
    ],
)
def test_new_names_resolve(name):
    bar = Colorbar.from_name(name, 0.0, 1.0)
    assert not bar.discrete
    assert len(bar.rgb) > 100
    assert program.resolve(name) is not None


def test_short_names_only_where_unambiguous():
    names = set(catalogue_names())
    assert {"parula", "yellowgreenblue", "jet64", "ggplot2:default"} <= names
    # the short names "jet" and "RdBu" belong to the cmap catalogue's maps
    assert "plotly:Jet" in names and "plotlyjs:RdBu" in names
    assert program.resolve("jet64") == ("matlab:jet64", False)
    # two maps are the default of their program: "default" is neither
    assert program.resolve("default") is None
    # cmap's own names keep their maps
    assert _ends("jet") == _ends("matlab:jet")
    assert _ends("RdBu") != _ends("plotlyjs:RdBu")


def test_reversed_and_unknown_names():
    low, high = _ends("parula")
    assert _ends("parula_r") == (high, low)
    assert _ends("vega:Yellowgreenblue_r")[0] == _ends("yellowgreenblue")[1]
    with pytest.raises(DigitizerError, match="parula"):
        Colorbar.from_name("parulla", 0, 1)


# -- colours -------------------------------------------------------------------


def test_parula_ends():
    # MATLAB's published tables: R2017a and later, and R2014b to R2016b
    assert _ends("parula") == ([62, 38, 168], [249, 251, 21])
    assert _ends("parula2014") == ([53, 42, 135], [249, 251, 14])


def test_jet64_table():
    jet = Colorbar.from_name("matlab:jet64", 0, 1).rgb
    # MATLAB's jet(64) runs from 9/16 blue to 1/2 red through (1/2, 1, 1/2)
    assert jet[0].tolist() == [0, 0, 143]
    assert jet[-1].tolist() == [128, 0, 0]
    assert (np.abs(jet.astype(int) - [128, 255, 128]).max(axis=1) <= 4).any()
    # not matplotlib's jet, which starts at 1/2 blue
    assert _ends("jet")[0] == [0, 0, 128]


def test_plotly_js_rdbu_stops():
    where, rgb = program.program_maps()["plotlyjs:RdBu"]
    assert where.tolist() == [0.0, 0.35, 0.5, 0.6, 0.7, 1.0]
    assert (rgb[[0, 2, -1]] * 255).round().tolist() == [
        [5, 10, 172],
        [190, 190, 190],
        [178, 10, 28],
    ]


def test_ggplot2_default_is_a_lab_gradient():
    t = np.linspace(0, 1, 9)
    rgb = np.rint(program.sample("ggplot2:default", t) * 255).astype(np.uint8)
    assert rgb[0].tolist() == [0x13, 0x2B, 0x43]
    assert rgb[-1].tolist() == [0x56, 0xB1, 0xF7]
    lab = kernel.rgb8_to_lab(rgb, kernel.SRGB_LINEAR)
    # evenly spaced in CIELAB (an sRGB ramp would be 3 ΔE off in the middle)
    steps = np.linalg.norm(np.diff(lab, axis=0), axis=1)
    assert steps.max() - steps.min() < 0.6


def test_data_file_is_well_formed():
    folder, name = program.DATA_FILE
    package = importlib.resources.files("napari_heatmap_digitizer")
    doc = json.loads(package.joinpath(folder).joinpath(name).read_text())
    assert len(doc["maps"]) > 100
    for name, (where, rgb) in program.program_maps().items():
        assert ":" in name
        assert where[0] == 0.0 and where[-1] == 1.0, name
        assert (np.diff(where) >= 0).all(), name
        assert rgb.shape == (len(where), 3) and rgb.min() >= 0 and rgb.max() <= 1


# -- naming ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drawn", "named", "n"),
    [
        ("parula", "parula", 256),
        ("parula", "parula", 64),  # MATLAB before R2019b: 64 colours
        ("parula2014", "parula2014", 64),
        ("plotlyjs:RdBu", "plotlyjs:RdBu", 256),
        ("vega:yellowgreenblue", "yellowgreenblue", 256),
        ("vega:redblue", "redblue", 256),
        ("ggplot2:default", "ggplot2:default", 256),
        ("matlab:jet64", "jet64", 64),
        ("viridis_r", "viridis_r", 256),
    ],
)
@pytest.mark.parametrize("horizontal", [False, True], ids=["vertical", "horizontal"])
def test_bar_named(drawn, named, n, horizontal):
    image, box = _bar_image(_drawn(drawn, n), horizontal)
    best, second, *_ = name_colormap(image, box)
    assert best.name == named, (best, second)
    assert best.delta_e < 3.0
    assert second.delta_e > best.delta_e + 1.0


def test_map_drawn_from_fewer_stops_keeps_the_catalogue_name():
    # plotly's Viridis and Vega's viridis are matplotlib's, sampled
    image, box = _bar_image(_drawn("plotlyjs:Viridis"))
    assert name_colormap(image, box)[0].name == "viridis"
    names, _ = naming._catalogue(naming._SAMPLES)
    assert "viridis" in names and "plasma" in names and "RdBu" in names
    assert not {"plotly:Viridis", "vega:viridis", "plotly:RdBu"} & set(names)
    assert len(names) == len(set(names))


def test_catalogue_maps_are_distinct():
    names, tables = naming._catalogue(naming._SAMPLES)
    new = [i for i, n in enumerate(names) if program.resolve(n) is not None]
    assert len(new) > 60
    close = naming._closest(tables[new], tables)
    close[np.arange(len(new)), new] = np.inf
    assert close.min() > naming.SAME_DELTA_E


def test_panel_without_bar_ranked():
    yy, xx = np.mgrid[0:120, 0:160]
    field = (np.sin(xx / 17.0) * np.cos(yy / 23.0) + 1) / 2
    rgb = np.rint(program.sample("matlab:parula", field.ravel()) * 255)
    image = np.full((160, 200, 3), 255, np.uint8)
    image[20:140, 20:180] = rgb.reshape(120, 160, 3).astype(np.uint8)
    ranked = rank_colormaps(image, Box(20, 20, 180, 140))
    assert ranked[0].name == "parula", ranked[:3]


def test_every_named_map_resolves_to_its_colours():
    # a panel's best map becomes the recipe's --colormap: its name must work
    names, tables = naming._catalogue(naming._SAMPLES)
    t = np.linspace(0.0, 1.0, naming._SAMPLES)
    checked = 0
    for name, table in zip(names, tables, strict=True):
        if program.resolve(name) is None:
            continue
        bar = Colorbar.from_name(name, 0, 1)
        lab = np.stack([np.interp(t, bar.positions, bar.lab[:, c]) for c in range(3)])
        assert np.linalg.norm(lab.T - table, axis=1).mean() < 1.0, name
        checked += 1
    assert checked > 60
