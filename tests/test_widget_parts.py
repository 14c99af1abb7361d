"""The widget's parts and layer builders, without a napari viewer."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("magicgui", reason="magicgui is part of the [napari] extra")
pytest.importorskip("qtpy", reason="a Qt binding is part of the [napari] extra")

from napari_heatmap_digitizer._napari._boxes import (
    grid_from_lines,
    grid_lines,
    same_grid,
)
from napari_heatmap_digitizer._napari._cell_layers import cell_image
from napari_heatmap_digitizer._napari._layers import (
    PYRAMID_ABOVE,
    cursor_text,
    lazy_levels,
    panel_layers,
    placement,
    pyramid,
)
from napari_heatmap_digitizer._napari._parts import (
    AxesEditor,
    ColorbarEditor,
    ValuesEditor,
)
from napari_heatmap_digitizer.core import (
    Box,
    ColorbarSpec,
    DigitizerError,
    Extent,
    Grid,
    Recipe,
    Values,
    run_recipe,
)
from napari_heatmap_digitizer.data import load_sample


@pytest.fixture(scope="module")
def qapp():
    from qtpy.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


@pytest.mark.parametrize(
    "spec",
    [
        ColorbarSpec(),
        ColorbarSpec(vmin=-2.0, vmax=3.0),
        ColorbarSpec(
            vmin=0.001,
            vmax=1e4,
            norm="log",
            orientation="horizontal",
            flip=True,
            discrete=True,
            band_value="lower",
        ),
        ColorbarSpec(ticks=[(412.0, 0.0), (262.5, 0.5), (112.0, 1.0)], norm="linear"),
        ColorbarSpec(colormap="magma", vmin=0.0, vmax=100.0, discrete=False),
        ColorbarSpec(colormap="not-in-the-catalogue", ticks=[(0.0, 1.0), (1.0, 2.0)]),
    ],
)
def test_colorbar_editor_round_trips(qapp, spec):
    part = ColorbarEditor()
    part.value = spec
    assert part.value == spec
    assert part.from_box == (spec.colormap is None)


def test_colorbar_editor_empty_is_not_given_and_bad_text_is_named(qapp):
    part = ColorbarEditor()
    assert part.value == ColorbarSpec()  # nothing given: Detect may fill it in
    part.vmin.value, part.vmax.value = " −2 ", ""
    assert (part.value.vmin, part.value.vmax) == (-2.0, None)
    assert not part.value.has_range
    seen = []
    part.changed.connect(seen.append)
    part.vmax.value = "abc"
    assert seen[-1] is None  # half-typed: changed says "unknown", never raises
    with pytest.raises(DigitizerError, match="vmax 'abc' is not a number"):
        _ = part.value
    part.vmax.value = "3"
    part.ticks.value = "1:2,3"
    with pytest.raises(DigitizerError, match="malformed tick"):
        _ = part.value


def test_colorbar_editor_preselects_only_a_map_that_fits(qapp):
    from napari_heatmap_digitizer.core._detect import Detection, FoundBar
    from napari_heatmap_digitizer.core._naming import ColormapMatch

    def bar(name, delta_e):
        box = Box(0, 0, 10, 100)
        return FoundBar(box, "vertical", [0], [ColormapMatch(name, delta_e)])

    part = ColorbarEditor()
    part.suggest_colormap(Detection([], colorbars=[bar("magma", 0.4)]))
    assert part.colormap.value == "magma"
    part.suggest_colormap(Detection([], colorbars=[bar("fast", 25.0)]))  # custom
    assert part.colormap.value == "magma"  # left as it was
    ranked = {0: [ColormapMatch("plasma", 3.0)]}
    part.suggest_colormap(Detection([], [], colormaps=ranked))
    assert part.colormap.value == "plasma"
    part.suggest_colormap(
        Detection([], [], colormaps={0: [ColormapMatch("cividis", 30.0)]})
    )
    assert part.colormap.value == "plasma"
    assert part.from_box  # the source is never changed


@pytest.mark.parametrize(
    "extents",
    [
        [],
        [Extent(0, 10, 0, 5)],
        [Extent(1, 100, 0.1, 10, xscale="log", yscale="log"), None],
        [None, Extent(-1.5, 2.25, 3, 4), Extent(0, 1, 0, 1)],
    ],
)
def test_axes_editor_round_trips(qapp, extents):
    part = AxesEditor()
    part.value = extents
    assert part.value == extents


def test_axes_editor_expands_to_panels_and_names_bad_text(qapp):
    part = AxesEditor()
    assert part.for_panels(2) == [None, None]
    e = Extent(0, 10, 0, 5)
    part.value = [e]
    assert part.for_panels(3) == [e, e, e]
    assert AxesEditor.compact([e, e]) == [e] and AxesEditor.compact([None]) == []
    part.value = [e, None]
    with pytest.raises(DigitizerError, match=r"one per panel \(3\), not 2"):
        part.for_panels(3)
    part.extents.value = "0,10,0"
    with pytest.raises(DigitizerError, match="axis extents"):
        _ = part.value


@pytest.mark.parametrize(
    "values",
    [
        Values(),
        Values(per="cell", cells="12x8", fill="nearest"),
        Values(per="region", min_area=25, fill="inpaint"),
        Values(per="hexagon"),
    ],
)
def test_values_editor_round_trips(qapp, values):
    part = ValuesEditor()
    part.value = values
    assert part.value == values
    assert part.cells.native.isHidden() == (values.per != "cell")


def test_values_editor_names_bad_cells(qapp):
    part = ValuesEditor()
    part.per.value, part.cells.value = "cell", "four by four"
    with pytest.raises(DigitizerError, match="cells 'four by four'.*COLSxROWS"):
        _ = part.value


def test_grid_lines_round_trip():
    box = Box(40, 30, 240, 150)
    grid = Grid([0, 50, 100, 150, 200], [0, 40, 80, 120])
    back = grid_from_lines(grid_lines(grid, box), box)
    assert back is not None and same_grid(back, grid, tolerance=1e-9)
    assert grid_from_lines(grid_lines(grid, box)[:1], box) is None


# -- layer builders on real pipeline results ---------------------------------


@pytest.fixture(scope="module")
def single():
    sample = load_sample("single")
    recipe = sample.recipe.copy()
    recipe.panels[0].extent = Extent(0, 10, 0, 5)
    return sample, recipe, run_recipe(recipe, sample.image)


def test_layers_lie_exactly_over_the_panel(single):
    _, recipe, (panel,) = single
    box = panel.result.box
    scale, translate = (2.0, 0.5), (10.0, -3.0)
    layers = panel_layers(panel, recipe, figure="fig", scale=scale, translate=translate)
    assert [(kw["name"], kind) for _, kw, kind in layers] == [
        ("fig values [0]", "image"),
        ("fig distance [0]", "image"),
        ("fig unmatched [0]", "image"),
    ]
    for data, kwargs, _ in layers:
        assert data.shape == box.shape
        # pixel (0, 0) of the layer is where figure pixel (top, left) is
        world = np.asarray(kwargs["translate"])
        np.testing.assert_allclose(
            world, np.asarray(translate) + np.asarray(scale) * (box.top, box.left)
        )
        np.testing.assert_allclose(kwargs["scale"], scale)
    values, kwargs, _ = layers[0]
    assert tuple(kwargs["contrast_limits"]) == (-2, 3)
    info = kwargs["metadata"]["heatmap_digitizer"]
    assert info["result"].result is panel.result and info["recipe"] is recipe
    np.testing.assert_array_equal(values, panel.result.values)
    assert placement(box)["translate"].tolist() == [box.top, box.left]


def test_cursor_text_reads_the_pixel(single):
    _, _, panels = single
    box = panels[0].result.box
    text = cursor_text(panels, box.top, box.left)
    assert text.startswith("panel 0: x=0.0125") and "ΔE" in text
    assert cursor_text(panels, 0, 0) == ""


def test_pyramids_in_memory_and_lazy():
    import dask.array as da

    big = np.arange((PYRAMID_ABOVE + 10) * 20, dtype=np.float32).reshape(-1, 20)
    levels = pyramid(big)
    assert isinstance(levels, list) and len(levels) == 3
    np.testing.assert_array_equal(levels[2], big[::4, ::4])
    small = np.zeros((30, 30), np.float32)
    assert pyramid(small) is small

    sample = load_sample("single")
    tall = np.concatenate([sample.image] * 5, axis=0)  # 2400 rows
    lazy = da.from_array(tall, chunks=(256, 256, 3))
    recipe = sample.recipe.copy()
    recipe.panels[0].box = Box(80, 0, 480, 2400)
    recipe.colorbar.box = Box(507, 37, 533, 423)
    (panel,) = run_recipe(recipe, lazy)
    assert panel.result.lazy
    values, distance, unmatched = lazy_levels(lazy, panel.result)
    assert isinstance(values, list) and len(values) == 3
    assert all(type(v).__module__.startswith("dask") for v in values)
    full = np.asarray(values[0])
    np.testing.assert_array_equal(np.asarray(values[1]), full[::2, ::2])
    assert unmatched[0].shape == distance[0].shape == (2400, 400)


def test_cell_image_regular_and_irregular():
    pytest.importorskip("matplotlib")
    from napari_heatmap_digitizer.testing import render_matrix

    m = render_matrix(4, 5, grid="white", seed=3)
    recipe = Recipe.from_dict(
        {
            "format": "napari-heatmap-digitizer recipe",
            "version": 2,
            "panels": [{"box": list(m.panel)}],
            "colorbar": {"box": list(m.colorbar), "vmin": m.vmin, "vmax": m.vmax},
            "values": {"per": "cell"},
        }
    )
    (panel,) = run_recipe(recipe, m.image)
    data, size, offset = cell_image(panel.cells)
    assert data.shape == (4, 5)
    cell = np.array(m.panel.shape) / (4, 5)
    np.testing.assert_allclose(size, cell, atol=1.0)
    np.testing.assert_allclose(offset, (size - 1) / 2)
    layers = panel_layers(panel, recipe, figure="m")
    names = [kw["name"] for _, kw, _ in layers]
    assert names[3:] == ["m cells [0]", "m grid [0]"]
    grid_info = layers[4][1]["metadata"]["heatmap_digitizer"]
    assert grid_info["explicit"] is False and grid_info["box"] == list(m.panel)
    h, w = m.panel.shape
    irregular = panel.cells.grid
    cols = np.array([0, w / 5, w / 2, w])
    panel.cells.grid = Grid(cols, irregular.row_edges)
    data, size, _ = cell_image(panel.cells)
    assert data.shape == (h, w) and size.tolist() == [1, 1]
