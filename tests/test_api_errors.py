"""Every bad input refused with a DigitizerError (or exit status 2), nothing else.

Negative numbers on the command line are values, not options; wrong argument
types to the public functions say what to pass; generated junk thrown at the
parsers and the public functions never raises another exception.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from napari_heatmap_digitizer import (
    Box,
    Colorbar,
    DigitizerError,
    Extent,
    Grid,
    Recipe,
    ValueScale,
    complete_recipe,
    detect_grid,
    digitize,
    fill_gaps,
    find_hexagons,
    find_regions,
    panel_cells,
    run_recipe,
)
from napari_heatmap_digitizer.cli import build_parser, main
from napari_heatmap_digitizer.cli._common import NEGATIVE_NUMBERS
from napari_heatmap_digitizer.cli._flags import FLAGS, apply_flags
from napari_heatmap_digitizer.core._grid import parse_cells
from napari_heatmap_digitizer.core._scale import parse_ticks
from napari_heatmap_digitizer.data import load_sample, sample_path

SINGLE = str(sample_path("single"))
PLOT = "80,40,480,420"
BAR = "507,37,533,423"
SAMPLE = load_sample("single")
IMAGE = SAMPLE.image
BAR_BOX = SAMPLE.recipe.colorbar.box
COLORBAR = Colorbar.from_image(IMAGE, BAR_BOX, vmin=-2, vmax=3)
RESULT = digitize(IMAGE, COLORBAR, "100,100,140,130")


def run(*args):
    """``main`` as the shell runs it: the exit status and stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own usage errors
            status = exc.code
    return status, err.getvalue()


# -- item 16: negative numbers are values -----------------------------------


@pytest.mark.parametrize(
    "text",
    ["-1", "-1e-3", "-.5", "-2.5E+3", "-10,10,-5,5", "-0:1,300:2", "-3x4", "-inf"],
)
def test_negative_numbers_are_values(text):
    assert NEGATIVE_NUMBERS.match(text)


@pytest.mark.parametrize("text", ["-o", "-q", "--plot", "--vmin", "-x", "-e5", "-"])
def test_options_are_not_numbers(text):
    assert not NEGATIVE_NUMBERS.match(text)


#: A negative value for every recipe flag that takes a number (or numbers),
#: and the recipe field it must reach (or the flag's own error).
NEGATIVE = {
    "--plot": ("-80,40,480,420", ("panels.0.box", Box(-80, 40, 480, 420))),
    "--colorbar": ("-507,37,533,423", ("colorbar.box", Box(-507, 37, 533, 423))),
    "--vmin": ("-1e-3", ("colorbar.vmin", -1e-3)),
    "--vmax": ("-.5", ("colorbar.vmax", -0.5)),
    "--ticks": ("-0:1,300:2", ("colorbar.ticks", [(0.0, 1.0), (300.0, 2.0)])),
    "--extent": ("-10,10,-5,5", ("panels.0.extent", Extent(-10, 10, -5, 5))),
    "--max-distance": ("-3", "--max-distance must be a positive ΔE"),
    "--cells": ("-3x4", "cells '-3x4' must be 'auto' or COLSxROWS"),
    "--min-area": ("-3", "--min-area must be at least 1 pixel"),
    "--min-matched": ("-0.5", "--min-matched: min_matched must be a finite number"),
    "--max-delta-e": ("-2", "--max-delta-e: max_median_delta must be a finite"),
    "--max-edge-page": ("-1", "--max-edge-page: max_edge_page must be a finite"),
}

#: Flags taking a value that cannot start with "-" (names, choices).
NOT_NUMBERS = {"--colormap", "--nodata"}


def _value_flags():
    out = set()
    for flag in FLAGS:
        action = flag.options.get("action")
        if action in (None, "append") and "choices" not in flag.options:
            out.add(flag.names[0])
    return out


def test_every_value_flag_is_tried_with_a_negative_value():
    assert _value_flags() == set(NEGATIVE) | NOT_NUMBERS


def _field(recipe, path):
    target = recipe
    for part in path.split("."):
        target = target[int(part)] if part.isdigit() else getattr(target, part)
    return target


