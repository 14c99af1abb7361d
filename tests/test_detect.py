"""Detection of panels and colour bars, colour-map naming and tick reading,
on matplotlib figures with known layouts."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from napari_heatmap_digitizer import cli
from napari_heatmap_digitizer.core import Box, Colorbar
from napari_heatmap_digitizer.core import _areas as areas_module
from napari_heatmap_digitizer.core import _ticks as ticks
from napari_heatmap_digitizer.core._detect import (
    detect,
    name_colormap,
    rank_colormaps,
)
from napari_heatmap_digitizer.core._ticks import (
    TickReading,
    ocr_available,
    parse_label,
)
from napari_heatmap_digitizer.testing import grid_layout, render

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="Tesseract not installed")

#: Intersection over union every found box must reach.
MIN_IOU = 0.95

LAYOUTS = [
    (rows, cols, orientation, bars)
    for rows, cols in ((1, 1), (2, 2), (1, 3))
    for orientation in ("vertical", "horizontal")
    for bars in ("shared", "each", "none")
]


@functools.lru_cache(maxsize=64)
def layout_figure(rows, cols, orientation, bars, cmap="magma", jpeg=False, dpi=100):
    fig = render(
        layout=grid_layout(rows, cols, orientation=orientation, bars=bars),
        cmap=cmap,
        seed=rows * 10 + cols,
        dpi=dpi,
    )
    return fig, (fig.as_jpeg(75) if jpeg else fig)


def iou(a: Box, b: Box) -> float:
    return a.iou(b)


@pytest.mark.parametrize("jpeg", [False, True], ids=["png", "jpeg75"])
@pytest.mark.parametrize(("rows", "cols", "orientation", "bars"), LAYOUTS)
def test_panels_and_bars_found_with_iou_095(rows, cols, orientation, bars, jpeg):
    png, fig = layout_figure(rows, cols, orientation, bars, jpeg=jpeg)
    found = detect(fig.image, ticks=False)
    assert len(found.panels) == len(png.panels)
    assert len(found.colorbars) == len(png.bars)  # and no false bars
    for true in png.panels:
        # The coloured area: the axes box less the spine pixels over it.
        assert max(iou(png.inside_spines(true), p) for p in found.panels) >= MIN_IOU
    for (true, orientation_true, served), bar in zip(
        png.bars,
        sorted(found.colorbars, key=lambda b: (b.box.top, b.box.left)),
        strict=True,
    ):
        assert iou(png.inside_spines(true), bar.box) >= MIN_IOU
        assert bar.orientation == orientation_true
        # Panels are numbered row by row, like the layout's.
        assert bar.panels == served
        assert bar.colormaps[0].name == "magma"
    assert found.message == ""


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "contourf", "levels": 10},
        {"grid": "white"},
        {"text": "white"},
        {"cmap": "RdBu_r", "vmin": -5.0, "vmax": 5.0},
        {"cmap": "gray"},
        {"norm": "log", "vmin": 0.1, "vmax": 1000.0},
    ],
    ids=["contourf", "grid", "text", "diverging", "gray", "log"],
)
def test_detection_on_harder_single_panels(kwargs):
    fig = render(**kwargs)
    found = detect(fig.as_jpeg(75).image, ticks=False)
    (panel,) = found.panels
    (bar,) = found.colorbars
    assert iou(fig.inside_spines(fig.panels[0]), panel) >= MIN_IOU
    assert iou(fig.inside_spines(fig.colorbar), bar.box) >= MIN_IOU
    assert bar.panels == [0]


def test_large_figures_are_searched_at_a_reduced_scale(monkeypatch):
    _, fig = layout_figure(2, 2, "vertical", "each")
    full = detect(fig.image, ticks=False, colormaps=False)
    monkeypatch.setattr(areas_module, "SEARCH_PIXELS", fig.image.size // 3 // 9)
    reduced = detect(fig.image, ticks=False, colormaps=False)
    assert reduced.panels == full.panels
    assert [b.box for b in reduced.colorbars] == [b.box for b in full.colorbars]


# -- nothing found -----------------------------------------------------------


def _line_plot() -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = np.linspace(0, 10, 200)
    ax.plot(x, np.sin(x), "b-", x, np.cos(x), "r--")
    ax.set_title("A line plot")
    ax.legend(["sin", "cos"])
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


@pytest.mark.parametrize("what", ["blank", "black", "photo", "noise", "line plot"])
def test_nothing_found_is_a_clear_result(what):
    import skimage.data

    image = {
        "blank": lambda: np.full((300, 400, 3), 255, np.uint8),
        "black": lambda: np.zeros((300, 400), np.uint8),
        "photo": skimage.data.astronaut,
        "noise": lambda: np.random.default_rng(0).integers(0, 256, (300, 400, 3)),
        "line plot": _line_plot,
    }[what]()
    found = detect(np.asarray(image, dtype=np.uint8))
    assert not found.found
    assert found.panels == [] and found.colorbars == []
    assert found.message.startswith("nothing found")
    assert json.loads(json.dumps(found.to_dict()))["message"] == found.message


def test_no_false_bars_on_matrices_and_bar_free_figures():
    from napari_heatmap_digitizer.testing import render_matrix

    m = render_matrix(3, 12, kind="imshow", size=(480, 120), seed=1)
    found = detect(m.image, ticks=False)
    assert len(found.colorbars) == 1  # the real one, not the 3-row matrix
    assert iou(found.panels[0], m.panel) >= MIN_IOU
    for cmap in ("viridis", "RdBu_r", "gray"):
        _, fig = layout_figure(1, 3, "vertical", "none", cmap=cmap)
        assert detect(fig.image, ticks=False).colorbars == []


# -- colour maps -------------------------------------------------------------

MATPLOTLIB_MAPS = [
    "viridis", "plasma", "inferno", "magma", "cividis", "turbo", "jet", "gray",
    "Greys", "hot", "bone", "coolwarm", "RdBu_r", "Spectral", "PuOr", "YlGnBu",
    "twilight", "seismic", "terrain", "cubehelix",
]  # fmt: skip


def _same_table(name: str, mpl_name: str) -> bool:
    """The named catalogue map shows matplotlib's map (aliases allowed)."""
    import matplotlib

    ours = Colorbar.from_name(name, 0, 1)
    t = (np.arange(256) + 0.5) / 256
    theirs = matplotlib.colormaps[mpl_name](t)[:, :3] * 255
    mine = np.array(
        [ours.rgb[np.argmin(np.abs(ours.positions - x))] for x in t], dtype=float
    )
    diff = np.abs(mine - theirs)
    return bool(diff.mean() <= 1.5 and diff.max() <= 12)


