from __future__ import annotations

import numpy as np
import pytest
import tifffile
from PIL import Image

from napari_heatmap_digitizer.core import DigitizerError, as_rgb8, load_image


@pytest.fixture
def picture(rng) -> np.ndarray:
    return rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".webp"])
def test_lossless_formats_round_trip(tmp_path, picture, suffix):
    path = tmp_path / f"fig{suffix}"
    if suffix == ".webp":
        Image.fromarray(picture).save(path, lossless=True)
    else:
        Image.fromarray(picture).save(path)
    np.testing.assert_array_equal(load_image(path), picture)


def test_jpeg_reads_close(tmp_path):
    smooth = np.zeros((32, 32, 3), np.uint8)
    smooth[..., 0] = np.linspace(0, 255, 32).astype(np.uint8)[None, :]
    Image.fromarray(smooth).save(tmp_path / "f.jpg", quality=95)
    out = load_image(tmp_path / "f.jpg")
    assert out.shape == (32, 32, 3)
    assert np.abs(out.astype(int) - smooth).mean() < 3


def test_rgba_transparent_pixels_become_nodata(tmp_path, picture):
    rgba = np.dstack([picture, np.full(picture.shape[:2], 255, np.uint8)])
    rgba[:5, :5, 3] = 0
    rgba[10, 10, 3] = 128
    Image.fromarray(rgba).save(tmp_path / "a.png")
    loaded = load_image(tmp_path / "a.png")
    assert loaded.shape[2] == 4
    rgb, nodata = as_rgb8(loaded)
    assert nodata is not None and nodata[:5, :5].all() and nodata.sum() == 25
    # Half transparent: composited over white as a viewer shows it.
    expected = np.rint(picture[10, 10] * (128 / 255) + 255 * (1 - 128 / 255))
    np.testing.assert_allclose(rgb[10, 10], expected, atol=1)


def test_grey_palette_and_16_bit(tmp_path, picture):
    grey = picture[..., 0]
    Image.fromarray(grey).save(tmp_path / "g.png")
    np.testing.assert_array_equal(load_image(tmp_path / "g.png"), np.dstack([grey] * 3))
    Image.fromarray(picture).convert("P", palette=Image.Palette.ADAPTIVE).save(
        tmp_path / "p.png"
    )
    assert load_image(tmp_path / "p.png").shape == (30, 40, 3)
    wide = picture.astype(np.uint16) * 257
    tifffile.imwrite(tmp_path / "w.tif", wide)
    np.testing.assert_array_equal(load_image(tmp_path / "w.tif"), picture)
    Image.fromarray(wide[..., 0]).save(tmp_path / "w16.png")  # 16-bit grey PNG
    np.testing.assert_array_equal(
        load_image(tmp_path / "w16.png")[..., 0], picture[..., 0]
    )


def test_exif_orientation_is_applied(tmp_path, picture):
    im = Image.fromarray(picture)
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    im.save(tmp_path / "r.jpg", exif=exif, quality=100)
    out = load_image(tmp_path / "r.jpg")
    assert out.shape == (40, 30, 3)


def test_float_arrays(picture):
    rgb, nodata = as_rgb8(picture / 255.0)
    np.testing.assert_array_equal(rgb, picture)
    assert nodata is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "not an image"),
        (b"\x89PNG\r\n\x1a\nbroken", "cannot read|not an image"),
    ],
)
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(DigitizerError, match=message):
        load_image(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DigitizerError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(DigitizerError, match="folder"):
        load_image(tmp_path)


def test_bad_array_shapes():
    with pytest.raises(DigitizerError, match="expected a 2-D"):
        as_rgb8(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(DigitizerError, match="empty"):
        as_rgb8(np.zeros((0, 4, 3), np.uint8))
