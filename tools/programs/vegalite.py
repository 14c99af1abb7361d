"""Vega-Lite (``rect`` marks on ordinal x/y, quantitative colour).

Needs the PyPI package ``vl-convert-python`` (Vega and Vega-Lite built in,
no browser). Cells are ordinal positions, row 0 at the top as Vega-Lite
draws an ordinal y axis; the colour domain is fixed at [vmin, vmax].
A Spec with several arrays is drawn as a facet: one column per array, in
order, sharing the axes' domains and the one colour legend.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, smooth_field

PROGRAM = "vegalite"
# the Vega-Lite version vl-convert compiles with
VEGALITE = "6.4"


def version() -> str:
    from importlib.metadata import version as installed

    import vl_convert

    return (
        f"vl-convert-python {installed('vl-convert-python')},"
        f" vega-lite {VEGALITE}, vega {vl_convert.get_vega_version()}"
    )


def _log_field(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A smooth field between 1 and 1000, smooth in log10."""
    return 10.0 ** smooth_field(shape, 0.0, 3.0, seed=seed)


def specs() -> list[Spec]:
    return [
        Spec(
            # no scheme: Vega-Lite's default for rect marks ("heatmap" range,
            # scheme "yellowgreenblue", a smoothed ColorBrewer YlGnBu)
            "rect",
            [smooth_field((20, 30), 0.0, 10.0, seed=11)],
            0.0,
            10.0,
            "",
            ("plasma", "greys"),
        ),
        Spec(
            # Vega's "redblue" is d3's RdBu (smoothed ColorBrewer), not
            # exactly the catalogue's RdBu
            "redblue_bottom",
            [smooth_field((15, 25), -1.0, 1.0, seed=12)],
            -1.0,
            1.0,
            "redblue",
            ("viridis", "greys"),
            orientation="horizontal",
            options={"legend": {"orient": "bottom"}},
        ),
        Spec(
            "viridis_large",
            [smooth_field((40, 60), 100.0, 400.0, seed=13)],
            100.0,
            400.0,
            "viridis",
            ("reds", "greys"),
            colormap_name="viridis",
            options={"width": 600, "height": 400, "scale": 2},
        ),
        Spec(
            "log_scale",
            [_log_field((18, 24), seed=14)],
            1.0,
            1000.0,
            "viridis",
            ("reds", "greys"),
            norm="log",
            colormap_name="viridis",
            options={"type": "log"},
        ),
        Spec(
            # one facet column per array, one shared legend; no scheme (the
            # default "yellowgreenblue" of rect marks)
            "facet_two",
            [
                smooth_field((12, 16), 0.0, 50.0, seed=15),
                smooth_field((12, 16), 0.0, 50.0, seed=16),
            ],
            0.0,
            50.0,
            "",
            ("plasma", "greys"),
            options={"facet": "column"},
        ),
    ]


def chart(spec: Spec, data: list[np.ndarray], scheme: str) -> dict:
    """The Vega-Lite specification of one figure."""
    ny, nx = data[0].shape
    records = [
        {"panel": k, "x": int(i), "y": int(j), "value": float(values[j, i])}
        for k, values in enumerate(data)
        for j in range(ny)
        for i in range(nx)
        if np.isfinite(values[j, i])
    ]
    scale: dict = {"domain": [spec.vmin, spec.vmax]}
    if "type" in spec.options:
        scale["type"] = spec.options["type"]
    if scheme:
        scale["scheme"] = scheme
    color: dict = {"field": "value", "type": "quantitative", "scale": scale}
    if "legend" in spec.options:
        color["legend"] = spec.options["legend"]
    # explicit domains: every row and column keeps its place
    x = {"field": "x", "type": "ordinal", "scale": {"domain": list(range(nx))}}
    y = {"field": "y", "type": "ordinal", "scale": {"domain": list(range(ny))}}
    encoding = {"x": x, "y": y, "color": color}
    if len(data) > 1:
        # one column per array, in order
        encoding["column"] = {
            "field": "panel",
            "type": "ordinal",
            "sort": list(range(len(data))),
        }
    out: dict = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": records},
        "mark": "rect",
        "encoding": encoding,
    }
    for key in ("width", "height"):
        if key in spec.options:
            out[key] = spec.options[key]
    return out


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    import vl_convert

    png = vl_convert.vegalite_to_png(
        chart(spec, data, colormap),
        vl_version=VEGALITE,
        scale=spec.options.get("scale", 1),
    )
    path.write_bytes(png)