@pytest.mark.parametrize("flag", sorted(NEGATIVE))
def test_negative_value_reaches_the_recipe_or_its_own_error(flag):
    value, expected = NEGATIVE[flag]
    argv = ["digitize", SINGLE, "-o", "out.npy", "--plot", PLOT, flag, value]
    if flag == "--plot":
        argv = argv[:4] + argv[6:]
    args = build_parser().parse_args(argv)  # no "expected one argument"
    recipe = Recipe()
    if isinstance(expected, str):
        with pytest.raises(DigitizerError, match=expected.replace("(", r"\(")):
            apply_flags(recipe, args)
    else:
        apply_flags(recipe, args)
        path, want = expected
        assert _field(recipe, path) == want


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        (["--vmin", "-1e-3"], 0, ""),
        (["--extent", "-10,10,-5,5"], 0, ""),
        (["--max-distance", "-3"], 2, "--max-distance must be a positive"),
        (["--min-area", "-3"], 2, "--min-area must be at least 1"),
        (["--cells", "-3x4"], 2, "must be 'auto' or COLSxROWS"),
        (["--colorbar", "-507,37,533,423"], 2, "box -507,37,533,423 is outside"),
        (["--vmin", "-q"], 2, "expected one argument"),  # a real option stays one
    ],
)
def test_negative_values_on_the_command_line(tmp_path, extra, status, message):
    argv = ["digitize", SINGLE, "--plot", "100,100,140,130", "--colorbar", BAR]
    argv += ["--vmin", "-2", "--vmax", "3", "-q", "-o", tmp_path / "v.npy"]
    code, err = run(*argv, *extra)
    assert code == status, err
    assert message in err
    assert "expected one argument" not in err or "-q" in extra


def test_negative_plot_box_gives_the_box_error(tmp_path):
    code, err = run(
        "digitize", SINGLE, "--plot", "-80,40,480,420", "--colorbar", BAR,
        "--vmin", "-2", "--vmax", "3", "-o", tmp_path / "v.npy",
    )  # fmt: skip
    assert code == 2
    assert "plot box 0 -80,40,480,420 is outside" in err


