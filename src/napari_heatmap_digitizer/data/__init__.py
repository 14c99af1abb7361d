"""Bundled sample figures, made by the project from known data.

Each sample is a PNG figure, the recipe that digitizes it and the true values
of every panel pixel (``tools/make_samples.py`` regenerates them with
matplotlib).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._read import load_image
from napari_heatmap_digitizer.core._recipe import Recipe
from napari_heatmap_digitizer.core._result import Result

HERE = Path(__file__).parent

#: Names of the bundled samples.
SAMPLES = ("single", "multi")


@dataclass
class Sample:
    """A bundled figure with its recipe and ground truth."""

    name: str
    image: np.ndarray
    recipe: Recipe
    truth: list[np.ndarray]
    judged: list[np.ndarray]


def sample_path(name: str = "single") -> Path:
    """Path of a bundled sample figure (PNG).

    Parameters
    ----------
    name : {"single", "multi"}

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DigitizerError
        For an unknown name.
    """
    if name not in SAMPLES:
        raise DigitizerError(
            f"unknown sample {name!r}: choose one of {', '.join(SAMPLES)}"
        )
    return HERE / f"{name}.png"


def load_sample(name: str = "single") -> Sample:
    """Load a bundled sample with its recipe and true values.

    Parameters
    ----------
    name : {"single", "multi"}

    Returns
    -------
    Sample
    """
    path = sample_path(name)
    recipe = Recipe.load(HERE / f"{name}.recipe.json")
    recipe.image = str(path)
    with np.load(HERE / f"{name}.truth.npz") as z:
        n = len(recipe.panels)
        truth = [z[f"truth_{i}"] for i in range(n)]
        judged = [z[f"judged_{i}"] for i in range(n)]
    return Sample(name, load_image(path), recipe, truth, judged)


def accuracy(result: Result, truth: np.ndarray, judged: np.ndarray) -> dict[str, float]:
    """Errors of one panel's values against the truth, in % of the value range.

    Parameters
    ----------
    result : Result
    truth : numpy.ndarray
        True values of the panel's pixels.
    judged : numpy.ndarray
        Pixels that show the heat map unobstructed.

    Returns
    -------
    dict
        ``median_error`` and ``p95_error`` (% of the colour bar's range,
        measured along the bar, so log bars are judged in decades) and
        ``coverage`` (% of judged pixels that got a value).
    """
    scale = result.colorbar.scale
    est = scale.to_position(result.values[judged])
    err = np.abs(est - scale.to_position(truth[judged])) * 100
    ok = np.isfinite(err)
    return {
        "median_error": float(np.median(err[ok])) if ok.any() else float("nan"),
        "p95_error": float(np.percentile(err[ok], 95)) if ok.any() else float("nan"),
        "coverage": 100.0 * float(ok.mean()) if ok.size else 0.0,
    }
