from __future__ import annotations

import numpy as np
import pytest

from napari_heatmap_digitizer.core import Box, DigitizerError, Extent, ValueScale
from napari_heatmap_digitizer.core._scale import parse_ticks


def test_box_parse_and_geometry():
    box = Box.parse("10,20,110,70")
    assert box == Box(10, 20, 110, 70)
    assert box.shape == (50, 100)
    assert box.slices == (slice(20, 70), slice(10, 110))
    assert Box.parse([1.4, 2.6, 5, 9]) == Box(1, 3, 5, 9)


@pytest.mark.parametrize(
    "text", ["1,2,3", "a,b,c,d", "10,10,5,20", "10,20,30,20", "1,2,3,4,5"]
)
def test_box_parse_rejects(text):
    with pytest.raises(DigitizerError) as err:
        Box.parse(text, what="--plot")
    assert "\n" not in str(err.value)
    assert "--plot" in str(err.value)


def test_box_inside_and_overlap():
    Box(0, 0, 640, 480).check_inside((480, 640, 3))
    with pytest.raises(DigitizerError, match="outside the 640x480 image"):
        Box(0, 0, 641, 480).check_inside((480, 640, 3))
    assert Box(0, 0, 10, 10).overlaps(Box(9, 9, 20, 20))
    assert not Box(0, 0, 10, 10).overlaps(Box(10, 0, 20, 10))


def test_linear_and_log_scales_round_trip():
    lin = ValueScale.from_range(-2, 3)
    assert lin.to_value(0.0) == pytest.approx(-2)
    assert lin.to_value(1.0) == pytest.approx(3)
    assert lin.to_value(0.5) == pytest.approx(0.5)
    log = ValueScale.from_range(0.1, 1000, "log")
    assert log.to_value(0.25) == pytest.approx(1.0)
    p = np.linspace(-0.1, 1.1, 25)
    for scale in (lin, log):
        np.testing.assert_allclose(scale.to_position(scale.to_value(p)), p, atol=1e-12)


def test_tick_scale_is_piecewise_and_extrapolates():
    s = ValueScale.from_ticks([0.1, 0.5, 0.9], [0, 10, 100])
    assert s.to_value(0.3) == pytest.approx(5)
    assert s.to_value(0.7) == pytest.approx(55)
    assert s.to_value(1.0) == pytest.approx(122.5)  # last segment extended
    assert s.to_value(0.0) == pytest.approx(-2.5)
    logs = ValueScale.from_ticks([0.0, 0.5, 1.0], [1, 10, 1000], "log")
    assert logs.to_value(0.75) == pytest.approx(100)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ValueScale.from_range(1, 1), "both 1.0"),
        (lambda: ValueScale.from_range(0, 10, "log"), "positive"),
        (lambda: ValueScale.from_range(-1, 10, "log"), "positive"),
        (lambda: ValueScale.from_range(0, float("nan")), "finite"),
        (lambda: ValueScale.from_range(0, 1, "sqrt"), "unknown norm"),
        (lambda: ValueScale.from_ticks([0.1], [1]), "at least two"),
        (lambda: ValueScale.from_ticks([0.1, 0.1], [1, 2]), "share one position"),
        (lambda: ValueScale.from_ticks([0, 0.5, 1], [1, 3, 2]), "rise"),
        (lambda: ValueScale.from_ticks([0, 1], [0, 2], "log"), "positive"),
        (lambda: parse_ticks("10:1,x"), "malformed tick"),
        (lambda: parse_ticks("10:1"), "at least two"),
        (lambda: parse_ticks("10:1:2,3:4"), "malformed tick"),
    ],
)
def test_scale_errors_are_one_line(call, message):
    with pytest.raises(DigitizerError, match=message) as err:
        call()
    assert "\n" not in str(err.value)


def test_parse_ticks():
    assert parse_ticks("412:0, 262:0.5,112:1") == [(412, 0), (262, 0.5), (112, 1)]


def test_extent_centres_linear_and_log():
    e = Extent(0, 10, 0, 5)
    np.testing.assert_allclose(e.x_centres(4), [1.25, 3.75, 6.25, 8.75])
    np.testing.assert_allclose(e.y_centres(2), [3.75, 1.25])  # top row first
    lg = Extent(1, 1000, 1, 100, xscale="log", yscale="log")
    np.testing.assert_allclose(
        lg.x_centres(3), [np.sqrt(10), np.sqrt(1000), np.sqrt(1e5)]
    )
    with pytest.raises(DigitizerError, match="log x axis"):
        Extent(0, 10, 1, 2, xscale="log")
    with pytest.raises(DigitizerError, match="XMIN,XMAX,YMIN,YMAX"):
        Extent.parse("1,2,3")
    with pytest.raises(DigitizerError, match="both 3.0"):
        Extent.parse("0,1,3,3")


def test_box_iou():
    a = Box(0, 0, 10, 10)
    assert a.iou(a) == 1.0
    assert a.iou(Box(5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert a.iou(Box(20, 20, 30, 30)) == 0.0
