"""Figures drawn by other plotting programs, read back against their truth.

The figures in ``tests/data/programs`` were drawn by Octave, gnuplot, R
(ggplot2, pheatmap), Vega-Lite, plotly, seaborn, scikit-learn and
matplotlib with their default looks (``tools/render_programs.py``); each
comes with the data and the pixel edges of every cell, so the true value of
every data pixel is known, and the annotated ones with the exact strings
printed in their cells. Tolerances are shares of the colour bar's range.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from napari_heatmap_digitizer.core import ocr_available
from napari_heatmap_digitizer.testing import (
    program_figures,
    score_given,
    score_zero_input,
)

FIGURES = program_figures(Path(__file__).parent / "data" / "programs")
IDS = [f.name for f in FIGURES]
# The figures with a number printed in their cells.
ANNOTATED = [f for f in FIGURES if f.printed(0) is not None]

# With the true boxes and range given, the median pixel is within this.
GIVEN = 0.01
# With no input but the file, this share of the figures must work
# (median pixel within 1 % of the range) ...
ZERO_INPUT_SHARE = 0.9
# ... and every figure of the renderer our own tests use.
REFERENCE = "matplotlib"


def test_the_figures_come_from_several_programs() -> None:
    programs = {f.program for f in FIGURES}
    assert len(FIGURES) >= 20
    assert len(programs) >= 7, programs


@pytest.mark.parametrize("fig", FIGURES, ids=IDS)
def test_truth_marks_the_drawn_cells(fig) -> None:
    # every panel's cells tile its box, and most of the box is data
    for i, box in enumerate(fig.panels):
        truth = fig.truth(i)
        assert truth.shape == box.shape
        xe, ye = fig.arrays[f"x_edges_{i}"], fig.arrays[f"y_edges_{i}"]
        assert np.all(np.diff(xe) > 0) and np.all(np.diff(ye) > 0)
        assert xe[-1] == box.width and ye[-1] == box.height
        assert np.isfinite(truth).mean() > 0.3


@pytest.mark.parametrize("fig", FIGURES, ids=IDS)
def test_boxes_and_range_given_read_every_program(fig) -> None:
    score = score_given(fig)
    assert score.error is not None and score.error <= GIVEN, (
        f"{fig.name}: median error {100 * score.error:.2f} % of the range"
    )
    # a good reading is never called doubtful
    assert not score.notes, score.notes


@pytest.mark.slow
@pytest.mark.skipif(not ocr_available(), reason="the range is read by OCR")
def test_no_input_but_the_file_reads_most_program_figures() -> None:
    scores = {f.name: score_zero_input(f) for f in FIGURES}
    failed = {n: s.reason for n, s in scores.items() if not s.works}
    works = 1 - len(failed) / len(scores)
    assert works >= ZERO_INPUT_SHARE, f"{100 * works:.0f} % work; failed: {failed}"
    reference = [f.name for f in FIGURES if f.program == REFERENCE]
    assert reference and not set(reference) & set(failed), failed


def _parse(text: str) -> tuple[float, float]:
    """The number a printed string shows, and half a step of its last digit.

    Reads thousands separators ("1,340"), percentages ("12.3%"), scientific
    notation ("1.2e+03") and the minus sign U+2212.
    """
    plain = text.replace(",", "").replace("\u2212", "-")
    scale = 1.0
    if plain.endswith("%"):
        plain, scale = plain[:-1], 0.01
    mantissa, _, exponent = plain.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    step = 10.0 ** (int(exponent or 0) - decimals) * scale
    return float(plain) * scale, step / 2


def test_parse_printed_numbers() -> None:
    assert _parse("1,340") == (1340.0, 0.5)
    number, half = _parse("12.3%")
    assert number == pytest.approx(0.123) and half == pytest.approx(0.0005)
    assert _parse("1.2e+03") == (1200.0, 50.0)
    assert _parse("\u22120.43") == (-0.43, 0.005)


def test_annotated_figures_from_several_programs() -> None:
    programs = {f.program for f in ANNOTATED}
    assert len(ANNOTATED) >= 8 and len(programs) >= 6, programs


@pytest.mark.parametrize("fig", ANNOTATED, ids=[f.name for f in ANNOTATED])
def test_printed_numbers_are_the_cells_values(fig) -> None:
    # each string shows its cell's value to the string's last digit
    for i in range(len(fig.panels)):
        printed = fig.printed(i)
        values = fig.arrays[f"values_{i}"]
        assert [len(printed[0]), len(printed)] == fig.expected["cells"][i]
        assert all(len(row) == values.shape[1] for row in printed)
        for (r, c), value in np.ndenumerate(values):
            text = printed[r][c]
            if text is None:
                assert np.isnan(value)
                continue
            number, half = _parse(text)
            assert abs(number - value) <= half * (1 + 1e-9), (r, c, text, value)


@pytest.mark.parametrize("fig", ANNOTATED, ids=[f.name for f in ANNOTATED])
def test_printed_numbers_are_no_data(fig) -> None:
    # the middle of every cell holds its number: part of it is left out
    for i in range(len(fig.panels)):
        data = fig.arrays[f"data_{i}"]
        xe, ye = fig.arrays[f"x_edges_{i}"], fig.arrays[f"y_edges_{i}"]
        xm, ym = (xe[1:] + xe[:-1]) / 2, (ye[1:] + ye[:-1]) / 2
        for r, c in np.ndindex(ym.size, xm.size):
            middle = data[
                int(ym[r] - 2) : int(ym[r] + 3),
                int(xm[c] - 0.2 * (xe[c + 1] - xe[c])) : int(
                    xm[c] + 0.2 * (xe[c + 1] - xe[c])
                ),
            ]
            assert not middle.all(), (r, c)
        # ... and most of the cells is data still
        assert data.mean() > 0.6
