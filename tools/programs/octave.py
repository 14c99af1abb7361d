"""GNU Octave: ``imagesc`` + ``colorbar`` printed with the Qt toolkit.

Needs the Debian packages ``octave``, ``xvfb`` (the Qt toolkit prints only
with an X display, so Octave runs under ``xvfb-run -a``) and
``fonts-freefont-otf`` (Octave's default font, FreeSans; without it text
cannot be rendered and no axes can be made).

The figures keep Octave's defaults: the 560x420 figure printed at 100 dpi
(``print -dpng -r100``, 581x436 pixels), the default font and the default
colour-bar placement; ``imagesc`` shows row 1 at the top (``axis ij``), as
``Spec.data`` has it, so the data are written unflipped. The colour limits
are fixed with ``caxis([vmin vmax])``.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .truth import Spec, matrix, smooth_field

PROGRAM = "octave"
TIMEOUT = 120
# Maps are Octave's own functions, sampled at this many colours (Octave's
# default colour-map length).
LEVELS = 64


def _run(script: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "heatmap_script.m"
        path.write_text(script)
        done = subprocess.run(
            ["xvfb-run", "-a", "octave", "--no-gui", "--quiet", str(path)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=tmp,
        )
    if done.returncode != 0:
        raise RuntimeError(f"octave failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def version() -> str:
    done = subprocess.run(
        ["octave", "--no-gui", "--no-window-system", "--version"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return done.stdout.splitlines()[0].strip()


def specs() -> list[Spec]:
    return [
        # Octave's default map (viridis, 64 colours): no colormap call.
        Spec(
            "field",
            [smooth_field((40, 60), -2.0, 3.0, seed=11)],
            -2.0,
            3.0,
            "viridis",
            "gray",
            colormap_name="viridis",
        ),
        # Octave's jet(64) is not the catalogue's jet (matplotlib's): its
        # ends are [0 0 0.5625] and [0.5 0 0] and its breaks differ (mean
        # colour difference 7.8 ΔE, colours up to 3.6 % of the range apart).
        Spec(
            "jet_matrix",
            [matrix((8, 10), 0.0, 100.0, seed=12)],
            0.0,
            100.0,
            "jet",
            ("gray", "cool"),
            colormap_name=None,
        ),
        # hot(64) matches the catalogue's hot (matplotlib's) within 1 ΔE.
        Spec(
            "horizontal",
            [smooth_field((30, 50), -5.0, 15.0, seed=13)],
            -5.0,
            15.0,
            "hot",
            ("cool", "gray"),
            orientation="horizontal",
            colormap_name="hot",
        ),
    ]


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        np.savetxt(csv, data[0], delimiter=",", fmt="%.17g")
        lines = [
            'graphics_toolkit("qt");',
            'f = figure("visible", "off");',
            f'd = dlmread("{csv}");',
            "imagesc(d);",
        ]
        if colormap != "viridis":  # viridis(64) is the default
            lines.append(f"colormap({colormap}({LEVELS}));")
        lines.append(f"caxis([{spec.vmin!r} {spec.vmax!r}]);")
        if spec.orientation == "horizontal":
            lines.append('colorbar("southoutside");')
        else:
            lines.append("colorbar();")
        lines.append(f'print(f, "{path.resolve()}", "-dpng", "-r100");')
        _run("\n".join(lines) + "\n")
