"""Figures rendered from known data, for tests, benchmarks and the samples.

Not part of the digitizer itself: nothing in :mod:`napari_heatmap_digitizer.core`
imports it. The renderers need matplotlib (the ``samples`` extra). Each
rendered figure carries its true values and the exact pixel boxes of its
panels and colour bars, so tests can check the numbers that come back.
"""

from napari_heatmap_digitizer.testing._figures import (
    ACCURACY_CASES,
    SAMPLE_FIGURES,
    AxisTicks,
    Layout,
    RenderedFigure,
    default_layout,
    grid_layout,
    render,
    smooth_field,
)
from napari_heatmap_digitizer.testing._matrices import (
    RenderedMatrix,
    render_hexbin,
    render_matrix,
)
from napari_heatmap_digitizer.testing._programs import (
    ProgramFigure,
    Score,
    program_figures,
    score_given,
    score_zero_input,
)

__all__ = [
    "ACCURACY_CASES",
    "SAMPLE_FIGURES",
    "AxisTicks",
    "Layout",
    "ProgramFigure",
    "RenderedFigure",
    "RenderedMatrix",
    "Score",
    "default_layout",
    "grid_layout",
    "program_figures",
    "render",
    "render_hexbin",
    "render_matrix",
    "score_given",
    "score_zero_input",
    "smooth_field",
]
