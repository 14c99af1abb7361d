"""Colour bars linked to panels by layout, and colour maps named only when
they fit, on figures drawn with matplotlib."""

from __future__ import annotations

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

from napari_heatmap_digitizer.core import Recipe, complete_recipe, detect  # noqa: E402
from napari_heatmap_digitizer.core._naming import NAMED_DELTA_E  # noqa: E402

#: Colours of no catalogue map.
CUSTOM = LinearSegmentedColormap.from_list(
    "custom", ["#3a7d44", "#f2c14e", "#a23b72", "#264653"]
)


def _with_range() -> Recipe:
    recipe = Recipe()
    recipe.colorbar.vmin, recipe.colorbar.vmax = 0.0, 1.0
    return recipe


def _field(seed: int = 0) -> np.ndarray:
    y, x = np.mgrid[0:60, 0:80] / 20.0
    return np.sin(x + seed) * np.cos(y) + 0.1 * x


def _image(fig) -> np.ndarray:
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def _one_panel(cmap="viridis", bar: bool = True, **colorbar) -> np.ndarray:
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    im = ax.imshow(_field(), cmap=cmap, aspect="auto")
    if bar:
        fig.colorbar(im, ax=ax, **colorbar)
    return _image(fig)


def test_short_centred_legend_beside_a_panel_is_linked():
    found = detect(_one_panel(shrink=0.4), ticks=False)
    assert len(found.panels) == 1 and len(found.colorbars) == 1
    bar = found.colorbars[0]
    assert bar.box.height < 0.5 * found.panels[0].height
    assert bar.panels == [0]
    done = complete_recipe(Recipe(), found)
    # the range is not read here (no OCR): everything else is filled in
    assert not [p for p in done.problems if "range" not in p]
    done = complete_recipe(_with_range(), found)
    assert done.problems == []
    assert done.recipe.colorbar.box == bar.box
    assert [p.box for p in done.recipe.panels] == found.panels


def test_bar_below_three_panels_serves_all_three():
    fig, axes = plt.subplots(1, 3, figsize=(10, 4))
    ims = [
        ax.imshow(_field(i), cmap="magma", vmin=-1, vmax=2) for i, ax in enumerate(axes)
    ]
    fig.colorbar(ims[0], ax=list(axes), orientation="horizontal", shrink=0.6)
    found = detect(_image(fig), ticks=False)
    assert len(found.panels) == 3 and len(found.colorbars) == 1
    assert found.colorbars[0].orientation == "horizontal"
    assert sorted(found.colorbars[0].panels) == [0, 1, 2]


@pytest.mark.parametrize("shrink", [1.0, 0.5])
def test_two_panels_each_with_its_own_bar_link_one_to_one(shrink):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for i, (ax, cmap) in enumerate(zip(axes, ["viridis", "RdBu_r"], strict=True)):
        im = ax.imshow(_field(i), cmap=cmap)
        fig.colorbar(im, ax=ax, shrink=shrink)
    found = detect(_image(fig), ticks=False)
    assert len(found.panels) == 2 and len(found.colorbars) == 2
    for i, panel in enumerate(found.panels):
        bar = found.bar_for(i)
        assert bar is not None and bar.panels == [i]
        assert bar.box.left > panel.right  # the bar right of its own panel
    named = {found.bar_for(i).colormap for i in range(2)}
    assert named == {"viridis", "RdBu_r"}


def test_custom_colours_are_not_named():
    found = detect(_one_panel(CUSTOM), ticks=False)
    bar = found.colorbars[0]
    assert bar.colormaps  # candidates are still listed ...
    assert bar.colormaps[0].delta_e > NAMED_DELTA_E
    assert bar.colormap is None  # ... but none is the bar's map
    out = bar.to_dict()
    assert out["colormap"] is None and out["colormaps"]
    done = complete_recipe(Recipe(), found)
    assert f"colour bar {bar.box.as_text()} (custom colours, read from the bar)" in (
        done.notes
    )
    assert done.recipe.colorbar.box == bar.box
    assert done.recipe.colorbar.colormap is None


def test_bar_less_panel_with_custom_colours_is_a_problem():
    found = detect(_one_panel(CUSTOM, bar=False), ticks=False)
    assert found.colorbars == [] and len(found.panels) == 1
    given = _with_range()
    done = complete_recipe(given, found)
    assert done.recipe.colorbar.colormap is None
    assert len(done.problems) == 1
    problem = done.problems[0]
    assert problem.startswith(
        "no colour bar found and no named colour map fits the panel's colours"
    )
    assert "closest: " in problem
    assert problem.endswith("give the colour bar's box or --colormap")


@pytest.mark.parametrize("cmap", ["viridis", "magma", "RdBu_r"])
def test_named_maps_are_still_named(cmap):
    found = detect(_one_panel(cmap), ticks=False)
    assert found.colorbars[0].colormap == cmap
    assert found.colorbars[0].to_dict()["colormap"] == cmap
    done = complete_recipe(Recipe(), found)
    assert f"colour bar {found.colorbars[0].box.as_text()} ({cmap})" in done.notes


@pytest.mark.parametrize("cmap", ["viridis", "magma"])
def test_named_map_fits_a_bar_less_panel(cmap):
    found = detect(_one_panel(cmap, bar=False), ticks=False)
    given = _with_range()
    done = complete_recipe(given, found)
    assert done.problems == []
    assert done.recipe.colorbar.colormap == cmap


def test_a_legend_of_one_colour_crossed_by_a_line_is_no_bar():
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    ax.imshow(_field(), cmap="viridis", aspect="auto")
    strip = fig.add_axes((0.2, 0.02, 0.5, 0.04))
    strip.set_facecolor("#d9d9d9")
    strip.axvline(0.5, color="white", lw=2)
    strip.set_axis_off()
    strip.add_patch(plt.Rectangle((0, 0), 1, 1, color="#d9d9d9", zorder=0))
    found = detect(_image(fig), ticks=False)
    assert found.colorbars == []
