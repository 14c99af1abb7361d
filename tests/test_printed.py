"""Numbers printed in a matrix's cells: read exactly, checked against the colours.

A printed number that agrees with its cell's colour becomes the cell's value
(exact to its printed precision); one that disagrees, or text that is no
number, is flagged and the colour's value kept. Tolerances: the share of
numbers read exactly, and *no* number accepted that differs from the truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from napari_heatmap_digitizer.core import (
    Box,
    ColorbarSpec,
    DigitizerError,
    Panel,
    Recipe,
    load_image,
    ocr_available,
    run_recipe,
)
from napari_heatmap_digitizer.core._cells import Printed
from napari_heatmap_digitizer.core._matrix import check_numbers
from napari_heatmap_digitizer.core._printed import _half_unit, reconcile
from napari_heatmap_digitizer.core._recipe import Values
from napari_heatmap_digitizer.core._scale import ValueScale
from napari_heatmap_digitizer.core._ticks import parse_label
from napari_heatmap_digitizer.testing import program_figures, render_matrix

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="needs Tesseract")

PROGRAMS = Path(__file__).parent / "data" / "programs"
#: Share of the printed numbers of the other programs' matrices read exactly.
EXACT = 0.93


def _cells(image, panel: Box, bar: Box, vmin, vmax, cells: str, numbers="auto"):
    recipe = Recipe(
        panels=[Panel(panel)],
        colorbar=ColorbarSpec(box=bar, vmin=vmin, vmax=vmax),
        values=Values(per="cell", cells=cells, numbers=numbers),
    )
    [out] = run_recipe(recipe, image)
    return out


def _printed(values, text=None, percent=None) -> Printed:
    values = np.asarray(values, float)
    return Printed(
        text=np.full(values.shape, "x", dtype=object) if text is None else text,
        values=values,
        precision=np.full(values.shape, 0.005),
        percent=np.zeros(values.shape, bool) if percent is None else percent,
    )


def test_half_a_unit_of_the_last_digit():
    assert _half_unit("0.53") == pytest.approx(0.005)
    assert _half_unit("-3.0") == pytest.approx(0.05)
    assert _half_unit("1340") == pytest.approx(0.5)
    assert _half_unit("1,340") == pytest.approx(0.5)
    assert _half_unit("6.2%") == pytest.approx(0.05)
    assert _half_unit("1.6e+03") == pytest.approx(50.0)


def test_reconcile_takes_agreeing_numbers_and_flags_the_rest():
    scale = ValueScale.from_range(-1.0, 1.0)
    colour = np.array([[0.531, -0.2], [0.9, np.nan]])
    printed = _printed([[0.53, 0.4], [np.nan, 0.7]])
    printed.text[1, 0] = "?"  # text that is no number
    r = reconcile(printed, colour, None, scale.to_position)
    assert r.values[0, 0] == 0.53  # exact to the printed precision
    assert r.source.tolist() == [["both", "colour"], ["colour", "printed"]]
    assert r.values[0, 1] == -0.2  # disagrees (0.6 apart): the colour kept
    assert r.disagrees.tolist() == [[False, True], [False, False]]
    assert r.unreadable.tolist() == [[False, False], [True, False]]


def test_reconcile_uncertainty_percent_clipped_ends_and_log():
    lin = ValueScale.from_range(0.0, 1.0)
    # 0.05 apart: too far for 1 % of the bar, near enough for a colour known
    # to within 0.03 (a stepped bar's half step)
    colour = np.array([[0.50]])
    far = reconcile(_printed([[0.55]]), colour, None, lin.to_position)
    assert far.source[0, 0] == "colour"
    near = reconcile(_printed([[0.55]]), colour, np.array([[0.03]]), lin.to_position)
    assert near.source[0, 0] == "both"
    # "45%" on a 0-1 bar is 0.45
    pct = _printed([[45.0]], percent=np.array([[True]]))
    r = reconcile(pct, np.array([[0.452]]), None, lin.to_position)
    assert r.source[0, 0] == "both" and r.values[0, 0] == pytest.approx(0.45)
    # a colour at the bar's end shows the values beyond it
    end = reconcile(_printed([[-0.2]]), np.array([[0.0]]), None, lin.to_position)
    assert end.source[0, 0] == "both" and end.values[0, 0] == -0.2
    # compared along the bar: on a log bar 1 % of the bar is not 1 % of 1000
    log = ValueScale.from_range(1.0, 1000.0, "log")
    both = _printed([[2.0, 2.0]])
    r = reconcile(both, np.array([[2.01, 9.0]]), None, log.to_position)
    assert r.source.tolist() == [["both", "colour"]]


def test_numbers_setting_is_checked():
    assert check_numbers(" OFF ") == "off"
    with pytest.raises(DigitizerError, match="'auto'.*or 'off'"):
        check_numbers("maybe")
    text = Recipe(values=Values(per="cell", numbers="off")).to_json()
    assert Recipe.from_dict(json.loads(text)).values.numbers == "off"
    with pytest.raises(DigitizerError, match="numbers"):
        bad = text.replace('"numbers": "off"', '"numbers": "maybe"')
        Recipe.from_dict(json.loads(bad))


@needs_ocr
@pytest.mark.parametrize(
    ("rows", "cols", "lines", "cmap", "vmin", "vmax", "fmt"),
    [
        (6, 6, None, "RdBu", -1.0, 1.0, "{:.2f}"),
        (10, 10, "white", "Blues", 0.0, 1340.0, "{:.0f}"),
        (12, 9, "black", "viridis", -50.0, 50.0, "{:.1f}"),
        (5, 7, None, "magma", 0.0, 20000.0, "{:,.0f}"),
    ],
)
def test_printed_numbers_read_exactly(rows, cols, lines, cmap, vmin, vmax, fmt):
    m = render_matrix(
        rows, cols, grid=lines, numbers=True, cmap=cmap, vmin=vmin, vmax=vmax, fmt=fmt
    )
    out = _cells(m.image, m.panel, m.colorbar, vmin, vmax, f"{cols}x{rows}")
    cells = out.cells
    want = np.vectorize(lambda v: parse_label(fmt.format(v)))(m.values)
    exact = np.isclose(cells.printed.values, want, rtol=1e-12, atol=0)
    assert exact.mean() >= 0.95, cells.printed.text[~exact]
    taken = np.isin(cells.source, ("both", "printed"))
    # nothing accepted that is not the printed number
    assert np.all(np.isclose(cells.values, want, rtol=1e-12)[taken])
    assert taken.mean() >= 0.95
    # the colour's values stay at hand, close to the truth
    span = vmax - vmin
    assert np.nanmax(np.abs(cells.colour - m.values)) < 0.02 * span
    assert "printed numbers" in cells.summary()
    assert not out.confidence.doubts


@needs_ocr
def test_numbers_disagreeing_with_their_colours_are_flagged():
    rng = np.random.default_rng(3)
    m0 = render_matrix(6, 6, numbers=True, seed=5)
    wrong = m0.values.copy()
    bad = np.zeros(wrong.shape, bool)
    bad.flat[rng.choice(wrong.size, 4, replace=False)] = True
    wrong[bad] = np.round((wrong[bad] + 0.3) % 1.0, 2)  # 0.3 or 0.7 away
    m = render_matrix(6, 6, numbers=True, seed=5, printed=wrong)
    out = _cells(m.image, m.panel, m.colorbar, 0.0, 1.0, "6x6")
    cells = out.cells
    # each wrong number disagrees (or, misread, is no number): never taken
    assert not cells.disagrees[~bad].any()
    assert (cells.disagrees | (cells.printed.text == "?"))[bad].all()
    assert (cells.source[bad] == "colour").all()
    assert np.abs(cells.values[bad] - m.values[bad]).max() < 0.02  # colour kept
    assert "disagree (colour kept)" in cells.summary()
    # 4 of 36 is not systematic: the panel is not doubtful for it
    assert not out.confidence.doubts
    off = _cells(m.image, m.panel, m.colorbar, 0.0, 1.0, "6x6", numbers="off")
    assert off.cells.source is None and off.cells.printed is None


@needs_ocr
def test_many_disagreeing_numbers_make_the_panel_doubtful():
    m0 = render_matrix(5, 5, numbers=True, seed=8)
    m = render_matrix(5, 5, numbers=True, seed=8, printed=np.round(1 - m0.values, 2))
    out = _cells(m.image, m.panel, m.colorbar, 0.0, 1.0, "5x5")
    assert any("disagree with their colours" in d for d in out.confidence.doubts)


ANNOTATED = [f for f in program_figures(PROGRAMS) if f.printed(0) is not None]


@needs_ocr
@pytest.mark.slow
def test_other_programs_printed_numbers():
    assert len(ANNOTATED) >= 8
    read = total = 0
    for fig in ANNOTATED:
        cols, rows = fig.expected["cells"][0]
        want = np.array(
            [
                [np.nan if s is None else parse_label(s) for s in row]
                for row in fig.printed(0)
            ],
            dtype=float,
        )
        bar = fig.bar(0)
        out = _cells(
            load_image(fig.path),
            fig.panels[0],
            Box(*bar["box"]),
            float(bar["vmin"]),
            float(bar["vmax"]),
            f"{cols}x{rows}",
        )
        cells = out.cells
        known = np.isfinite(want)
        read += int((known & np.isclose(cells.printed.values, want)).sum())
        total += int(known.sum())
        taken = known & np.isin(cells.source, ("both", "printed"))
        right = np.isclose(cells.values, want) | (
            cells.printed.percent & np.isclose(cells.values, want / 100)
        )
        assert right[taken].all(), (fig.name, cells.printed.text[taken & ~right])
    assert read / total >= EXACT, f"{read} of {total} read exactly"


def test_numbered_names_with_one_misread_are_not_kept():
    from napari_heatmap_digitizer.core._labels import _broken_series

    assert _broken_series(["Gene" + s for s in ("t", "2", "3", "4", "5", "s")])
    assert not _broken_series([f"Gene{i}" for i in range(1, 9)])
    assert not _broken_series(["bird", "cat", "deer", "dog"])
    assert not _broken_series(["0", "1", "2", "3"])
    assert _broken_series([str(i) for i in range(11)] + ["1", "12", "13"])
    assert not _broken_series(["9", "5", "6", "7", "1", "4", "11"])  # reordered


@needs_ocr
def test_rows_and_columns_named_in_the_csv(tmp_path):
    from napari_heatmap_digitizer.cli import main

    [fig] = [f for f in ANNOTATED if f.name == "sklearn_confusion_normalized"]
    names = ["bird", "cat", "deer", "dog", "frog", "horse"]
    bar = fig.bar(0)
    common = [
        str(fig.path),
        "--plot",
        fig.panels[0].as_text(),
        "--colorbar",
        Box(*bar["box"]).as_text(),
        "--vmin",
        str(bar["vmin"]),
        "--vmax",
        str(bar["vmax"]),
        "--cells",
        "6x6",
    ]
    out = tmp_path / "m.csv"
    assert main(["digitize", *common, "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "y\\x," + ",".join(names)
    assert [line.split(",")[0] for line in lines[1:]] == names
    long = tmp_path / "long.csv"
    assert main(["digitize", *common, "--long", "-o", str(long)]) == 0
    head = long.read_text().splitlines()[0].split(",")
    assert head[4:6] == ["row_label", "col_label"]
    # without reading text there are no names: the cells' centres instead
    off = tmp_path / "off.csv"
    assert main(["digitize", *common, "--numbers", "off", "-o", str(off)]) == 0
    assert off.read_text().splitlines()[0].split(",")[1] != "bird"


@needs_ocr
def test_a_smooth_field_cut_into_cells_prints_no_numbers():
    from conftest import figure

    fig = figure(cmap="viridis", vmin=0.0, vmax=10.0, panels=1, seed=2)
    recipe = Recipe(
        panels=[Panel(b) for b in fig.panels],
        colorbar=ColorbarSpec(box=fig.colorbar, vmin=0.0, vmax=10.0),
        values=Values(per="cell", cells="8x6", fill="nearest"),
    )
    [out] = run_recipe(recipe, fig.image)
    # no cell is of one colour, so nothing in them is text
    assert out.cells.source is None and "printed" not in out.cells.summary()
    assert not out.confidence.doubts
