from __future__ import annotations

import contextlib
import json
import os

import numpy as np
import pytest
import tifffile
from hypothesis import given, settings
from hypothesis import strategies as st

from napari_heatmap_digitizer.core import (
    Box,
    ColorbarSpec,
    DigitizerError,
    Extent,
    Panel,
    Recipe,
    Values,
    run_recipe,
    write_array,
)
from napari_heatmap_digitizer.core._recipe import FORMAT, Output
from napari_heatmap_digitizer.core._write import atomic_write, read_tiff_metadata
from napari_heatmap_digitizer.data import SAMPLES, accuracy, load_sample, sample_path


def test_recipe_json_round_trip(tmp_path):
    recipe = Recipe(
        panels=[
            Panel(Box(1, 2, 30, 40), Extent(0, 1, 10, 1000, yscale="log")),
            Panel(Box(50, 2, 80, 40)),
        ],
        colorbar=ColorbarSpec(
            box=Box(90, 2, 99, 40),
            ticks=[(3.0, 1.0), (30.0, 2.0)],
            norm="log",
            flip=True,
            discrete=False,
        ),
        max_distance=7.5,
        values=Values(per="region", min_area=25, fill="inpaint"),
        output=Output(format="zarr", long=False, stream=True),
        image=str(tmp_path / "fig.png"),
    )
    path = recipe.save(tmp_path / "r.json")
    again = Recipe.load(path)
    assert again.to_dict() == recipe.to_dict()
    assert again.values == recipe.values and again.output == recipe.output
    with pytest.raises(DigitizerError, match="exists"):
        recipe.save(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"a": 1}', "not a heatmap-digitizer recipe"),
        ('{"format": "napari-heatmap-digitizer recipe", "version": 99}', "upgrade"),
        (
            '{"format": "napari-heatmap-digitizer recipe", "panels": [{"box": [1,2]}],'
            ' "colorbar": {}}',
            "list of 4 numbers",
        ),
        ('{"format": "napari-heatmap-digitizer recipe", "panels": []}', "colorbar"),
    ],
)
def test_bad_recipes(tmp_path, text, message):
    path = tmp_path / "r.json"
    path.write_text(text)
    with pytest.raises(DigitizerError, match=message):
        Recipe.load(path)


def test_recipe_checks_boxes():
    recipe = Recipe(
        [Panel(Box(0, 0, 100, 100))], ColorbarSpec(box=Box(90, 0, 120, 100))
    )
    with pytest.raises(DigitizerError, match="overlaps plot box 0"):
        recipe.check((200, 200, 3))
    recipe.colorbar.box = Box(150, 0, 170, 100)
    with pytest.raises(DigitizerError, match="outside"):
        recipe.check((90, 200, 3))
    with pytest.raises(DigitizerError, match="either a colour bar box"):
        ColorbarSpec().build(np.zeros((5, 5, 3), np.uint8))


@pytest.mark.parametrize("name", SAMPLES)
def test_bundled_samples_digitize_accurately(name):
    sample = load_sample(name)
    assert sample_path(name).exists()
    progress = []
    results = [
        p.result
        for p in run_recipe(sample.recipe, sample.image, progress=progress.append)
    ]
    assert progress[-1] == pytest.approx(1.0)
    assert all(b >= a for a, b in zip(progress, progress[1:], strict=False))
    for result, truth, judged in zip(results, sample.truth, sample.judged, strict=True):
        acc = accuracy(result, truth, judged)
        assert acc["median_error"] < 0.3
        assert acc["coverage"] > 97
        assert result.x[0] == pytest.approx(
            result.extent.xmin
            + (result.extent.xmax - result.extent.xmin) / (2 * result.box.width)
        )


def test_write_formats(tmp_path):
    values = np.arange(12, dtype=np.float64).reshape(3, 4)
    values[1, 2] = np.nan
    write_array(tmp_path / "v.npy", values)
    loaded = np.load(tmp_path / "v.npy")
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, values.astype(np.float32))
    write_array(tmp_path / "v.tif", values, metadata={"recipe": {"a": 1}})
    np.testing.assert_array_equal(
        tifffile.imread(tmp_path / "v.tif"), values.astype(np.float32)
    )
    assert read_tiff_metadata(tmp_path / "v.tif") == {"recipe": {"a": 1}}
    write_array(tmp_path / "v.csv", values, x=[0.5, 1.5, 2.5, 3.5], y=[30, 20, 10])
    lines = (tmp_path / "v.csv").read_text().splitlines()
    assert lines[0] == "x,y,value"
    assert len(lines) == 13
    assert lines[1] == "0.5,30,0"
    assert lines[7] == "2.5,20,nan"
    assert lines[-1] == "3.5,10,11"
    assert not [p for p in os.listdir(tmp_path) if ".part" in p]


