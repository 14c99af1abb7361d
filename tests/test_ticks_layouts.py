"""Bar labels as other programs set them: close to the bar, beside a
neighbouring panel, with a few glyphs lost by the OCR engine."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._tick_marks import (
    _inner_ticks,
    _label_block,
    _tick_marks,
)
from napari_heatmap_digitizer.core._ticks import (
    _lost_glyphs,
    fit_tick_labels,
    ocr_available,
    paper_grey,
    read_bar_ticks,
)

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="Tesseract not installed")


def _pairs(rows, values):
    return [(float(r), float(v)) for r, v in zip(rows, values, strict=True)]


def _gradient(size: int) -> np.ndarray:
    """An (size, 3) ramp from dark blue to yellow."""
    t = np.linspace(0, 1, size)[:, None]
    return np.round((1 - t) * [40, 20, 120] + t * [250, 230, 40]).astype(np.uint8)


def _page_with_vertical_bar(size: tuple[int, int], bar: Box) -> Image.Image:
    """A white page of ``size`` with a vertical bar, low end at the bottom."""
    img = Image.new("RGB", size, "white")
    ramp = np.repeat(_gradient(bar.height)[::-1, None], bar.width, axis=1)
    img.paste(Image.fromarray(ramp), (bar.left, bar.top))
    return img


# -- labels misread by a lost glyph ---------------------------------------

ROWS = [20, 45, 70, 96, 121, 147, 172, 198, 223]
VALUES = [2, 1.5, 1, 0.5, 0, -0.5, -1, -1.5, -2]
ENDS = (223.5, 19.5)


def test_labels_with_a_lost_decimal_point_are_left_out_and_the_rest_fit():
    texts = ["2", "1.5", "1", "0.5", "0", "-5", "-1", "-15", "-2"]
    values = [float(t) for t in texts]
    reading = fit_tick_labels(_pairs(ROWS, values), texts, ENDS)
    assert reading is not None and reading.problem is None
    assert sorted(reading.dropped) == ["-15", "-5"]
    assert reading.vmin == pytest.approx(-2, abs=0.02)
    assert reading.vmax == pytest.approx(2, abs=0.02)
    assert len(reading.pairs) == 7


def test_two_labels_that_read_like_nothing_expected_are_refused():
    # "7" and "9" are not "-0.5" and "-1.5" with glyphs lost
    texts = ["2", "1.5", "1", "0.5", "0", "7", "-1", "9", "-2"]
    values = [float(t) for t in texts]
    reading = fit_tick_labels(_pairs(ROWS, values), texts, ENDS)
    assert reading is not None and reading.problem is not None
    assert "fit no linear or log scale" in reading.problem


def test_a_minority_of_misreads_only():
    # five labels, two lost decimal points: a quarter is one label, not two
    texts = ["2", "1", "0", "-1", "-2"]
    rows = [20, 71, 121, 172, 223]
    bad = ["2", "1", "0", "-1", "-2"]
    bad[1], bad[3] = "10", "-10"  # "1.0" and "-1.0" read without the point
    reading = fit_tick_labels(_pairs(rows, [float(t) for t in bad]), bad, ENDS)
    assert reading is not None and reading.problem is not None
    good = fit_tick_labels(_pairs(rows, [float(t) for t in texts]), texts, ENDS)
    assert good is not None and good.problem is None


@pytest.mark.parametrize(
    ("read", "shown", "lost"),
    [
        ("-5", "-0.5", True),
        ("-15", "-1.5", True),
        ("4.6", "34.6", True),
        (".2", "34.2", True),
        ("7", "-0.5", False),
        ("-0.5", "-0.5", False),  # nothing lost is no misread
        ("5", "-10.5", False),  # three glyphs lost is too many
    ],
)
def test_lost_glyphs(read, shown, lost):
    assert _lost_glyphs(read, shown) is lost


# -- where the labels are ---------------------------------------------------


def test_label_block_ends_at_a_wide_gap():
    cols = np.zeros(200, dtype=bool)
    cols[3:10] = cols[12:20] = True  # a label, letters 2 px apart
    cols[60:200] = True  # a neighbouring panel beyond a 40 px gap
    assert _label_block(cols, width=20) == 20
    assert _label_block(np.zeros(50, dtype=bool), width=20) == 50
    cols[20:60] = True  # no gap: everything may be labels
    assert _label_block(cols, width=20) == 200


def _horizontal_bar_with_close_labels(gap: int) -> tuple[np.ndarray, Box]:
    """A horizontal bar; "0" flush with its left end and "100" flush with
    its right end, ``gap`` px below it (as Vega-Lite sets its legend)."""
    img = Image.new("RGB", (220, 60), "white")
    bar = Box(40, 10, 180, 26)
    img.paste(
        Image.fromarray(np.repeat(_gradient(bar.width)[None], bar.height, axis=0)),
        (bar.left, bar.top),
    )
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=14)
    top = bar.bottom + gap
    draw.text((bar.left, top), "0", fill="black", font=font, anchor="lt")
    draw.text((bar.right, top), "100", fill="black", font=font, anchor="rt")
    return np.asarray(img), bar


def test_tops_of_labels_set_close_to_a_bar_are_no_tick_marks():
    image, bar = _horizontal_bar_with_close_labels(gap=2)
    grey = paper_grey(image).T  # a horizontal bar is read transposed
    box = Box(bar.top, bar.left, bar.bottom, bar.right)
    assert len(_tick_marks(grey, box, "after")) == 0


@needs_ocr
def test_end_labels_flush_with_a_horizontal_bar_set_close_below_it():
    image, bar = _horizontal_bar_with_close_labels(gap=2)
    reading = read_bar_ticks(image, bar, "horizontal")
    assert reading is not None and reading.problem is None
    assert reading.vmin == pytest.approx(0, abs=1) and reading.vmax == pytest.approx(
        100, abs=1
    )


@needs_ocr
def test_labels_between_a_bar_and_the_next_panel_are_read():
    bar = Box(40, 30, 70, 230)
    img = _page_with_vertical_bar((400, 260), bar)
    # the next panel, 40 px past the labels: a dark, busy field
    rng = np.random.default_rng(0)
    field = rng.integers(0, 120, size=(220, 250, 3), dtype=np.uint8)
    img.paste(Image.fromarray(field), (140, 20))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=14)
    for value in (10, 20, 30):
        row = bar.bottom - 0.5 - (value / 40) * bar.height
        draw.text(
            (bar.right + 6, row), str(value), fill="black", font=font, anchor="lm"
        )
    reading = read_bar_ticks(np.asarray(img), bar, "vertical")
    assert reading is not None and reading.problem is None
    assert reading.vmin == pytest.approx(0, abs=0.5)
    assert reading.vmax == pytest.approx(40, abs=0.5)


@needs_ocr
def test_tick_marks_set_off_the_bar_by_a_pale_column_are_not_labels():
    # a bar without outline; grey tick marks from 2 to 6 px out, labels after
    bar = Box(40, 30, 60, 230)
    img = _page_with_vertical_bar((160, 260), bar)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=14)
    for value in (0, 1, 2, 3, 4):
        row = round(bar.bottom - 0.5 - value / 4 * (bar.height - 1))
        draw.line([(bar.right + 1, row), (bar.right + 5, row)], fill=(90, 90, 90))
        draw.text(
            (bar.right + 9, row), f"{value}.0", fill="black", font=font, anchor="lm"
        )
    grey = paper_grey(np.asarray(img))
    assert len(_tick_marks(grey, bar, "after")) == 5
    reading = read_bar_ticks(np.asarray(img), bar, "vertical")
    assert reading is not None and reading.problem is None
    assert [v for _, v in reading.pairs] == [4, 3, 2, 1, 0]
    assert reading.vmin == pytest.approx(0, abs=0.03)
    assert reading.vmax == pytest.approx(4, abs=0.03)


def test_many_labels_that_fit_no_scale_are_refused_at_once():
    # forty numbers fitting nothing: no search through their subsets
    rng = np.random.default_rng(1)
    rows = np.linspace(20, 420, 40)
    values = rng.uniform(0, 100, size=40).round(1)
    texts = [f"{v:g}" for v in values]
    reading = fit_tick_labels(_pairs(rows, values), texts, (420.5, 19.5))
    assert reading is not None and reading.problem is not None


def _bar_with_inner_ticks(rows: list[float]) -> tuple[np.ndarray, Box]:
    """A bar with white tick marks inside it at its edges (as ggplot2 draws
    them), anti-aliased over two rows at fractional ``rows``."""
    bar = Box(40, 30, 64, 230)
    img = np.full((260, 160, 3), 255.0)
    img[bar.top : bar.bottom, bar.left : bar.right] = _gradient(bar.height)[::-1, None]
    for r in rows:
        lo = int(np.floor(r))
        for row, share in ((lo, 1 - (r - lo)), (lo + 1, r - lo)):
            for cols in (
                slice(bar.left, bar.left + 5),
                slice(bar.right - 5, bar.right),
            ):
                img[row, cols] = (1 - share) * img[row, cols] + share * 255
    return np.round(img).astype(np.uint8), bar


def test_tick_marks_inside_a_bar_are_found_to_a_fraction_of_a_pixel():
    rows = [60.0, 110.25, 160.5, 210.75]
    image, bar = _bar_with_inner_ticks(rows)
    grey = paper_grey(image)
    assert len(_tick_marks(grey, bar, "after")) == 0  # nothing outside it
    found = _inner_ticks(grey, bar, "after")
    np.testing.assert_allclose(found, rows, atol=0.3)
    # a smooth bar without marks has none
    plain, _ = _bar_with_inner_ticks([])
    assert len(_inner_ticks(paper_grey(plain), bar, "after")) == 0


@needs_ocr
def test_minor_tick_marks_inside_a_bar_do_not_place_its_labels():
    # marks every 10 rows inside the bar, labels only every 50: the labels
    # keep their own centres (a minor mark near one is not its tick)
    marks = [float(r) for r in range(45, 226, 10)]
    image, bar = _bar_with_inner_ticks(marks)
    img = Image.fromarray(image)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=14)
    for value, row in ((0, 229.5), (1, 179.5), (2, 129.5), (3, 79.5), (4, 29.5)):
        draw.text(
            (bar.right + 6, row), str(value), fill="black", font=font, anchor="lm"
        )
    reading = read_bar_ticks(np.asarray(img), bar, "vertical")
    assert reading is not None and reading.problem is None
    assert reading.vmin == pytest.approx(0, abs=0.05)
    assert reading.vmax == pytest.approx(4, abs=0.05)
