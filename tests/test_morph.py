"""The compiled square morphology equals scipy.ndimage's, on any mask."""

import numpy as np
import pytest
from scipy import ndimage as ndi

from napari_heatmap_digitizer.core import _morph


def _masks():
    rng = np.random.default_rng(5)
    for shape in [(1, 1), (3, 7), (40, 33), (130, 70), (65, 200)]:
        for p in (0.2, 0.6, 0.9):
            yield rng.random(shape) < p
    # blocks with text-like specks and thin lines: what detection meets
    m = np.zeros((90, 120), bool)
    m[10:60, 20:100] = True
    m[70, :] = True
    m[:, 5] = True
    m[30:33, 40:42] = False
    yield m
    yield np.ones((50, 60), bool)


@pytest.mark.parametrize("r", [0, 1, 2, 3, 6, 25])
def test_same_as_scipy(r):
    square = np.ones((2 * r + 1, 2 * r + 1), bool)
    for mask in _masks():
        for border in (False, True):
            np.testing.assert_array_equal(
                _morph.erode(mask, r, border),
                ndi.binary_erosion(mask, square, border_value=int(border)),
            )
        np.testing.assert_array_equal(
            _morph.dilate(mask, r), ndi.binary_dilation(mask, square)
        )
        np.testing.assert_array_equal(
            _morph.opening(mask, r), ndi.binary_opening(mask, square)
        )
        np.testing.assert_array_equal(
            _morph.closing(mask, r),
            ndi.binary_closing(mask, square, border_value=0),
        )


def test_views_are_read_as_they_lie():
    """Strided and transposed masks (a figure read at reduced scale)."""
    mask = np.random.default_rng(1).random((80, 90)) < 0.7
    square = np.ones((5, 5), bool)
    for view in (mask[::3, ::2], mask.T, mask[5:60, 10:70]):
        np.testing.assert_array_equal(
            _morph.opening(view, 2), ndi.binary_opening(view, square)
        )


def test_far_from():
    lab = np.random.default_rng(2).uniform(-50, 100, (30, 40, 3)).astype(np.float32)
    colour = np.array([50.0, 0.0, 0.0])
    want = np.sqrt(((lab - colour) ** 2).sum(axis=-1)) > 30.0
    np.testing.assert_array_equal(_morph.far_from(lab, colour, 30.0), want)
    np.testing.assert_array_equal(
        _morph.far_from(lab[::2, 1:], colour, 30.0), want[::2, 1:]
    )


def test_colour_count():
    lab = np.array([[50, 0, 0], [49.0, 0.5, -0.4], [60, 0, 0], [50, 10, 0]], float)
    assert _morph.colour_count(lab) == 3
    assert _morph.colour_count(lab, step=1000.0) == 1
    assert _morph.colour_count(lab[:0]) == 0
    want = len(np.unique(np.rint(lab / 4.0), axis=0))
    assert _morph.colour_count(lab) == want


def test_one_colour_3x3():
    """As scipy's 3 × 3 min and max filters agreeing on every channel."""
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 3, (40, 50, 3)).astype(np.uint8)
    rgb[5:20, 5:30] = 7
    want = np.ones(rgb.shape[:2], bool)
    for c in range(3):
        ch = rgb[..., c]
        want &= ndi.maximum_filter(ch, 3) == ndi.minimum_filter(ch, 3)
    got = _morph.one_colour_3x3(rgb)
    np.testing.assert_array_equal(got, want)
    assert got[6:19, 6:29].all() and not got[5, 5:30].any()


def test_figure_lab_equals_the_kernel():
    from napari_heatmap_digitizer.core import _frames, _kernel

    rng = np.random.default_rng(2)
    # a few colours in runs (a page, flat cells) and many distinct ones
    rgb = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    rgb[:20] = (255, 255, 255)
    rgb[20:30, :40] = (12, 200, 99)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    want = _kernel.rgb8_to_lab(rgb.reshape(-1, 3), _kernel.SRGB_LINEAR)
    want = want.astype(np.float32).reshape(60, 80, 3)
    for image in (rgb, rgba, rgb[:, ::2], rgb.transpose(1, 0, 2)):
        got = _frames.lab(image)
        expect = want[:, ::2] if image.shape[1] == 40 else want
        if image.shape[0] == 80:
            expect = want.transpose(1, 0, 2)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, expect)


def test_label_same_as_scipy():
    """Labels, their numbering and each part's size, box and edge contact."""
    masks = list(_masks())
    rng = np.random.default_rng(9)
    # snakes and combs: parts whose branches join late in the scan
    comb = np.zeros((30, 40), bool)
    comb[:, ::2] = True
    comb[-1] = True
    masks += [comb, comb[::-1], ~comb, rng.random((70, 90)) < 0.55]
    for mask in masks:
        want, n = ndi.label(mask)
        got, k, stats = _morph.label(mask)
        assert k == n
        np.testing.assert_array_equal(got, want)
        sizes = np.bincount(want.ravel(), minlength=n + 1)
        edge = set(np.concatenate([want[0], want[-1], want[:, 0], want[:, -1]]))
        for i, (rows, cols) in enumerate(ndi.find_objects(want), start=1):
            assert tuple(stats[i]) == (
                sizes[i],
                rows.start,
                rows.stop,
                cols.start,
                cols.stop,
                int(i in edge),
            )


def test_grey_far_from():
    rng = np.random.default_rng(4)
    lab = rng.uniform(-30, 100, (40, 50, 3)).astype(np.float32)
    lab[..., 1:] = rng.uniform(-15, 15, (40, 50, 2)).astype(np.float32)
    page = np.array([100.0, 0.0, 0.0])
    want = (np.hypot(lab[..., 1], lab[..., 2]) <= 12.0) & (
        np.sqrt(((lab - page) ** 2).sum(axis=-1)) > 25.0
    )
    assert 0 < want.sum() < want.size
    np.testing.assert_array_equal(_morph.grey_far_from(lab, page, 25.0, 12.0), want)


def _runs_by_hand(mask, least):
    runs = []
    for c in range(mask.shape[1]):
        r = 0
        while r < mask.shape[0]:
            if mask[r, c]:
                s = r
                while r < mask.shape[0] and mask[r, c]:
                    r += 1
                if r - s >= least:
                    runs.append((c, s, r))
            r += 1
    return runs


def test_line_runs():
    rng = np.random.default_rng(6)
    for shape, least in [((30, 20), 3), ((7, 50), 1), ((60, 60), 5), ((1, 9), 1)]:
        mask = rng.random(shape) < 0.8
        mask[:, -1] = True
        down, across = _morph.line_runs(mask, least)
        assert down.tolist() == [list(r) for r in _runs_by_hand(mask, least)]
        assert across.tolist() == [list(r) for r in _runs_by_hand(mask.T, least)]


def test_colours_at_least_counts_as_colour_count():
    rng = np.random.default_rng(8)
    palette = rng.uniform(-40, 90, (12, 3))
    for n_colours in (1, 3, 4, 5, 9):
        lab = palette[rng.integers(0, n_colours, (30, 25))].astype(np.float32)
        mask = rng.random((30, 25)) < 0.7
        count = _morph.colour_count(lab[mask][::7])
        for least in (1, 3, 4, 8):
            assert _morph.colours_at_least(lab, mask, least) == (count >= least)
    assert not _morph.colours_at_least(lab, np.zeros((30, 25), bool), 1)
