"""Cell grids and regions: detection rate and per-cell accuracy.

    python benchmarks/bench_cells.py

1. Grid detection on matplotlib matrices (imshow and pcolormesh; 3x3 to 60x60
   cells; no lines, white or black 1-px lines; numbers printed in every cell,
   at 20 px per cell so they are legible; PNG and JPEG quality 75). A case
   passes when the rows and columns are exactly right and every edge is within
   1 px of the truth. Irregular pcolormesh grids are counted separately.
2. Per-cell values against the data, in % of the value range, by cell size,
   for our estimate (middle of the densest half of a cell's matched pixels)
   and, as baselines in the same run, the plain mean of the cell's pixel
   values and the value of its centre pixel.
3. Per-cell values by format and cell size, the WORST cell of each matrix
   beside the median: our estimate given the figure's pixels (mean colour of
   the cell's main colour placed on the bar, luma first, for cells not of one
   exact colour), without them (mean position of the main colour's pixels),
   and as baselines the previous estimate (shorth of the positions), the
   mean, and the centre pixel. Also the share of cells whose error lies
   within their stated uncertainty.
4. The same on the other programs' rendered matrices (tests/data/programs,
   figures with ``cells``), as drawn (PNG) and after JPEG quality 75, with
   the quantisation read from each bar (levels, half a step in % of range).
5. Hexbin: hexagons found (a sample within 3 px of the hexagon's centre) and
   their values, by colour regions and by the fitted hexagon lattice.

6. The numbers printed in annotated matrices: ``--printed [--wild FOLDER]``
   runs ``bench_printed.py`` (read exactly, accepted wrongly, rejected).

Prints Markdown tables for docs/accuracy.md (``--hexbin``: only part 5;
``--values``: only parts 3 and 4; ``--printed``: only part 6).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from napari_heatmap_digitizer import Box, Colorbar, DigitizerError, digitize
from napari_heatmap_digitizer.core._cell_estimate import (
    cell_stats,
    estimate,
    positions,
    quantisation,
)
from napari_heatmap_digitizer.core._cells import Grid, cell_values, detect_grid
from napari_heatmap_digitizer.core._regions import find_hexagons, find_regions
from napari_heatmap_digitizer.testing import (
    program_figures,
    render_hexbin,
    render_matrix,
)

PROGRAMS = Path(__file__).resolve().parents[1] / "tests" / "data" / "programs"


def _result(m):
    bar = Colorbar.from_image(m.image, m.colorbar, vmin=m.vmin, vmax=m.vmax)
    return digitize(m.image, bar, m.panel)


def _found_exactly(m) -> int:
    """1 if the detected grid has the true shape and every edge within 1 px."""
    try:
        g = detect_grid(_result(m))
    except DigitizerError:
        return 0
    return int(
        g.shape == m.values.shape
        and np.abs(g.col_edges - m.col_edges).max() <= 1
        and np.abs(g.row_edges - m.row_edges).max() <= 1
    )


def detection_matrix(
    rows: int, cols: int, kind: str, grid: str | None, numbers: bool, jpeg: bool
):
    """A grid-detection case: 8-px cells, or 20 px with numbers; magma with
    black lines, else viridis; optionally after JPEG quality 75."""
    cell = 20 if numbers else 8
    m = render_matrix(
        rows,
        cols,
        kind=kind,
        grid=grid,
        numbers=numbers,
        size=(max(480, cell * cols), max(420, cell * rows)),
        cmap="magma" if grid == "black" else "viridis",
        seed=rows * 100 + cols,
    )
    return m.as_jpeg(75) if jpeg else m


def detection() -> None:
    sizes = [(3, 3), (5, 7), (12, 9), (20, 20), (25, 30), (40, 40), (60, 60)]
    tally: dict[str, list[int]] = {}
    for (rows, cols), kind, grid, numbers, jpeg in itertools.product(
        sizes,
        ["imshow", "pcolormesh"],
        [None, "white", "black"],
        [False, True],
        [False, True],
    ):
        m = detection_matrix(rows, cols, kind, grid, numbers, jpeg)
        key = f"{'JPEG q75' if jpeg else 'PNG'}, {'numbers' if numbers else 'plain'}"
        tally.setdefault(key, [0, 0])
        tally[key][0] += _found_exactly(m)
        tally[key][1] += 1
    for seed, grid, jpeg in itertools.product(range(6), [None, "white"], [False, True]):
        m = render_matrix(
            8 + seed, 6 + seed, kind="pcolormesh", irregular=True, grid=grid, seed=seed
        )
        if jpeg:
            m = m.as_jpeg(75)
        key = f"{'JPEG q75' if jpeg else 'PNG'}, irregular pcolormesh"
        tally.setdefault(key, [0, 0])
        tally[key][0] += _found_exactly(m)
        tally[key][1] += 1
    print("| figures | grids found exactly |")
    print("|---|---|")
    for key, (ok, n) in tally.items():
        print(f"| {key} | {ok}/{n} |")


def _baselines(r, grid):
    values = r.values.astype(float)
    mean = np.full(grid.shape, np.nan)
    centre = np.full(grid.shape, np.nan)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            y0, y1 = grid.row_edges[i : i + 2]
            x0, x1 = grid.col_edges[j : j + 2]
            block = values[int(np.ceil(y0)) : int(y1), int(np.ceil(x0)) : int(x1)]
            mean[i, j] = np.nanmean(block)
            centre[i, j] = values[int((y0 + y1) / 2), int((x0 + x1) / 2)]
    return mean, centre


def values_by_cell_size() -> None:
    print()
    print(
        "| cells | figure | ours median / max | mean of cell median / max "
        "| centre pixel median / max |"
    )
    print("|---|---|---|---|---|")
    for cell, numbers, jpeg in itertools.product(
        (8, 12, 20, 30, 48), (False, True), (False, True)
    ):
        if numbers and cell < 20:
            continue
        errs: dict[str, list[np.ndarray]] = {"ours": [], "mean": [], "centre": []}
        for kind, cmap in itertools.product(
            ("imshow", "pcolormesh"), ("viridis", "magma", "RdBu_r")
        ):
            m = render_matrix(
                10,
                10,
                kind=kind,
                cmap=cmap,
                numbers=numbers,
                size=(10 * cell, 10 * cell),
                seed=cell,
            )
            if jpeg:
                m = m.as_jpeg(75)
            r = _result(m)
            grid = Grid(m.col_edges, m.row_edges)
            ours = cell_values(r, grid).values
            mean, centre = _baselines(r, grid)
            for k, v in (("ours", ours), ("mean", mean), ("centre", centre)):
                errs[k].append(np.abs(v - m.values).ravel() * 100)
        text = []
        for k in ("ours", "mean", "centre"):
            e = np.concatenate(errs[k])
            e = np.where(np.isnan(e), 100.0, e)  # no value at all counts as 100 %
            text.append(f"{np.median(e):.2f} / {e.max():.2f}")
        fig = f"{'JPEG q75' if jpeg else 'PNG'}{', numbers' if numbers else ''}"
        print(f"| {cell} px | {fig} | " + " | ".join(text) + " |")


def _jpeg(image: np.ndarray, quality: int = 75) -> np.ndarray:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


METHODS = ("ours", "ours, no pixels", "shorth (before)", "mean", "centre")


def _all_estimates(image, bar, box, col_edges, row_edges):
    """Every method's cell values (value units) and our uncertainty."""
    r = digitize(image, bar, box)
    ours = estimate(r, col_edges, row_edges, image=image)
    bare = estimate(r, col_edges, row_edges)
    old = bar.scale.to_value(cell_stats(positions(r), col_edges, row_edges)[0])
    mean, centre = _baselines(r, Grid(col_edges, row_edges))
    values = dict(
        zip(METHODS, (ours.values, bare.values, old, mean, centre), strict=True)
    )
    return values, ours.uncertainty


