from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import tifffile
from PIL import Image

from napari_heatmap_digitizer.cli import build_parser, main
from napari_heatmap_digitizer.data import load_sample, sample_path

SINGLE = str(sample_path("single"))
PLOT = "80,40,480,420"
BAR = "507,37,533,423"


def run(*args):
    return main([str(a) for a in args])


def test_digitize_npy_shape_and_values(tmp_path, capsys):
    out = tmp_path / "v.npy"
    assert (
        run(
            "digitize",
            SINGLE,
            "--plot",
            PLOT,
            "--colorbar",
            BAR,
            "--vmin",
            -2,
            "--vmax",
            3,
            "-o",
            out,
        )
        == 0
    )
    values = np.load(out)
    assert values.dtype == np.float32 and values.shape == (380, 400)
    sample = load_sample("single")
    err = np.abs(values - sample.truth[0])[sample.judged[0]] / 5
    assert np.nanmedian(err) < 0.003
    assert "matched" in capsys.readouterr().out


def test_several_panels_go_to_numbered_files(tmp_path):
    sample = load_sample("multi")
    args = ["digitize", str(sample_path("multi"))]
    for p in sample.recipe.panels:
        args += ["--plot", p.box.as_text()]
    args += [
        "--colorbar",
        sample.recipe.colorbar.box.as_text(),
        "--vmin",
        0,
        "--vmax",
        100,
    ]
    assert run(*args, "-o", tmp_path / "m.tif", "--extent", "0,1,0,1") == 0
    for i, p in enumerate(sample.recipe.panels):
        v = tifffile.imread(tmp_path / f"m_{i}.tif")
        assert v.shape == p.box.shape
    assert not (tmp_path / "m.tif").exists()


def test_csv_with_extent_uses_data_coordinates(tmp_path):
    out = tmp_path / "v.csv"
    assert (
        run(
            "digitize",
            SINGLE,
            "--plot",
            "100,100,104,102",
            "--colorbar",
            BAR,
            "--vmin",
            -2,
            "--vmax",
            3,
            "--extent",
            "0,4,0,2",
            "-o",
            out,
            "-q",
        )
        == 0
    )
    rows = [line.split(",") for line in out.read_text().splitlines()]
    assert rows[0] == ["x", "y", "value"]
    assert [float(v) for v in rows[1][:2]] == [0.5, 1.5]
    assert [float(v) for v in rows[-1][:2]] == [3.5, 0.5]
    assert len(rows) == 9


def test_ticks_and_colormap_flags(tmp_path):
    out = tmp_path / "t.npy"
    # Ticks at the bar's pixel rows for values -2 and 3 (bar spans rows 40..420).
    assert (
        run(
            "digitize",
            SINGLE,
            "--plot",
            PLOT,
            "--colorbar",
            BAR,
            "--ticks",
            "419.5:-2,39.5:3",
            "-o",
            out,
            "-q",
        )
        == 0
    )
    ref = tmp_path / "r.npy"
    assert (
        run(
            "digitize",
            SINGLE,
            "--plot",
            PLOT,
            "--colormap",
            "viridis",
            "--vmin",
            -2,
            "--vmax",
            3,
            "-o",
            ref,
            "-q",
        )
        == 0
    )
    a, b = np.load(out), np.load(ref)
    assert np.nanmedian(np.abs(a - b)) < 0.02


def test_recipe_round_trip_gives_identical_numbers(tmp_path):
    first = tmp_path / "a.npy"
    recipe = tmp_path / "r.json"
    assert (
        run(
            "digitize",
            SINGLE,
            "--plot",
            PLOT,
            "--colorbar",
            BAR,
            "--vmin",
            -2,
            "--vmax",
            3,
            "--max-distance",
            9,
            "-o",
            first,
            "--save-recipe",
            recipe,
            "-q",
        )
        == 0
    )
    second = tmp_path / "b.npy"
    assert run("digitize", "--recipe", recipe, "-o", second, "-q") == 0
    np.testing.assert_array_equal(np.load(first), np.load(second))


def test_demo_reports_accuracy(capsys, tmp_path):
    assert run("demo", "-o", tmp_path / "d.npy") == 0
    out = capsys.readouterr().out
    assert "against the known data: median" in out and (tmp_path / "d.npy").exists()


def test_colormaps_lists_names(capsys):
    assert run("colormaps", "viri") == 0
    assert "viridis" in capsys.readouterr().out.split()