# -- item 18: wrong argument types say what to pass --------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: digitize(5, COLORBAR), "image must be an image array"),
        (lambda: digitize(IMAGE, "viridis"), "colorbar must be a Colorbar"),
        (lambda: digitize(IMAGE, COLORBAR, (1, 2, 3)), "must be four numbers"),
        (lambda: digitize(IMAGE, COLORBAR, 5), "plot box must be text"),
        (lambda: digitize(IMAGE, COLORBAR, max_distance="5"), "max_distance must"),
        (lambda: digitize(IMAGE, COLORBAR, extent={}), "extent must be text"),
        (lambda: digitize(IMAGE, COLORBAR, extent="a"), "must be four numbers"),
        (lambda: digitize(IMAGE, COLORBAR, nodata=5), "nodata must be"),
        (lambda: digitize(IMAGE, COLORBAR, progress=5), "progress must be"),
        (lambda: Colorbar.from_name(5, 0, 1), "colour map name must be a string"),
        (lambda: Colorbar.from_name("viridis", "0", 1), "vmin must be a number"),
        (lambda: Colorbar.from_name("viridis", 0, 10**400), "vmax must be a number"),
        (lambda: Colorbar.from_name("viridis", ticks="0:1"), "ticks must be a list"),
        (lambda: Colorbar.from_name("viridis", ticks=[(0, 1), (1,)]), "pairs"),
        (lambda: Colorbar.from_name("viridis", 0, 1, norm=None), "norm must be"),
        (lambda: Colorbar.from_name("viridis", 0, 1, n="9"), "n must be"),
        (lambda: Colorbar.from_name("viridis", 0, 1, discrete="y"), "discrete"),
        (lambda: Colorbar.from_name("viridis", 0, 1, band_value=1), "band value"),
        (lambda: Colorbar.from_image("f.png", BAR_BOX, 0, 1), "image must be"),
        (lambda: Colorbar.from_image(IMAGE, None, 0, 1), "colour bar box must be"),
        (lambda: Colorbar.from_image(IMAGE, BAR_BOX, 0, 1, flip="no"), "flip"),
        (lambda: Colorbar.from_image(IMAGE, BAR_BOX, 0, 1, orientation=1), "orient"),
        (lambda: ValueScale.from_range(None, 1), "vmin must be a number"),
        (lambda: ValueScale.from_range(0, 1, 5), "norm must be"),
        (lambda: ValueScale.from_ticks("ab", [0, 1]), "tick positions must be"),
        (lambda: ValueScale.from_ticks([[0, 1]], [[0, 1]]), "1-D sequence"),
        (lambda: ValueScale.from_ticks([0, 1], [0, object()]), "tick values must"),
        (lambda: Box.parse(None), "box must be text"),
        (lambda: Box.parse(b"1,2,3,4"), "box must be text"),
        (lambda: Box.parse([1, 2, 3, 10**400]), "must be four numbers"),
        (lambda: Extent(None, 1, 0, 1), "extent xmin must be a number"),
        (lambda: Extent(0, 1, 0, 1, xscale=None), "x axis scale must be"),
        (lambda: Extent.parse(7), "extent must be text"),
        (lambda: Extent.parse([0, 1, 0, 10**400]), "must be four numbers"),
        (lambda: run_recipe("recipe.json", IMAGE), "recipe must be a Recipe"),
        (lambda: run_recipe(SAMPLE.recipe, 5), "figure must be an image array"),
        (lambda: run_recipe(SAMPLE.recipe, IMAGE, progress=1), "progress must"),
        (lambda: panel_cells("r"), "result must be a Result"),
        (lambda: panel_cells(RESULT, 5), "cells must be"),
        (lambda: panel_cells(RESULT, "12x"), "must be 'auto' or COLSxROWS"),
        (lambda: panel_cells(RESULT, "100000x2"), "do not fit"),
        (lambda: panel_cells(RESULT, grid=[1, 2]), "grid must be a Grid"),
        (lambda: find_regions(None), "result must be a Result"),
        (lambda: find_regions(RESULT, min_area="9"), "min_area must be"),
        (lambda: find_regions(RESULT, smooth=10**9), "smooth must be"),
        (lambda: find_hexagons(RESULT, min_matched=None), "min_matched must be"),
        (lambda: find_hexagons(3), "result must be a Result"),
        (lambda: fill_gaps(RESULT, "spline"), "fill method must be one of"),
        (lambda: fill_gaps(RESULT, None), "fill method must be one of"),
        (lambda: fill_gaps([]), "result must be a Result"),
        (lambda: complete_recipe(None, None), "given must be a Recipe"),
        (lambda: complete_recipe(Recipe(), {}), "found must be a Detection"),
        (lambda: detect_grid(RESULT.values), "result must be a Result"),
        (lambda: Grid.regular(5, 5, "2", 2), "cols must be"),
        (lambda: Grid("a", "b"), "grid edges must be"),
        (lambda: parse_cells(12), "cells must be text"),
        (lambda: parse_ticks(None), "ticks must be text"),
    ],
)
def test_wrong_arguments_say_what_to_pass(call, message):
    with pytest.raises(DigitizerError) as info:
        call()
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_valid_arguments_still_work():
    assert Box.parse(np.array([1, 2, 3, 4])) == Box(1, 2, 3, 4)
    assert Box.parse(Box(1, 2, 3, 4)) == Box(1, 2, 3, 4)
    assert Extent.parse(["0", "1", "2", "3"]) == Extent(0, 1, 2, 3)
    assert ValueScale.from_range(np.float32(0), np.int64(2)).values == (0.0, 2.0)
    bar = Colorbar.from_name("viridis", ticks=np.array([[0, 1], [1, 2]]))
    assert bar.vmin == 1 and bar.vmax == 2
    assert panel_cells(RESULT, [4, 3]).shape == (3, 4)


