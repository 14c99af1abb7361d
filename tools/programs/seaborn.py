"""seaborn (``sns.heatmap`` with its default theme and figure size).

Needs the PyPI package ``seaborn`` (it draws with matplotlib's Agg).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, matrix, smooth_field

PROGRAM = "seaborn"


def version() -> str:
    import matplotlib
    import seaborn

    return f"seaborn {seaborn.__version__}, matplotlib {matplotlib.__version__}"


def _correlation(n: int, seed: int) -> np.ndarray:
    """A correlation matrix of ``n`` related variables, rounded to 0.01."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(200, 3))
    mix = rng.normal(size=(3, n))
    obs = base @ mix + 0.8 * rng.normal(size=(200, n))
    return np.round(np.corrcoef(obs, rowvar=False), 2)


def specs() -> list[Spec]:
    return [
        Spec(
            "heatmap",
            [matrix((12, 16), 0.0, 100.0, seed=21)],
            0.0,
            100.0,
            "rocket",
            ("viridis", "cool"),
            colormap_name="rocket",
        ),
        Spec(
            "corr_separators",
            [_correlation(7, seed=22)],
            -1.0,
            1.0,
            "vlag",
            ("viridis", "autumn"),
            colormap_name="vlag",
            options={"center": 0, "linewidths": 1, "annot": True, "square": True},
        ),
        Spec(
            "horizontal",
            [smooth_field((20, 30), -5.0, 5.0, seed=23)],
            -5.0,
            5.0,
            "mako",
            ("autumn", "cool"),
            orientation="horizontal",
            colormap_name="mako",
        ),
    ]


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots()  # matplotlib's default 6.4 x 4.8 in at 100 dpi
    kwargs: dict = {"vmin": spec.vmin, "vmax": spec.vmax, "cmap": colormap, "ax": ax}
    if spec.name == "corr_separators":
        kwargs.update(center=0, linewidths=1, annot=True, fmt=".2f", square=True)
    if spec.orientation == "horizontal":
        kwargs["cbar_kws"] = {"orientation": "horizontal"}
    sns.heatmap(data[0], **kwargs)
    fig.savefig(path)
    plt.close(fig)
