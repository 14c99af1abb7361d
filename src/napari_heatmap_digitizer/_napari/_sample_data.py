"""File > Open Sample: the bundled figures made from known data."""

from __future__ import annotations

from typing import Any

from napari_heatmap_digitizer.data import load_sample


def _sample(name: str) -> list[tuple[Any, dict[str, Any], str]]:
    sample = load_sample(name)
    metadata = {"recipe": sample.recipe.to_dict(), "sample": name}
    return [
        (
            sample.image,
            {"name": f"{name} heat map", "rgb": True, "metadata": metadata},
            "image",
        )
    ]


def single_panel_sample() -> list[tuple[Any, dict[str, Any], str]]:
    """One heat-map panel (viridis, -2..3) with its colour bar."""
    return _sample("single")


def multi_panel_sample() -> list[tuple[Any, dict[str, Any], str]]:
    """Three heat-map panels (magma, 0..100) sharing one colour bar."""
    return _sample("multi")
