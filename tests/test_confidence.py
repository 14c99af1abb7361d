"""The confidence report: good results pass, each kind of doubt is caught."""

from dataclasses import replace

import numpy as np
import pytest

from napari_heatmap_digitizer.core import (
    Box,
    Colorbar,
    ColorbarSpec,
    DigitizerError,
    Panel,
    Recipe,
    digitize,
    run_recipe,
)
from napari_heatmap_digitizer.core._autofill import _fall
from napari_heatmap_digitizer.core._confidence import Bounds, assess
from napari_heatmap_digitizer.testing import render


@pytest.fixture(scope="module")
def plasma():
    return render(cmap="plasma", vmin=-2.0, vmax=3.0, seed=3)


def test_a_good_result_is_not_doubtful(plasma):
    bar = Colorbar.from_image(plasma.image, plasma.colorbar, -2.0, 3.0)
    report = assess(digitize(plasma.image, bar, plasma.panels[0]), range_from="given")
    assert not report.doubtful, report.doubts
    assert report.matched_share > 0.99
    assert report.median_delta < 1.0
    assert report.data == report.pixels
    assert report.line().startswith(f"panel {plasma.panels[0].as_text()}: ok: ")
    out = report.to_dict()
    assert out["doubtful"] is False and out["range_from"] == "given"


def test_a_wrong_colour_map_is_doubtful(plasma):
    """plasma read through viridis: few pixels match, far from the map."""
    wrong = Colorbar.from_name("viridis", -2.0, 3.0)
    report = assess(digitize(plasma.image, wrong, plasma.panels[0]))
    assert report.doubtful
    assert report.matched_share < 0.5
    assert "wrong colour map" in report.doubts[0]


def _run(image, box, bar_box, **recipe):
    spec = ColorbarSpec(box=bar_box, vmin=-2.0, vmax=3.0)
    [panel] = run_recipe(Recipe(panels=[Panel(box)], colorbar=spec, **recipe), image)
    return panel


def test_a_box_past_the_plot_is_doubtful(plasma):
    """The page, tick labels and the frame's line at one side of the box."""
    box = plasma.panels[0]
    wide = Box(box.left - 40, box.top, box.right, box.bottom)
    panel = _run(plasma.image, wide, plasma.colorbar)
    report = panel.confidence
    assert 38 <= report.edge_page["left"] <= 42
    assert [d for d in report.doubts if "past the plot's frame at its left" in d]
    assert panel.warnings == report.doubts
    # the exact box, and data missing along a side inside the frame, are fine
    assert not _run(plasma.image, box, plasma.colorbar).confidence.doubtful
    blank = plasma.image.copy()
    blank[box.top : box.bottom, box.left : box.left + 40] = 255
    inside = _run(blank, box, plasma.colorbar).confidence
    assert not inside.doubtful, inside.doubts
    assert inside.nodata >= 0.9 * 40 * box.height  # the page, not data


def test_ink_is_neither_data_nor_missing():
    """Grey grid lines over a field: the matched share is of the data."""
    fig = render(cmap="plasma", vmin=-2.0, vmax=3.0, seed=4, grid="#888888")
    report = _run(fig.image, fig.panels[0], fig.colorbar).confidence
    assert report.ink > 0.02 * report.pixels
    assert report.matched_share > 0.97
    assert not report.doubtful


def test_values_at_one_end_are_noted():
    fig = render(cmap="viridis", vmin=0.0, vmax=1.0, seed=1)
    # the bar read as ending at 0.3 (clipped): most values pile at its top
    bar = Colorbar.from_name("viridis", 0.0, 1.0)
    result = digitize(fig.image, bar, fig.panels[0])
    low = result.values.copy()
    low[np.isfinite(low)] = np.minimum(low[np.isfinite(low)], 0.3)
    clipped = replace(
        result, values=low, colorbar=Colorbar.from_name("viridis", 0.0, 0.3)
    )
    report = assess(clipped)
    assert report.at_high > 0.25 * report.matched
    assert any("high end" in n for n in report.notes)
    assert not any("high end" in n for n in assess(result).notes)


