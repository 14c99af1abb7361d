"""Dask: lazy figures give the in-memory numbers; files read and written by chunk."""

from __future__ import annotations

import json

import dask
import dask.array as da
import numpy as np
import pytest
import tifffile
import zarr

from conftest import figure
from napari_heatmap_digitizer import Colorbar, DigitizerError, digitize, run_recipe
from napari_heatmap_digitizer.cli import main
from napari_heatmap_digitizer.core import _bands, _write
from napari_heatmap_digitizer.core._bands import Stats
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._read import load_image, open_lazy
from napari_heatmap_digitizer.core._recipe import ColorbarSpec, Panel, Recipe
from napari_heatmap_digitizer.core._write import read_tiff_metadata, write_result
from napari_heatmap_digitizer.data import accuracy


def three_panels():
    """Three panels and a vertical bar, from known data (matplotlib)."""
    fig = figure(cmap="magma", vmin=-5.0, vmax=40.0, panels=3)
    recipe = Recipe(
        panels=[Panel(b) for b in fig.panels],
        colorbar=ColorbarSpec(box=fig.colorbar, vmin=-5.0, vmax=40.0),
    )
    return fig, recipe


def chunkings(fig):
    """Chunk grids, some cutting through the colour bar and along panel edges."""
    bar, first = fig.colorbar, fig.panels[0]
    mid_bar = (bar.left + bar.right) // 2
    rows, cols = fig.image.shape[:2]
    return {
        "64px": (64, 64, -1),
        "odd": (37, 53, 1),  # colour axis split too
        "through the bar": (
            (bar.top + 10, rows - bar.top - 10),
            (mid_bar, cols - mid_bar),
            -1,
        ),
        "at panel edges": (
            (first.top, first.bottom - first.top, rows - first.bottom),
            (first.left, first.right - first.left, cols - first.right),
            -1,
        ),
        "one pixel off panel edges": (
            (first.top + 1, rows - first.top - 1),
            (first.right - 1, cols - first.right + 1),
            -1,
        ),
        "one chunk": (-1, -1, -1),
    }


@pytest.mark.parametrize(
    "name",
    [
        "64px",
        "odd",
        "through the bar",
        "at panel edges",
        "one pixel off panel edges",
        "one chunk",
    ],
)
def test_dask_equals_in_memory_on_every_chunking(name):
    fig, recipe = three_panels()
    expected = [p.result for p in run_recipe(recipe, fig.image)]
    lazy_image = da.from_array(fig.image, chunks=chunkings(fig)[name])
    results = [p.result for p in run_recipe(recipe, lazy_image)]
    for i, (lazy, ref) in enumerate(zip(results, expected, strict=True)):
        assert lazy.lazy and not ref.lazy
        assert lazy.values.shape == ref.values.shape
        got = lazy.compute()
        np.testing.assert_array_equal(got.values, ref.values)
        np.testing.assert_array_equal(got.distance, ref.distance)
        acc = accuracy(got, fig.truth[i], fig.judged[i])
        assert acc["median_error"] < 0.5  # % of the range, as the in-memory path
        assert lazy.summary() == ref.summary()