@pytest.mark.parametrize("jpeg", [False, True], ids=["png", "jpeg75"])
@pytest.mark.parametrize("cmap", MATPLOTLIB_MAPS)
def test_color_map_named_from_its_bar(cmap, jpeg):
    fig = render(cmap=cmap)
    image = fig.as_jpeg(75).image if jpeg else fig.image
    best, *others = name_colormap(image, fig.colorbar)
    assert _same_table(best.name, cmap), (best, others[:2])
    assert best.delta_e < (8.0 if jpeg else 1.0)
    # A clear winner, unless the runner-up shows the same colours.
    assert others[0].delta_e > best.delta_e + 2 or _same_table(others[0].name, cmap)


@pytest.mark.parametrize("cmap", ["viridis", "plasma", "magma", "cividis", "coolwarm"])
def test_color_maps_ranked_for_a_panel_without_bar(cmap):
    _, fig = layout_figure(1, 1, "vertical", "none", cmap=cmap)
    found = detect(fig.image, ticks=False)
    assert found.colorbars == []
    ranked = found.colormaps[0]
    assert _same_table(ranked[0].name, cmap), ranked[:3]
    assert ranked == rank_colormaps(fig.image, found.panels[0])


# -- tick labels -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5),
        ("-2", -2.0),
        ("\u22120.5", -0.5),  # Unicode minus, as matplotlib prints it
        ("1e-3", 1e-3),
        ("2.5E+04", 2.5e4),
        ("10^2", 100.0),
        ("10^-3", 1e-3),
        ("10^{-3}", 1e-3),
        ("10\u00b2", 100.0),
        ("10\u207b\u00b3", 1e-3),
        ("2\u00d710^3", 2000.0),
        ("2x10^3", 2000.0),
        ("50%", 50.0),
        ("1,000", 1000.0),
        ("0,5", 0.5),
        ("$\\mathdefault{10^{2}}$", 100.0),
        (" 7 ", 7.0),
        ("30k", 30000.0),  # plotly's SI prefixes
        ("1.5M", 1.5e6),
        ("-2k", -2000.0),
        ("5m", 0.005),
    ],
)
def test_labels_parse(text, value):
    assert parse_label(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "value", "x", "1.2.3", "--", "e5", "k", "kM"])
