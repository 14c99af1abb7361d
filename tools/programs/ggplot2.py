"""R ggplot2 heat maps (Debian: r-base-core r-cran-ggplot2).

Each drawing writes the data to CSV files (one per panel), generates an R
script that reads them and draws the figure with ``ggsave`` (the ``png``
device, cairo type), and runs it with ``Rscript``. The colour limits are
always ``spec.vmin`` to ``spec.vmax`` (``limits=``), so the legend never
follows the data.

- Several panels are facets (``facet_wrap``) of one plot sharing one legend,
  in the order of ``spec.data``.
- ``options["trans"]`` is given to the fill scale (``trans = 'log10'`` for a
  log colour scale).
- The default theme unless ``options["theme"]`` is ``"bw"`` (``theme_bw()``);
  ``title``, ``x_title`` and ``y_title`` go to ``labs()``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from .rscript import rscript
from .truth import Spec, matrix, smooth_field

PROGRAM = "ggplot2"

# The fill scales by name; ``{limits}`` becomes ``c(vmin, vmax)``.
SCALES = {
    "viridis": "scale_fill_viridis_c(limits = {limits})",
    "magma": "scale_fill_viridis_c(option = 'A', limits = {limits})",
    "blue-white-red": (
        "scale_fill_gradient2(low = 'blue', mid = 'white', high = 'red',"
        " midpoint = 0, limits = {limits})"
    ),
    # scale_fill_gradient's own default colours (#132B43 to #56B1F7)
    "default": "scale_fill_gradient(limits = {limits})",
    "red-yellow": (
        "scale_fill_gradient(low = 'red', high = 'yellow', limits = {limits})"
    ),
    "green-black": (
        "scale_fill_gradient(low = 'green', high = 'black', limits = {limits})"
    ),
    # scale_fill_distiller's default direction: RdBu reversed, blue low
    "RdBu": "scale_fill_distiller(palette = 'RdBu', limits = {limits})",
}


def version() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = rscript(
            "suppressMessages(library(ggplot2))\n"
            "cat(sprintf('R %s.%s, ggplot2 %s', R.version$major,"
            " R.version$minor, packageVersion('ggplot2')))\n",
            Path(tmp),
        )
    return out.strip()


def specs() -> list[Spec]:
    return [
        Spec(
            "raster",
            [smooth_field((40, 60), -2.0, 3.0, seed=11)],
            -2.0,
            3.0,
            "viridis",
            ("magma", "red-yellow"),
            colormap_name="viridis",
            options={"geom": "raster"},
        ),
        Spec(
            "tile_separators",
            [matrix((6, 6), -1.0, 1.0, seed=12)],
            -1.0,
            1.0,
            "blue-white-red",
            ("viridis", "green-black"),
            colormap_name=None,
            options={"geom": "tile", "tile_colour": "white"},
        ),
        Spec(
            "legend_bottom",
            [smooth_field((30, 50), 0.0, 10.0, seed=13)],
            0.0,
            10.0,
            "default",
            ("red-yellow", "magma"),
            orientation="horizontal",
            colormap_name=None,
            options={"geom": "raster", "legend_position": "bottom"},
        ),
        Spec(
            "facets_shared",
            [smooth_field((30, 40), 0.0, 30.0, seed=s) for s in (14, 15, 16, 17)],
            0.0,
            30.0,
            "viridis",
            ("magma", "red-yellow"),
            colormap_name="viridis",
            options={
                "geom": "raster",
                "facets": ["January", "April", "July", "October"],
                "ncol": 2,
                "size": [7.0, 5.5],
            },
        ),
        Spec(
            "log_trans",
            [10 ** smooth_field((40, 60), 0.0, 3.0, seed=18)],
            1.0,
            1000.0,
            "viridis",
            ("magma", "red-yellow"),
            norm="log",
            colormap_name="viridis",
            options={"geom": "raster", "trans": "log10"},
        ),
        Spec(
            "theme_bw_title",
            [smooth_field((36, 50), -1.0, 1.0, seed=19)],
            -1.0,
            1.0,
            "RdBu",
            ("viridis", "green-black"),
            colormap_name=None,
            options={
                "geom": "raster",
                "theme": "bw",
                "title": "Temperature anomaly, 2020",
                "x_title": "Longitude (°E)",
                "y_title": "Latitude (°N)",
                "x_values": [-60.0, -10.0],
                "y_values": [20.0, 55.0],
            },
        ),
    ]


def _facets(opts: dict, work: Path) -> list[str]:
    """R lines making ``p``: one matrix per facet, wrapped in the given order."""
    levels = ", ".join(f"'{f}'" for f in opts["facets"])
    return [
        "suppressMessages(library(ggplot2))",
        f"facets <- c({levels})",
        "parts <- lapply(seq_along(facets), function(i) {",
        f"  d <- as.matrix(read.csv(file.path('{work}',"
        " sprintf('data%d.csv', i - 1)), header = FALSE))",
        "  nr <- nrow(d); nc <- ncol(d)",
        "  data.frame(x = rep(seq_len(nc), each = nr),",
        "             y = rep(nr:1, times = nc),",
        "             value = as.vector(d), facet = facets[i])",
        "})",
        "df <- do.call(rbind, parts)",
        "df$facet <- factor(df$facet, levels = facets)",
        "p <- ggplot(df, aes(x, y, fill = value)) + geom_raster()",
        f"p <- p + facet_wrap(~facet, ncol = {int(opts.get('ncol', 2))})",
    ]


def _single(opts: dict, work: Path) -> list[str]:
    """R lines making ``p`` from one matrix."""
    lines = [
        "suppressMessages(library(ggplot2))",
        f"d <- as.matrix(read.csv('{work / 'data0.csv'}', header = FALSE))",
        "nr <- nrow(d); nc <- ncol(d)",
    ]
    geom = opts.get("geom", "raster")
    if geom == "raster" and "x_values" in opts:
        # evenly spaced coordinates, the first row at the top
        (x0, x1), (y0, y1) = opts["x_values"], opts["y_values"]
        lines += [
            f"xs <- seq({x0!r}, {x1!r}, length.out = nc)",
            f"ys <- seq({y0!r}, {y1!r}, length.out = nr)",
            "df <- data.frame(x = rep(xs, each = nr),",
            "                 y = rep(rev(ys), times = nc),",
            "                 value = as.vector(d))",
            "p <- ggplot(df, aes(x, y, fill = value)) + geom_raster()",
        ]
    elif geom == "raster":
        # row 1 of the matrix at the top: y grows upward
        lines += [
            "df <- data.frame(x = rep(seq_len(nc), each = nr),",
            "                 y = rep(nr:1, times = nc),",
            "                 value = as.vector(d))",
            "p <- ggplot(df, aes(x, y, fill = value)) + geom_raster()",
        ]
    else:
        # a named matrix as factors, the first row at the top
        colour = opts.get("tile_colour", "white")
        lines += [
            "rows <- paste0('V', seq_len(nr)); cols <- paste0('V', seq_len(nc))",
            "df <- data.frame(",
            "  Var2 = factor(rep(cols, each = nr), levels = cols),",
            "  Var1 = factor(rep(rows, times = nc), levels = rev(rows)),",
            "  value = as.vector(d))",
            "p <- ggplot(df, aes(Var2, Var1, fill = value)) +",
            f"  geom_tile(colour = '{colour}')",
        ]
    return lines


def _script(spec: Spec, colormap: str, work: Path, png: Path) -> str:
    opts = spec.options
    limits = f"c({spec.vmin!r}, {spec.vmax!r})"
    scale = SCALES[colormap].format(limits=limits)
    if "trans" in opts:
        scale = scale[:-1] + f", trans = '{opts['trans']}')"
    lines = _facets(opts, work) if "facets" in opts else _single(opts, work)
    lines.append(f"p <- p + {scale}")
    if opts.get("theme") == "bw":
        lines.append("p <- p + theme_bw()")
    labels = {"title": "title", "x_title": "x", "y_title": "y"}
    given = [f"{arg} = '{opts[key]}'" for key, arg in labels.items() if key in opts]
    if given:
        lines.append(f"p <- p + labs({', '.join(given)})")
    position = opts.get("legend_position")
    if position:
        lines.append(f"p <- p + theme(legend.position = '{position}')")
    width, height = opts.get("size", (6, 4.5))
    lines.append(
        f"ggsave('{png}', p, width = {width}, height = {height}, dpi = 100,"
        " device = 'png', type = 'cairo')"
    )
    return "\n".join(lines) + "\n"


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for i, values in enumerate(data):
            csv = work / f"data{i}.csv"
            np.savetxt(csv, values, delimiter=",", fmt="%.10g")
            csv.write_text(csv.read_text().replace("nan", "NA"))
        rscript(_script(spec, colormap, work, Path(path).resolve()), work)
