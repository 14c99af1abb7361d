"""plotly (``go.Heatmap`` and ``px.imshow``, default template and size).

Needs the PyPI packages ``plotly`` and ``kaleido`` (``fig.write_image``).
kaleido 1.x drives a Chrome through ``choreographer``: Debian's
``chromium`` package (``/usr/bin/chromium``) is found on ``PATH`` with no
settings (checked with kaleido 1.5.0, choreographer 1.4.0, Chromium 156);
``BROWSER_PATH`` points it at another Chrome. Each ``write_image`` starts
the browser anew (about 3 s a drawing).

``go.Heatmap`` puts z's row 0 at the bottom, so it gets the rows reversed
(row 0 at the top as drawn); ``px.imshow`` already puts row 0 at the top.
The kind "subplots" draws one ``go.Heatmap`` per array side by side
(``make_subplots``), all on one shared ``coloraxis`` (one colour bar).

Numbers in the cells: ``go.Heatmap``'s ``texttemplate``
(``options["texttemplate"]``, d3 formats such as ``%{text:,}`` for
thousands separators or ``%{text:.1%}`` for percentages) over ``text``,
which is always ``spec.data``, so the strings never change between the
drawings. plotly picks each number's colour (white or dark) by the contrast
with the cell drawn, which does follow the data drawn; the truth's text
mask (the real data drawn without the numbers) leaves those pixels out all
the same.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, matrix, printed, smooth_field

PROGRAM = "plotly"


def version() -> str:
    import subprocess
    from importlib.metadata import version as installed

    from choreographer.browsers.chromium import Chromium

    browser = Chromium.find_browser(skip_local=False)
    shown = subprocess.run(
        [browser, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"plotly {installed('plotly')}, kaleido {installed('kaleido')}, {shown}"


def _sales(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Whole counts from a few hundred to about 29,000 (products by month)."""
    rng = np.random.default_rng(seed)
    ny, nx = shape
    scale = np.exp(rng.uniform(np.log(600), np.log(20000), ny))[:, None]
    season = 1 + 0.35 * np.sin(np.linspace(0, 2 * np.pi, nx))[None, :]
    values = scale * season * rng.uniform(0.85, 1.15, shape)
    return np.round(np.clip(values, 300, 29500))


def _shares(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Shares in [0.02, 0.97] to 4 decimals, none a tie when shown to 0.1 %.

    (d3 rounds a tie up and Python to even; no share sits on one.)
    """
    rng = np.random.default_rng(seed)
    values = np.round(rng.beta(1.6, 1.6, shape) * 0.95 + 0.02, 4)
    tie = np.isclose(np.round(values * 1000, 6) % 1, 0.5)
    return np.where(tie, values + 0.0001, values)


SALES = _sales((8, 8), seed=37)
SHARES = _shares((6, 8), seed=38)


def specs() -> list[Spec]:
    return [
        Spec(
            # no colorscale: the default template's (plotly's 10-stop Plasma)
            "heatmap",
            [smooth_field((20, 25), 0.0, 50.0, seed=31)],
            0.0,
            50.0,
            "",
            ("Greys", "Viridis"),
            colormap_name="plasma",
            options={"kind": "heatmap"},
        ),
        Spec(
            # plotly.py's "RdBu" is ColorBrewer's 11 colours, red at the low end
            "rdbu",
            [smooth_field((16, 24), -1.0, 1.0, seed=32)],
            -1.0,
            1.0,
            "RdBu",
            ("Viridis", "Greys"),
            colormap_name="RdBu",
            options={"kind": "heatmap", "zmid": 0},
        ),
        Spec(
            "imshow_viridis",
            [smooth_field((30, 40), 10.0, 30.0, seed=33)],
            10.0,
            30.0,
            "viridis",
            ("Reds", "Greys"),
            colormap_name="viridis",
            options={"kind": "imshow"},
        ),
        Spec(
            # no colorscale: the default template's (plotly's 10-stop Plasma)
            "subplots_shared",
            [
                smooth_field((15, 18), 0.0, 100.0, seed=34),
                smooth_field((15, 18), 0.0, 100.0, seed=35),
            ],
            0.0,
            100.0,
            "",
            ("Greys", "Viridis"),
            colormap_name="plasma",
            options={"kind": "subplots", "coloraxis": "shared"},
        ),
        Spec(
            "dark_template",
            [matrix((10, 14), -3.0, 3.0, seed=36)],
            -3.0,
            3.0,
            "Viridis",
            ("Reds", "Greys"),
            colormap_name="viridis",
            options={"kind": "heatmap", "template": "plotly_dark"},
        ),
        Spec(
            # counts with thousands separators, cells apart by 2 px gaps
            "annot_thousands",
            [SALES],
            0.0,
            30000.0,
            "Viridis",
            ("Reds", "Greys"),
            colormap_name="viridis",
            options={"kind": "heatmap", "texttemplate": "%{text:,}", "gap": 2},
            printed=printed([SALES], lambda v: f"{int(v):,}"),
        ),
        Spec(
            "annot_percent",
            [SHARES],
            0.0,
            1.0,
            "Cividis",
            ("Reds", "Greys"),
            colormap_name="cividis",
            options={"kind": "heatmap", "texttemplate": "%{text:.1%}"},
            printed=printed([SHARES], lambda v: f"{v:.1%}"),
        ),
    ]


def figure(spec: Spec, data: list[np.ndarray], colorscale: str):
    """The plotly figure of one drawing."""
    import plotly.express as px
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if spec.options["kind"] == "subplots":
        fig = make_subplots(
            rows=1,
            cols=len(data),
            subplot_titles=[f"run {k + 1}" for k in range(len(data))],
        )
        for k, values in enumerate(data):
            fig.add_trace(
                go.Heatmap(z=values[::-1], coloraxis="coloraxis"), row=1, col=k + 1
            )
        coloraxis: dict = {"cmin": spec.vmin, "cmax": spec.vmax}
        if colorscale:
            coloraxis["colorscale"] = colorscale
        fig.update_layout(coloraxis=coloraxis)
        return fig
    values = data[0]
    if spec.options["kind"] == "imshow":
        return px.imshow(
            values,
            color_continuous_scale=colorscale,
            zmin=spec.vmin,
            zmax=spec.vmax,
        )
    kwargs: dict = {"zmin": spec.vmin, "zmax": spec.vmax}
    if "zmid" in spec.options:
        kwargs["zmid"] = spec.options["zmid"]
    if colorscale:
        kwargs["colorscale"] = colorscale
    if spec.printed is not None:
        # the real data's numbers in every drawing
        kwargs["text"] = spec.data[0][::-1]
        kwargs["texttemplate"] = spec.options["texttemplate"]
    if "gap" in spec.options:
        kwargs["xgap"] = kwargs["ygap"] = spec.options["gap"]
    fig = go.Figure(go.Heatmap(z=values[::-1], **kwargs))
    if "template" in spec.options:
        fig.update_layout(template=spec.options["template"])
    return fig


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    # the default export size (700 x 500)
    figure(spec, data, colormap).write_image(path, format="png")
