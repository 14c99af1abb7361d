"""Tick labels agree on one linear or log scale, or give no range and say why."""

from __future__ import annotations

import math

import numpy as np
import pytest

from napari_heatmap_digitizer import Recipe, complete_recipe, detect
from napari_heatmap_digitizer.core._ticks import (
    AGREE,
    fit_tick_labels,
    ocr_available,
    read_bar_ticks,
)
from napari_heatmap_digitizer.testing import render

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="Tesseract not installed")

# a vertical bar from row 420 (low end) to row 40 (high end)
ENDS = (419.5, 39.5)


def _pairs(rows, values):
    return [(float(r), float(v)) for r, v in zip(rows, values, strict=True)]


# -- the fit ---------------------------------------------------------------


def test_labels_on_a_linear_scale_give_its_range():
    rows = [40, 135, 230, 325, 420]
    reading = fit_tick_labels(
        _pairs(rows, [1, 0.75, 0.5, 0.25, 0]), list("abcde"), ENDS
    )
    assert reading is not None and reading.problem is None
    assert reading.norm == "linear" and not reading.unchecked and not reading.dropped
    assert reading.vmin == pytest.approx(0) and reading.vmax == pytest.approx(1)


def test_labels_on_a_log_scale_give_its_range():
    rows = [40, 230, 420]
    reading = fit_tick_labels(
        _pairs(rows, [100, 10, 1]), ["10^2", "10^1", "10^0"], ENDS
    )
    assert reading is not None and reading.problem is None
    assert reading.norm == "log"
    assert reading.vmin == pytest.approx(1) and reading.vmax == pytest.approx(100)


def test_labels_fitting_no_scale_are_refused_with_the_labels_read():
    rows = [40, 230, 420]
    reading = fit_tick_labels(_pairs(rows, [4, 1, 2]), ["4", "1", "2"], ENDS)
    assert reading is not None and reading.problem is not None
    assert "fit no linear or log scale" in reading.problem
    assert "4, 1, 2 at rows 40, 230, 420" in reading.problem
    assert math.isnan(reading.vmin) and math.isnan(reading.vmax)
    assert "problem" in reading.to_dict() and "vmin" not in reading.to_dict()


def test_one_misread_label_among_several_is_dropped_and_named():
    rows = [40, 135, 230, 325, 420]
    values = [1, 0.75, 0.5, 0.2, 0]  # 0.25 read as 0.2
    labels = ["1", "0.75", "0.5", "0.2", "0"]
    reading = fit_tick_labels(_pairs(rows, values), labels, ENDS)
    assert reading is not None and reading.problem is None
    assert reading.dropped == ["0.2"] and "0.2" not in reading.labels
    assert reading.vmin == pytest.approx(0) and reading.vmax == pytest.approx(1)


def test_two_misread_labels_are_refused():
    rows = [40, 135, 230, 325, 420]
    values = [1, 0.7, 0.5, 0.2, 0]
    reading = fit_tick_labels(_pairs(rows, values), list("abcde"), ENDS)
    assert reading is not None and reading.problem is not None


def test_a_repeated_value_is_dropped_or_refused():
    rows = [40, 135, 230, 325, 420]
    dropped = fit_tick_labels(
        _pairs(rows, [1, 0.75, 0.75, 0.25, 0]), list("abcde"), ENDS
    )
    assert dropped is not None and dropped.problem is None and len(dropped.dropped) == 1
    assert dropped.vmin == pytest.approx(0) and dropped.vmax == pytest.approx(1)
    refused = fit_tick_labels(_pairs(rows[:3], [1, 1, 0]), list("abc"), ENDS)
    assert refused is not None and refused.problem is not None


def test_labels_falling_towards_the_high_end_are_refused():
    rows = [40, 230, 420]
    reading = fit_tick_labels(_pairs(rows, [0, 1, 2]), list("abc"), ENDS)
    assert reading is not None and reading.problem is not None
    assert "do not grow towards the high end" in reading.problem


def test_labels_a_little_off_their_ticks_still_agree():
    spacing = 95
    rows = np.array([40, 135, 230, 325, 420], dtype=float)
    rows[2] += 0.9 * AGREE * spacing
    reading = fit_tick_labels(
        _pairs(rows, [1, 0.75, 0.5, 0.25, 0]), list("abcde"), ENDS
    )
    assert reading is not None and reading.problem is None and not reading.dropped


def test_two_labels_are_taken_unchecked_when_they_grow_to_the_high_end():
    ok = fit_tick_labels(_pairs([420, 40], [0, 10]), ["0", "10"], ENDS)
    assert ok is not None and ok.problem is None and ok.unchecked
    assert ok.norm == "linear" and ok.to_dict()["unchecked"] is True
    log = fit_tick_labels(_pairs([420, 40], [1, 100]), ["10^0", "10^2"], ENDS)
    assert log is not None and log.norm == "log" and log.unchecked
    same = fit_tick_labels(_pairs([420, 40], [5, 5]), ["5", "5"], ENDS)
    assert same is not None and same.problem is not None
    falling = fit_tick_labels(_pairs([420, 40], [10, 0]), ["10", "0"], ENDS)
    assert falling is not None and falling.problem is not None


