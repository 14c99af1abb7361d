"""Exit status 3: each cause of doubt, what is written, and how to relax it."""

import json

import numpy as np
import pytest
from PIL import Image

from napari_heatmap_digitizer.cli import main
from napari_heatmap_digitizer.core import Recipe
from napari_heatmap_digitizer.testing import render


@pytest.fixture(scope="module")
def plasma(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doubt")
    fig = render(cmap="plasma", vmin=-2.0, vmax=3.0, seed=3)
    path = folder / "plasma.png"
    Image.fromarray(fig.image).save(path)
    return fig, path


def _args(fig, path, plot=None, *extra):
    box = plot or fig.panels[0]
    return [
        "digitize",
        str(path),
        "--plot",
        box.as_text(),
        *extra,
        "--vmin",
        "-2",
        "--vmax",
        "3",
    ]


def test_a_good_run_exits_0_and_reports_ok(plasma, tmp_path, capsys):
    fig, path = plasma
    out, report = tmp_path / "v.npy", tmp_path / "r.json"
    args = _args(fig, path, None, "--colorbar", fig.colorbar.as_text())
    assert main([*args, "-o", str(out), "--report", str(report)]) == 0
    assert ": ok: " in capsys.readouterr().out
    data = json.loads(report.read_text())
    assert data["doubtful"] is False and data["panels"][0]["output"] == str(out)
    assert data["panels"][0]["matched_share"] > 0.99


def test_a_wrong_colour_map_exits_3_and_still_writes(plasma, tmp_path, capsys):
    fig, path = plasma
    out, report = tmp_path / "v.npy", tmp_path / "r.json"
    args = _args(fig, path, None, "--colormap", "viridis")
    assert main([*args, "-o", str(out), "--report", str(report)]) == 3
    captured = capsys.readouterr()
    assert "DOUBTFUL" in captured.out
    doubt = [line for line in captured.err.splitlines() if line.startswith("doubtful:")]
    assert len(doubt) == 1 and "wrong colour map" in doubt[0]
    assert "exit status 3" in captured.err
    assert np.load(out).shape == fig.panels[0].shape  # written all the same
    data = json.loads(report.read_text())
    assert data["doubtful"] is True and data["panels"][0]["doubts"]
    # relaxed on purpose: no doubt, exit 0
    relaxed = [*args, "--min-matched", "0", "--max-delta-e", "100", "-q"]
    assert main([*relaxed, "-o", str(tmp_path / "w.npy")]) == 0


def test_a_box_past_the_frame_exits_3(plasma, tmp_path, capsys):
    fig, path = plasma
    p = fig.panels[0]
    wide = type(p)(p.left - 40, p.top, p.right, p.bottom)
    args = _args(fig, path, wide, "--colorbar", fig.colorbar.as_text())
    assert main([*args, "-o", str(tmp_path / "v.npy")]) == 3
    assert "past the plot's frame at its left" in capsys.readouterr().err
    # with every matching pixel taken as data, the margin is still seen
    plain = [*args, "--nodata", "none", "-q"]
    assert main([*plain, "-o", str(tmp_path / "n.npy")]) == 3
    more = [*args, "--max-edge-page", "0.2", "-q"]
    assert main([*more, "-o", str(tmp_path / "w.npy")]) == 0


def test_a_falling_range_is_refused_in_one_line(plasma, tmp_path, capsys):
    fig, path = plasma
    args = [
        "digitize",
        str(path),
        "--plot",
        fig.panels[0].as_text(),
        "--colorbar",
        fig.colorbar.as_text(),
        "--vmin",
        "3",
        "--vmax",
        "-2",
    ]
    assert main([*args, "-o", str(tmp_path / "v.npy")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--flip" in err
    assert not (tmp_path / "v.npy").exists()


def test_the_report_is_never_overwritten_unasked(plasma, tmp_path, capsys):
    fig, path = plasma
    report = tmp_path / "r.json"
    report.write_text("keep")
    args = _args(fig, path, None, "--colorbar", fig.colorbar.as_text())
    out = tmp_path / "v.npy"
    assert main([*args, "-o", str(out), "--report", str(report)]) == 2
    assert report.read_text() == "keep" and not out.exists()
    assert "--overwrite" in capsys.readouterr().err
    assert main([*args, "-o", str(out), "--report", str(report), "--overwrite"]) == 0
    assert json.loads(report.read_text())["doubtful"] is False


def test_the_bounds_survive_a_saved_recipe(plasma, tmp_path):
    fig, path = plasma
    saved = tmp_path / "r.json"
    args = _args(fig, path, None, "--colormap", "viridis", "--min-matched", "0.01")
    main([*args, "-o", str(tmp_path / "v.npy"), "--save-recipe", str(saved), "-q"])
    assert Recipe.load(saved).bounds.min_matched == 0.01


def test_batch_marks_doubtful_figures_and_exits_3(plasma, tmp_path, capsys):
    fig, path = plasma
    recipe = tmp_path / "r.json"
    args = _args(fig, path, None, "--colormap", "plasma")
    assert (
        main([*args, "-o", str(tmp_path / "v.npy"), "--save-recipe", str(recipe)]) == 0
    )
    other = render(cmap="viridis", vmin=-2.0, vmax=3.0, seed=3)
    wrong = tmp_path / "viridis.png"
    Image.fromarray(other.image).save(wrong)
    out = tmp_path / "out"
    status = main(
        ["batch", str(recipe), str(path), str(wrong), "--out", str(out), "-q"]
    )
    assert status == 3
    rows = (out / "summary.csv").read_text().splitlines()
    by_file = {line.split(",")[0]: line for line in rows[1:]}
    assert ",done," in by_file[str(path)]
    assert ",doubtful," in by_file[str(wrong)]
    assert "wrong colour map" in by_file[str(wrong)]
    assert (out / "viridis.npy").exists()
