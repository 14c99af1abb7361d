"""Figures drawn by other plotting programs, read back against their truth.

The figures in ``tests/data/programs`` were drawn by Octave, gnuplot, R
(ggplot2, pheatmap), Vega-Lite, plotly, seaborn and matplotlib with their
default looks (``tools/render_programs.py``); each comes with the data and
the pixel edges of every cell, so the true value of every data pixel is
known. Tolerances are shares of the colour bar's range.
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
