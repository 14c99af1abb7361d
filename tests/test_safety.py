"""Nothing lost, nothing half-written, every bad input refused (fault injection).

Each test breaks something on purpose (a file appearing at the output while a
run works, two writers racing, SIGTERM/SIGKILL mid-write, a full disk, a
failing --save-recipe, clashing names) and checks what is left on disk.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import tifffile

from napari_heatmap_digitizer.cli import main
from napari_heatmap_digitizer.core import DigitizerError, _outputs, _write, write_array
from napari_heatmap_digitizer.core._atomic import new_part
from napari_heatmap_digitizer.core._batch import process_file
from napari_heatmap_digitizer.core._recipe import Recipe
from napari_heatmap_digitizer.core._stale import PART, clean_stale
from napari_heatmap_digitizer.data import sample_path

SINGLE = str(sample_path("single"))
MULTI = sample_path("multi")
SMALL = "80,40,200,140"  # a small panel of the single sample: quick runs
BAR = "507,37,533,423"
BASE = ["--plot", SMALL, "--colorbar", BAR, "--vmin", "-2", "--vmax", "3", "-q"]

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def run(*args):
    return main([str(a) for a in args])


def litter(folder):
    """This tool's temporary files left in ``folder``."""
    return [p.name for p in Path(folder).iterdir() if PART.match(p.name)]


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert err.startswith("heatmap-digitizer: error:"), err
    assert "\n" not in err and "Traceback" not in err
    return err


def sample_recipe(tmp_path, name="recipe.json", box=SMALL):
    recipe = Recipe.load(sample_path("single").with_suffix(".recipe.json"))
    recipe.panels[0].box = type(recipe.panels[0].box)(*map(int, box.split(",")))
    recipe.image = None
    recipe.save(tmp_path / name)
    return tmp_path / name


# -- item 1: the final step never replaces what it did not check ------------


def test_file_appearing_mid_run_is_left_untouched(tmp_path, monkeypatch, capsys):
    out = tmp_path / "v.npy"
    real = _outputs.write_panel

    def write_then_someone_writes(path, *args, **kwargs):
        written = real(path, *args, **kwargs)  # under a temporary name
        out.write_bytes(b"someone else's")
        return written

    monkeypatch.setattr(_outputs, "write_panel", write_then_someone_writes)
    assert run("digitize", SINGLE, *BASE, "-o", out) == 2
    assert "appeared while this run was working" in one_line_error(capsys)
    assert out.read_bytes() == b"someone else's"
    assert litter(tmp_path) == []
    # the same for a Zarr folder
    store = tmp_path / "v.zarr"

    def write_then_folder(path, *args, **kwargs):
        written = real(path, *args, **kwargs)
        store.mkdir()
        (store / "mine.txt").write_text("keep")
        return written

    monkeypatch.setattr(_outputs, "write_panel", write_then_folder)
    assert run("digitize", SINGLE, *BASE, "-o", store) == 2
    assert (store / "mine.txt").read_text() == "keep"
    assert litter(tmp_path) == []


