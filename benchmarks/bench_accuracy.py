"""Accuracy table: figures rendered by matplotlib from known data.

    python benchmarks/bench_accuracy.py

For every case, renders the figure, reads the colour bar from a box drawn 4 px
around it, digitizes the panel(s) and compares with the data, as PNG and as
JPEG quality 75. Errors are measured along the colour bar in % of its range
(decades for log bars), over the pixels that show the heat map unobstructed.
As a baseline in the same run, the same JPEG figures are also digitized with a
plain nearest-entry lookup in RGB (no CIELAB, no interpolation between
entries), the usual quick approach. Prints a Markdown table for
docs/accuracy.md.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from napari_heatmap_digitizer import Box, Colorbar, digitize
from napari_heatmap_digitizer.testing import ACCURACY_CASES, render


def measure(fig, *, baseline: bool = False) -> tuple[float, float, float]:
    cb = fig.colorbar
    box = Box(cb.left - 4, cb.top - 4, cb.right + 4, cb.bottom + 4)
    bar = Colorbar.from_image(fig.image, box, fig.vmin, fig.vmax, norm=fig.norm)
    errors, covered = [], []
    for panel, truth, judged in zip(fig.panels, fig.truth, fig.judged, strict=True):
        if baseline:
            tree = cKDTree(bar.rgb.astype(float))
            _, idx = tree.query(fig.image[panel.slices].reshape(-1, 3).astype(float))
            values = bar.values[idx].reshape(panel.shape)
        else:
            values = digitize(fig.image, bar, panel).values
        e = np.abs(fig.position(values) - fig.position(truth))[judged] * 100
        errors.append(e)
        covered.append(np.isfinite(e))
    e = np.concatenate(errors)
    return (
        float(np.nanmedian(e)),
        float(np.nanpercentile(e, 95)),
        100 * float(np.concatenate(covered).mean()),
    )


def main() -> None:
    print(
        "| figure | PNG median | PNG p95 | PNG matched | JPEG q75 median "
        "| JPEG p95 | JPEG matched | baseline: RGB nearest entry, JPEG median |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, kwargs in ACCURACY_CASES.items():
        fig = render(**kwargs)
        png = measure(fig)
        jpg = measure(fig.as_jpeg(75))
        base = measure(fig.as_jpeg(75), baseline=True)
        print(
            f"| {name} | {png[0]:.3f} % | {png[1]:.3f} % | {png[2]:.1f} % "
            f"| {jpg[0]:.3f} % | {jpg[1]:.3f} % | {jpg[2]:.1f} % | {base[0]:.3f} % |"
        )


if __name__ == "__main__":
    main()
