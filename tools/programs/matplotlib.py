"""matplotlib (the reference: our own tests draw with it too)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, matrix, smooth_field

PROGRAM = "matplotlib"


def version() -> str:
    import matplotlib

    return matplotlib.__version__


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
    ]


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
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
