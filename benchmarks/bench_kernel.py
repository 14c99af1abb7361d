"""Speed of the nearest-colour kernel against two baselines, in one run.

    python benchmarks/bench_kernel.py [--size 4000] [--repeat 5]

Digitizes a SIZE x SIZE JPEG (quality 75) heat map through a 256-colour
viridis colour bar and times, best of REPEAT after a warm-up call:

- ours (cold): a fresh per-colour memo, as for a new figure and colour bar:
  find the distinct colours, solve each once in CIELAB, gather per pixel;
- ours (warm): the memo already holds the figure's colours (re-digitizing,
  dask chunks, batches with one colour bar);
- KD-tree: ``scipy.spatial.cKDTree.query`` on RGB with all workers, the usual
  nearest-colour approach;
- floor: a plain Numba gather pass through a precomputed 2**24-entry table,
  the memory-bound lower limit for any per-pixel lookup.

Prints Mpx/s and the ratios quoted in docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import time

import numba
import numpy as np
from PIL import Image

from napari_heatmap_digitizer import Colorbar
from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._lookup import ColorLookup
from napari_heatmap_digitizer.testing import smooth_field


@numba.njit(parallel=True, nogil=True, cache=True)
def gather_floor(rgb, lut, max_distance, out_value, out_distance):
    """The baseline: one gather per pixel through a precomputed table."""
    for i in numba.prange(rgb.shape[0]):
        for j in range(rgb.shape[1]):
            code = (
                (np.int64(rgb[i, j, 0]) << 16)
                | (np.int64(rgb[i, j, 1]) << 8)
                | rgb[i, j, 2]
            )
            d = lut[code, 1]
            out_distance[i, j] = d
            out_value[i, j] = lut[code, 0] if d <= max_distance else np.nan


def make_jpeg_heatmap(size: int, quality: int = 75, noise: float = 0.0) -> np.ndarray:
    import cmap

    field = smooth_field((size, size), seed=3)
    lut = (np.asarray(cmap.Colormap("viridis").lut(256))[:, :3] * 255).round()
    rgb = lut.astype(np.uint8)[np.minimum((field * 256).astype(int), 255)]
    if noise:  # like a scanned print: many more distinct colours
        rng = np.random.default_rng(0)
        rgb = np.clip(rgb + rng.normal(0, noise, rgb.shape), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def best_of(fn, repeat: int) -> float:
    fn()  # warm-up (compilation, page faults)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--noise",
        type=float,
        default=0.0,
        help="Gaussian noise (8-bit levels) added before JPEG encoding",
    )
    args = parser.parse_args()

    image = make_jpeg_heatmap(args.size, noise=args.noise)
    bar = Colorbar.from_name("viridis", 0.0, 1.0)
    n_px = image.shape[0] * image.shape[1]
    out_v = np.empty(image.shape[:2], np.float32)
    out_d = np.empty(image.shape[:2], np.float32)
    codes = (
        (image[..., 0].astype(np.int64) << 16)
        | (image[..., 1].astype(np.int64) << 8)
        | image[..., 2]
    )
    n_colors = int(np.unique(codes).size)

    def ours_cold() -> None:
        ColorLookup(bar).digitize(image, None, 12.0, out_v, out_d)

    warm = ColorLookup(bar)

    def ours_warm() -> None:
        warm.digitize(image, None, 12.0, out_v, out_d)

    # The floor's table: value and distance of every colour in the image,
    # computed beforehand (not timed).
    ours_warm()
    full_lut = np.zeros((kernel.N_CODES, 2), np.float32)
    present = np.unique(codes)
    full_lut[present, 0] = out_v.ravel()[np.unique(codes, return_index=True)[1]]
    full_lut[present, 1] = out_d.ravel()[np.unique(codes, return_index=True)[1]]

    def floor() -> None:
        gather_floor(image, full_lut, 12.0, out_v, out_d)

    from scipy.spatial import cKDTree

    tree = cKDTree(bar.rgb.astype(np.float64))
    flat = image.reshape(-1, 3)
    values = bar.values

    def kdtree() -> None:
        _, idx = tree.query(flat, workers=-1)
        values[idx].astype(np.float32).reshape(image.shape[:2])

    t_cold = best_of(ours_cold, args.repeat)
    t_warm = best_of(ours_warm, args.repeat)
    t_floor = best_of(floor, args.repeat)
    t_kd = best_of(kdtree, max(1, args.repeat // 2))

    print(
        f"machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, numba threads {kernel.numba.get_num_threads()}"
    )
    print(
        f"image: {args.size}x{args.size} JPEG q75 heat map, {n_px / 1e6:.1f} Mpx, "
        f"{n_colors} distinct colours; colour bar: 256 entries"
    )
    print(f"{'method':<14}{'seconds':>10}{'Mpx/s':>10}")
    for name, t in [
        ("ours, cold", t_cold),
        ("ours, warm", t_warm),
        ("floor (LUT)", t_floor),
        ("KD-tree", t_kd),
    ]:
        print(f"{name:<14}{t:>10.4f}{n_px / t / 1e6:>10.1f}")
    print(f"KD-tree / ours (cold): {t_kd / t_cold:.1f}x faster (target >= 50x)")
    print(f"ours (cold) / floor:   {t_cold / t_floor:.2f}x the floor (target <= 2x)")
    print(f"ours (warm) / floor:   {t_warm / t_floor:.2f}x the floor")


if __name__ == "__main__":
    main()