def _errors_text(errs: dict[str, list[np.ndarray]]) -> list[str]:
    """``median / worst`` over all cells and the median of the worst per matrix."""
    text = []
    for k in METHODS:
        e = [np.where(np.isnan(x), 100.0, x) for x in errs[k]]
        worst = [x.max() for x in e]
        allc = np.concatenate(e)
        text.append(
            f"{np.median(allc):.2f} / {np.median(worst):.2f} / {max(worst):.2f}"
        )
    return text


def values_by_format() -> None:
    print()
    print(
        "Error in % of the range: median cell / median of the matrices' worst "
        "cells / worst cell of all. Covered: cells whose error is within the "
        "stated uncertainty."
    )
    print()
    print("| cells | figure | " + " | ".join(METHODS) + " | covered |")
    print("|---|---|" + "---|" * (len(METHODS) + 1))
    cases = [
        (cell, grid, jpeg)
        for cell in (8, 12, 16, 20, 30)
        for grid in (None, "black", "white")
        for jpeg in (False, True)
    ]
    for cell, grid, jpeg in cases:
        errs: dict[str, list[np.ndarray]] = {k: [] for k in METHODS}
        covered = []
        for cmap, seed in itertools.product(("viridis", "magma", "RdBu_r"), (0, 1)):
            n = max(6, min(30, 360 // cell))
            m = render_matrix(
                n, n, grid=grid, cmap=cmap, size=(n * cell, n * cell), seed=seed
            )
            if jpeg:
                m = m.as_jpeg(75)
            bar = Colorbar.from_image(m.image, m.colorbar, vmin=m.vmin, vmax=m.vmax)
            values, unc = _all_estimates(
                m.image, bar, m.panel, m.col_edges, m.row_edges
            )
            for k, v in values.items():
                errs[k].append(np.abs(v - m.values).ravel() * 100)
            covered.append((np.abs(values["ours"] - m.values) <= unc).ravel())
        fig = f"{'JPEG q75' if jpeg else 'PNG'}, {grid or 'no'} lines"
        print(
            f"| {cell} px | {fig} | "
            + " | ".join(_errors_text(errs))
            + f" | {100 * np.mean(np.concatenate(covered)):.0f} % |"
        )


def programs() -> None:
    print()
    print(
        "Other programs' matrices (true boxes and ranges given). Error in % of "
        "the range: median cell / worst cell; levels: distinct colours the bar "
        "shows (- not known) and half a level in % of the range."
    )
    print()
    print(
        "| figure | cells | levels, half step | format | "
        + " | ".join(METHODS)
        + " | covered |"
    )
    print("|---|---|---|---|" + "---|" * (len(METHODS) + 1))
    for fig in program_figures(PROGRAMS):
        if "cells" not in fig.expected:
            continue
        png = np.asarray(load_rgb(fig.path))
        for jpeg in (False, True):
            image = _jpeg(png) if jpeg else png
            errs: dict[str, list[np.ndarray]] = {k: [] for k in METHODS}
            covered, levels = [], ""
            for i, box in enumerate(fig.panels):
                if f"values_{i}" not in fig.arrays:
                    continue
                spec = fig.bar(i)
                try:
                    bar = Colorbar.from_image(
                        image,
                        Box(*spec["box"]),
                        vmin=float(spec["vmin"]),
                        vmax=float(spec["vmax"]),
                        norm=spec["norm"],
                        orientation=spec["orientation"],
                    )
                except DigitizerError:
                    continue
                q = quantisation(bar)
                levels = (
                    "-"
                    if q.levels is None
                    else f"{q.levels}, {50 * np.median(2 * q.half_step):.2f} %"
                )
                truth = fig.scaled(i, fig.arrays[f"values_{i}"])
                values, unc = _all_estimates(
                    image,
                    bar,
                    box,
                    fig.arrays[f"x_edges_{i}"],
                    fig.arrays[f"y_edges_{i}"],
                )
                known = np.isfinite(truth)
                for k, v in values.items():
                    e = np.abs(fig.scaled(i, v) - truth)[known] * 100
                    errs[k].append(e)
                ours = values["ours"]
                hi = fig.scaled(i, ours + unc) - fig.scaled(i, ours)
                covered.append(
                    (np.abs(fig.scaled(i, ours) - truth) <= np.abs(hi) + 1e-12)[known]
                )
            if not covered:
                continue
            text = []
            for k in METHODS:
                e = np.concatenate(errs[k])
                e = np.where(np.isnan(e), 100.0, e)
                text.append(f"{np.median(e):.2f} / {e.max():.2f}")
            cells = "+".join(f"{c}x{r}" for c, r in fig.expected["cells"])
            print(
                f"| {fig.name} | {cells} | {levels} | "
                f"{'JPEG q75' if jpeg else 'PNG'} | "
                + " | ".join(text)
                + f" | {100 * np.mean(np.concatenate(covered)):.0f} % |"
            )


def load_rgb(path: Path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


def hexbin() -> None:
    print()
    print(
        "| hexbin | hexagons | regions: found, error median / max (%) "
        "| hexagon lattice: found, extra, error median / max (%) |"
    )
    print("|---|---|---|---|")
    for jpeg, gridsize in itertools.product((False, True), (8, 10, 20, 30)):
        h = render_hexbin(gridsize=gridsize, seed=gridsize)
        if jpeg:
            h = h.as_jpeg(75)
        r = _result(h)
        cols = []
        for finder in (find_regions, find_hexagons):
            try:
                reg = finder(r)
            except DigitizerError:
                cols.append("no lattice found")
                continue
            c = np.column_stack([reg.px - h.panel.left, reg.py - h.panel.top])
            d = np.sqrt(((h.centres[:, None] - c[None]) ** 2).sum(-1))
            found = d.min(1) < 3
            extra = int((d.min(0) >= 3).sum())
            e = np.abs(reg.value[d.argmin(1)] - h.values)[found]
            e = e / (h.vmax - h.vmin) * 100
            text = f"{100 * found.mean():.0f} %"
            if finder is find_hexagons:
                text += f", {extra}"
            cols.append(f"{text}, {np.median(e):.2f} / {e.max():.2f}")
        print(
            f"| {'JPEG q75' if jpeg else 'PNG'}, gridsize {gridsize} | "
            f"{len(h.values)} | " + " | ".join(cols) + " |"
        )


if __name__ == "__main__":
    import sys

    if "--printed" in sys.argv:
        import bench_printed

        sys.argv.remove("--printed")
        bench_printed.main()
    elif "--values" in sys.argv:
        values_by_format()
        programs()
    elif "--hexbin" in sys.argv:
        hexbin()
    else:
        detection()
        values_by_cell_size()
        values_by_format()
        programs()
        hexbin()