def test_write_refuses_to_overwrite_and_bad_targets(tmp_path):
    (tmp_path / "v.npy").write_bytes(b"old")
    with pytest.raises(DigitizerError, match="--overwrite"):
        write_array(tmp_path / "v.npy", np.zeros((2, 2)))
    assert (tmp_path / "v.npy").read_bytes() == b"old"
    write_array(tmp_path / "v.npy", np.zeros((2, 2)), overwrite=True)
    assert np.load(tmp_path / "v.npy").shape == (2, 2)
    with pytest.raises(DigitizerError, match="must end in"):
        write_array(tmp_path / "v.png", np.zeros((2, 2)))
    with pytest.raises(DigitizerError, match="does not exist"):
        write_array(tmp_path / "no" / "v.npy", np.zeros((2, 2)))


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "keep.json"
    target.write_text("old")

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["keep.json"]


def test_recipe_to_dict_is_json():
    sample = load_sample("multi")
    json.dumps(sample.recipe.to_dict())


def _v2(**fields):
    data = Recipe(
        [Panel(Box(0, 0, 10, 10))], ColorbarSpec(colormap="viridis")
    ).to_dict()
    for path, value in fields.items():
        *parents, key = path.split("__")
        node = data
        for p in parents:
            node = node[p][0] if isinstance(node[p], list) else node[p]
        node[key] = value
    return data


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"colorbar__vmin": "0"}, "colorbar.vmin' must be a number"),
        ({"colorbar__vmax": True}, "colorbar.vmax' must be a number"),
        ({"colorbar__norm": "logarithmic"}, 'colorbar.norm\' must be "linear"'),
        ({"colorbar__flip": "yes"}, "colorbar.flip' must be true or false"),
        ({"colorbar__ticks": [[1, 2, 3]]}, "colorbar.ticks'"),
        ({"colorbar__vmni": 1}, "colorbar.vmni' is unknown"),
        ({"panels__box": [0, 0, 10]}, "panels[0].box' must be a list of 4"),
        ({"panels__extent": "0,1,0,1"}, "panels[0].extent' must be a list of 4"),
        ({"panels__xscale": "ln"}, "panels[0].xscale'"),
        ({"values__per": "cells"}, 'values.per\' must be "pixel"'),
        ({"values__cells": "12by8"}, "values.cells'"),
        ({"values__min_area": 2.5}, "values.min_area' must be a whole number"),
        ({"values__fill": "zero"}, "values.fill'"),
        ({"output__format": "xlsx"}, "output.format'"),
        ({"output__long": 1}, "output.long' must be true or false"),
        ({"max_distance": -1}, "max_distance' must be a positive"),
        ({"max_distance": "12"}, "max_distance' must be a number"),
        ({"panels": {}}, "'panels' must be a list"),
        ({"colorbar": []}, "'colorbar' must be an object"),
        ({"extra": 1}, "'extra' is unknown"),
    ],
)
def test_wrong_fields_are_named_never_guessed(fields, named):
    with pytest.raises(DigitizerError, match=None) as err:
        Recipe.from_dict(_v2(**fields))
    assert named in str(err.value)


def test_version_1_recipes_read_as_before():
    v1 = {
        "format": FORMAT,
        "version": 1,
        "image": None,
        "panels": [
            {
                "box": [0, 0, 30, 20],
                "extent": [0, 1, 1, 10],
                "xscale": "linear",
                "yscale": "log",
                "cells": "12X8",
                "grid": None,
            }
        ],
        "colorbar": {"colormap": "magma", "vmin": 0, "vmax": 1, "norm": "linear"},
        "max_distance": 9,
        "notes": {},
    }
    recipe = Recipe.from_dict(v1)
    assert (recipe.values.per, recipe.values.cells) == ("cell", "12x8")
    assert recipe.panels[0].extent.yscale == "log"
    assert recipe.max_distance == 9 and recipe.colorbar.norm == "linear"
    with pytest.raises(DigitizerError, match="values' is unknown"):
        Recipe.from_dict({**v1, "values": {}})
    assert Recipe.from_dict(json.loads(recipe.to_json())).to_dict() == recipe.to_dict()


