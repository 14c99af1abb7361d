"""Numbers come back from matplotlib figures rendered from known data.

Errors are measured along the colour bar, in % of its range (so log bars are
judged in decades): median at most 0.3 % for PNG and 0.6 % for JPEG quality
75, and at least 97 % of the judged pixels get a value. The judged pixels are
those that show the heat map unobstructed (see ``_figures.render``).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import figure

from napari_heatmap_digitizer.core import Box, Colorbar, assess, digitize
from napari_heatmap_digitizer.testing import ACCURACY_CASES

CASES = ACCURACY_CASES

LIMITS = {"png": 0.3, "jpeg": 0.6}


def errors(fig, *, margin=4, colormap=False):
    cb = fig.colorbar
    box = Box(cb.left - margin, cb.top - margin, cb.right + margin, cb.bottom + margin)
    if colormap:
        bar = Colorbar.from_name(fig.cmap, fig.vmin, fig.vmax, norm=fig.norm)
    else:
        bar = Colorbar.from_image(fig.image, box, fig.vmin, fig.vmax, norm=fig.norm)
    out = []
    for panel, truth, judged in zip(fig.panels, fig.truth, fig.judged, strict=True):
        r = digitize(fig.image, bar, panel)
        e = np.abs(fig.position(r.values) - fig.position(truth))[judged] * 100
        out.append((float(np.nanmedian(e)), 100 * float(np.isfinite(e).mean()), r))
    return out


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
@pytest.mark.parametrize("case", list(CASES))
def test_values_come_back(case, fmt):
    fig = figure(**CASES[case])
    if fmt == "jpeg":
        fig = fig.as_jpeg(75)
    for median, coverage, result in errors(fig):
        assert median <= LIMITS[fmt], f"{case} {fmt}: median error {median:.3f}%"
        assert coverage >= 97.0, f"{case} {fmt}: coverage {coverage:.1f}%"
        assert not assess(result).doubtful, assess(result).doubts


@pytest.mark.parametrize("margin", [0, 2, 8])
def test_tight_or_loose_color_bar_boxes(margin):
    ((median, coverage, _),) = errors(figure(), margin=margin)
    assert median <= 0.3 and coverage >= 97


@pytest.mark.parametrize("cmap", ["viridis", "RdBu_r", "jet"])
def test_named_color_map_instead_of_the_bar(cmap):
    ((median, coverage, _),) = errors(figure(cmap=cmap), colormap=True)
    assert median <= 0.3 and coverage >= 97


@pytest.mark.parametrize("case", ["white grid lines", "white text over panel"])
def test_white_overlays_get_no_value(case):
    fig = figure(**CASES[case])
    ((_, _, result),) = errors(fig)
    crop = fig.image[fig.panels[0].slices]
    white = np.all(crop >= 250, axis=2)
    assert white.sum() > 200
    assert np.isnan(result.values[white]).mean() > 0.99
