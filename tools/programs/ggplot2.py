"""R ggplot2 heat maps with the default theme (Debian: r-base-core r-cran-ggplot2).

Each drawing writes the data to a CSV file, generates an R script that reads
it and draws the figure with ``ggsave`` (the ``png`` device, cairo type), and
runs it with ``Rscript``. The colour limits are always ``spec.vmin`` to
``spec.vmax`` (``limits=``), so the legend never follows the data.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .truth import Spec, matrix, smooth_field

PROGRAM = "ggplot2"
TIMEOUT = 120  # seconds per Rscript run

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
}


def _rscript(script: str, workdir: Path) -> str:
    path = workdir / "figure.R"
    path.write_text(script)
    done = subprocess.run(
        ["Rscript", "--vanilla", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Rscript failed:\n{done.stderr}")
    return done.stdout


def version() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = _rscript(
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
    ]


def _script(spec: Spec, colormap: str, csv: Path, png: Path) -> str:
    limits = f"c({spec.vmin!r}, {spec.vmax!r})"
    scale = SCALES[colormap].format(limits=limits)
    geom = spec.options.get("geom", "raster")
    lines = [
        "suppressMessages(library(ggplot2))",
        f"d <- as.matrix(read.csv('{csv}', header = FALSE))",
        "nr <- nrow(d); nc <- ncol(d)",
    ]
    if geom == "raster":
        # row 1 of the matrix at the top: y grows upward
        lines += [
            "df <- data.frame(x = rep(seq_len(nc), each = nr),",
            "                 y = rep(nr:1, times = nc),",
            "                 value = as.vector(d))",
            "p <- ggplot(df, aes(x, y, fill = value)) + geom_raster()",
        ]
    else:
        # a named matrix as factors, the first row at the top
        colour = spec.options.get("tile_colour", "white")
        lines += [
            "rows <- paste0('V', seq_len(nr)); cols <- paste0('V', seq_len(nc))",
            "df <- data.frame(",
            "  Var2 = factor(rep(cols, each = nr), levels = cols),",
            "  Var1 = factor(rep(rows, times = nc), levels = rev(rows)),",
            "  value = as.vector(d))",
            "p <- ggplot(df, aes(Var2, Var1, fill = value)) +",
            f"  geom_tile(colour = '{colour}')",
        ]
    lines.append(f"p <- p + {scale}")
    position = spec.options.get("legend_position")
    if position:
        lines.append(f"p <- p + theme(legend.position = '{position}')")
    lines.append(
        f"ggsave('{png}', p, width = 6, height = 4.5, dpi = 100,"
        " device = 'png', type = 'cairo')"
    )
    return "\n".join(lines) + "\n"


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv = work / "data.csv"
        np.savetxt(csv, data[0], delimiter=",", fmt="%.10g")
        text = csv.read_text().replace("nan", "NA")
        csv.write_text(text)
        _rscript(_script(spec, colormap, csv, Path(path).resolve()), work)