def _bad_cases(tmp_path):
    notimage = tmp_path / "notimage.png"
    notimage.write_text("hello")
    existing = tmp_path / "exists.npy"
    existing.write_bytes(b"keep")
    grey = tmp_path / "grey.png"
    Image.fromarray(np.full((480, 640), 128, np.uint8)).save(grey)
    base = ["--plot", PLOT, "--colorbar", BAR, "--vmin", "-2", "--vmax", "3"]
    return {
        "missing file": [tmp_path / "nope.png", *base],
        "not an image": [notimage, *base],
        "empty box": [
            SINGLE,
            "--plot",
            "80,40,80,420",
            "--colorbar",
            BAR,
            "--vmin",
            0,
            "--vmax",
            1,
        ],
        "inverted box": [
            SINGLE,
            "--plot",
            "480,40,80,420",
            "--colorbar",
            BAR,
            "--vmin",
            0,
            "--vmax",
            1,
        ],
        "box outside": [
            SINGLE,
            "--plot",
            "80,40,700,420",
            "--colorbar",
            BAR,
            "--vmin",
            0,
            "--vmax",
            1,
        ],
        "vmin == vmax": [
            SINGLE,
            "--plot",
            PLOT,
            "--colorbar",
            BAR,
            "--vmin",
            1,
            "--vmax",
            1,
        ],
        "log with vmin 0": [
            SINGLE,
            "--plot",
            PLOT,
            "--colorbar",
            BAR,
            "--vmin",
            0,
            "--vmax",
            1,
            "--norm",
            "log",
        ],
        "no gradient": [
            grey,
            "--plot",
            PLOT,
            "--colorbar",
            BAR,
            "--vmin",
            0,
            "--vmax",
            1,
        ],
        "unknown colormap": [
            SINGLE,
            "--plot",
            PLOT,
            "--colormap",
            "viridiss",
            "--vmin",
            0,
            "--vmax",
            1,
        ],
        "malformed ticks": [
            SINGLE,
            "--plot",
            PLOT,
            "--colorbar",
            BAR,
            "--ticks",
            "1:2,3",
        ],
        "one tick": [SINGLE, "--plot", PLOT, "--colorbar", BAR, "--ticks", "1:2"],
        "no values": [SINGLE, "--plot", PLOT, "--colorbar", BAR],
        "no colour bar": [SINGLE, "--plot", PLOT, "--vmin", 0, "--vmax", 1],
        "no plot": [SINGLE, "--colorbar", BAR, "--vmin", 0, "--vmax", 1],
        "bar overlaps plot": [
            SINGLE,
            "--plot",
            PLOT,
            "--colorbar",
            "470,37,533,423",
            "--vmin",
            0,
            "--vmax",
            1,
        ],
        "extent count": [
            SINGLE,
            "--plot",
            PLOT,
            "--plot",
            "0,0,10,10",
            "--colorbar",
            BAR,
            "--vmin",
            0,
            "--vmax",
            1,
            "--extent",
            "0,1,0,1",
            "--extent",
            "0,1,0,1",
            "--extent",
            "0,1,0,1",
        ],
        "bad max distance": [SINGLE, *base, "--max-distance", "-1"],
        "missing recipe": ["--recipe", tmp_path / "nope.json"],
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "not an image",
        "empty box",
        "inverted box",
        "box outside",
        "vmin == vmax",
        "log with vmin 0",
        "no gradient",
        "unknown colormap",
        "malformed ticks",
        "one tick",
        "no values",
        "no colour bar",
        "no plot",
        "bar overlaps plot",
        "extent count",
        "bad max distance",
        "missing recipe",
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, case):
    args = _bad_cases(tmp_path)[case]
    out = tmp_path / "out.npy"
    assert run("digitize", *args, "-o", out) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("heatmap-digitizer: error:")
    assert "\n" not in err and "Traceback" not in err
    assert not out.exists()


def test_existing_output_and_unwritable_output(tmp_path, capsys):
    existing = tmp_path / "exists.npy"
    existing.write_bytes(b"keep")
    base = [
        "digitize",
        SINGLE,
        "--plot",
        PLOT,
        "--colorbar",
        BAR,
        "--vmin",
        0,
        "--vmax",
        1,
    ]
    assert run(*base, "-o", existing) == 2
    assert existing.read_bytes() == b"keep"
    assert "--overwrite" in capsys.readouterr().err
    assert run(*base, "-o", tmp_path / "missing" / "v.npy") == 2
    assert run(*base, "-o", tmp_path / "v.png") == 2
    assert run(*base, "-o", existing, "--overwrite", "-q") == 0
    assert np.load(existing).shape == (380, 400)


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "digitize",
                SINGLE,
                "--colorbar",
                BAR,
                "--colormap",
                "viridis",
                "-o",
                "x.npy",
            ]
        )
    assert exc.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_help_documents_every_flag():
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices["digitize"]
    text = sub.format_help()
    for flag in [
        "--plot",
        "--colorbar",
        "--colormap",
        "--vmin",
        "--vmax",
        "--norm",
        "--ticks",
        "--extent",
        "--max-distance",
        "--overwrite",
        "--recipe",
        "--orientation",
        "--flip",
        "--discrete",
        "--xscale",
        "-o",
    ]:
        assert flag in text
    for action in sub._actions:
        assert action.help, action.option_strings


def test_console_script_runs():
    proc = subprocess.run(
        ["heatmap-digitizer", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "heatmap-digitizer" in proc.stdout
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "napari_heatmap_digitizer.cli",
            "digitize",
            "nope.png",
            "--plot",
            PLOT,
            "--colormap",
            "viridis",
            "--vmin",
            "0",
            "--vmax",
            "1",
            "-o",
            "x.npy",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
