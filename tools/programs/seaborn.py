"""seaborn (``sns.heatmap`` and ``sns.clustermap``, default theme and size).

Needs the PyPI packages ``seaborn`` and ``scipy`` (it draws with
matplotlib's Agg).

``clustermap`` gets its row and column linkages computed once from the
figure's data (``CLUSTER_SOURCE``, `_linkages`) and passed in every
drawing, so the trees and the order of rows and columns never depend on the
data drawn; the Spec's data is in the order shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, matrix, printed, smooth_field

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


def _log_field(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A smooth field between 1 and 1000, smooth in log10."""
    return 10.0 ** smooth_field(shape, 0.0, 3.0, seed=seed)


def _clustered_source(seed: int) -> np.ndarray:
    """A 15 x 12 matrix in [0, 10] of three row groups by two column groups."""
    rng = np.random.default_rng(seed)
    rows = rng.permutation(np.repeat([0, 1, 2], 5))
    cols = rng.permutation(np.repeat([0, 1], 6))
    level = np.array([[2.0, 7.0], [8.0, 3.0], [5.0, 5.5]])
    values = level[np.ix_(rows, cols)] + rng.normal(0.0, 1.2, (15, 12))
    return np.round(np.clip(values, 0.3, 9.7), 2)


def _linkages(source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column linkages of ``source`` (clustermap's defaults)."""
    from scipy.cluster import hierarchy

    rows = hierarchy.linkage(source, method="average", metric="euclidean")
    cols = hierarchy.linkage(source.T, method="average", metric="euclidean")
    return rows, cols


def _leaves(linkage: np.ndarray) -> np.ndarray:
    """The order in which a dendrogram of ``linkage`` shows its leaves."""
    from scipy.cluster import hierarchy

    return np.array(hierarchy.dendrogram(linkage, no_plot=True)["leaves"])


CLUSTER_SOURCE = _clustered_source(seed=25)
ROW_LINKAGE, COL_LINKAGE = _linkages(CLUSTER_SOURCE)
ROW_ORDER, COL_ORDER = _leaves(ROW_LINKAGE), _leaves(COL_LINKAGE)


def _counts(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Whole counts rising along the columns and peaking mid-row (104 to 632)."""
    rng = np.random.default_rng(seed)
    ny, nx = shape
    trend = np.linspace(0.0, 1.0, nx)[None, :]
    season = np.sin(np.linspace(0.2, np.pi - 0.2, ny))[:, None]
    values = 118 + 480 * trend * (0.4 + 0.6 * season) + rng.normal(0, 15, shape)
    return np.round(np.clip(values, 104, 632))


CORRELATION = _correlation(7, seed=22)
ANNOT_CORR = _correlation(10, seed=26)
ANNOT_COUNTS = _counts((12, 12), seed=27)


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
            [CORRELATION],
            -1.0,
            1.0,
            "vlag",
            ("viridis", "autumn"),
            colormap_name="vlag",
            options={
                "center": 0,
                "linewidths": 1,
                "annot": True,
                "fmt": ".2f",
                "square": True,
            },
            printed=printed([CORRELATION], lambda v: f"{v:.2f}"),
        ),
        Spec(
            # a larger correlation matrix at 120 dpi, RdBu_r, thin separators
            "annot_corr",
            [ANNOT_CORR],
            -1.0,
            1.0,
            "RdBu_r",
            ("viridis", "autumn"),
            colormap_name="RdBu_r",
            options={
                "center": 0,
                "linewidths": 0.5,
                "annot": True,
                "fmt": ".2f",
                "square": True,
                "size": [7.5, 6.0],
                "dpi": 120,
            },
            printed=printed([ANNOT_CORR], lambda v: f"{v:.2f}"),
        ),
        Spec(
            # whole counts (fmt "d") on a sequential map, no separators
            "annot_counts",
            [ANNOT_COUNTS],
            100.0,
            650.0,
            "YlGnBu",
            ("viridis", "autumn"),
            colormap_name="YlGnBu",
            options={"annot": True, "fmt": "d", "size": [9.0, 7.0]},
            printed=printed([ANNOT_COUNTS], lambda v: f"{int(v):d}"),
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
        Spec(
            "log_norm",
            [_log_field((15, 20), seed=24)],
            1.0,
            1000.0,
            "viridis",
            ("autumn", "cool"),
            norm="log",
            colormap_name="viridis",
            options={"norm": "LogNorm(1, 1000)"},
        ),
        Spec(
            # the data as shown: rows and columns in the trees' order
            "clustermap",
            [CLUSTER_SOURCE[np.ix_(ROW_ORDER, COL_ORDER)]],
            0.0,
            10.0,
            "rocket",
            ("viridis", "cool"),
            colormap_name="rocket",
            options={"kind": "clustermap", "linkage": "fixed"},
        ),
    ]


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    if spec.options.get("kind") == "clustermap":
        # back to the source's order: clustermap shows it in the trees' order
        source = np.empty_like(data[0])
        source[np.ix_(ROW_ORDER, COL_ORDER)] = data[0]
        grid = sns.clustermap(
            source,
            row_linkage=ROW_LINKAGE,
            col_linkage=COL_LINKAGE,
            vmin=spec.vmin,
            vmax=spec.vmax,
            cmap=colormap,
        )  # the default 10 x 10 in at 100 dpi, colour bar top left
        grid.savefig(path)
        plt.close(grid.figure)
        return
    size = spec.options.get("size")
    fig, ax = plt.subplots(figsize=size, dpi=spec.options.get("dpi"))
    # with no size: matplotlib's default 6.4 x 4.8 in at 100 dpi
    _heatmap(ax, spec, data[0], colormap)
    if spec.printed is not None:
        # each number in the colour seaborn gives it over the real data
        scratch, real = plt.subplots(figsize=size, dpi=spec.options.get("dpi"))
        _heatmap(real, spec, spec.data[0], spec.colormap)
        for text, shown in zip(ax.texts, real.texts, strict=True):
            text.set_color(shown.get_color())
        plt.close(scratch)
        drawn = [t.get_text() for t in ax.texts]
        if drawn != [s for row in spec.printed[0] for s in row]:
            raise RuntimeError(f"{spec.name}: the numbers printed are not the truth's")
    fig.savefig(path)
    plt.close(fig)


def _heatmap(ax, spec: Spec, values: np.ndarray, colormap: str) -> None:
    """``sns.heatmap`` of ``values`` on ``ax``, numbers of ``spec.data`` if printed."""
    import seaborn as sns
    from matplotlib.colors import LogNorm

    kwargs: dict = {"cmap": colormap, "ax": ax}
    if spec.norm == "log":
        kwargs["norm"] = LogNorm(spec.vmin, spec.vmax)
    else:
        kwargs.update(vmin=spec.vmin, vmax=spec.vmax)
    opts = spec.options
    for key in ("center", "linewidths", "square"):
        if key in opts:
            kwargs[key] = opts[key]
    if spec.printed is not None:
        shown = spec.data[0]
        if opts["fmt"] == "d":
            shown = shown.astype(int)
        kwargs.update(annot=shown, fmt=opts["fmt"])
    if spec.orientation == "horizontal":
        kwargs["cbar_kws"] = {"orientation": "horizontal"}
    sns.heatmap(values, **kwargs)