def test_relative_image_is_read_beside_the_recipe(tmp_path):
    (tmp_path / "sub").mkdir()
    recipe = Recipe([Panel(Box(0, 0, 4, 4))], ColorbarSpec(colormap="viridis"))
    recipe.image = "fig.png"
    recipe.save(tmp_path / "sub" / "r.json")
    assert Recipe.load(tmp_path / "sub" / "r.json").image == str(
        tmp_path / "sub" / "fig.png"
    )


def test_missing_says_what_to_give():
    assert len(Recipe().missing()) == 2
    recipe = Recipe([Panel(Box(0, 0, 4, 4))], ColorbarSpec(colormap="viridis"))
    assert recipe.missing() == []
    with pytest.raises(DigitizerError, match="no plot panel"):
        Recipe(colorbar=ColorbarSpec(colormap="viridis")).check((10, 10, 3))


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (Values(fill="nearest"), "filled"),
        (Values(per="cell", cells="8x5"), "cells"),
        (Values(per="region", min_area=40), "regions"),
    ],
)
def test_pipeline_applies_every_values_choice(values, kind):
    sample = load_sample("single")
    recipe = sample.recipe.copy()
    recipe.values = values
    (plain,) = run_recipe(sample.recipe, sample.image)
    (panel,) = run_recipe(recipe, sample.image)
    assert panel.index == 0 and plain.cells is None and plain.regions is None
    if kind == "filled":
        assert np.isnan(plain.result.values).any()
        assert not np.isnan(panel.result.values).any()
        assert panel.result.filled.sum() == np.isnan(plain.result.values).sum()
    elif kind == "cells":
        assert panel.cells is not None and panel.cells.shape == (5, 8)
    else:
        assert panel.regions is not None and (panel.regions.area >= 40).all()
    assert panel.summary() != plain.summary()


def test_pipeline_reads_a_file_as_the_recipe_says(tmp_path):
    sample = load_sample("single")
    path = tmp_path / "fig.tif"
    tifffile.imwrite(path, sample.image, tile=(64, 64))
    recipe = sample.recipe.copy()
    recipe.image = str(path)
    recipe.output.stream = True
    (lazy,) = run_recipe(recipe)
    recipe.output.stream = False
    (eager,) = run_recipe(recipe)
    assert lazy.result.lazy and not eager.result.lazy
    np.testing.assert_array_equal(np.asarray(lazy.result.values), eager.result.values)


# -- junk never gets past the recipe reader as anything but DigitizerError ----

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    [
        "panels",
        "colorbar",
        "values",
        "output",
        "max_distance",
        "image",
        "version",
        "notes",
    ]
)


@settings(max_examples=300, deadline=None)
@given(fields=st.dictionaries(_KEYS, _JSON, max_size=6), deep=_JSON)
def test_generated_junk_gives_only_digitizer_errors(fields, deep):
    base = _v2()
    for data in (
        {**base, **fields},
        {**base, "colorbar": {**base["colorbar"], "vmin": deep}},
        {**base, "panels": [{**base["panels"][0], "extent": deep}]},
        {**base, "values": deep, "output": deep},
    ):
        with contextlib.suppress(DigitizerError):
            Recipe.from_dict(data)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"max_distance": 10**400}, "max_distance' must be a number"),
        ({"colorbar__vmin": 10**400}, "colorbar.vmin' must be a number"),
    ],
)
def test_numbers_beyond_floats_are_named(fields, named):
    with pytest.raises(DigitizerError) as err:
        Recipe.from_dict(_v2(**fields))
    assert named in str(err.value)


def test_ranges_beyond_float32_are_refused():
    from napari_heatmap_digitizer import Colorbar

    with pytest.raises(DigitizerError, match="float32"):
        Colorbar.from_name("viridis", 0, 1e39)
    with pytest.raises(DigitizerError, match="float32"):
        Colorbar.from_name("viridis", ticks=[(0, -1.7e308), (1, 0)])
    assert Colorbar.from_name("viridis", -3e38, 3e38).vmax == 3e38


def test_recipe_files_that_are_not_recipes_are_refused_quickly(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(DigitizerError, match="not a regular file"):
        Recipe.load(fifo)  # would block forever if opened
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (16 * 2**20 + 1))
    with pytest.raises(DigitizerError, match="larger than 16 MiB"):
        Recipe.load(big)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(DigitizerError, match="nested too deeply"):
        Recipe.load(deep)
