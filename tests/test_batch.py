"""heatmap-digitizer batch on a dask.distributed LocalCluster."""

from __future__ import annotations

import csv
import sys

import numpy as np
import pytest
import tifffile

from conftest import figure
from napari_heatmap_digitizer.cli import main
from napari_heatmap_digitizer.core._batch import plan
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._recipe import ColorbarSpec, Panel, Recipe, Values

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="LocalCluster processes are slow to start"
)


@pytest.fixture
def figures(tmp_path):
    """Three figures of one layout from known data, a corrupt file, a wrong size."""
    figs = [
        figure(cmap="viridis", vmin=0.0, vmax=10.0, panels=3, seed=s) for s in (1, 2, 3)
    ]
    recipe = Recipe(
        panels=[Panel(b) for b in figs[0].panels],
        colorbar=ColorbarSpec(box=figs[0].colorbar, vmin=0.0, vmax=10.0),
    )
    recipe.save(tmp_path / "recipe.json")
    files = []
    for i, fig in enumerate(figs):
        path = tmp_path / f"frame{i}.png"
        fig.save(path)
        files.append(path)
    big = tmp_path / "frame_tiled.tif"  # read chunk by chunk with --stream
    tifffile.imwrite(big, figs[0].image, tile=(64, 64), compression="zlib")
    files.append(big)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    files.append(corrupt)
    small = tmp_path / "small.png"
    figs[0].save(small)
    from PIL import Image

    Image.open(small).crop((0, 0, 300, 200)).save(small)
    files.append(small)
    return tmp_path, figs, files


def read_summary(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_batch_on_two_workers_matches_one_by_one(figures, capsys):
    tmp, figs, files = figures
    out = tmp / "out"
    args = ["batch", str(tmp / "recipe.json"), *map(str, files), "--out", str(out)]
    status = main([*args, "--workers", "2"])
    assert status == 1  # two bad files
    rows = read_summary(out / "summary.csv")
    assert [r["file"] for r in rows] == [str(f) for f in files]
    assert [r["status"] for r in rows] == ["done"] * 4 + ["failed"] * 2
    assert "cannot read" in rows[4]["message"] or "not an image" in rows[4]["message"]
    assert "outside the 300x200 image" in rows[5]["message"]
    for row in rows[:4]:
        assert row["panels"] == "3"
        assert all(99.0 <= float(c) <= 100.0 for c in row["coverage"].split(";"))
        assert len(row["outputs"].split(";")) == 3
    # the failed figures left nothing behind; nothing half-written anywhere
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [f"{f.stem}_{i}.tif" for f in files[:4] for i in range(3)] + ["summary.csv"]
    )
    # identical to digitizing one by one, and right against the known data
    for k, (fig, path) in enumerate(zip(figs, files[:3], strict=True)):
        one = tmp / f"one{k}.tif"
        assert (
            main(
                [
                    "digitize",
                    str(path),
                    "--recipe",
                    str(tmp / "recipe.json"),
                    "-o",
                    str(one),
                    "-q",
                ]
            )
            == 0
        )
        for i in range(3):
            a = tifffile.imread(out / f"{path.stem}_{i}.tif")
            b = tifffile.imread(tmp / f"one{k}_{i}.tif")
            np.testing.assert_array_equal(a, b)
            err = np.abs(a - fig.truth[i])[fig.judged[i]] / 10.0
            assert np.nanmedian(err) < 0.005
    np.testing.assert_array_equal(
        tifffile.imread(out / "frame_tiled_0.tif"),
        tifffile.imread(out / "frame0_0.tif"),
    )
    text = capsys.readouterr()
    assert "4 of 6 figures done" in text.err and "failed: " in text.err

    # again: refused without --resume; --resume skips the done ones only
    assert main([*args, "--workers", "2"]) == 2
    assert "--resume" in capsys.readouterr().err
    (out / "frame1_2.tif").unlink()  # as if interrupted in the middle of frame1
    stamp = (out / "frame0_0.tif").stat().st_mtime_ns
    assert main([*args, "--workers", "2", "--resume"]) == 1
    rows = read_summary(out / "summary.csv")
    assert [r["status"] for r in rows] == [
        "skipped",
        "done",
        "skipped",
        "skipped",
        "failed",
        "failed",
    ]
    assert rows[0]["coverage"]  # kept from the earlier summary
    assert (out / "frame1_2.tif").exists()
    assert (out / "frame0_0.tif").stat().st_mtime_ns == stamp


