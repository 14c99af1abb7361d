"""gnuplot: ``matrix with image`` on the ``pngcairo`` terminal.

Needs the Debian package ``gnuplot-nox`` (its ``pngcairo`` terminal; the
plain ``png`` terminal is used when ``pngcairo`` is missing).

The figures keep gnuplot's defaults: the terminal's 640x480 size and
font, the default colour box to the right of the plot (the horizontal
figure places it below with ``set colorbox horizontal user``). A ``matrix``
file puts its first row at y = 0, the *bottom* of the plot, so the data are
written with their last row first to show ``Spec.data`` row 0 at the top.
The colour limits are fixed with ``set cbrange``.

``Spec.colormap`` is what follows ``set palette``; the default palette
(``rgbformulae 7,5,15``) is not set at all.

Several panels are drawn with ``set multiplot layout 1,n``, each plot with
its own colour box over the same ``cbrange``. A log colour scale is
``set logscale cb``. ``options["terminal"]`` is added to the terminal's
settings (size, font scale).

The image's pixels have the palette's exact colours, but gnuplot draws the
colour box in 256 steps whose colours lag their place by about 0.5 % of
the range, so values read through the box come out that much high.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .truth import Spec, matrix, smooth_field

PROGRAM = "gnuplot"
TIMEOUT = 120

DEFAULT = "rgbformulae 7,5,15"  # gnuplot's default palette
RAINBOW = "rgbformulae 33,13,10"
OCEAN = "rgbformulae 23,28,3"
GREY = "grey"
# A viridis-like palette of five stops (not the catalogue's viridis: up to
# 8 ΔE away between the stops).
VIRIDIS5 = "defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')"


def _gnuplot(script: str, cwd: str) -> str:
    done = subprocess.run(
        ["gnuplot"],
        input=script,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
    )
    if done.returncode != 0:
        raise RuntimeError(f"gnuplot failed ({done.returncode}):\n{done.stderr}")
    return done.stdout + done.stderr


def version() -> str:
    done = subprocess.run(
        ["gnuplot", "--version"], capture_output=True, text=True, timeout=TIMEOUT
    )
    return done.stdout.strip()


@functools.lru_cache(maxsize=1)
def _terminal() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = _gnuplot("print GPVAL_TERMINALS\n", tmp)
    return "pngcairo" if "pngcairo" in out.split() else "png"


def specs() -> list[Spec]:
    return [
        # The heat-map idiom of gnuplot's demos: a map view of splot with the
        # ranges set to the image's edges. The default palette is the
        # catalogue's "gnuplot" map.
        Spec(
            "field",
            [smooth_field((40, 60), -2.0, 3.0, seed=21)],
            -2.0,
            3.0,
            DEFAULT,
            (RAINBOW, OCEAN),
            colormap_name="gnuplot",
            options={"splot": True},
        ),
        Spec(
            "viridis_matrix",
            [matrix((8, 12), 0.0, 1.0, seed=22)],
            0.0,
            1.0,
            VIRIDIS5,
            (RAINBOW, GREY),
            colormap_name=None,
        ),
        # rgbformulae 33,13,10 is the catalogue's "rainbow".
        Spec(
            "horizontal",
            [smooth_field((30, 50), 0.0, 250.0, seed=23)],
            0.0,
            250.0,
            RAINBOW,
            (GREY, OCEAN),
            orientation="horizontal",
            colormap_name="rainbow",
        ),
        Spec(
            "logscale_cb",
            [10.0 ** smooth_field((30, 40), 0.0, 3.0, seed=24)],
            1.0,
            1000.0,
            DEFAULT,
            (RAINBOW, OCEAN),
            norm="log",
            colormap_name="gnuplot",
        ),
        # Two plots side by side, each with its own colour box.
        Spec(
            "multiplot_two",
            [
                smooth_field((20, 24), -1.0, 1.0, seed=25),
                matrix((6, 8), -1.0, 1.0, seed=26),
            ],
            -1.0,
            1.0,
            DEFAULT,
            (RAINBOW, OCEAN),
            colormap_name="gnuplot",
            bars=2,
        ),
        # A poster: 1600x1200 pixels with text and lines 2.5 times as large
        # (the default 640x480 figure drawn 2.5 times as large).
        Spec(
            "large",
            [smooth_field((60, 80), 0.0, 500.0, seed=27)],
            0.0,
            500.0,
            DEFAULT,
            (RAINBOW, OCEAN),
            colormap_name="gnuplot",
            options={"terminal": "size 1600,1200 fontscale 2.5 linewidth 2.5"},
        ),
    ]


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    terminal = " ".join([_terminal(), spec.options.get("terminal", "")]).strip()
    with tempfile.TemporaryDirectory() as tmp:
        lines = [
            f"set terminal {terminal}",
            f"set output '{path.resolve()}'",
            f"set cbrange [{spec.vmin!r}:{spec.vmax!r}]",
        ]
        if spec.norm == "log":
            lines.append("set logscale cb")
        if colormap != DEFAULT:
            lines.append(f"set palette {colormap}")
        if spec.orientation == "horizontal":
            lines += [
                "set colorbox horizontal user origin 0.1,0.07 size 0.8,0.04",
                "set bmargin at screen 0.22",
            ]
        if len(data) > 1:
            lines.append(f"set multiplot layout 1,{len(data)}")
        for k, values in enumerate(data):
            name = "data.txt" if k == 0 else f"data{k}.txt"
            # first line = bottom row of the plot
            np.savetxt(Path(tmp) / name, values[::-1], fmt="%.17g")
            ny, nx = values.shape
            if spec.options.get("splot"):
                lines += [
                    "set view map",
                    f"set xrange [-0.5:{nx - 0.5}]",
                    f"set yrange [-0.5:{ny - 0.5}]",
                    f"splot '{name}' matrix with image notitle",
                ]
            else:
                lines += [
                    "set autoscale fix",
                    f"plot '{name}' matrix with image notitle",
                ]
        if len(data) > 1:
            lines.append("unset multiplot")
        _gnuplot("\n".join(lines) + "\n", tmp)