def test_horizontal_positions_are_columns_in_the_problem():
    reading = fit_tick_labels(
        _pairs([10, 50, 90], [1, 5, 2]), list("abc"), (9.5, 100.5), "columns"
    )
    assert reading is not None and "at columns 10, 50, 90" in str(reading.problem)


def test_no_label_gives_no_reading_and_one_label_a_problem():
    assert fit_tick_labels([], [], ENDS) is None
    one = fit_tick_labels([(100.0, 5.0)], ["5"], ENDS)
    assert one is not None and "only one tick label" in str(one.problem)


# -- complete_recipe -------------------------------------------------------


def test_a_refusal_becomes_a_problem_of_the_completed_recipe():
    fig = render()
    found = detect(fig.image, colormaps=False, ticks=False)
    (bar,) = found.colorbars
    bar.ticks = fit_tick_labels(
        _pairs([40, 230, 420], [1, 4, 2]),
        ["1", "4", "2"],
        (bar.box.bottom - 0.5, bar.box.top - 0.5),
    )
    done = complete_recipe(Recipe(), found)
    assert any(
        p.startswith("the tick labels read (1, 4, 2 at rows 40, 230, 420)")
        and p.endswith(": give vmin and vmax")
        for p in done.problems
    ), done.problems
    assert done.recipe.colorbar.vmin is None


def test_an_unchecked_range_is_noted():
    fig = render()
    found = detect(fig.image, colormaps=False, ticks=False)
    (bar,) = found.colorbars
    bar.ticks = fit_tick_labels(
        _pairs([bar.box.bottom - 0.5, bar.box.top - 0.5], [0, 1]),
        ["0", "1"],
        (bar.box.bottom - 0.5, bar.box.top - 0.5),
    )
    done = complete_recipe(Recipe(), found)
    assert not done.problems
    assert any("unchecked" in n for n in done.notes), done.notes


# -- figures -----------------------------------------------------------------


@needs_ocr
@pytest.mark.parametrize("dpi", [100, 150])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"norm": "log", "vmin": 1.0, "vmax": 100.0},
        {"norm": "log", "vmin": 1e-3, "vmax": 10.0},
        {"norm": "log", "vmin": 0.01, "vmax": 100.0, "orientation": "horizontal"},
    ],
    ids=["1-100", "1e-3-10", "horizontal"],
)
def test_raised_exponents_are_read_on_log_bars(kwargs, dpi):
    fig = render(dpi=dpi, **kwargs)
    reading = read_bar_ticks(fig.image, fig.colorbar, fig.orientation)
    assert reading is not None and reading.problem is None, reading
    assert reading.norm == "log"
    assert reading.vmin == pytest.approx(kwargs["vmin"], rel=1e-9)
    assert reading.vmax == pytest.approx(kwargs["vmax"], rel=1e-9)
    true = fig.ticks[0]
    values = [v for _, v in reading.pairs]
    assert all(np.isclose(true, v, rtol=1e-9).any() for v in values)
    assert len(values) >= len(true) - 1


@needs_ocr
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"vmin": -5.0, "vmax": 20.0}, {"vmin": 0.0, "vmax": 3000.0, "dpi": 150}],
    ids=["0-1", "minus", "thousands"],
)
def test_linear_bars_still_read_right(kwargs):
    fig = render(**kwargs)
    reading = read_bar_ticks(fig.image, fig.colorbar, fig.orientation)
    assert reading is not None and reading.problem is None
    assert reading.norm == "linear" and not reading.unchecked
    assert reading.vmin == pytest.approx(fig.vmin) and reading.vmax == pytest.approx(
        fig.vmax
    )


def _mislabelled_figure(labels: list[str], dpi: int = 100) -> np.ndarray:
    """A matplotlib figure whose colour bar shows ``labels`` at its ticks."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=dpi)
    data = np.linspace(0, 1, 200 * 200).reshape(200, 200)
    im = ax.imshow(data, cmap="viridis", vmin=0, vmax=1)
    cbar = fig.colorbar(im, ax=ax)
    cbar.set_ticks(np.linspace(0, 1, len(labels)))
    cbar.set_ticklabels(labels)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return image


@needs_ocr
def test_a_bar_labelled_on_no_scale_gives_a_problem_not_a_range():
    image = _mislabelled_figure(["0", "7", "2", "9", "1"])
    found = detect(image, colormaps=False, ticks=True)
    (bar,) = found.colorbars
    assert bar.ticks is not None and bar.ticks.problem is not None
    done = complete_recipe(Recipe(), found)
    assert done.recipe.colorbar.vmin is None
    assert any(
        "fit no linear or log scale: give vmin and vmax" in p for p in done.problems
    ), done.problems


@needs_ocr
def test_a_truly_labelled_matplotlib_bar_gives_its_range():
    image = _mislabelled_figure(["0", "0.25", "0.5", "0.75", "1"], dpi=150)
    found = detect(image, colormaps=False, ticks=True)
    (bar,) = found.colorbars
    assert bar.ticks is not None and bar.ticks.problem is None
    assert bar.ticks.vmin == pytest.approx(0) and bar.ticks.vmax == pytest.approx(1)