# -- property-based: junk in, DigitizerError (or exit 2) out -----------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.binary(max_size=12),
    st.sampled_from([math.nan, math.inf, -math.inf, "", ",", "1,2,3,4", "auto"]),
    hnp.arrays(
        st.sampled_from(["f8", "f4", "i8", "u1", "b1", "c16", "U3", "M8[s]"]),
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    ),
)
JUNK = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=4), inner, max_size=3),
    ),
    max_leaves=12,
)
#: Text that looks a little like the flags' values.
NUMBERISH = st.lists(
    st.one_of(
        st.sampled_from(["-", ".", ",", ":", "x", "e", "e-", "inf", "nan", " "]),
        st.integers(-(10**12), 10**12).map(str),
        st.floats().map(repr),
        st.text(max_size=3),
    ),
    max_size=10,
).map("".join)
TEXTS = st.one_of(NUMBERISH, st.text(max_size=40))
JUNK_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _refused_or_fine(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except DigitizerError as exc:
        assert "\n" not in str(exc)


@JUNK_SETTINGS
@given(st.one_of(JUNK, TEXTS))
def test_parsers_take_junk(junk):
    _refused_or_fine(Box.parse, junk)
    _refused_or_fine(Extent.parse, junk)
    _refused_or_fine(parse_ticks, junk)
    _refused_or_fine(parse_cells, junk)


@JUNK_SETTINGS
@given(TEXTS)
def test_command_line_box_takes_junk(tmp_path, junk):
    # no colour bar: a valid box still ends in exit status 2
    code, err = run("digitize", SINGLE, "--plot", junk, "-o", tmp_path / "v.npy")
    assert code == 2
    assert err.count("\n") == 1 and err.endswith("\n"), err


@JUNK_SETTINGS
@given(TEXTS, st.sampled_from(["--extent", "--ticks", "--cells", "--vmin"]))
def test_command_line_numbers_take_junk(tmp_path, junk, flag):
    argv = ["digitize", SINGLE, "--plot", "100,100,110,110", flag, junk]
    code, err = run(*argv, "-o", tmp_path / "v.npy")
    assert code == 2
    assert err.count("\n") == 1 and err.endswith("\n"), err


_NOT_TEXT = JUNK.filter(lambda j: not isinstance(j, str))  # paths: core._read's


@JUNK_SETTINGS
@given(JUNK, _NOT_TEXT)
def test_public_functions_take_junk(junk, not_text):
    _refused_or_fine(digitize, not_text, COLORBAR)
    _refused_or_fine(digitize, IMAGE, junk, "100,100,104,104")
    _refused_or_fine(digitize, IMAGE, COLORBAR, junk)
    _refused_or_fine(digitize, IMAGE, COLORBAR, "100,100,104,104", max_distance=junk)
    _refused_or_fine(digitize, IMAGE, COLORBAR, "100,100,104,104", extent=junk)
    _refused_or_fine(Colorbar.from_name, junk, 0, 1)
    _refused_or_fine(Colorbar.from_name, "viridis", junk, 1)
    _refused_or_fine(Colorbar.from_name, "viridis", ticks=junk)
    _refused_or_fine(Colorbar.from_name, "viridis", 0, 1, norm=junk)
    _refused_or_fine(Colorbar.from_image, IMAGE, junk, 0, 1)
    _refused_or_fine(Colorbar.from_image, not_text, BAR_BOX, 0, 1)
    _refused_or_fine(Colorbar.from_image, IMAGE, BAR_BOX, ticks=junk)
    _refused_or_fine(ValueScale.from_range, junk, 1)
    _refused_or_fine(ValueScale.from_ticks, junk, [0, 1])
    _refused_or_fine(ValueScale.from_ticks, [0, 1], junk)
    _refused_or_fine(Extent, junk, 1, 0, 1)
    _refused_or_fine(Extent, 0, 1, 0, 1, junk)
    _refused_or_fine(run_recipe, junk, IMAGE)
    _refused_or_fine(run_recipe, SAMPLE.recipe, not_text)
    _refused_or_fine(panel_cells, junk)
    _refused_or_fine(panel_cells, RESULT, junk)
    _refused_or_fine(panel_cells, RESULT, grid=junk)
    _refused_or_fine(detect_grid, junk)
    _refused_or_fine(find_regions, junk)
    _refused_or_fine(find_regions, RESULT, min_area=junk)
    _refused_or_fine(find_hexagons, junk)
    _refused_or_fine(fill_gaps, junk)
    _refused_or_fine(fill_gaps, RESULT, junk)
    _refused_or_fine(complete_recipe, junk, junk)


@pytest.mark.parametrize("bad", [5, None, [1, 2], b"figure.png"])
def test_reading_wants_a_path(bad):
    from napari_heatmap_digitizer import load_image, open_figure

    for read in (load_image, open_figure):
        with pytest.raises(DigitizerError, match="must be a file path"):
            read(bad)


def test_open_figure_stream_is_true_false_or_none():
    from napari_heatmap_digitizer import open_figure
    from napari_heatmap_digitizer.data import sample_path

    with pytest.raises(DigitizerError, match="stream must be True, False or None"):
        open_figure(sample_path("single"), stream="yes")


@pytest.mark.parametrize("bad", [5, None, np.zeros((4, 4, 3), np.uint8)])
def test_digitize_blocks_wants_a_dask_array(bad):
    from napari_heatmap_digitizer import Colorbar, digitize_blocks

    bar = Colorbar.from_name("viridis", 0, 1)
    with pytest.raises(DigitizerError, match="image must be a dask array"):
        digitize_blocks(bad, bar, 12.0)
