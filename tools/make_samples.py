"""Regenerate the bundled sample figures (needs matplotlib).

python tools/make_samples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from napari_heatmap_digitizer.core import Box, ColorbarSpec, Extent, Panel, Recipe
from napari_heatmap_digitizer.testing import SAMPLE_FIGURES, render

OUT = Path(__file__).resolve().parents[1] / "src" / "napari_heatmap_digitizer" / "data"


def loose(box: Box, margin: int = 3) -> Box:
    return Box(
        box.left - margin, box.top - margin, box.right + margin, box.bottom + margin
    )


def save(name: str, fig) -> None:
    fig.save(OUT / f"{name}.png", optimize=True)
    # The figure's axes are labelled in these coordinates (render's extent).
    extent = Extent(*fig.extent)
    recipe = Recipe(
        panels=[Panel(b, extent) for b in fig.panels],
        colorbar=ColorbarSpec(
            box=loose(fig.colorbar), vmin=fig.vmin, vmax=fig.vmax, norm=fig.norm
        ),
        image=f"{name}.png",
        notes={"made_by": "tools/make_samples.py", "cmap": fig.cmap},
    )
    (OUT / f"{name}.recipe.json").write_text(recipe.to_json() + "\n")
    arrays = {}
    for i, (t, j) in enumerate(zip(fig.truth, fig.judged, strict=True)):
        arrays[f"truth_{i}"] = t.astype(np.float32)
        arrays[f"judged_{i}"] = j
    np.savez_compressed(OUT / f"{name}.truth.npz", **arrays)
    print("wrote", name)


def main() -> None:
    for name, kwargs in SAMPLE_FIGURES.items():
        save(name, render(**kwargs))


if __name__ == "__main__":
    main()