def test_two_writers_one_output_one_wins(tmp_path, monkeypatch):
    out = tmp_path / "v.csv"
    both_computed = threading.Barrier(2, timeout=60)
    real = _outputs.run_recipe

    def run_and_wait(*args, **kwargs):
        panels = real(*args, **kwargs)
        both_computed.wait()  # both runs are past every check before writing
        return panels

    monkeypatch.setattr(_outputs, "run_recipe", run_and_wait)
    status = []
    threads = [
        threading.Thread(
            target=lambda: status.append(run("digitize", SINGLE, *BASE, "-o", out))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status) == [0, 2]
    assert out.read_text().startswith("x,y,value\n")
    assert litter(tmp_path) == []


# -- item 8: all outputs or none ----------------------------------------------


def test_full_disk_after_the_first_panel_leaves_nothing(tmp_path, monkeypatch, capsys):
    calls = []
    real = _write._write_npy

    def fills_the_disk(tmp, parts, shape):
        calls.append(tmp)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(tmp, parts, shape)

    monkeypatch.setattr(_write, "_write_npy", fills_the_disk)
    recipe = MULTI.with_suffix(".recipe.json")
    out = tmp_path / "v.npy"
    assert run("digitize", "--recipe", recipe, "-o", out, "-q") == 2
    assert "No space left on device" in one_line_error(capsys)
    assert len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # panel 0 went too


def test_failing_save_recipe_leaves_no_values(tmp_path, monkeypatch, capsys):
    def fails(self, path, *, overwrite=False):
        raise DigitizerError(f"cannot write {str(path)!r}: Input/output error")

    monkeypatch.setattr(Recipe, "save", fails)
    out = tmp_path / "v.tif"
    args = ["digitize", SINGLE, *BASE, "-o", out, "--save-recipe", tmp_path / "r.json"]
    assert run(*args) == 2
    one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


# -- items 2, 3, 4, 6, 7: clashes and what may be replaced --------------------


def test_values_and_saved_recipe_on_one_path_refused(tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert run("digitize", SINGLE, *BASE, "-o", out, "--save-recipe", out) == 2
    assert "would both be written" in one_line_error(capsys)
    assert not out.exists()
    out.write_text("keep")
    args = ["-o", out, "--save-recipe", out, "--overwrite"]
    assert run("digitize", SINGLE, *BASE, *args) == 2
    assert out.read_text() == "keep"


def test_output_equal_to_an_input_refused(tmp_path, capsys):
    figure = tmp_path / "fig.tif"
    tifffile.imwrite(figure, np.asarray(__import__("PIL.Image").Image.open(SINGLE)))
    before = figure.read_bytes()
    assert run("digitize", figure, *BASE, "-o", figure, "--overwrite") == 2
    assert "is the input" in one_line_error(capsys)
    recipe = sample_recipe(tmp_path)
    assert run("digitize", figure, *BASE, "-o", tmp_path / "v.npy") == 0
    args = ["--recipe", recipe, "-o", tmp_path / "w.npy", "--save-recipe", recipe]
    assert run("digitize", figure, *args, "--overwrite", "-q") == 2
    one_line_error(capsys)
    # batch: the figure's output would be the figure itself (--out its folder)
    for again in ("--resume", "--overwrite"):
        args = [recipe, figure, "--out", tmp_path, "--format", "tif", again]
        assert run("batch", *args) == 2
        assert "is the input" in one_line_error(capsys)
    assert figure.read_bytes() == before
    assert not (tmp_path / "summary.csv").exists()


def test_batch_name_clashes_refused_up_front(tmp_path, capsys):
    recipe = sample_recipe(tmp_path)
    summary_png = tmp_path / "summary.png"
    summary_png.write_bytes(Path(SINGLE).read_bytes())
    out = tmp_path / "o"
    args = [recipe, summary_png, SINGLE, "--out", out, "--format", "csv"]
    assert run("batch", *args) == 2
    assert "summary" in one_line_error(capsys)
    assert not out.exists()  # refused before the folder was made
    # --summary may replace only a summary of this tool
    args = [recipe, SINGLE, "--out", out]
    assert run("batch", *args, "--summary", recipe, "--resume") == 2
    one_line_error(capsys)
    notes = tmp_path / "notes.csv"
    notes.write_text("my,notes\n1,2\n")
    assert run("batch", *args, "--summary", notes, "--resume") == 2
    assert "not a summary written by this tool" in one_line_error(capsys)
    assert notes.read_text() == "my,notes\n1,2\n"
    assert Recipe.load(recipe).panels  # the recipe is still a recipe


def test_overwrite_replaces_only_this_tools_zarr(tmp_path, capsys):
    folder = tmp_path / "important.zarr"
    folder.mkdir()
    (folder / "thesis.tex").write_text("three years")
    assert run("digitize", SINGLE, *BASE, "-o", folder, "--overwrite") == 2
    assert "not a Zarr store written by this tool" in one_line_error(capsys)
    assert (folder / "thesis.tex").read_text() == "three years"
    ours = tmp_path / "ours.zarr"
    assert run("digitize", SINGLE, *BASE, "-o", ours) == 0
    assert run("digitize", SINGLE, *BASE, "-o", ours, "--overwrite") == 0
    assert litter(tmp_path) == []
    with pytest.raises(DigitizerError, match="not a Zarr store"):
        write_array(folder, np.zeros((2, 2)), overwrite=True)
    recipe = sample_recipe(tmp_path)
    figure = tmp_path / "important.png"
    figure.write_bytes(Path(SINGLE).read_bytes())
    args = [recipe, figure, "--out", tmp_path, "--format", "zarr", "--overwrite"]
    assert run("batch", *args) == 2
    assert "not a Zarr store written by this tool" in one_line_error(capsys)
    assert (folder / "thesis.tex").read_text() == "three years"


# -- item 5: batch --overwrite keeps a now-failing figure's outputs ------------


def test_failing_figure_keeps_its_earlier_outputs(tmp_path):
    recipe = sample_recipe(tmp_path)
    out = tmp_path / "fig.tif"
    figure = tmp_path / "fig.png"
    figure.write_bytes(Path(SINGLE).read_bytes())
    data = Recipe.load(recipe).to_dict()
    args = dict(software="test", overwrite=True)
    assert process_file(data, str(figure), [str(out)], **args)["status"] == "done"
    before = out.read_bytes()
    from PIL import Image

    Image.open(figure).crop((0, 0, 150, 100)).save(figure)  # now too small
    row = process_file(data, str(figure), [str(out)], **args)
    assert row["status"] == "failed" and "outside" in row["message"]
    assert out.read_bytes() == before
    assert litter(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="LocalCluster is slow")
def test_batch_overwrite_and_stale_parts(tmp_path, capsys):
    recipe = sample_recipe(tmp_path)
    figure = tmp_path / "fig.png"
    figure.write_bytes(Path(SINGLE).read_bytes())
    out = tmp_path / "o"
    out.mkdir()
    stale = out / ".fig.tif.abcd1234.part.tif"  # a killed run's leftover
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    mine = out / ".notes.part"  # not this tool's naming: kept
    mine.write_text("keep")
    args = ["batch", recipe, figure, "--out", out, "--workers", "1", "-q"]
    assert run(*args) == 0
    assert not stale.exists() and mine.exists()
    before = (out / "fig.tif").read_bytes()
    from PIL import Image

    Image.open(figure).crop((0, 0, 150, 100)).save(figure)
    assert run(*args, "--overwrite") == 1
    assert (out / "fig.tif").read_bytes() == before
    assert litter(out) == []


@pytest.mark.skipif(sys.platform == "win32", reason="LocalCluster is slow")
def test_worker_death_keeps_earlier_outputs_and_leaves_no_parts(tmp_path, monkeypatch):
    from distributed import LocalCluster

    from napari_heatmap_digitizer.core import _batch

    recipe = sample_recipe(tmp_path)
    figure = tmp_path / "fig.png"
    figure.write_bytes(Path(SINGLE).read_bytes())
    out = tmp_path / "o"
    out.mkdir()
    (out / "fig.tif").write_bytes(b"earlier good output")

    def dies(recipe, source, outputs, **kwargs):
        (out / ".fig.tif.dead5678.part.tif").write_bytes(b"half")
        raise RuntimeError("worker killed")  # as a worker lost mid-write

    monkeypatch.setattr(_batch, "process_file", dies)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        args = ["--scheduler", cluster.scheduler_address, "--overwrite", "-q"]
        assert run("batch", recipe, figure, "--out", out, *args) == 1
    rows = (out / "summary.csv").read_text()
    assert "the worker running it failed" in rows
    assert (out / "fig.tif").read_bytes() == b"earlier good output"
    assert litter(out) == []


# -- item 9: signals, stale partial files -------------------------------------

SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from napari_heatmap_digitizer.core import _write
    from napari_heatmap_digitizer.cli import main

    real = _write.write_long_csv_rows
    def slow(fh, values, x, y):
        real(fh, values, x, y)
        Path(sys.argv[1]).touch()  # the temporary file is being written
        time.sleep(0.05)
    _write.write_long_csv_rows = slow
    sys.exit(main(sys.argv[2:]))
    """
)


@posix_only
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_signal_mid_write_then_next_run_leaves_no_litter(tmp_path, sig):
    marker = tmp_path / "writing"
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "v.csv"
    cmd = [sys.executable, "-c", SLOW_WRITER, str(marker), "digitize", SINGLE]
    proc = subprocess.Popen(
        [*cmd, *BASE, "-o", str(out)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert litter(out_dir)  # mid-write: a temporary file exists
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert proc.returncode == 143
        assert err.strip().startswith("heatmap-digitizer: terminated;")
        assert err.strip().count("\n") == 0
        assert litter(out_dir) == []
    else:  # nothing runs on SIGKILL: the next run into the folder cleans up
        assert litter(out_dir)
        assert run("digitize", SINGLE, *BASE, "-o", out_dir / "w.npy") == 0
        assert litter(out_dir) == []
        assert sorted(p.name for p in out_dir.iterdir()) == ["w.npy"]


@posix_only
def test_stale_parts_only_of_dead_writers_are_removed(tmp_path):
    live = new_part(tmp_path / "live.npy", overwrite=False)  # a writer still runs
    dead = tmp_path / ".dead.npy.zz99zz99.part.npy"
    dead.write_bytes(b"x")
    other = tmp_path / ".bashrc.part"
    other.write_text("mine")
    later = time.time() + 5
    assert clean_stale(tmp_path, before=later) == 1
    assert live.tmp.exists() and not dead.exists() and other.exists()
    live.remove_tmp()


@posix_only
def test_ctrl_c_on_batch_tells_the_truth(tmp_path, monkeypatch, capsys):
    from napari_heatmap_digitizer.core import _batch

    recipe = sample_recipe(tmp_path)
    out = tmp_path / "o"
    held = []

    def interrupted(recipe, jobs, **kwargs):
        dead = out / ".a.tif.dead1234.part.tif"  # a killed worker's file
        dead.write_bytes(b"half")
        if held:  # a writer still holds this one
            held.append(new_part(out / "b.tif", overwrite=False))
        raise KeyboardInterrupt

    monkeypatch.setattr(_batch, "run_batch", interrupted)
    figures = [tmp_path / "a.png", tmp_path / "b.png"]
    for f in figures:
        f.write_bytes(Path(SINGLE).read_bytes())
    assert run("batch", recipe, *figures, "--out", out) == 130
    err = capsys.readouterr().err.strip()
    assert err.startswith("heatmap-digitizer: interrupted; 0 figure(s) finished")
    assert "unfinished figures left no files" in err and "\n" not in err
    assert litter(out) == []
    rows = (out / "summary.csv").read_text().splitlines()
    assert len(rows) == 3 and all(",not run," in r for r in rows[1:])
    held.append(None)
    assert run("batch", recipe, *figures, "--out", out, "--overwrite") == 130
    err = capsys.readouterr().err
    assert "1 partial file(s) could not be removed yet" in err
    assert litter(out) == [held[1].tmp.name]
    held[1].remove_tmp()


# -- item 10: modes ------------------------------------------------------------


@posix_only
def test_modes_follow_the_umask_and_overwrite_keeps_them(tmp_path):
    old = os.umask(0o022)
    try:
        for name in ("v.npy", "v.csv", "v.tif"):
            assert run("digitize", SINGLE, *BASE, "-o", tmp_path / name) == 0
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644
        store = tmp_path / "v.zarr"
        assert run("digitize", SINGLE, *BASE, "-o", store) == 0
        assert stat.S_IMODE(store.stat().st_mode) == 0o755
        os.chmod(tmp_path / "v.npy", 0o640)
        assert (
            run("digitize", SINGLE, *BASE, "-o", tmp_path / "v.npy", "--overwrite") == 0
        )
        assert stat.S_IMODE((tmp_path / "v.npy").stat().st_mode) == 0o640
        os.umask(0o077)
        assert run("digitize", SINGLE, *BASE, "-o", tmp_path / "p.npy") == 0
        assert stat.S_IMODE((tmp_path / "p.npy").stat().st_mode) == 0o600
    finally:
        os.umask(old)


# -- item 17 and write_array ---------------------------------------------------


def test_bad_batch_settings_leave_no_out_folder(tmp_path, capsys, monkeypatch):
    recipe = sample_recipe(tmp_path)
    out = tmp_path / "o"
    assert run("batch", recipe, SINGLE, "--out", out, "--workers", 100000) == 2
    assert "--workers" in one_line_error(capsys)
    assert not out.exists()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):  # root: make mkdir fail as it would

            def refuse(self, *args, **kwargs):
                raise PermissionError(errno.EACCES, "Permission denied", str(self))

            monkeypatch.setattr(Path, "mkdir", refuse)
        assert run("batch", recipe, SINGLE, "--out", locked / "o") == 2
        assert "cannot make the output folder" in one_line_error(capsys)
    finally:
        locked.chmod(0o755)
    assert not (locked / "o").exists()


def test_negative_min_area_refused(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert (
        run("digitize", SINGLE, *BASE, "--regions", "--min-area", "-5", "-o", out) == 2
    )
    one_line_error(capsys)
    assert not out.exists()


def test_write_array_needs_two_dimensions(tmp_path):
    with pytest.raises(DigitizerError, match="2-D array"):
        write_array(tmp_path / "x.npy", np.zeros((2, 3, 4)))
    assert list(tmp_path.iterdir()) == []
