"""scikit-learn confusion matrices (``ConfusionMatrixDisplay``).

Needs the PyPI package ``scikit-learn`` (it draws with matplotlib's Agg);
only this tool uses it, the project does not.

``ConfusionMatrixDisplay.plot`` prints every cell's number (the default
format: whole counts as they are, ``values_format`` otherwise) in one of
the map's two ends: the dark end on cells below the middle of the counts,
the light end above it. Every drawing gets the numbers and their colours
of the real matrix (``spec.data``), taken from a scratch drawing of it, so
the text never changes between the drawings; the colours always span
``spec.vmin`` to ``spec.vmax`` (``im_kw``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .truth import Spec, printed

PROGRAM = "sklearn"


def version() -> str:
    import matplotlib
    import sklearn

    return f"scikit-learn {sklearn.__version__}, matplotlib {matplotlib.__version__}"


def _confusion(n: int, total: int, seed: int) -> np.ndarray:
    """Counts of ``n`` classes, most on the diagonal, a few confusions."""
    rng = np.random.default_rng(seed)
    per_class = rng.integers(int(0.85 * total), total + 1, n)
    cm = np.zeros((n, n))
    for i, count in enumerate(per_class):
        # most errors go to one or two similar classes
        share = rng.dirichlet(np.full(n, 0.3)) * rng.uniform(0.03, 0.12)
        share[i] = 0.0
        wrong = np.round(share * count)
        cm[i] = wrong
        cm[i, i] = count - wrong.sum()
    return cm


COUNTS = _confusion(10, 1340, seed=41)
# the largest count is the top of the bar, as scikit-learn's default shows
COUNTS[int(np.argmax(np.diag(COUNTS)))] *= 1340 / np.diag(COUNTS).max()
COUNTS = np.round(COUNTS)
FRACTIONS = _confusion(6, 300, seed=42)
FRACTIONS = FRACTIONS / FRACTIONS.sum(axis=1, keepdims=True)
ANIMALS = ["bird", "cat", "deer", "dog", "frog", "horse"]


def specs() -> list[Spec]:
    return [
        Spec(
            "confusion_counts",
            [COUNTS],
            0.0,
            float(COUNTS.max()),
            "Blues",
            ("viridis", "autumn"),
            colormap_name="Blues",
            options={"values_format": None, "size": [8.0, 7.0]},
            printed=printed([COUNTS], lambda v: f"{int(v):d}"),
        ),
        Spec(
            # normalize="true": each row's shares of its class, to 2 decimals
            "confusion_normalized",
            [FRACTIONS],
            0.0,
            1.0,
            "Blues",
            ("viridis", "autumn"),
            colormap_name="Blues",
            options={
                "values_format": ".2f",
                "display_labels": ANIMALS,
                "xticks_rotation": "vertical",
            },
            printed=printed([FRACTIONS], lambda v: f"{v:.2f}"),
        ),
    ]


def _display(spec: Spec, values: np.ndarray, colormap: str, size, text: bool):
    """The matrix ``values`` drawn by ``ConfusionMatrixDisplay.plot``."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    fig, ax = plt.subplots(figsize=size)
    opts = spec.options
    display = ConfusionMatrixDisplay(values, display_labels=opts.get("display_labels"))
    display.plot(
        ax=ax,
        cmap=colormap,
        include_values=text,
        values_format=opts.get("values_format"),
        xticks_rotation=opts.get("xticks_rotation", "horizontal"),
        im_kw={"vmin": spec.vmin, "vmax": spec.vmax},
    )
    return fig, display


def draw(spec: Spec, data: list[np.ndarray], colormap: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = spec.options.get("size")  # None: matplotlib's 6.4 x 4.8 in
    text = spec.printed is not None
    fig, display = _display(spec, data[0], colormap, size, text)
    if text:
        # the real matrix's numbers, in the colours they have over it
        shown = spec.data[0]
        if spec.options.get("values_format") is None:
            shown = shown.astype(int)
        scratch, real = _display(spec, shown, spec.colormap, size, True)
        for cell, truth in zip(display.text_.flat, real.text_.flat, strict=True):
            cell.set_text(truth.get_text())
            cell.set_color(truth.get_color())
        plt.close(scratch)
        drawn = [t.get_text() for t in display.text_.flat]
        if drawn != [s for row in spec.printed[0] for s in row]:
            raise RuntimeError(f"{spec.name}: the numbers printed are not the truth's")
    fig.savefig(path)
    plt.close(fig)
