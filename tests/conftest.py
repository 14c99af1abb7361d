from __future__ import annotations

import functools

import numpy as np
import pytest

from napari_heatmap_digitizer.testing import RenderedFigure, render


@functools.lru_cache(maxsize=64)
def _cached(**kwargs) -> RenderedFigure:
    return render(**kwargs)


def figure(**kwargs) -> RenderedFigure:
    """Render (once per session) a heat-map figure from known data."""
    return _cached(**kwargs)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def pytest_configure(config):
    """On CI the napari tests must run, not skip: fail early if they cannot."""
    import os

    if os.environ.get("CI"):
        import importlib.util

        for module in ("napari", "pytestqt", "npe2"):
            if importlib.util.find_spec(module) is None:
                raise pytest.UsageError(
                    f"{module} is missing on CI: install the [testing] extra"
                )
        from napari_heatmap_digitizer.core._ticks import ocr_available

        if not ocr_available():
            raise pytest.UsageError(
                "Tesseract is missing on CI: .ci/run installs tesseract-ocr and "
                "the [testing] extra pytesseract"
            )
