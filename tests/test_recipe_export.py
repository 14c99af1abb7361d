from __future__ import annotations

import json
import os

import numpy as np

from napari_heatmap_digitizer import run_recipe
import pytest
import tifffile

from napari_heatmap_digitizer.core import (
    Box,
    ColorbarSpec,
    DigitizerError,
    Extent,
    Panel,
    Recipe,
    write_array,
)
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
        image="fig.png",
    )
    path = recipe.save(tmp_path / "r.json")
    again = Recipe.load(path)
    assert again.to_dict() == recipe.to_dict()
    with pytest.raises(DigitizerError, match="exists"):
        recipe.save(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"a": 1}', "not a heatmap-digitizer recipe"),
        ('{"format": "napari-heatmap-digitizer recipe", "version": 99}', "newer"),
        (
            '{"format": "napari-heatmap-digitizer recipe", "panels": [{"box": [1,2]}],'
            ' "colorbar": {}}',
            "four numbers",
        ),
        ('{"format": "napari-heatmap-digitizer recipe", "panels": []}', "malformed"),
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
