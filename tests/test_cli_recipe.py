"""The CLI's recipe flags: saved and replayed, and stronger than --auto."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import tifffile

from napari_heatmap_digitizer.cli import main
from napari_heatmap_digitizer.cli._flags import FLAGS
from napari_heatmap_digitizer.core import Recipe, detect, load_image, ocr_available
from napari_heatmap_digitizer.data import sample_path

pytest.importorskip("matplotlib")
from napari_heatmap_digitizer.testing import (
    render,
    render_hexbin,
    render_matrix,
)


@pytest.fixture(scope="session")
def figures(tmp_path_factory):
    """Small figures, written once: ``{name: (path, plot box, bar box)}``."""
    folder = tmp_path_factory.mktemp("figures")
    found = {
        "sample": (str(sample_path("single")), "100,100,220,180", "507,37,533,423")
    }
    tiff = folder / "sample.tif"
    tifffile.imwrite(tiff, load_image(sample_path("single")), tile=(64, 64))
    found["tiff"] = (str(tiff), found["sample"][1], found["sample"][2])
    made = {
        "matrix": render_matrix(6, 9, grid="white", numbers=True, seed=11),
        "contour": render(kind="contourf", levels=8),
        "hexbin": render_hexbin(gridsize=12, seed=13),
    }
    for name, fig in made.items():
        path = folder / f"{name}.png"
        fig.save(path)
        panel = fig.panels[0] if hasattr(fig, "panels") else fig.panel
        found[name] = (str(path), panel.as_text(), fig.colorbar.as_text())
    auto = render(cmap="viridis", vmin=1.0, vmax=100.0, seed=3)
    auto.save(folder / "auto.png")
    found["auto"] = (str(folder / "auto.png"), "", auto.colorbar.as_text())
    return found


def _args(figures, name, extra, *, bar=True):
    path, plot, box = figures[name]
    args = [path, "--plot", plot]
    return [*args, "--colorbar", box, *extra] if bar else [*args, *extra]


def _read(path):
    if path.suffix == ".npy":
        return np.load(path)
    if path.suffix == ".tif":
        return tifffile.imread(path)
    return path.read_text()


def _same(a, b):
    if isinstance(a, str):
        return a == b
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


R = ["--vmin", "-2", "--vmax", "3"]  # the bundled sample's range
U = ["--vmin", "0", "--vmax", "1"]  # the rendered figures' range

# name, figure, flags under test, the same without them (None: no difference
# expected in the numbers), output ending
ROUND_TRIPS = [
    ("fill-nearest", "matrix", [*U, "--fill", "nearest"], U, ".npy"),
    ("fill-inpaint", "matrix", [*U, "--fill", "inpaint"], U, ".npy"),
    ("cells-auto", "matrix", [*U, "--cells", "auto"], U, ".csv"),
    ("cells-given", "matrix", [*U, "--cells", "3x2"], [*U, "--cells", "auto"], ".csv"),
    (
        "cells-long",
        "matrix",
        [*U, "--cells", "9x6", "--long"],
        [*U, "--cells", "9x6"],
        ".csv",
    ),
    (
        "regions-min-area",
        "contour",
        [*U, "--regions", "--min-area", "3000"],
        [*U, "--regions"],
        ".csv",
    ),
    ("hexagons", "hexbin", [*U, "--hexagons"], [*U, "--regions"], ".csv"),
    (
        "extent-xscale-log",
        "sample",
        [*R, "--extent", "1,100,0,5", "--xscale", "log"],
        [*R, "--extent", "1,100,0,5"],
        ".csv",
    ),
    (
        "norm-log",
        "sample",
        ["--vmin", "0.01", "--vmax", "100", "--norm", "log"],
        ["--vmin", "0.01", "--vmax", "100"],
        ".npy",
    ),
    ("ticks", "sample", ["--ticks", "419.5:-2,229.5:0,39.5:3"], R, ".npy"),
    ("orientation", "sample", [*R, "--orientation", "horizontal"], R, ".npy"),
    ("flip", "sample", [*R, "--flip"], R, ".npy"),
    ("discrete", "contour", [*U, "--discrete"], [*U, "--continuous"], ".npy"),
    (
        "band-value-lower",
        "contour",
        [*U, "--discrete", "--band-value", "lower"],
        [*U, "--discrete"],
        ".npy",
    ),
    ("max-distance", "sample", [*R, "--max-distance", "0.25"], R, ".npy"),
    ("stream", "tiff", [*R, "--stream"], None, ".tif"),
]


#: Options that give a doubtful result on these figures (exit status 3, the
#: outputs written all the same), and why.
DOUBTFUL = {
    "cells-given": "a 3x2 grid over a 9x6 matrix does not fit",
    "orientation": "a vertical bar read across its width",
    "max-distance": "a 0.25 ΔE tolerance leaves most pixels without a value",
}


@pytest.mark.parametrize(
    ("name", "figure", "flags", "without", "suffix"),
    [pytest.param(*case, id=case[0]) for case in ROUND_TRIPS],
)
def test_every_option_survives_save_and_replay(
    figures, tmp_path, capsys, name, figure, flags, without, suffix
):
    first, again = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    recipe = tmp_path / "r.json"
    args = _args(figures, figure, flags)
    status = 3 if name in DOUBTFUL else 0
    assert (
        main(["digitize", *args, "-o", str(first), "--save-recipe", str(recipe)])
        == status
    )
    capsys.readouterr()
    assert main(["digitize", "--recipe", str(recipe), "-o", str(again)]) == status
    replayed = capsys.readouterr().out
    assert _same(_read(first), _read(again))
    if without is not None:  # the option changes the numbers: it was not lost
        plain = tmp_path / f"c{suffix}"
        assert (
            main(["digitize", *_args(figures, figure, without), "-o", str(plain)]) == 0
        )
        assert not _same(_read(first), _read(plain))
    if figure == "matrix" and "--fill" in flags:
        assert "100.0% matched" in replayed
        assert not np.isnan(_read(again)).any()
    if figure == "tiff":  # the recipe reads chunk by chunk: a PNG is refused
        png = tmp_path / "sample.png"
        shutil.copy(sample_path("single"), png)
        other = tmp_path / "p.tif"
        assert (
            main(["digitize", str(png), "--recipe", str(recipe), "-o", str(other)]) == 2
        )
        assert "only TIFF and Zarr" in capsys.readouterr().err
        assert Recipe.load(recipe).output.stream is True


def test_colormap_survives_save_and_replay(figures, tmp_path, capsys):
    args = _args(figures, "sample", [*R, "--colormap", "viridis"], bar=False)
    recipe = tmp_path / "r.json"
    first, again = tmp_path / "a.npy", tmp_path / "b.npy"
    assert (
        main(["digitize", *args, "-o", str(first), "--save-recipe", str(recipe)]) == 0
    )
    capsys.readouterr()
    assert main(["digitize", "--recipe", str(recipe), "-o", str(again)]) == 0
    assert "colour bar from viridis" in capsys.readouterr().out
    np.testing.assert_array_equal(np.load(first), np.load(again))
    saved = Recipe.load(recipe).colorbar
    assert saved.colormap == "viridis" and saved.box is None
    # another map named in the recipe is used in its place (and, not the
    # figure's, reported doubtful)
    data = json.loads(recipe.read_text())
    data["colorbar"]["colormap"] = "magma"
    recipe.write_text(json.dumps(data))
    other = tmp_path / "c.npy"
    assert main(["digitize", "--recipe", str(recipe), "-o", str(other), "-q"]) == 3
    assert not np.array_equal(np.load(first), np.load(other))


def test_the_saved_recipe_holds_every_choice(figures, tmp_path):
    recipe = tmp_path / "sub" / "r.json"
    recipe.parent.mkdir()
    args = _args(
        figures, "matrix", [*U, "--cells", "9x6", "--long", "--fill", "nearest"]
    )
    assert main(["digitize", *args, "-o", str(tmp_path / "a.csv"),
                 "--save-recipe", str(recipe), "-q"]) == 0  # fmt: skip
    data = json.loads(recipe.read_text())
    assert data["values"] == {"per": "cell", "cells": "9x6", "min_area": 9,
                              "fill": "nearest", "numbers": "auto"}  # fmt: skip
    assert data["output"] == {"format": "csv", "long": True, "stream": None}
    # the image is saved relative to the recipe, and found again from there
    assert not data["image"].startswith("/")
    assert Recipe.load(recipe).image is not None
    assert Recipe.load(recipe).image.endswith("matrix.png")


def test_flags_are_declared_once_and_apply_idempotently(figures):
    from napari_heatmap_digitizer.cli import build_parser
    from napari_heatmap_digitizer.cli._flags import apply_flags

    names = [n for f in FLAGS for n in f.names]
    assert len(names) == len(set(names))
    parser = build_parser()
    args = parser.parse_args(
        ["digitize", *_args(figures, "sample", [*R, "--extent", "1,10,0,1",
         "--xscale", "log", "--cells", "4x3", "--fill", "inpaint", "-o", "x.csv"])]
    )  # fmt: skip
    once, twice = Recipe(), Recipe()
    apply_flags(once, args)
    apply_flags(twice, args)
    apply_flags(twice, args)
    assert once.to_dict() == twice.to_dict()
    assert once.values.per == "cell" and once.panels[0].extent.xscale == "log"


# -- flags win over --auto -----------------------------------------------------

#: Without OCR, --auto cannot read the range; give the figure's.
AUTO = ["--auto"] if ocr_available() else ["--auto", "--vmin", "1", "--vmax", "100"]


def _auto(figures, tmp_path, extra, out="v.npy", status=0):
    path = figures["auto"][0]
    recipe = tmp_path / f"{out}.json"
    args = ["digitize", path, *AUTO, *extra, "-o", str(tmp_path / out)]
    assert main([*args, "--save-recipe", str(recipe), "-q"]) == status
    return Recipe.load(recipe), tmp_path / out


@pytest.fixture(scope="session")
def detected(figures):
    found = detect(load_image(figures["auto"][0]), ticks=False)
    return found.panels[0], found.colorbars[0].box


AUTO_CASES = {
    "plot": (["--plot", "100,100,200,150"], lambda r: r.panels[0].box.as_text(),
             "100,100,200,150"),
    # a bar given is not searched for tick labels: give the range as well
    "colorbar": (["--vmin", "1", "--vmax", "100", "--colorbar", "LOOSE"],
                 lambda r: r.colorbar.box.as_text(), "LOOSE"),
    "colormap": (["--vmin", "1", "--vmax", "100", "--colormap", "viridis"],
                 lambda r: (r.colorbar.colormap, r.colorbar.box), ("viridis", None)),
    "vmin-vmax": (["--vmin", "-3", "--vmax", "7"],
                  lambda r: (r.colorbar.vmin, r.colorbar.vmax), (-3.0, 7.0)),
    "norm": (["--norm", "log"], lambda r: r.colorbar.norm, "log"),
    "cells": (["--cells", "4x3"], lambda r: (r.values.per, r.values.cells),
              ("cell", "4x3")),
    "max-distance": (["--max-distance", "5"], lambda r: r.max_distance, 5.0),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(AUTO_CASES))
def test_each_flag_wins_over_auto(figures, detected, tmp_path, case):
    flags, field, wanted = AUTO_CASES[case]
    if "LOOSE" in flags:
        _panel, bar = detected
        loose = f"{bar.left - 3},{bar.top - 4},{bar.right + 3},{bar.bottom + 4}"
        flags, wanted = [*flags[:-1], loose], loose
    out = "v.csv" if case == "cells" else "v.npy"
    alone, _ = _auto(figures, tmp_path, [], out="alone.npy")
    # 4x3 cells over a smooth field: the grid fits no cells there (doubtful)
    status = 3 if case == "cells" else 0
    given, path = _auto(figures, tmp_path, flags, out=out, status=status)
    assert field(given) == wanted
    assert field(alone) != wanted  # detection alone would have chosen otherwise
    if case == "cells":
        assert len(path.read_text().splitlines()) == 1 + 3


def test_extent_reaches_the_panels_auto_finds(figures, detected, tmp_path):
    recipe, path = _auto(figures, tmp_path, ["--extent", "0,10,0,5"], out="v.csv")
    assert recipe.panels[0].box == detected[0]
    assert recipe.panels[0].extent.as_list() == [0, 10, 0, 5]
    rows = path.read_text().splitlines()
    x = [float(line.split(",")[0]) for line in rows[1:200]]
    y = float(rows[1].split(",")[1])
    assert 0 < min(x) < 0.1 and max(x) < 10 and 4.9 < y < 5
