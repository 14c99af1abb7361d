"""R pheatmap heat maps (Debian: r-base-core r-cran-pheatmap).

Each drawing writes the data to a CSV file, generates an R script that reads
it and draws the figure with ``pheatmap`` on the ``png`` device (cairo type),
and runs it with ``Rscript``. The colours always span ``spec.vmin`` to
``spec.vmax`` (``breaks=``), so neither the cells nor the legend follow the
data.

- Numbers in the cells (``display_numbers``) always show ``spec.data``, in
  every drawing: the text then never changes between the drawings, so its
  pixels are left out of the data area, as they are no data in the figure.
- A clustered figure gets its trees (``hclust``) from ``spec.data`` in every
  drawing, so the trees and the order of rows and columns never follow the
  changed data. ``spec.data`` is kept in the order the figure shows; the
  matrix given to pheatmap is in the unordered rows and columns the trees
  were made from.
- A column annotation (``options["annotation_col"]``: name to one category
  per column) is the same in every drawing, so its colours (pheatmap's
  defaults, chosen with a fixed seed) never change; only the data do.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from .rscript import rscript
from .truth import Spec, matrix, printed

PROGRAM = "pheatmap"

# Colour palettes by name; ``{n}`` is the number of colours.
PALETTES = {
    # pheatmap's default colours
    "RdYlBu": (
        "colorRampPalette(rev(RColorBrewer::brewer.pal(n = 7, name = 'RdYlBu')))({n})"
    ),
    "navy-white-firebrick3": "colorRampPalette(c('navy', 'white', 'firebrick3'))({n})",
    "viridis": "viridisLite::viridis({n})",
    "black-green": "colorRampPalette(c('black', 'green'))({n})",
    "magenta-white": "colorRampPalette(c('magenta', 'white'))({n})",
}


def _write_csv(path: Path, values: np.ndarray) -> None:
    np.savetxt(path, values, delimiter=",", fmt="%.10g")
    path.write_text(path.read_text().replace("nan", "NA"))


def version() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = rscript(
            "cat(sprintf('R %s.%s, pheatmap %s', R.version$major,"
            " R.version$minor, packageVersion('pheatmap')))\n",
            Path(tmp),
        )
    return out.strip()


def _expression(shape: tuple[int, int], vmin: float, vmax: float, seed: int):
    """Groups of rows high or low in groups of columns, with noise."""
    rng = np.random.default_rng(seed)
    ny, nx = shape
    rows = rng.integers(0, 4, ny)
    cols = rng.integers(0, 3, nx)
    span = vmax - vmin
    effect = rng.uniform(-0.3, 0.3, (4, 3)) * span
    values = effect[rows][:, cols] + rng.normal(0, 0.08 * span, shape)
    values += (vmin + vmax) / 2
    return np.round(np.clip(values, vmin + 0.03 * span, vmax - 0.03 * span), 2)


def _cluster_orders(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's hclust orders (0-based) of the rows and of the columns."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv = work / "raw.csv"
        _write_csv(csv, values)
        out = rscript(
            f"m <- as.matrix(read.csv('{csv}', header = FALSE))\n"
            "cat(hclust(dist(m))$order, '\\n')\n"
            "cat(hclust(dist(t(m)))$order, '\\n')\n",
            work,
        )
    rows, cols = out.strip().splitlines()
    return (
        np.array(rows.split(), dtype=int) - 1,
        np.array(cols.split(), dtype=int) - 1,
    )


def _values(shape: tuple[int, int], vmin: float, vmax: float, seed: int):
    """Cells with independent values to 4 decimals, shown to 2 in the cells.

    Values to 2 decimals would sit on the breaks of 100 colours over [0, 1],
    each at the edge of its colour's bin.
    """
    rng = np.random.default_rng(seed)
    span = vmax - vmin
    return np.round(vmin + span * rng.uniform(0.02, 0.98, shape), 4)


# The clustered figures' matrices by name: shape and seed.
CLUSTERED = {"no_border": ((40, 30), 22), "large_hires": ((60, 40), 24)}


def _clustered_raw(name: str) -> np.ndarray:
    """The matrix of a clustered figure, rows and columns unordered."""
    shape, seed = CLUSTERED[name]
    return _expression(shape, -3.0, 3.0, seed=seed)


def _clustered(name: str) -> np.ndarray:
    """The matrix of a clustered figure in the order the figure shows."""
    raw = _clustered_raw(name)
    row_order, col_order = _cluster_orders(raw)
    return raw[row_order][:, col_order]


NUMBERS = _values((8, 8), 0.0, 1.0, seed=23)


def specs() -> list[Spec]:
    return [
        Spec(
            "default",
            [matrix((20, 15), -3.0, 3.0, seed=21)],
            -3.0,
            3.0,
            "RdYlBu",
            ("viridis", "black-green"),
            colormap_name=None,
            options={"n_colors": 100},
        ),
        Spec(
            "no_border",
            [_clustered("no_border")],
            -3.0,
            3.0,
            "navy-white-firebrick3",
            ("viridis", "magenta-white"),
            colormap_name=None,
            options={
                "n_colors": 50,
                "border_color": "NA",
                "legend_breaks": [-3, -2, -1, 0, 1, 2, 3],
                "clustered": True,
            },
        ),
        Spec(
            "numbers",
            [NUMBERS],
            0.0,
            1.0,
            "RdYlBu",
            ("viridis", "black-green"),
            colormap_name=None,
            options={"n_colors": 100, "display_numbers": True},
            # R's sprintf("%.2f") rounds as Python's format does
            printed=printed([NUMBERS], lambda v: f"{v:.2f}"),
        ),
        Spec(
            "large_hires",
            [_clustered("large_hires")],
            -3.0,
            3.0,
            "RdYlBu",
            ("viridis", "black-green"),
            colormap_name=None,
            options={
                "n_colors": 100,
                "border_color": "NA",
                "clustered": True,
                "size": [9.33, 10.0],
                "res": 150,
            },
        ),
        Spec(
            "annotation_col",
            [_values((12, 10), -2.0, 2.0, seed=25)],
            -2.0,
            2.0,
            "RdYlBu",
            ("viridis", "black-green"),
            colormap_name=None,
            options={
                "n_colors": 100,
                "annotation_col": {"Condition": ["Control"] * 5 + ["Treated"] * 5},
            },
        ),
    ]


def _script(spec: Spec, colormap: str, work: Path, png: Path) -> str:
    opts = spec.options
    n = int(opts.get("n_colors", 100))
    palette = PALETTES[colormap].format(n=n)
    lines = [
        "suppressMessages(library(pheatmap))",
        f"d <- as.matrix(read.csv('{work / 'data.csv'}', header = FALSE))",
        "nr <- nrow(d); nc <- ncol(d)",
        "genes <- paste0('Gene', seq_len(nr))",
        "samples <- paste0('Sample', seq_len(nc))",
    ]
    args = [
        f"color = {palette}",
        f"breaks = seq({spec.vmin!r}, {spec.vmax!r}, length.out = {n + 1})",
    ]
    if opts.get("clustered"):
        # trees from the unordered matrix of spec.data; the drawn data put
        # back in that matrix's order, which the trees undo
        lines += [
            f"raw <- as.matrix(read.csv('{work / 'raw.csv'}', header = FALSE))",
            "hr <- hclust(dist(raw)); hc <- hclust(dist(t(raw)))",
            "m <- matrix(NA_real_, nr, nc); m[hr$order, hc$order] <- d",
            "dimnames(m) <- list(genes, samples)",
        ]
        args += ["cluster_rows = hr", "cluster_cols = hc"]
    else:
        lines += ["m <- d", "dimnames(m) <- list(genes, samples)"]
        args += ["cluster_rows = FALSE", "cluster_cols = FALSE"]
    if "border_color" in opts:
        args.append(f"border_color = {opts['border_color']}")
    if "legend_breaks" in opts:
        breaks = ", ".join(repr(b) for b in opts["legend_breaks"])
        args.append(f"legend_breaks = c({breaks})")
    if opts.get("display_numbers") and spec.printed is not None:
        # the numbers of spec.data, the same text in every drawing
        lines += [
            f"s <- as.matrix(read.csv('{work / 'shown.csv'}', header = FALSE))",
            "numbers <- matrix(sprintf('%.2f', s), nr, nc)",
        ]
        args.append("display_numbers = numbers")
    if "annotation_col" in opts:
        # categorical columns, one row of colours each; the same in every
        # drawing, so pheatmap's colours for them never change
        columns = ", ".join(
            f"{key} = c({', '.join(repr(v) for v in values)})"
            for key, values in opts["annotation_col"].items()
        )
        lines.append(f"annotation <- data.frame({columns}, row.names = samples)")
        args.append("annotation_col = annotation")
    width, height = opts.get("size", (7, 5))
    res = opts.get("res", 100)
    lines += [
        f"png('{png}', width = {width}, height = {height}, units = 'in',"
        f" res = {res}, type = 'cairo')",
        "pheatmap(m, " + ", ".join(args) + ")",
        "invisible(dev.off())",
    ]
    return "\n".join(lines) + "\n"


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _write_csv(work / "data.csv", data[0])
        _write_csv(work / "shown.csv", spec.data[0])
        if spec.options.get("clustered"):
            _write_csv(work / "raw.csv", _clustered_raw(spec.name))
        rscript(_script(spec, colormap, work, Path(path).resolve()), work)
