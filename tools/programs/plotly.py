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
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, matrix, smooth_field

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
    fig = go.Figure(go.Heatmap(z=values[::-1], **kwargs))
    if "template" in spec.options:
        fig.update_layout(template=spec.options["template"])
    return fig


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    # the default export size (700 x 500)
    figure(spec, data, colormap).write_image(path, format="png")
