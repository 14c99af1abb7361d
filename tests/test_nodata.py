"""No data is no data: the page, flat masks and lines drawn over the data.

Every figure is drawn here in numpy: a panel on a white page, its values a
smooth field (or bands, or cells) through a named colour map whose colours
include the page's or the mask's colour, so that only the pixels' layout can
tell what is data.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from napari_heatmap_digitizer.cli import main
from napari_heatmap_digitizer.core import (
    Box,
    Colorbar,
    DigitizerError,
    Panel,
    Recipe,
    run_recipe,
)
from napari_heatmap_digitizer.core._nodata import find_nodata, parse_nodata
from napari_heatmap_digitizer.core._recipe import ColorbarSpec, Values
from napari_heatmap_digitizer.core._regions import fill_gaps

H, W, MARGIN = 200, 300, 20
BOX = Box(MARGIN, MARGIN, MARGIN + W, MARGIN + H)


def _field(h: int = H, w: int = W) -> np.ndarray:
    """A smooth field 0-1 crossing the middle (white of bwr) many times."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    return 0.5 + 0.45 * np.sin(6 * x + 1) * np.cos(5 * y + 0.3)


def _paint(values: np.ndarray, cmap: str) -> np.ndarray:
    table = Colorbar.from_name(cmap, 0, 1).rgb
    return table[np.clip(np.round(values * 255), 0, 255).astype(int)]


def _figure(panel: np.ndarray) -> np.ndarray:
    """The panel's pixels on a white page."""
    page = np.full((H + 2 * MARGIN, W + 2 * MARGIN, 3), 255, np.uint8)
    page[BOX.slices] = panel
    return page


def _run(image: np.ndarray, cmap: str, **recipe: object):
    spec = ColorbarSpec(colormap=cmap, vmin=0.0, vmax=1.0)
    r = Recipe(panels=[Panel(BOX)], colorbar=spec, **recipe)  # type: ignore[arg-type]
    return run_recipe(r, image)[0].result


def _ellipse() -> np.ndarray:
    y, x = np.mgrid[0:H, 0:W]
    return ((x + 0.5 - W / 2) / (W / 2 - 1)) ** 2 + (
        (y + 0.5 - H / 2) / (H / 2 - 1)
    ) ** 2 <= 1


def _blobs() -> np.ndarray:
    """Two irregular "continents" inside the panel."""
    y, x = np.mgrid[0:H, 0:W]
    a = ((x - 80) / 45) ** 2 + ((y - 70) / 30) ** 2 + 0.3 * np.sin(x / 5) < 1
    b = ((x - 210) / 35) ** 2 + ((y - 140) / 40) ** 2 + 0.3 * np.cos(y / 4) < 1
    return a | b


def test_page_around_an_ellipse_on_a_map_through_white():
    inside = _ellipse()
    panel = _paint(_field(), "bwr")
    panel[~inside] = 255
    image = _figure(panel)
    result = _run(image, "bwr")
    assert result.found is not None and result.nodata is not None
    assert result.nodata[~inside].mean() >= 0.95
    assert result.found.mask[inside].mean() <= 0.01
    assert np.isnan(result.values[~inside]).mean() >= 0.95
    assert result.found.page >= 0.95 * (~inside).sum()
    # what the page read as before: the middle of the map, as data
    kept = _run(image, "bwr", nodata="none")
    assert np.isfinite(kept.values[~inside]).mean() > 0.99
    assert kept.found is None


@pytest.mark.parametrize(("cmap", "land"), [("bwr", 255), ("magma", 0)])
def test_land_inside_a_field(cmap, land):
    mask = _blobs()
    panel = _paint(_field(), cmap)
    panel[mask] = land
    result = _run(_figure(panel), cmap)
    assert result.found is not None
    assert result.nodata[mask].mean() >= 0.95
    assert result.found.mask[~mask].mean() <= 0.01
    assert result.found.flat >= 0.95 * mask.sum()
    assert np.isnan(result.values[mask]).mean() >= 0.95


def test_chosen_colours_are_no_data_wherever_they_appear():
    mask = _blobs()
    panel = _paint(_field(), "viridis")
    panel[mask] = (128, 128, 128)
    panel[:3] = (128, 128, 128)  # thin too: a chosen colour needs no area
    result = _run(_figure(panel), "viridis", nodata="#808080")
    assert result.found is not None
    assert result.found.chosen == mask[3:].sum() + 3 * W
    assert result.nodata[:3].all() and result.nodata[mask].all()


def _contour_lines(panel: np.ndarray, field: np.ndarray, ink: int) -> np.ndarray:
    """Draw 1-2 px lines of ``ink`` along three levels; the lines drawn."""
    drawn = np.zeros(field.shape, bool)
    for level in (0.3, 0.5, 0.7):
        above = field > level
        edge = above ^ np.roll(above, 1, 0) | above ^ np.roll(above, 1, 1)
        edge[0] = edge[:, 0] = False
        drawn |= edge
    panel[drawn] = ink
    return drawn


def test_black_contour_lines_over_magma_are_gaps_that_fill():
    field = _field()
    panel = _paint(field, "magma")
    drawn = _contour_lines(panel, field, 0)
    result = _run(_figure(panel), "magma")
    assert result.found is not None
    assert np.isnan(result.values[drawn]).mean() >= 0.9
    assert result.found.mask[~drawn].mean() <= 0.02
    assert not result.nodata[drawn].any()  # the data continues underneath
    filled = fill_gaps(result)
    assert np.isfinite(filled.values[drawn]).all()
    err = np.abs(filled.values[drawn] - field[drawn])
    assert np.median(err) < 0.02