def test_non_numbers_do_not_parse(text):
    assert parse_label(text) is None


def _check_reading(reading: TickReading | None, fig) -> None:
    assert reading is not None
    true = fig.ticks[0]
    values = np.array([v for _, v in reading.pairs])
    # Every label read is a true tick value, and most of them are read.
    assert all(np.isclose(true, v, rtol=1e-9, atol=1e-12).any() for v in values)
    assert len(values) >= max(2, len(true) - 1)
    assert reading.norm == fig.norm
    assert reading.vmin == pytest.approx(fig.vmin, rel=1e-9, abs=1e-12)
    assert reading.vmax == pytest.approx(fig.vmax, rel=1e-9, abs=1e-12)


@needs_ocr
@pytest.mark.parametrize("dpi", [100, 150])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"cmap": "RdBu_r", "vmin": -5.0, "vmax": 5.0},
        {"orientation": "horizontal"},
        {"norm": "log", "vmin": 0.1, "vmax": 1000.0},
        {"panels": 3, "cmap": "cividis", "vmin": 0.0, "vmax": 100.0},
    ],
    ids=["0-1", "minus", "horizontal", "log", "0-100"],
)
def test_tick_labels_read_by_ocr_give_the_true_range(kwargs, dpi):
    fig = render(dpi=dpi, **kwargs)
    (bar,) = detect(fig.image, colormaps=False, ticks=True).colorbars
    _check_reading(bar.ticks, fig)


@needs_ocr
def test_tick_labels_of_every_bar_in_a_grid():
    png, _ = layout_figure(2, 2, "horizontal", "each", cmap="viridis")
    found = detect(png.image, colormaps=False, ticks=True)
    for bar in found.colorbars:
        _check_reading(bar.ticks, png)


def test_without_ocr_everything_else_works(monkeypatch):

    monkeypatch.setattr(ticks, "ocr_available", lambda: False)
    fig = render()
    (bar,) = detect(fig.image).colorbars
    assert bar.ticks is None and bar.colormaps[0].name == "viridis"
    with pytest.raises(Exception, match="needs Tesseract"):
        ticks.read_bar_ticks(fig.image, bar.box, bar.orientation)


# -- command line ------------------------------------------------------------


