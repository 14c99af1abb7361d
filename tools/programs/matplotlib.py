"""matplotlib (the reference: our own tests draw with it too).

The annotated figure is ``imshow`` with ``ax.text`` at each cell's centre
printing ``spec.data`` in scientific notation (``"1.2e+03"``), the same
strings in every drawing, white on the darker half of the map and black
on the lighter (chosen from ``spec.data``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, matrix, printed, smooth_field

PROGRAM = "matplotlib"


def version() -> str:
    import matplotlib

    return matplotlib.__version__


def _magnitudes(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Values from about 20 to 4900 with two significant digits."""
    rng = np.random.default_rng(seed)
    values = 10.0 ** rng.uniform(np.log10(20.0), np.log10(4900.0), shape)
    exponent = np.floor(np.log10(values))
    return np.round(values / 10.0 ** (exponent - 1)) * 10.0 ** (exponent - 1)


SCIENTIFIC = _magnitudes((6, 7), seed=4)


def specs() -> list[Spec]:
    return [
        Spec(
            "field",
            [smooth_field((40, 60), -2.0, 3.0, seed=1)],
            -2.0,
            3.0,
            "viridis",
            "gray",
            colormap_name="viridis",
        ),
        Spec(
            "diverging_horizontal",
            [smooth_field((30, 50), -1.0, 1.0, seed=2)],
            -1.0,
            1.0,
            "RdBu_r",
            "viridis",
            orientation="horizontal",
            colormap_name="RdBu_r",
        ),
        Spec(
            "matrix_separators",
            [matrix((6, 6), 0.0, 1.0, seed=3)],
            0.0,
            1.0,
            "magma",
            ("gray", "viridis"),
            colormap_name="magma",
            options={"linewidth": 2},
        ),
        Spec(
            "annot_scientific",
            [SCIENTIFIC],
            0.0,
            5000.0,
            "viridis",
            ("gray", "autumn"),
            colormap_name="viridis",
            options={"kind": "imshow", "format": ".1e", "size": [8.0, 5.5]},
            printed=printed([SCIENTIFIC], lambda v: f"{v:.1e}"),
        ),
    ]


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = spec.options.get("size", (6, 4.5))
    fig, ax = plt.subplots(figsize=size, dpi=100)
    if spec.options.get("kind") == "imshow":
        _annotated(fig, ax, spec, data[0], colormap)
        fig.savefig(path)
        plt.close(fig)
        return
    lw = spec.options.get("linewidth", 0)
    mesh = ax.pcolormesh(
        data[0][::-1],
        cmap=colormap,
        vmin=spec.vmin,
        vmax=spec.vmax,
        edgecolors="white" if lw else "face",
        linewidth=lw,
    )
    fig.colorbar(mesh, ax=ax, orientation=spec.orientation)
    fig.savefig(path)
    plt.close(fig)


def _annotated(fig, ax, spec: Spec, values: np.ndarray, colormap: str) -> None:
    """``imshow`` of ``values`` with ``spec.data`` printed in each cell."""
    image = ax.imshow(values, cmap=colormap, vmin=spec.vmin, vmax=spec.vmax)
    fig.colorbar(image, ax=ax)
    if spec.printed is None:
        return
    shown = spec.data[0]
    dark = shown < (spec.vmin + spec.vmax) / 2
    fmt = spec.options["format"]
    for (i, j), v in np.ndenumerate(shown):
        colour = "white" if dark[i, j] else "black"
        ax.text(
            j, i, format(v, fmt), ha="center", va="center", color=colour, fontsize=8
        )