def test_text_over_a_field_is_found_and_filled():
    field = _field()
    painted = _paint(field, "magma")
    picture = Image.fromarray(painted)
    draw = ImageDraw.Draw(picture)
    for row in range(30, 180, 40):
        draw.text((40, row), "TEMPERATURE 25 N", fill=(0, 0, 0), font_size=14)
    panel = np.asarray(picture).copy()
    changed = np.abs(panel.astype(int) - painted).sum(axis=2) > 150
    ink = panel.astype(int).sum(axis=2) < 60
    text = changed & ink & (field > 0.45)  # on the bright part of the map
    result = _run(_figure(panel), "magma", values=Values(fill="nearest"))
    assert text.sum() > 300
    assert result.filled is not None
    assert result.filled[text].mean() >= 0.9
    assert np.isfinite(result.values).all()


def test_bands_of_a_stepped_field_stay_data():
    levels = np.floor(_field() * 9) / 8  # nine bands, the middle one white
    panel = _paint(levels, "bwr")
    assert (panel >= 250).all(axis=2).mean() > 0.05  # white to the page's ΔE
    result = _run(_figure(panel), "bwr")
    assert result.found is not None
    assert result.found.mask.mean() <= 0.01


def test_cells_of_a_matrix_stay_data():
    rng = np.random.default_rng(3)
    cells = rng.uniform(0, 1, (8, 12))
    white = rng.uniform(size=cells.shape) < 0.2
    white[0] = white[-1] = white[:, 0] = white[:, -1] = False
    cells[white] = 0.5  # white cells of bwr, inside (at the border: the page)
    panel = _paint(np.kron(cells, np.ones((H // 8, W // 12))), "bwr")
    result = _run(_figure(panel), "bwr")
    assert result.found is not None
    assert result.found.mask.mean() <= 0.01


def test_fill_leaves_the_outside_of_an_ellipse_and_fills_a_line():
    inside = _ellipse()
    panel = _paint(_field(), "viridis")
    panel[~inside] = 255
    panel[98:101] = (255, 0, 0)  # a red line across, on no colour of the map
    result = _run(_figure(panel), "viridis", values=Values(fill="nearest"))
    line = np.zeros((H, W), bool)
    line[98:101] = True
    assert result.filled is not None
    assert np.isnan(result.values[~inside & ~line]).all()
    assert not result.filled[~inside & ~line].any()
    assert result.filled[line & inside].mean() >= 0.95
    # without looking for no data the page is not data either: it reaches
    # the box's edge, so it is not filled
    plain = _run(
        _figure(panel), "viridis", values=Values(fill="nearest"), nodata="none"
    )
    assert np.isnan(plain.values[~inside]).mean() >= 0.95


def test_find_nodata_without_page_or_auto():
    panel = _paint(_field(), "bwr")
    panel[_blobs()] = 255
    position = np.full((H, W), 0.5, np.float32)
    off = find_nodata(panel, position, auto=False)
    assert not off.mask.any() and off.summary() == "no data 0.0%"
    on = find_nodata(panel, position)
    assert on.flat > 0 and "flat" in on.summary()


@pytest.mark.parametrize(
    ("text", "auto", "colours"),
    [
        ("auto", True, []),
        ("none", False, []),
        (" NONE ", False, []),
        ("#FFF", False, ["#ffffff"]),
        ("auto,black,#123456", True, ["#000000", "#123456"]),
        ("grey", False, ["#808080"]),
    ],
)
def test_parse_nodata(text, auto, colours):
    assert parse_nodata(text) == (auto, colours)


@pytest.mark.parametrize("bad", ["", "auto,none", "#12345", "purple", 3, None])
def test_parse_nodata_refuses(bad):
    with pytest.raises(DigitizerError, match="nodata"):
        parse_nodata(bad)


def test_recipe_round_trip_and_checks(tmp_path):
    spec = ColorbarSpec(colormap="bwr", vmin=0.0, vmax=1.0)
    recipe = Recipe(panels=[Panel(BOX)], colorbar=spec, nodata="auto,#ffffff")
    back = Recipe.from_dict(json.loads(recipe.to_json()))
    assert back.nodata == "auto,#ffffff"
    assert Recipe.from_dict(Recipe(colorbar=spec).to_dict()).nodata == "auto"
    data = recipe.to_dict()
    del data["nodata"]  # recipes saved before the field existed
    assert Recipe.from_dict(data).nodata == "auto"
    for bad, message in ((5, "must be a string"), ("sometimes", "'sometimes'")):
        data["nodata"] = bad
        with pytest.raises(DigitizerError, match=message):
            Recipe.from_dict(data)
    data["nodata"] = "White"
    assert Recipe.from_dict(data).nodata == "#ffffff"


def test_cli_flag(tmp_path, capsys):
    inside = _ellipse()
    panel = _paint(_field(), "bwr")
    panel[~inside] = 255
    png = tmp_path / "map.png"
    Image.fromarray(_figure(panel)).save(png)
    args = ["digitize", str(png), "--plot", BOX.as_text(), "--colormap", "bwr"]
    args += ["--vmin", "0", "--vmax", "1"]
    auto, none = tmp_path / "auto.npy", tmp_path / "none.npy"
    saved = tmp_path / "r.json"
    assert main([*args, "-o", str(auto), "--save-recipe", str(saved)]) == 0
    assert json.loads(saved.read_text())["nodata"] == "auto"
    assert main([*args, "--nodata", "none", "-o", str(none)]) == 0
    assert np.isnan(np.load(auto)[~inside]).mean() >= 0.95
    assert np.isfinite(np.load(none)[~inside]).mean() > 0.99
    capsys.readouterr()
    assert main([*args, "--nodata", "auto,pink", "-o", str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err.strip()
    assert "--nodata" in err and "'pink'" in err and len(err.splitlines()) == 1