def test_detect_command_prints_json(tmp_path, capsys):
    png, _ = layout_figure(1, 3, "vertical", "shared")
    path = tmp_path / "fig.png"
    png.save(path)
    out = tmp_path / "found.json"
    assert cli.main(["detect", str(path), "--no-ocr", "-o", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out.read_text())
    assert len(printed["panels"]) == 3
    (bar,) = printed["colorbars"]
    assert bar["orientation"] == "vertical" and bar["panels"] == [0, 1, 2]
    assert bar["colormap"] == "magma" and bar["colormaps"][0]["delta_e"] < 2
    assert cli.main(["detect", str(path), "--no-ocr", "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


def test_detect_command_on_a_blank_image(tmp_path, capsys):
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.fromarray(np.full((100, 120, 3), 255, np.uint8)).save(path)
    assert cli.main(["detect", str(path)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["panels"] == []
    assert "nothing found" in captured.err
    assert (
        cli.main(["digitize", str(path), "--auto", "-o", str(tmp_path / "x.npy")]) == 2
    )
    assert "nothing found" in capsys.readouterr().err
    assert not (tmp_path / "x.npy").exists()


def test_auto_fills_in_what_is_not_given_and_flags_win(tmp_path, capsys):
    fig = render(cmap="RdBu_r", vmin=-5.0, vmax=5.0)
    path = tmp_path / "fig.png"
    fig.save(path)
    out = tmp_path / "v.npy"
    assert (
        cli.main(["digitize", str(path), "--auto", "--vmin", "-5", "--vmax", "5",
                  "-o", str(out)]) == 0
    )  # fmt: skip
    err = capsys.readouterr().err
    assert (
        "auto: colour bar" in err and "RdBu_r" in err and "from tick labels" not in err
    )
    values = np.load(out)
    found = detect(fig.image, ticks=False).panels[0]
    t = fig.truth[0][found.top - fig.panels[0].top :, found.left - fig.panels[0].left :]
    j = fig.judged[0][
        found.top - fig.panels[0].top :, found.left - fig.panels[0].left :
    ]
    h, w = values.shape
    assert np.nanmedian(np.abs(values - t[:h, :w])[j[:h, :w]]) / 10 < 0.003
    # An explicit panel box wins over the detected one.
    out2 = tmp_path / "v2.npy"
    assert (
        cli.main(["digitize", str(path), "--auto", "--vmin", "-5", "--vmax", "5",
                  "--plot", "100,100,200,150", "-o", str(out2)]) == 0
    )  # fmt: skip
    assert np.load(out2).shape == (50, 100)


@needs_ocr
def test_auto_reads_the_range_from_tick_labels(tmp_path, capsys):
    fig = render(norm="log", vmin=0.1, vmax=1000.0)
    path = tmp_path / "fig.png"
    fig.save(path)
    out = tmp_path / "v.npy"
    assert cli.main(["digitize", str(path), "--auto", "-o", str(out)]) == 0
    assert "range 0.1 to 1000 (log) from tick labels" in capsys.readouterr().err
    values = np.load(out)
    assert np.nanmin(values) == pytest.approx(0.1, rel=0.05)
    assert np.nanmax(values) == pytest.approx(1000, rel=0.05)


@needs_ocr
def test_auto_reads_the_range_of_a_bar_box_given_by_hand(tmp_path, capsys):
    fig = render(vmin=-2.0, vmax=3.0)
    path = tmp_path / "fig.png"
    fig.save(path)
    b = fig.colorbar
    loose = f"{b.left - 3},{b.top - 3},{b.right + 3},{b.bottom + 3}"
    out = tmp_path / "v.npy"
    assert cli.main(["digitize", str(path), "--auto", "--colorbar", loose,
                     "-o", str(out)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "range -2 to 3 (linear) from tick labels" in err
    assert "auto: colour bar" not in err  # the box given is kept
    values = np.load(out)
    assert np.nanmin(values) == pytest.approx(-2, abs=0.05)
    assert np.nanmax(values) == pytest.approx(3, abs=0.05)


def test_auto_without_a_bar_uses_the_best_color_map(tmp_path, capsys):
    _, fig = layout_figure(1, 1, "vertical", "none", cmap="cividis")
    path = tmp_path / "fig.png"
    fig.save(path)
    out = tmp_path / "v.npy"
    assert cli.main(["digitize", str(path), "--auto", "-o", str(out)]) == 2
    assert "give vmin and vmax" in capsys.readouterr().err
    assert not out.exists()
    assert (
        cli.main(["digitize", str(path), "--auto", "--vmin", "0", "--vmax", "1",
                  "-o", str(out)]) == 0
    )  # fmt: skip
    assert "best-fitting colour map cividis" in capsys.readouterr().err
    values = np.load(out)
    p = fig.panels[0]
    found = detect(fig.image, ticks=False).panels[0]
    t = fig.truth[0][found.top - p.top :, found.left - p.left :]
    h, w = values.shape
    assert np.nanmedian(np.abs(values - t[:h, :w])) < 0.005


def test_detect_leaves_the_thread_count_as_it_was():
    """Detection runs its kernels on one thread, then restores the setting."""
    import numba

    from napari_heatmap_digitizer.core._errors import DigitizerError

    before = numba.get_num_threads()
    image = np.full((60, 80, 3), 255, np.uint8)
    image[10:50, 10:50] = np.linspace(0, 255, 40)[:, None, None].astype(np.uint8)
    seen = []
    real = areas_module.bar_orientation

    def spy(*args, **kwargs):
        seen.append(numba.get_num_threads())
        return real(*args, **kwargs)

    try:
        numba.set_num_threads(max(1, before))
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("napari_heatmap_digitizer.core._detect.bar_orientation", spy)
            detect(image, ticks=False)
            with pytest.raises(DigitizerError):
                detect(image, colormaps="yes", ticks=False)  # type: ignore[arg-type]
        assert seen and set(seen) == {1}
        assert numba.get_num_threads() == before
    finally:
        numba.set_num_threads(before)


def test_panels_inside_a_panel_are_dropped():
    from napari_heatmap_digitizer.core._boxes import Box
    from napari_heatmap_digitizer.core._detect import _outermost

    matrix = Box(100, 80, 600, 560)
    cell = Box(320, 140, 376, 196)  # a cell boxed in by white separators
    beside = Box(640, 80, 900, 560)
    assert _outermost([cell, matrix, beside, Box(100, 80, 600, 560)]) == [
        matrix,
        beside,
    ]
