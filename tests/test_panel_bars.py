"""Figures with one colour bar per panel: recipes, the pipeline and --auto.

Two figures rendered from known data with different ranges and colour maps
are put side by side, so each panel has a bar of its own.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import figure
from napari_heatmap_digitizer.core import (
    Box,
    ColorbarSpec,
    DigitizerError,
    Panel,
    Recipe,
    complete_recipe,
    detect,
    ocr_available,
    run_recipe,
)


def _shifted(box: Box, dx: int) -> Box:
    return Box(box.left + dx, box.top, box.right + dx, box.bottom)


@pytest.fixture(scope="module")
def pair():
    left = figure(cmap="viridis", vmin=-2.0, vmax=3.0, seed=1)
    right = figure(cmap="magma", vmin=100.0, vmax=400.0, seed=2)
    width = left.image.shape[1]
    image = np.hstack([left.image, right.image])
    return image, left, right, width


def _spec(fig, dx: int) -> ColorbarSpec:
    return ColorbarSpec(
        box=_shifted(fig.colorbar, dx), vmin=fig.vmin, vmax=fig.vmax, norm=fig.norm
    )


def _median_error(values: np.ndarray, fig, box: Box | None = None, dx: int = 0):
    """Median error over the judged true pixels read, as a share of the range.

    ``box`` is where ``values`` lie in the figure (default: the true panel);
    ``dx`` shifts the true panel (the right-hand figure).
    """
    true = _shifted(fig.panels[0], dx)
    box = box or true
    left, top = max(box.left, true.left), max(box.top, true.top)
    right, bottom = min(box.right, true.right), min(box.bottom, true.bottom)
    got = values[top - box.top : bottom - box.top, left - box.left : right - box.left]
    inside = np.s_[
        top - true.top : bottom - true.top, left - true.left : right - true.left
    ]
    judged = fig.judged[0][inside]
    error = np.abs(got - fig.truth[0][inside])[judged]
    return float(np.nanmedian(error) / (fig.vmax - fig.vmin))


def test_each_panel_is_read_through_its_own_bar(pair):
    image, left, right, width = pair
    recipe = Recipe(
        panels=[
            Panel(left.panels[0]),
            Panel(_shifted(right.panels[0], width), colorbar=_spec(right, width)),
        ],
        colorbar=_spec(left, 0),
    )
    out = run_recipe(recipe, image)
    assert _median_error(out[0].result.values, left) < 0.005
    assert _median_error(out[1].result.values, right, dx=width) < 0.005
    assert out[1].result.colorbar.vmin == 100.0


def test_a_panel_bar_survives_json_and_is_checked_field_by_field(pair):
    _, left, right, width = pair
    recipe = Recipe(
        panels=[Panel(_shifted(right.panels[0], width), colorbar=_spec(right, width))],
        colorbar=_spec(left, 0),
    )
    again = Recipe.from_dict(recipe.to_dict())
    assert again == recipe
    data = recipe.to_dict()
    data["panels"][0]["colorbar"]["vmin"] = "low"
    with pytest.raises(DigitizerError, match=r"panels\[0\]\.colorbar\.vmin"):
        Recipe.from_dict(data)
    # a panel without a bar of its own writes none
    assert (
        "colorbar" not in Recipe(panels=[Panel(left.panels[0])]).to_dict()["panels"][0]
    )


def test_a_panel_bar_is_enough_and_must_lie_in_the_figure(pair):
    image, left, _, width = pair
    alone = Recipe(panels=[Panel(left.panels[0], colorbar=_spec(left, 0))])
    assert alone.missing() == []
    outside = Recipe(
        panels=[Panel(left.panels[0], colorbar=_spec(left, 10 * width))],
    )
    with pytest.raises(DigitizerError, match="colour bar box"):
        outside.check(image.shape)
    over = Recipe(
        panels=[
            Panel(
                left.panels[0],
                colorbar=ColorbarSpec(box=left.panels[0], vmin=0, vmax=1),
            )
        ]
    )
    with pytest.raises(DigitizerError, match="overlaps plot box 0"):
        over.check(image.shape)


@pytest.mark.skipif(not ocr_available(), reason="ranges are read by OCR")
def test_auto_gives_each_panel_its_bar_and_range(pair):
    image, left, right, width = pair
    done = complete_recipe(Recipe(), detect(image))
    assert not done.problems, done.problems
    recipe = done.recipe
    assert len(recipe.panels) == 2
    bars = [p.bar(recipe) for p in recipe.panels]
    ranges = sorted((b.vmin, b.vmax) for b in bars)
    assert ranges == [(-2.0, 3.0), (100.0, 400.0)]
    out = run_recipe(recipe, image)
    for panel, result in zip(recipe.panels, out, strict=True):
        fig, dx = (left, 0) if panel.box.left < width else (right, width)
        assert panel.box.iou(_shifted(fig.panels[0], dx)) > 0.97
        assert _median_error(result.result.values, fig, panel.box, dx) < 0.01


def test_the_widget_leaves_out_panels_with_a_bar_of_their_own(pair):
    pytest.importorskip("napari")
    from napari_heatmap_digitizer._napari._io import one_bar

    _, left, right, width = pair
    recipe = Recipe(
        panels=[
            Panel(left.panels[0]),
            Panel(_shifted(right.panels[0], width), colorbar=_spec(right, width)),
        ],
        colorbar=_spec(left, 0),
    )
    kept, message = one_bar(recipe)
    assert [p.box for p in kept.panels] == [left.panels[0]]
    assert message is not None and "panel(s) 1" in message and "--recipe" in message
    assert len(recipe.panels) == 2  # the recipe given is not changed
    assert one_bar(kept) == (kept, None)
