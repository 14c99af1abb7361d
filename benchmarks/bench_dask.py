"""A figure larger than memory, end to end, against the in-memory path.

    python benchmarks/bench_dask.py [--size 20000] [--base 4000] [--format zarr]

Writes a synthetic SIZE x SIZE RGB heat map (viridis, 1024 colour steps, a
colour bar at the right) as a tiled, zlib-compressed TIFF, one tile at a time,
then runs ``heatmap-digitizer digitize --stream`` on it in a fresh process and
reports that process's peak memory (max RSS) and its throughput. The baseline,
in the same run: the same kind of figure at BASE x BASE, digitized in memory
(``--no-stream``) in a fresh process. Both include reading, decoding, the
kernel and writing the output. The values are checked against the known field
on sample rows.

Prints the figures quoted in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import tifffile

TILE = 512
MARGIN = 0.04  # of the size: white border around the panel and bar


def layout(size: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Panel and colour-bar boxes (L, T, R, B) of a SIZE x SIZE figure."""
    m = int(size * MARGIN)
    panel = (m, m, size - 4 * m, size - m)
    bar = (size - 3 * m, m, size - 2 * m, size - m)
    return panel, bar


def field(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The known smooth field in 0-1 at panel pixel rows x cols."""
    y = rows[:, None] / shape[0]
    x = cols[None, :] / shape[1]
    f = 0.5 + 0.3 * np.sin(2 * np.pi * (1.5 * x + 0.2 * y)) * np.cos(2 * np.pi * y)
    return np.clip(f + 0.15 * np.sin(9 * x * y), 0, 1)


def lut() -> np.ndarray:
    from cmap import Colormap

    colors = Colormap("viridis").lut(1024)[:, :3]
    return np.rint(colors * 255).astype(np.uint8)


def write_figure(path: Path, size: int) -> None:
    """Write the figure tile by tile (never whole in memory)."""
    (pl, pt, pr, pb), (bl, bt, br, bb) = layout(size)
    table = lut()

    def tiles():
        for r0 in range(0, size, TILE):
            rows = np.arange(r0, min(size, r0 + TILE))
            for c0 in range(0, size, TILE):
                cols = np.arange(c0, min(size, c0 + TILE))
                tile = np.full((len(rows), len(cols), 3), 255, np.uint8)
                pr_ = (rows >= pt) & (rows < pb)
                pc_ = (cols >= pl) & (cols < pr)
                if pr_.any() and pc_.any():
                    f = field(rows[pr_] - pt, cols[pc_] - pl, (pb - pt, pr - pl))
                    idx = np.rint(f * 1023).astype(int)
                    tile[np.ix_(pr_, pc_)] = table[idx]
                br_ = (rows >= bt) & (rows < bb)
                bc_ = (cols >= bl) & (cols < br)
                if br_.any() and bc_.any():
                    pos = (bb - 1 - rows[br_] + 0.5) / (
                        bb - bt
                    )  # low end at the bottom
                    idx = np.clip(np.rint(pos * 1023).astype(int), 0, 1023)
                    tile[np.ix_(br_, bc_)] = table[idx][:, None, :]
                yield tile

    tifffile.imwrite(
        path,
        tiles(),
        shape=(size, size, 3),
        dtype=np.uint8,
        tile=(TILE, TILE),
        photometric="rgb",
        compression="zlib",
        compressionargs={"level": 1},
    )


def child(argv: list[str]) -> None:
    """Run the command in this process; print its time and peak memory."""
    from napari_heatmap_digitizer.cli import main

    start = time.perf_counter()
    status = main(argv)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"status": status, "seconds": elapsed, "peak": peak}))


def run(figure: Path, size: int, out: Path, stream: bool) -> dict[str, float]:
    panel, bar = layout(size)
    argv = [
        "digitize",
        str(figure),
        "--plot",
        ",".join(map(str, panel)),
        "--colorbar",
        ",".join(map(str, bar)),
        "--vmin",
        "0",
        "--vmax",
        "1",
        "--stream" if stream else "--no-stream",
        "-o",
        str(out),
        "--overwrite",
        "-q",
    ]
    done = subprocess.run(
        [sys.executable, __file__, "--child", *argv],
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["status"] != 0:
        raise SystemExit(f"digitize failed: {done.stderr}")
    return report


def check(values: np.ndarray, rows: np.ndarray, size: int) -> float:
    """Median |error| (% of range) of sampled rows against the field."""
    panel, _ = layout(size)
    shape = (panel[3] - panel[1], panel[2] - panel[0])
    truth = field(rows, np.arange(shape[1]), shape)
    return float(100 * np.nanmedian(np.abs(values - truth)))


def read_rows(out: Path, rows: np.ndarray) -> np.ndarray:
    if out.suffix == ".zarr":
        import zarr

        return zarr.open_group(str(out), mode="r")["values"].oindex[rows, :]
    if out.suffix == ".npy":
        return np.load(out, mmap_mode="r")[rows]
    with tifffile.TiffFile(out) as tf:
        import zarr

        return zarr.open(tf.aszarr(), mode="r").oindex[rows, :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--base", type=int, default=4000)
    parser.add_argument("--format", choices=("zarr", "tif", "npy"), default="zarr")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep files")
    args, rest = parser.parse_known_args()
    if rest and rest[0] == "--child":
        child(rest[1:])
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-dask-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    warm = work / "figure_1000.tif"
    write_figure(warm, 1000)
    run(warm, 1000, work / "warm.npy", False)  # compiles or loads the Numba cache
    results = {}
    for name, size, stream in (
        ("in memory", args.base, False),
        ("streamed", args.size, True),
    ):
        figure = work / f"figure_{size}.tif"
        if not figure.exists():
            t = time.perf_counter()
            write_figure(figure, size)
            print(f"wrote {figure.name} in {time.perf_counter() - t:.1f} s")
        out = work / f"values_{size}.{args.format if stream else 'npy'}"
        report = run(figure, size, out, stream)
        panel, _ = layout(size)
        mpx = (panel[2] - panel[0]) * (panel[3] - panel[1]) / 1e6
        rows = np.linspace(0, panel[3] - panel[1] - 1, 64).astype(int)
        err = check(read_rows(out, rows), rows, size)
        results[name] = (mpx / report["seconds"], report)
        print(
            f"{name:>9}: {size}x{size} ({size * size * 3 / 1e9:.2f} GB of pixels), "
            f"panel {mpx:.0f} Mpx in {report['seconds']:.1f} s = "
            f"{mpx / report['seconds']:.0f} Mpx/s, peak memory "
            f"{report['peak'] / 2**30:.2f} GiB, median |error| {err:.3f} % of range"
        )
    ratio = results["streamed"][0] / results["in memory"][0]
    print(f"streamed throughput = {ratio:.2f} x the in-memory path")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
