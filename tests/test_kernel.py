"""The nearest-colour kernel against plain NumPy references."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from skimage.color import rgb2lab

from napari_heatmap_digitizer.core import (
    Colorbar,
    DigitizerError,
    ValueScale,
    digitize,
)
from napari_heatmap_digitizer.core import _kernel as kernel
from napari_heatmap_digitizer.core._colorbar import _continuous, _stepped
from napari_heatmap_digitizer.core._lookup import ColorLookup


def test_lab_matches_scikit_image(rng):
    rgb = rng.integers(0, 256, (5000, 3), dtype=np.uint8)
    ours = kernel.rgb8_to_lab(rgb, kernel.SRGB_LINEAR)
    ref = rgb2lab(rgb[None].astype(np.float64) / 255.0)[0]
    np.testing.assert_allclose(ours, ref, atol=0.01)


def _brute_force(lab, table, positions, discrete):
    """Nearest point on a polyline (or point set) by exhaustive NumPy search."""
    if discrete:
        d2 = ((lab[:, None, :] - table[None]) ** 2).sum(-1)
        k = d2.argmin(1)
        return positions[k], np.sqrt(d2[np.arange(len(lab)), k])
    p0, p1 = table[:-1], table[1:]
    seg = p1 - p0
    len2 = (seg**2).sum(-1)
    t = ((lab[:, None, :] - p0[None]) * seg[None]).sum(-1) / np.where(len2 > 0, len2, 1)
    t = np.clip(np.where(len2 > 0, t, 0), 0, 1)
    proj = p0[None] + t[..., None] * seg[None]
    d2 = ((lab[:, None, :] - proj) ** 2).sum(-1)
    k = d2.argmin(1)
    rows = np.arange(len(lab))
    pos = positions[k] + t[rows, k] * (positions[k + 1] - positions[k])
    return pos, np.sqrt(d2[rows, k])


def _random_bar(rng, n, discrete):
    # A wandering path through colour space, like a real colour map.
    rgb = np.clip(np.cumsum(rng.normal(0, 6, (n, 3)), 0) + 128, 0, 255).astype(np.uint8)
    rgb[0] = [0, 0, 0]
    lab = kernel.rgb8_to_lab(rgb, kernel.SRGB_LINEAR)
    scale = ValueScale.from_range(0, 1)
    if discrete:
        return _stepped(rgb, lab, np.linspace(0, 1, n + 1), scale, "centre", {})
    return _continuous(rgb, lab, np.linspace(0, 1, n), scale, "centre", {})


@pytest.mark.parametrize("discrete", [False, True])
@pytest.mark.parametrize("n", [2, 7, 13, 256, 700])
def test_pruned_search_equals_brute_force(rng, n, discrete):
    bar = _random_bar(rng, n, discrete)
    codes = rng.integers(0, 1 << 24, 20000)
    rgb = np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], 1).astype(
        np.uint8
    )
    lab = kernel.rgb8_to_lab(rgb, kernel.SRGB_LINEAR)
    pos, dist = ColorLookup(bar).nearest(codes)
    ref_pos, ref_dist = _brute_force(lab, bar.lab, bar.positions, discrete)
    np.testing.assert_allclose(dist, ref_dist, atol=1e-9)
    # Where two segments are equally near the position may differ; the
    # distance may not.
    unique = np.abs(dist - ref_dist) < 1e-9
    assert np.mean(np.isclose(pos, ref_pos, atol=1e-9)[unique]) > 0.999


def test_pixels_get_their_colors_value_and_distance(rng):
    bar = Colorbar.from_name("viridis", 10, 20)
    image = rng.integers(0, 256, (64, 48, 3), dtype=np.uint8)
    image[:8] = bar.rgb[100]  # exact table colours
    result = digitize(image, bar, max_distance=1e9)
    codes = (
        (image[..., 0].astype(np.int64) << 16)
        | (image[..., 1].astype(np.int64) << 8)
        | image[..., 2]
    )
    pos, dist = ColorLookup(bar).nearest(codes.ravel())
    np.testing.assert_allclose(
        result.values.ravel(), bar.scale.to_value(pos), rtol=1e-6
    )
    np.testing.assert_allclose(result.distance.ravel(), dist, atol=1e-4)
    assert np.allclose(result.values[:8], bar.values[100], rtol=1e-6)
    assert np.all(result.distance[:8] < 1e-3)


def test_tolerance_and_nodata():
    bar = Colorbar.from_name("viridis", 0, 1)
    image = np.zeros((4, 4, 3), np.uint8)
    image[0] = bar.rgb[50]
    image[1] = (255, 255, 255)  # white is far from viridis
    nodata = np.zeros((4, 4), bool)
    nodata[2] = True
    r = digitize(image, bar, max_distance=10, nodata=nodata)
    assert np.isfinite(r.values[0]).all()
    assert np.isnan(r.values[1]).all() and (r.distance[1] > 10).all()
    assert np.isnan(r.values[2]).all() and np.isnan(r.distance[2]).all()
    assert r.unmatched[1].all() and not r.unmatched[2].any()
    assert r.coverage == pytest.approx(1 / 3, abs=0.2)
    with pytest.raises(DigitizerError, match="positive"):
        digitize(image, bar, max_distance=0)


def test_memo_is_reused_and_thread_safe(rng):
    bar = Colorbar.from_name("magma", 0, 1)
    image = rng.integers(0, 256, (300, 200, 3), dtype=np.uint8)
    ref_v = np.empty((300, 200), np.float32)
    ref_d = np.empty((300, 200), np.float32)
    ColorLookup(bar).digitize(image, None, 1e9, ref_v, ref_d)

    shared = ColorLookup(bar)
    outs = [(np.empty_like(ref_v), np.empty_like(ref_d)) for _ in range(4)]

    def work(k):
        shared.digitize(image, None, 1e9, *outs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for v, d in outs:
        np.testing.assert_array_equal(v, ref_v)
        np.testing.assert_array_equal(d, ref_d)
    n_colors = len(np.unique(image.reshape(-1, 3), axis=0))
    assert shared.n_solved == n_colors
    # A second pass meets no new colour and gives the same numbers.
    v2, d2 = np.empty_like(ref_v), np.empty_like(ref_d)
    shared.digitize(image, None, 1e9, v2, d2)
    assert shared.n_solved == n_colors
    np.testing.assert_array_equal(v2, ref_v)


def test_tolerance_does_not_poison_the_memo():
    bar = Colorbar.from_name("viridis", 0, 1)
    image = np.full((2, 2, 3), 200, np.uint8)
    strict = digitize(image, bar, max_distance=1)
    loose = digitize(image, bar, max_distance=1e6)
    assert np.isnan(strict.values).all()
    assert np.isfinite(loose.values).all()


def test_log_values_are_computed_per_color():
    bar = Colorbar.from_name("viridis", 0.01, 100, norm="log")
    _, first, counts = np.unique(bar.rgb, axis=0, return_index=True, return_counts=True)
    unique = np.sort(first[counts == 1])  # 8-bit duplicates have no single position
    r = digitize(bar.rgb[None, unique], bar)
    np.testing.assert_allclose(r.values[0], bar.values[unique], rtol=1e-5)
