"""Regenerate the pictures in docs/images from the real pipeline (needs matplotlib).

python tools/make_doc_images.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from napari_heatmap_digitizer import run_recipe
from napari_heatmap_digitizer.data import load_sample, sample_path

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(sample_path("single"), OUT / "sample-single.png")
    sample = load_sample("single")
    (result,) = [p.result for p in run_recipe(sample.recipe, sample.image)]
    truth, judged = sample.truth[0], sample.judged[0]
    error = np.where(judged, result.values - truth, np.nan)
    e = result.extent
    extent = (e.xmin, e.xmax, e.ymin, e.ymax)

    fig = Figure(figsize=(12, 3.6), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3)
    im = axes[0].imshow(result.values, extent=extent, aspect="auto", cmap="viridis")
    axes[0].set_title("digitized values")
    fig.colorbar(im, ax=axes[0])
    im = axes[1].imshow(
        result.distance, extent=extent, aspect="auto", cmap="magma", vmin=0, vmax=5
    )
    axes[1].set_title("colour distance ΔE")
    fig.colorbar(im, ax=axes[1])
    lim = 0.05
    im = axes[2].imshow(
        error, extent=extent, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim
    )
    axes[2].set_title("error against the known data")
    fig.colorbar(im, ax=axes[2])
    for ax in axes:
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    fig.tight_layout()
    fig.savefig(OUT / "digitized-single.png")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