def test_batch_on_an_existing_scheduler_with_streaming(figures, capsys):
    from distributed import LocalCluster

    tmp, figs, files = figures
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        status = main(
            [
                "batch",
                str(tmp / "recipe.json"),
                str(files[3]),
                str(files[0]),
                "--out",
                str(tmp / "zout"),
                "--format",
                "zarr",
                "--scheduler",
                cluster.scheduler_address,
                "--stream",
                "-q",
            ]
        )
        # A recipe with gap filling and cells, CSV by default: the batch gives
        # what 'digitize --recipe' gives on each figure.
        recipe = Recipe.load(tmp / "recipe.json")
        recipe.values = Values(per="cell", cells="8x6", fill="nearest")
        recipe.output.format = "csv"
        recipe.save(tmp / "cells.json")
        cells = main(
            [
                "batch",
                str(tmp / "cells.json"),
                str(files[0]),
                str(files[1]),
                "--out",
                str(tmp / "cout"),
                "--scheduler",
                cluster.scheduler_address,
                "-q",
            ]
        )
    assert cells == 0
    for path in files[:2]:
        args = ["digitize", str(path), "--recipe", str(tmp / "cells.json")]
        assert main([*args, "-o", str(tmp / f"{path.stem}.csv"), "-q"]) == 0
        for i in range(3):
            batch = (tmp / "cout" / f"{path.stem}_{i}.csv").read_text()
            assert batch == (tmp / f"{path.stem}_{i}.csv").read_text()
            assert len(batch.splitlines()) == 1 + 6  # a 8x6 matrix, no gaps
            assert "nan" not in batch
    rows = read_summary(tmp / "zout" / "summary.csv")
    assert status == 1  # the PNG cannot be streamed
    assert rows[0]["status"] == "done" and rows[1]["status"] == "failed"
    assert "only TIFF and Zarr" in rows[1]["message"]
    import zarr

    values = zarr.open_group(str(tmp / "zout" / "frame_tiled_0.zarr"), mode="r")[
        "values"
    ][:]
    assert values.shape == figs[0].panels[0].shape


def test_batch_refuses_bad_commands(figures, capsys):
    tmp, _figs, files = figures
    recipe = str(tmp / "recipe.json")
    other = tmp / "sub"
    other.mkdir()
    (other / "frame0.png").write_bytes(files[0].read_bytes())
    assert (
        main(
            [
                "batch",
                recipe,
                str(files[0]),
                str(other / "frame0.png"),
                "--out",
                str(tmp / "o"),
            ]
        )
        == 2
    )
    assert "would both write" in capsys.readouterr().err
    assert (
        main(
            ["batch", str(tmp / "missing.json"), str(files[0]), "--out", str(tmp / "o")]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    assert main(["batch", recipe, str(files[0]), "--out", str(files[0])]) == 2
    assert "is a file" in capsys.readouterr().err
    assert (
        main(
            [
                "batch",
                recipe,
                str(files[0]),
                "--out",
                str(tmp / "o"),
                "--scheduler",
                "tcp://127.0.0.1:1",
            ]
        )
        == 2
    )
    assert "cannot reach the dask scheduler" in capsys.readouterr().err
    assert not (tmp / "o").exists()  # no empty --out folder left behind
    with pytest.raises(DigitizerError, match="no figure"):
        plan([], 1, tmp / "o", "tif")


def test_progress_bar_draws_only_on_a_terminal():
    import io

    from napari_heatmap_digitizer.cli._progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    tty, log = Terminal(), io.StringIO()
    for stream in (tty, log):
        with Progress(what="batch", stream=stream) as bar:
            bar.fraction(0.5, "3/6 figures")
            bar.log("done: a.png")
            bar.fraction(1.0, "6/6 figures")
    drawn = tty.getvalue()
    assert "batch [############            ]  50%, 3/6 figures" in drawn
    assert "100%, 6/6 figures" in drawn
    assert "done: a.png\n" in drawn  # the line is printed above the bar
    assert drawn.endswith("\r")  # the bar is cleared at the end
    assert log.getvalue() == "done: a.png\n"  # a log file gets the lines only
    quiet = Terminal()
    with Progress(enabled=False, what="batch", stream=quiet) as bar:
        bar.fraction(0.5, "3/6 figures")
        bar.log("failed: b.png")
    assert quiet.getvalue() == "failed: b.png\n"
