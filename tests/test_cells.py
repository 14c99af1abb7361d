"""Cell grids, regions and gap filling on matplotlib figures from known data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_heatmap_digitizer.cli import main
from napari_heatmap_digitizer.core import Colorbar, DigitizerError, digitize
from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cells import (
    Grid,
    cell_values,
    detect_grid,
    panel_cells,
    parse_cells,
)
from napari_heatmap_digitizer.core._recipe import ColorbarSpec, Panel, Recipe, Values
from napari_heatmap_digitizer.core._regions import (
    fill_gaps,
    find_hexagons,
    find_regions,
)

pytest.importorskip("matplotlib")
from napari_heatmap_digitizer.testing import (
    render,
    render_hexbin,
    render_matrix,
)


def _digitize(m, extent=None):
    bar = Colorbar.from_image(m.image, m.colorbar, vmin=m.vmin, vmax=m.vmax)
    return digitize(m.image, bar, m.panel, extent=extent)


def _matrix(rows, cols, *, numbers=False, grid=None, kind="imshow", jpeg=False, **kw):
    cell = 20 if numbers else 8
    size = (max(480, cell * cols), max(420, cell * rows))
    cmap = "magma" if grid == "black" else kw.pop("cmap", "viridis")
    m = render_matrix(
        rows,
        cols,
        kind=kind,
        grid=grid,
        numbers=numbers,
        cmap=cmap,
        size=size,
        seed=rows * 100 + cols,
        **kw,
    )
    return m.as_jpeg(75) if jpeg else m


def _same_grid(grid, m):
    assert grid.shape == m.values.shape
    assert np.abs(grid.col_edges - m.col_edges).max() <= 1.0
    assert np.abs(grid.row_edges - m.row_edges).max() <= 1.0


# sizes x kinds x grid lines x numbers (numbers only where a figure would print
# them legibly: cells of 20 px), PNG and JPEG quality 75
DETECT_CASES = [
    (rows, cols, kind, grid, numbers, jpeg)
    for rows, cols in ((3, 3), (5, 7), (12, 9), (20, 20), (40, 40), (60, 60))
    for kind in ("imshow", "pcolormesh")
    for grid in (None, "white", "black")
    for numbers in (False, True)
    for jpeg in (False, True)
    if not (jpeg and kind == "pcolormesh")  # JPEG: one kind is enough per case
]


@pytest.mark.parametrize(
    ("rows", "cols", "kind", "grid", "numbers", "jpeg"), DETECT_CASES
)
def test_detects_regular_grids_exactly(rows, cols, kind, grid, numbers, jpeg):
    m = _matrix(rows, cols, kind=kind, grid=grid, numbers=numbers, jpeg=jpeg)
    _same_grid(detect_grid(_digitize(m)), m)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("grid", [None, "white"])
def test_detects_irregular_grids(seed, grid):
    m = render_matrix(
        8 + seed, 6 + seed, kind="pcolormesh", irregular=True, grid=grid, seed=seed
    )
    found = detect_grid(_digitize(m))
    _same_grid(found, m)
    assert any("irregular" in w for w in found.warnings)


@pytest.mark.parametrize(
    ("kind", "numbers", "limit"),
    [
        # the colour bar and pcolormesh round colours to 8 bits alike: the
        # 256-entry table's half step (0.2 %) plus the bar's reading
        ("pcolormesh", False, 0.5),
        ("pcolormesh", True, 0.5),
        # imshow truncates where the colour bar rounds: one more table step
        ("imshow", False, 0.75),
        ("imshow", True, 0.75),
    ],
)
@pytest.mark.parametrize("cmap", ["viridis", "RdBu_r", "magma"])
def test_cell_values_png(kind, numbers, limit, cmap):
    m = render_matrix(
        12, 10, kind=kind, numbers=numbers, cmap=cmap, vmin=-1, vmax=1, seed=3
    )
    cells = cell_values(_digitize(m), Grid(m.col_edges, m.row_edges))
    err = np.abs(cells.values - m.values) / (m.vmax - m.vmin) * 100
    assert err.max() <= limit
    assert cells.matched.min() > (0.3 if numbers else 0.95)


@pytest.mark.parametrize("numbers", [False, True])
def test_cell_values_jpeg(numbers):
    # JPEG q75 subsamples colour 2x2 and quantises it coarsely, so small cells
    # take colour from their neighbours; limits measured on 20-px cells
    # (docs/accuracy.md lists them by cell size).
    errs = []
    for cmap in ("viridis", "magma", "RdBu_r"):
        m = render_matrix(
            10, 10, cmap=cmap, numbers=numbers, size=(200, 200), seed=7
        ).as_jpeg(75)
        c = cell_values(_digitize(m), Grid(m.col_edges, m.row_edges))
        errs.append(np.abs(c.values - m.values).ravel() * 100)
    e = np.concatenate(errs)
    assert np.median(e) <= 0.8
    assert np.percentile(e, 95) <= 2.5
    assert e.max() <= 4.0


def test_cells_have_data_coordinates_and_spread():
    m = render_matrix(4, 5, numbers=True, seed=1)
    r = _digitize(m, extent=Extent(0, 5, 0, 4))
    cells = panel_cells(r, "auto")
    assert cells.shape == (4, 5)
    np.testing.assert_allclose(cells.x, np.arange(5) + 0.5)
    np.testing.assert_allclose(cells.y, 3.5 - np.arange(4))  # row 0 at the top
    assert np.all(cells.spread < 0.05)
    assert not cells.doubtful().any()


def test_no_grid_in_a_smooth_image_says_use_cells():
    fig = render()
    bar = Colorbar.from_image(fig.image, fig.colorbar, vmin=0, vmax=1)
    r = digitize(fig.image, bar, fig.panels[0])
    with pytest.raises(DigitizerError, match="--cells"):
        detect_grid(r)


def test_too_small_cells_and_mismatched_grid():
    m = render_matrix(8, 10, seed=2)
    r = _digitize(m)
    with pytest.raises(DigitizerError, match="too small"):
        panel_cells(r, "200x8")
    cells = panel_cells(r, "7x8")  # 7 columns over 10 real ones
    assert cells.shape == (8, 7)
    assert any("columns" in w and "more than one colour" in w for w in cells.warnings)
    assert not panel_cells(r, "10x8").warnings


def test_parse_cells_and_grid_round_trip():
    assert parse_cells("3×4") == (3, 4)
    for bad in ("3x", "0x4", "abc", "3x4x5"):
        with pytest.raises(DigitizerError, match="COLSxROWS"):
            parse_cells(bad)
    grid = Grid([0, 10, 30], [0, 5, 10, 20])
    assert Grid.from_dict(json.loads(json.dumps(grid.to_dict()))).shape == (3, 2)
    with pytest.raises(DigitizerError, match="increase"):
        Grid([0, 10, 5], [0, 5])
    recipe = Recipe(
        [Panel(Box(0, 0, 30, 20)), Panel(Box(40, 0, 70, 20), grid=grid)],
        ColorbarSpec(colormap="viridis", vmin=0, vmax=1),
        values=Values(per="cell", cells="12x8"),
    )
    back = Recipe.from_dict(json.loads(recipe.to_json()))
    assert (back.values.per, back.values.cells) == ("cell", "12x8")
    np.testing.assert_array_equal(back.panels[1].grid.col_edges, grid.col_edges)


# -- regions ----------------------------------------------------------------------


def test_contour_bands_become_regions():
    fig = render(kind="contourf", levels=8)
    bar = Colorbar.from_image(fig.image, fig.colorbar, vmin=0, vmax=1)
    r = digitize(fig.image, bar, fig.panels[0])
    regions = find_regions(r, min_area=50)
    from skimage.measure import label

    truth = np.searchsorted(fig.levels[1:-1], fig.truth[0] * 0 + fig.truth[0])
    truth_labels = label(truth + 1, connectivity=1)
    sizes = np.bincount(truth_labels.ravel())
    big = [i for i in range(1, sizes.size) if sizes[i] >= 400]
    assert big
    for i in big:
        ys, xs = np.nonzero(truth_labels == i)
        hit = regions.labels[ys, xs]
        j = np.bincount(hit[hit > 0]).argmax()
        assert abs(regions.value[j - 1] - fig.truth[0][ys[0], xs[0]]) <= 0.005
        assert regions.area[j - 1] >= 0.8 * sizes[i]
    t = regions.table()
    assert set(t) == {"region", "x", "y", "px", "py", "value", "area"}


def test_hexbin_regions_png():
    h = render_hexbin(gridsize=15, seed=4)
    bar = Colorbar.from_image(h.image, h.colorbar, vmin=h.vmin, vmax=h.vmax)
    r = digitize(h.image, bar, h.panel)
    reg = find_regions(r, min_area=9)
    c = np.column_stack([reg.px - h.panel.left, reg.py - h.panel.top])
    d = np.sqrt(((h.centres[:, None] - c[None]) ** 2).sum(-1))
    found = d.min(1) < 3
    # neighbouring hexagons of one colour merge; measured 80-90 % found
    assert found.mean() >= 0.75
    err = np.abs(reg.value[d.argmin(1)] - h.values)[found] / (h.vmax - h.vmin)
    assert err.max() <= 0.01


@pytest.mark.parametrize("gridsize", [8, 12, 20, 30])
def test_hexbin_every_hexagon_png(gridsize):
    h = render_hexbin(gridsize=gridsize, seed=gridsize + 1)
    bar = Colorbar.from_image(h.image, h.colorbar, vmin=h.vmin, vmax=h.vmax)
    hexes = find_hexagons(digitize(h.image, bar, h.panel))
    c = np.column_stack([hexes.px - h.panel.left, hexes.py - h.panel.top])
    d = np.sqrt(((h.centres[:, None] - c[None]) ** 2).sum(-1))
    assert len(hexes) == len(h.values)  # nothing extra
    assert d.min(1).max() < 3  # every hexagon found, at its centre
    err = np.abs(hexes.value[d.argmin(1)] - h.values) / (h.vmax - h.vmin)
    assert err.max() <= 0.01


def test_no_hexagons_in_a_matrix_is_an_error():
    m = render_matrix(3, 3, seed=5)
    with pytest.raises(DigitizerError, match="hexagon"):
        find_hexagons(_digitize(m))


def test_fill_gaps_nearest_and_inpaint():
    fig = render(text="white")
    bar = Colorbar.from_image(fig.image, fig.colorbar, vmin=0, vmax=1)
    r = digitize(fig.image, bar, fig.panels[0])
    gaps = r.unmatched.copy()
    assert gaps.sum() > 500
    for method in ("nearest", "inpaint"):
        f = fill_gaps(r, method)
        np.testing.assert_array_equal(f.filled, gaps)
        assert not np.isnan(f.values).any()
        err = np.abs(f.values[gaps] - fig.truth[0][gaps])
        assert np.median(err) < 0.02, method
        assert f.unmatched.sum() == gaps.sum()  # still marked
    with pytest.raises(DigitizerError, match="nearest"):
        fill_gaps(r, "magic")


# -- CLI --------------------------------------------------------------------------


@pytest.fixture
def matrix_png(tmp_path):
    m = render_matrix(6, 9, grid="white", numbers=True, seed=11)
    path = tmp_path / "matrix.png"
    m.save(path)
    args = [
        str(path),
        "--plot",
        m.panel.as_text(),
        "--colorbar",
        m.colorbar.as_text(),
        "--vmin",
        "0",
        "--vmax",
        "1",
    ]
    return m, args


def test_cli_cells_matrix_csv(matrix_png, tmp_path, capsys):
    m, args = matrix_png
    out = tmp_path / "cells.csv"
    assert main(["digitize", *args, "--cells", "auto", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 7
    values = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    assert np.abs(values - m.values).max() <= 0.0075
    header = [float(v) for v in lines[0].split(",")[1:]]
    assert len(header) == 9
    assert "9x6 cells" in capsys.readouterr().out


def test_cli_cells_long_npy_tif(matrix_png, tmp_path):
    from napari_heatmap_digitizer.core._write import read_tiff_metadata

    _m, args = matrix_png
    long = tmp_path / "long.csv"
    assert main(["digitize", *args, "--cells", "9x6", "--long", "-o", str(long)]) == 0
    lines = long.read_text().splitlines()
    assert lines[0] == (
        "row,col,x,y,value,matched,spread,source,printed,colour,uncertainty"
    )
    assert len(lines) == 1 + 54
    # the figure prints each cell's value with two decimals: read, and agreeing
    rows = [line.split(",") for line in lines[1:]]
    assert all(r[7] == "both" and float(r[4]) == float(r[8]) for r in rows)
    assert max(abs(float(r[4]) - float(r[9])) for r in rows) < 0.02
    off = tmp_path / "off.csv"
    argv = ["digitize", *args, "--cells", "9x6", "--long", "--numbers", "off"]
    assert main([*argv, "-o", str(off)]) == 0
    assert off.read_text().splitlines()[0] == "row,col,x,y,value,matched,spread"
    assert (
        main(["digitize", *args, "--cells", "9x6", "-o", str(tmp_path / "c.npy")]) == 0
    )
    assert np.load(tmp_path / "c.npy").shape == (6, 9)
    tif = tmp_path / "c.tif"
    assert main(["digitize", *args, "--cells", "auto", "-o", str(tif)]) == 0
    meta = read_tiff_metadata(tif)
    assert meta["cells"] == {"rows": 6, "cols": 9}
    assert len(meta["grid"]["col_edges"]) == 10


def test_cli_regions_and_fill(matrix_png, tmp_path):
    _m, args = matrix_png
    out = tmp_path / "regions.csv"
    assert (
        main(["digitize", *args, "--regions", "--min-area", "100", "-o", str(out)]) == 0
    )
    lines = out.read_text().splitlines()
    assert lines[0] == "region,x,y,px,py,value,area"
    assert len(lines) - 1 >= 54  # every cell (text may split a few)
    filled = tmp_path / "filled.npy"
    assert main(["digitize", *args, "--fill", "nearest", "-o", str(filled)]) == 0
    assert not np.isnan(np.load(filled)).any()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--cells", "9by6", "-o", "x.csv"], "COLSxROWS"),
        (["--cells", "400x6", "-o", "x.csv"], "too small"),
        (["--regions", "-o", "x.npy"], ".csv"),
        (["--hexagons", "-o", "x.npy"], ".csv"),
        (["--regions", "--cells", "auto", "-o", "x.csv"], "not both"),
        (["--long", "-o", "x.csv"], "--long"),
    ],
)
def test_cli_cells_bad_input(matrix_png, tmp_path, capsys, extra, message):
    _m, args = matrix_png
    extra = [str(tmp_path / e) if e.startswith("x.") else e for e in extra]
    assert main(["digitize", *args, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1
    assert not list(tmp_path.glob("x.*"))


def test_cli_no_grid_exit_2(tmp_path, capsys):
    fig = render()
    path = tmp_path / "smooth.png"
    fig.save(path)
    out = tmp_path / "c.csv"
    code = main(
        [
            "digitize",
            str(path),
            "--plot",
            fig.panels[0].as_text(),
            "--colorbar",
            fig.colorbar.as_text(),
            "--vmin",
            "0",
            "--vmax",
            "1",
            "--cells",
            "auto",
            "-o",
            str(out),
        ]
    )
    assert code == 2
    assert "--cells COLSxROWS" in capsys.readouterr().err
    assert not out.exists()
