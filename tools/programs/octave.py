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

Several panels are drawn with ``subplot(1, n, k)``, each with its own
``caxis`` and ``colorbar``; the colour map is the figure's, shared by all.

Octave 7.3 accepts ``set(gca, "colorscale", "log")`` but ignores it: the
image and the bar stay linear. A log colour scale is therefore drawn as
Octave users draw it: ``imagesc(log10(d))`` with ``caxis`` set to the
logs of the limits and the bar's ticks placed at the decades and labelled
with their values (1, 10, 100, ...).

``contourf`` fills regions bounded by contours of the interpolated data,
which no grid of rectangular cells describes, so ``truth.make_truth``
cannot give its pixels' values. The stepped figure (``options["levels"]``)
instead draws with ``imagesc`` data already quantised to the middles of
its levels, with a colour map of that many colours: each level is one
step of the bar and each value sits in the middle of its step.

Numbers in the cells are printed as Octave users print them: ``text`` at
each cell's centre with ``sprintf(options["format"], v)`` of ``spec.data``
(the same strings in every drawing), white on the darker half of the
colour map and black on the lighter, chosen from ``spec.data`` too.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .truth import Spec, matrix, printed, smooth_field

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


def _no_ties(values: np.ndarray, decimals: int) -> np.ndarray:
    """``values`` (to ``decimals`` + 1 places) with none halfway between two
    values shown to ``decimals`` places, so no rounding rule can differ."""
    step = 10.0**-decimals
    last = np.round(values / step * 10) % 10
    return np.where(last == 5, values + step / 10, values)


ANNOT = _no_ties(np.round(matrix((8, 10), -4.0, 6.0, seed=18), 2), 1)


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
        # Two subplots, each with its own colour bar over the same range.
        Spec(
            "subplots_two_bars",
            [
                smooth_field((30, 24), 0.0, 10.0, seed=14),
                matrix((8, 6), 0.0, 10.0, seed=15),
            ],
            0.0,
            10.0,
            "viridis",
            "gray",
            colormap_name="viridis",
            bars=2,
        ),
        # A smooth field in 8 levels with viridis(8): a bar of 8 steps.
        # viridis(8) samples viridis at its ends and 6 points between, so a
        # step's colour is not viridis at the step's middle (not the
        # catalogue's map).
        Spec(
            "contourf_levels",
            [_levels(smooth_field((40, 60), 0.0, 80.0, seed=16), 0.0, 80.0, 8)],
            0.0,
            80.0,
            "viridis",
            ("gray", "cool"),
            colormap_name=None,
            options={"levels": 8},
        ),
        # Data 1..1000 drawn as imagesc(log10(d)) with the bar's ticks
        # labelled 1, 10, 100, 1000.
        Spec(
            "log",
            [10.0 ** smooth_field((30, 40), 0.0, 3.0, seed=17)],
            1.0,
            1000.0,
            "viridis",
            "gray",
            norm="log",
            colormap_name="viridis",
        ),
        # imagesc with text() in every cell: "%.1f", some negative
        Spec(
            "annot_text",
            [ANNOT],
            -4.0,
            6.0,
            "viridis",
            "gray",
            colormap_name="viridis",
            options={"format": "%.1f"},
            printed=printed([ANNOT], lambda v: f"{v:.1f}"),
        ),
    ]


def _levels(values: np.ndarray, vmin: float, vmax: float, n: int) -> np.ndarray:
    """``values`` moved to the middle of the one of ``n`` equal levels they fall in."""
    step = (vmax - vmin) / n
    k = np.clip(np.floor((values - vmin) / step), 0, n - 1)
    return vmin + (k + 0.5) * step


def _decades(vmin: float, vmax: float) -> list[int]:
    """The powers of ten from ``vmin`` to ``vmax``, as exponents."""
    return list(range(int(np.ceil(np.log10(vmin))), int(np.floor(np.log10(vmax))) + 1))


def _text_lines(spec: Spec, tmp: Path) -> list[str]:
    """Octave lines printing ``spec.data`` in every cell (one panel)."""
    shown = spec.data[0]
    # white on the darker half of the map (its low end: viridis, jet, hot)
    white = shown < (spec.vmin + spec.vmax) / 2
    np.savetxt(tmp / "shown.csv", shown, delimiter=",", fmt="%.17g")
    np.savetxt(tmp / "white.csv", white.astype(int), delimiter=",", fmt="%d")
    fmt = spec.options["format"]
    return [
        f's = dlmread("{tmp / "shown.csv"}");',
        f'w = dlmread("{tmp / "white.csv"}");',
        "for i = 1:rows(s)",
        "  for j = 1:columns(s)",
        f'    text(j, i, sprintf("{fmt}", s(i, j)), "horizontalalignment",'
        ' "center", "color", w(i, j) * [1 1 1]);',
        "  end",
        "end",
    ]


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    levels = spec.options.get("levels", LEVELS)
    log = spec.norm == "log"
    lo, hi = (float(np.log10(v)) if log else v for v in (spec.vmin, spec.vmax))
    with tempfile.TemporaryDirectory() as tmp:
        lines = ['graphics_toolkit("qt");', 'f = figure("visible", "off");']
        for k, values in enumerate(data):
            csv = Path(tmp) / ("data.csv" if k == 0 else f"data{k}.csv")
            np.savetxt(csv, values, delimiter=",", fmt="%.17g")
            if len(data) > 1:
                lines.append(f"subplot(1, {len(data)}, {k + 1});")
            lines += [
                f'd = dlmread("{csv}");',
                "imagesc(log10(d));" if log else "imagesc(d);",
            ]
            # viridis(64) is the default
            if colormap != "viridis" or levels != LEVELS:
                lines.append(f"colormap({colormap}({levels}));")
            lines.append(f"caxis([{lo!r} {hi!r}]);")
            if spec.printed is not None:
                lines += _text_lines(spec, Path(tmp))
            bar = (
                'colorbar("southoutside");'
                if spec.orientation == "horizontal"
                else "colorbar();"
            )
            lines.append(f"c = {bar}" if log else bar)
            if log:
                exps = _decades(spec.vmin, spec.vmax)
                ticks = " ".join(str(e) for e in exps)
                labels = ", ".join(f'"{10**e:g}"' for e in exps)
                axis = "x" if spec.orientation == "horizontal" else "y"
                lines.append(
                    f'set(c, "{axis}tick", [{ticks}], "{axis}ticklabel", {{{labels}}});'
                )
        lines.append(f'print(f, "{path.resolve()}", "-dpng", "-r100");')
        _run("\n".join(lines) + "\n")