def test_bounds_are_checked_and_relaxable(plasma):
    with pytest.raises(DigitizerError, match="min_matched"):
        Bounds(min_matched=1.5)
    with pytest.raises(DigitizerError, match="max_median_delta"):
        Bounds(max_median_delta=float("nan"))
    wrong = Colorbar.from_name("viridis", -2.0, 3.0)
    result = digitize(plasma.image, wrong, plasma.panels[0])
    relaxed = Bounds(min_matched=0.0, max_median_delta=100.0)
    assert not assess(result, bounds=relaxed).doubtful


def test_a_falling_range_is_refused_with_what_to_do():
    with pytest.raises(DigitizerError, match="vmin 5 is above vmax 1.*flip"):
        Colorbar.from_name("viridis", 5.0, 1.0)


def test_labels_falling_along_a_bar_read_it_flipped():
    spec = ColorbarSpec(box=Box(0, 0, 10, 100), vmin=5.0, vmax=1.0)
    _fall(spec)
    assert (spec.vmin, spec.vmax, spec.flip) == (1.0, 5.0, True)
    # a flipped bar read from the figure gives the values the labels say
    fig = render(cmap="viridis", vmin=1.0, vmax=5.0, seed=2)
    upside_down = fig.image.copy()
    b = fig.colorbar
    upside_down[b.slices] = fig.image[b.slices][::-1]
    flipped = Recipe(
        panels=[Panel(fig.panels[0])],
        colorbar=ColorbarSpec(box=b, vmin=5.0, vmax=1.0),
    )
    _fall(flipped.colorbar)
    [got] = run_recipe(flipped, upside_down)
    truth = fig.truth[0]
    ok = np.isfinite(got.result.values) & np.isfinite(truth)
    # dark at the top now means 1 (the labels' bottom value is 5)
    assert np.median(np.abs(got.result.values[ok] - truth[ok])) < 0.02


def test_how_a_range_was_read_is_reported_and_disagreement_doubted(plasma):
    from napari_heatmap_digitizer.core._autofill import range_text
    from napari_heatmap_digitizer.core._confidence import LEFT_OUT
    from napari_heatmap_digitizer.core._ticks import TickReading

    bar = Box(510, 40, 530, 420)  # rows 40..419, low end at the bottom
    labels = ["0", "1", "2"]
    pairs = [(380.0, 0.0), (230.0, 1.0), (80.5, 2.0)]
    ticks = TickReading(pairs, labels, "linear", -0.27, 2.27)
    text = range_text(ticks, bar)
    assert text.startswith("from tick labels 0, 1, 2 (fit within 0.2 px")
    assert "ends extrapolated" in text and LEFT_OUT not in text
    flush = TickReading([(419.0, 0.0), (40.0, 2.0)], ["0", "2"], "linear", 0, 2)
    flush.unchecked = True
    assert "extrapolated" not in range_text(flush, bar)
    assert "only two labels, unchecked" in range_text(flush, bar)
    ticks.dropped = ["-5"]
    text = range_text(ticks, bar)
    assert f"-5 {LEFT_OUT}" in text
    # a range from labels that partly disagreed is doubtful, with the reason
    good = Colorbar.from_image(plasma.image, plasma.colorbar, -2.0, 3.0)
    result = digitize(plasma.image, good, plasma.panels[0])
    assert not assess(result, range_from=range_text(flush, bar)).doubtful
    report = assess(result, range_from=text)
    assert report.doubtful and "disagreed" in report.doubts[0]


def test_a_panel_too_large_for_the_search_says_so(plasma, monkeypatch):
    """Above the size limit, no data is not looked for, and the report says so."""
    from napari_heatmap_digitizer.core import _pipeline

    image = plasma.image.copy()
    box = plasma.panels[0]
    image[box.top : box.top + 60, box.left : box.right] = 255  # a white strip
    searched = _run(image, box, plasma.colorbar)
    assert searched.result.found is not None and not searched.unsearched
    monkeypatch.setattr(_pipeline, "LAZY_NODATA_PIXELS", box.width * box.height - 1)
    big = _run(image, box, plasma.colorbar)
    assert big.unsearched and big.result.found is None
    assert any("no data was not looked for" in n for n in big.confidence.notes)
    # the white strip along the top is the page when searched, data when not
    assert searched.result.nodata[:55].all()
    assert big.result.nodata is None or not big.result.nodata.any()