def test_nothing_is_computed_until_asked():
    fig, recipe = three_panels()
    calls = []

    def counting(block):
        if block.size > 3:  # not dask's own probes for the output type
            calls.append(block.shape)
        return block

    lazy_image = da.from_array(fig.image, chunks=(64, 64, 3)).map_blocks(counting)
    results = [
        p.result for p in run_recipe(recipe, lazy_image)
    ]  # reads only the colour bar
    bar = fig.colorbar
    bar_blocks = (-(-bar.bottom // 64) - bar.top // 64) * (
        -(-bar.right // 64) - bar.left // 64
    )
    assert 0 < len(calls) <= bar_blocks
    calls.clear()
    results[0].values[:10, :10].compute()
    # what is no data is judged on the whole panel: its blocks are read once
    panel = recipe.panels[0].box
    panel_blocks = (-(-panel.bottom // 64) - panel.top // 64) * (
        -(-panel.right // 64) - panel.left // 64
    )
    rows, cols = -(-fig.image.shape[0] // 64), -(-fig.image.shape[1] // 64)
    edge_blocks = 2 * (rows + cols)  # the page colour: the figure's edge
    # the panel is read for its values, its colour distances and its pixels
    assert 0 < len(calls) <= 3 * panel_blocks + edge_blocks
    # with no data left to the transparent pixels, only the blocks asked for
    recipe.nodata = "none"
    results = [p.result for p in run_recipe(recipe, lazy_image)]
    calls.clear()
    results[0].values[:10, :10].compute()
    assert len(calls) <= 4


def test_alpha_float_and_16_bit_figures_match(rng):
    fig, recipe = three_panels()
    rgba = np.dstack([fig.image, np.full(fig.image.shape[:2], 255, np.uint8)])
    box = recipe.panels[0].box
    rgba[: box.top + 10, :, 3] = 0  # a transparent strip across the panels' tops
    rgba[box.top + 10 : box.top + 30, :, 3] = 128  # and a half-transparent one
    bar = Colorbar.from_image(fig.image, fig.colorbar, -5.0, 40.0)
    for image in (rgba, rgba.astype(np.float32) / 255, rgba.astype(np.uint16) * 257):
        ref = digitize(image, bar, box)
        lazy = digitize(da.from_array(image, chunks=(50, 70, 2)), bar, box)
        got = lazy.compute()
        np.testing.assert_array_equal(got.values, ref.values)
        assert got.nodata[:10].all() and got.nodata.sum() == ref.nodata.sum()
        np.testing.assert_array_equal(got.nodata, ref.nodata)
        assert got.coverage == pytest.approx(ref.coverage)
        assert lazy.coverage == pytest.approx(ref.coverage)


def test_nodata_mask_and_errors(rng):
    fig, _ = three_panels()
    bar = Colorbar.from_image(fig.image, fig.colorbar, -5.0, 40.0)
    mask = rng.random(fig.image.shape[:2]) < 0.1
    ref = digitize(fig.image, bar, fig.panels[1], nodata=mask)
    for m in (mask, da.from_array(mask, chunks=(33, 77))):
        lazy = digitize(
            da.from_array(fig.image, chunks=(100, 100, 3)),
            bar,
            fig.panels[1],
            nodata=m,
        )
        np.testing.assert_array_equal(lazy.compute().values, ref.values)
    with pytest.raises(DigitizerError, match="outside"):
        digitize(da.zeros((10, 10, 3), np.uint8), bar, Box(0, 0, 20, 20))
    with pytest.raises(DigitizerError, match="no-data mask"):
        digitize(da.zeros((10, 10, 3), np.uint8), bar, nodata=np.zeros((5, 5), bool))


def test_memo_is_shared_between_blocks_and_threads():
    from napari_heatmap_digitizer.core._lookup import clear_cache, lookup_for

    fig, recipe = three_panels()
    clear_cache()
    lazy_image = da.from_array(fig.image, chunks=(40, 40, 3))
    result = run_recipe(recipe, lazy_image)[0].result
    with dask.config.set(scheduler="threads", num_workers=4):
        result.values.compute()
    solved = lookup_for(result.colorbar).n_solved
    distinct = len(np.unique(fig.image[result.box.slices].reshape(-1, 3), axis=0))
    assert solved == distinct  # every colour solved once, whichever thread met it


# -- files ----------------------------------------------------------------------
def test_open_lazy_reads_tiff_flavours_and_zarr(tmp_path):
    fig, _ = three_panels()
    image = fig.image
    files = {
        "tiled.tif": {"tile": (128, 128), "compression": "zlib"},
        "strips.tif": {"rowsperstrip": 16, "compression": "zlib"},
        "contiguous.tif": {},
    }
    for name, kwargs in files.items():
        tifffile.imwrite(tmp_path / name, image, **kwargs)
    tifffile.imwrite(
        tmp_path / "planar.tif",
        np.moveaxis(image, -1, 0),
        photometric="rgb",
        planarconfig="separate",
    )
    store = zarr.open_array(
        str(tmp_path / "a.zarr"),
        mode="w",
        shape=image.shape,
        chunks=(100, 100, 3),
        dtype="u1",
    )
    store[:] = image
    group = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    create = getattr(group, "create_array", None) or group.create_dataset
    create("0", shape=image.shape, chunks=(100, 100, 3), dtype="u1")[:] = image
    names = [*files, "planar.tif", "a.zarr", "g.zarr"]
    for name in names:
        lazy = open_lazy(tmp_path / name)
        assert lazy.shape == image.shape, name
        np.testing.assert_array_equal(lazy.compute(), image, err_msg=name)
        # load_image reads the same (Zarr included)
        np.testing.assert_array_equal(load_image(tmp_path / name), image)
    two = zarr.open_group(str(tmp_path / "two.zarr"), mode="w")
    create = getattr(two, "create_array", None) or two.create_dataset
    create("a", shape=(4, 4), dtype="u1")
    create("b", shape=(4, 4), dtype="u1")
    with pytest.raises(DigitizerError, match="name one"):
        open_lazy(tmp_path / "two.zarr")
    (tmp_path / "x.png").write_bytes(b"")
    with pytest.raises(DigitizerError, match="only TIFF and Zarr"):
        open_lazy(tmp_path / "x.png")
    with pytest.raises(DigitizerError, match="does not exist"):
        open_lazy(tmp_path / "missing.tif")


def small_bands(monkeypatch):
    """Many small bands of 64-row tiles."""
    monkeypatch.setattr(_bands, "BAND_PIXELS", 64 * 250)
    monkeypatch.setattr(_bands, "TILE", 64)
    monkeypatch.setattr(_write, "TILE", 64)


@pytest.mark.parametrize("suffix", [".npy", ".tif", ".csv", ".zarr"])
def test_write_result_band_by_band_equals_in_memory(tmp_path, suffix, monkeypatch):
    fig, recipe = three_panels()
    ref = [p.result for p in run_recipe(recipe, fig.image)][1]
    lazy = run_recipe(recipe, da.from_array(fig.image, chunks=(90, 120, 3)))[1].result
    small_bands(monkeypatch)
    assert len(_bands.bands(*ref.values.shape)) == 6
    seen = []
    stats = write_result(
        tmp_path / f"lazy{suffix}", lazy, metadata={"k": 1}, progress=seen.append
    )
    write_result(tmp_path / f"mem{suffix}", ref, metadata={"k": 1})
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4
    assert stats.coverage == pytest.approx(ref.coverage)
    assert lazy.summary(stats) == ref.summary()

    def read(path):
        if suffix == ".npy":
            return np.load(path)
        if suffix == ".tif":
            assert read_tiff_metadata(path) == {"k": 1}
            return tifffile.imread(path)
        if suffix == ".zarr":
            group = zarr.open_group(str(path), mode="r")
            assert dict(group.attrs) == {"k": 1}
            np.testing.assert_array_equal(group["distance"][:], ref.distance)
            np.testing.assert_array_equal(group["x"][:], ref.x)
            return group["values"][:]
        return path.read_text()

    a, b = read(tmp_path / f"lazy{suffix}"), read(tmp_path / f"mem{suffix}")
    if suffix == ".csv":
        assert a == b and a.count("\n") == ref.values.size + 1
    else:
        np.testing.assert_array_equal(a, ref.values)
        np.testing.assert_array_equal(b, ref.values)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"lazy{suffix}",
        f"mem{suffix}",
    ]
    with pytest.raises(DigitizerError, match="exists"):
        write_result(tmp_path / f"lazy{suffix}", lazy)


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    small_bands(monkeypatch)
    fig, recipe = three_panels()
    lazy = run_recipe(recipe, da.from_array(fig.image, chunks=(90, 120, 3)))[0].result

    def stop(fraction):
        raise KeyboardInterrupt

    for suffix in (".zarr", ".tif", ".npy", ".csv"):
        with pytest.raises(KeyboardInterrupt):
            write_result(tmp_path / f"v{suffix}", lazy, progress=stop)
    assert list(tmp_path.iterdir()) == []


def test_stats_median_is_close_to_numpy(rng):
    d = rng.gamma(2.0, 1.5, size=(300, 400)).astype(np.float32)
    v = rng.random((300, 400)).astype(np.float32)
    stats = Stats()
    stats.add(v[:100], d[:100], None)
    stats.add(v[100:], d[100:], None)
    assert abs(stats.median_distance - np.median(d)) <= 1 / 256
    assert stats.coverage == 1.0 and stats.vmin == v.min() and stats.vmax == v.max()


# -- the command line -------------------------------------------------------------
def write_figure_files(tmp_path):
    fig, recipe = three_panels()
    tifffile.imwrite(tmp_path / "fig.tif", fig.image, tile=(64, 64), compression="zlib")
    recipe.save(tmp_path / "r.json")
    return fig, recipe


@pytest.mark.parametrize("suffix", [".tif", ".npy", ".zarr", ".csv"])
def test_cli_stream_gives_the_in_memory_numbers(tmp_path, suffix, capsys):
    write_figure_files(tmp_path)
    args = ["digitize", str(tmp_path / "fig.tif"), "--recipe", str(tmp_path / "r.json")]
    assert main([*args, "--stream", "-o", str(tmp_path / f"s{suffix}")]) == 0
    assert main([*args, "--no-stream", "-o", str(tmp_path / f"m{suffix}")]) == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("panel")]
    heads = [ln.split(" -> ")[0] for ln in lines]
    assert len(heads) == 6 and heads[:3] == heads[3:]
    for i in range(3):
        s, m = tmp_path / f"s_{i}{suffix}", tmp_path / f"m_{i}{suffix}"
        if suffix == ".tif":
            np.testing.assert_array_equal(tifffile.imread(s), tifffile.imread(m))
            meta = read_tiff_metadata(s)
            assert meta["panel"] == i and meta["recipe"]["colorbar"]["vmax"] == 40.0
        elif suffix == ".npy":
            np.testing.assert_array_equal(np.load(s), np.load(m))
        elif suffix == ".zarr":
            a = zarr.open_group(str(s), mode="r")["values"][:]
            np.testing.assert_array_equal(
                a, zarr.open_group(str(m), mode="r")["values"][:]
            )
            assert (
                json.loads(json.dumps(dict(zarr.open_group(str(s)).attrs)))["panel"]
                == i
            )
        else:
            assert s.read_text() == m.read_text()


def test_cli_stream_errors(tmp_path, capsys):
    write_figure_files(tmp_path)
    png = tmp_path / "fig.png"
    from PIL import Image

    Image.fromarray(tifffile.imread(tmp_path / "fig.tif")).save(png)
    recipe = str(tmp_path / "r.json")
    assert (
        main(
            [
                "digitize",
                str(png),
                "--recipe",
                recipe,
                "--stream",
                "-o",
                str(tmp_path / "a.tif"),
            ]
        )
        == 2
    )
    assert "only TIFF and Zarr" in capsys.readouterr().err
    assert (
        main(
            [
                "digitize",
                str(tmp_path / "fig.tif"),
                "--auto",
                "--stream",
                "-o",
                str(tmp_path / "b.tif"),
            ]
        )
        == 2
    )
    assert "--auto needs the figure in memory" in capsys.readouterr().err
    assert not (tmp_path / "a.tif").exists() and not (tmp_path / "b_0.tif").exists()
