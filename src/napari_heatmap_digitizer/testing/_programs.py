"""Figures drawn by other plotting programs, and how well they are read.

The figures (PNG), their layout (JSON, the fields of the wild corpus's
``expected.json``) and their data with the cell edges in pixels
(``.truth.npz``) are made by ``tools/render_programs.py`` and kept in
``tests/data/programs``. Here they are loaded and scored, for the tests and
``benchmarks/bench_programs.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core import (
    Box,
    ColorbarSpec,
    DigitizerError,
    Panel,
    Recipe,
    complete_recipe,
    detect,
    load_image,
    run_recipe,
)

# A panel or bar counts as found when its box overlaps the true one this much.
PANEL_IOU = 0.8
BAR_IOU = 0.7
# Zero input "works" when the median pixel is this close (share of the range).
WORKS_ERROR = 0.01


@dataclass
class ProgramFigure:
    """One figure drawn by another program, with its truth."""

    name: str
    path: Path
    expected: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def program(self) -> str:
        return str(self.expected["program"])

    @property
    def panels(self) -> list[Box]:
        return [Box(*p) for p in self.expected["panels"]]

    def printed(self, i: int) -> list[list[str | None]] | None:
        """The numbers printed in panel ``i``'s cells, or None if it prints none.

        One list of strings per row of cells, row 0 at the top, each the
        exact text the program drew (``None`` in a cell left empty).
        """
        printed = self.expected.get("printed")
        if printed is None:
            return None
        return [list(row) for row in printed[i]]

    def bar(self, i: int) -> dict[str, Any]:
        """The colour bar serving panel ``i``."""
        for bar in self.expected["colorbars"]:
            if i in bar["panels"]:
                return dict(bar)
        raise KeyError(f"{self.name}: no colour bar serves panel {i}")

    def scaled(self, i: int, values: np.ndarray) -> np.ndarray:
        """Values of panel ``i`` as shares of its bar's range (log10 on a log bar)."""
        bar = self.bar(i)
        lo, hi = float(bar["vmin"]), float(bar["vmax"])
        if bar["norm"] == "log":
            with np.errstate(all="ignore"):
                return (np.log10(values) - np.log10(lo)) / (np.log10(hi) - np.log10(lo))
        return (values - lo) / (hi - lo)

    def truth(self, i: int) -> np.ndarray:
        """True value of every pixel of panel ``i``'s box; NaN where unknown.

        Pixels within a pixel of a cell edge may mix two cells and are left
        out, as are pixels the data never changes (separators, missing
        cells).
        """
        box = self.panels[i]
        values = self.arrays[f"values_{i}"]
        xe, ye = self.arrays[f"x_edges_{i}"], self.arrays[f"y_edges_{i}"]
        cx = np.arange(box.width) + 0.5
        cy = np.arange(box.height) + 0.5
        ix = np.clip(np.searchsorted(xe, cx) - 1, 0, values.shape[1] - 1)
        iy = np.clip(np.searchsorted(ye, cy) - 1, 0, values.shape[0] - 1)
        inner_x, inner_y = xe[1:-1], ye[1:-1]
        near_x = np.abs(cx[:, None] - inner_x[None, :]).min(axis=1, initial=9.0) < 1
        near_y = np.abs(cy[:, None] - inner_y[None, :]).min(axis=1, initial=9.0) < 1
        out = values[np.ix_(iy, ix)].astype(float)
        out[near_y, :] = np.nan
        out[:, near_x] = np.nan
        out[~self.arrays[f"data_{i}"]] = np.nan
        return out


def program_figures(folder: str | Path) -> list[ProgramFigure]:
    """All figures in ``folder`` (``*.json`` beside ``*.png``), by name."""
    figures = []
    for meta in sorted(Path(folder).glob("*.json")):
        png = meta.with_suffix(".png")
        npz = meta.with_suffix(".truth.npz")
        with np.load(npz) as f:
            arrays = {k: f[k] for k in f.files}
        figures.append(
            ProgramFigure(meta.stem, png, json.loads(meta.read_text()), arrays)
        )
    return figures


@dataclass
class Score:
    """How well one figure was read.

    ``error`` is the median over the true data pixels of |value - truth|
    as a share of the range (NaN values and pixels outside the boxes read
    count as infinitely wrong), or ``None`` when nothing ran; ``unmatched``
    is the share of those pixels; ``reason`` says why it did not work.
    """

    works: bool
    error: float | None
    panels_right: bool
    bars_right: bool
    range_right: bool | None
    unmatched: float | None
    reason: str
    notes: list[str]


def _error(fig: ProgramFigure, results: list[Any], boxes: list[Box]) -> tuple:
    """Median error over every true data pixel, and the share left NaN.

    Each true panel is read from the found box overlapping it most; its
    data pixels outside that box (or all of them, when no box overlaps)
    count as infinitely wrong, as do NaN values.
    """
    errors, missing, total = [], 0.0, 0
    for i, true_box in enumerate(fig.panels):
        truth = fig.truth(i)
        known = np.isfinite(truth)
        err = np.full(truth.shape, np.inf)
        scores = [true_box.iou(b) for b in boxes]
        if scores and max(scores) > 0:
            best = int(np.argmax(scores))
            found = boxes[best]
            values = np.asarray(results[best])
            left, top = max(found.left, true_box.left), max(found.top, true_box.top)
            right = min(found.right, true_box.right)
            bottom = min(found.bottom, true_box.bottom)
            got = values[
                top - found.top : bottom - found.top,
                left - found.left : right - found.left,
            ]
            inside = np.s_[
                top - true_box.top : bottom - true_box.top,
                left - true_box.left : right - true_box.left,
            ]
            diff = np.abs(fig.scaled(i, got) - fig.scaled(i, truth[inside]))
            err[inside] = np.where(np.isnan(diff), np.inf, diff)
        errors.append(err[known])
        missing += float(np.isinf(err[known]).sum())
        total += int(known.sum())
    every = np.concatenate(errors) if errors else np.array([np.inf])
    return float(np.median(every)), (missing / total if total else None)


def score_given(fig: ProgramFigure) -> Score:
    """Read the figure with its true boxes and range given.

    Each panel is read with the bar serving it; ``notes`` holds the doubts
    of its confidence report (none expected with the true boxes).
    """
    results, doubts = [], []
    for i, box in enumerate(fig.panels):
        bar = fig.bar(i)
        recipe = Recipe(
            panels=[Panel(box)],
            colorbar=ColorbarSpec(
                box=Box(*bar["box"]),
                vmin=float(bar["vmin"]),
                vmax=float(bar["vmax"]),
                norm=bar["norm"],
                orientation=bar["orientation"],
            ),
        )
        [panel] = run_recipe(recipe, load_image(fig.path))
        results.append(panel.result.values)
        doubts += [f"panel {i}: {d}" for d in panel.confidence.doubts]
    error, unmatched = _error(fig, results, fig.panels)
    works = error <= WORKS_ERROR
    return Score(
        works, error, True, True, True, unmatched, "" if works else "error", doubts
    )


def _ranges_right(fig: ProgramFigure, found: Any) -> bool | None:
    """Whether every true bar's range was read within 1 % (None: none read).

    Each true bar is judged on the found bar overlapping it most.
    """
    verdicts = []
    for bar in fig.expected["colorbars"]:
        true_box = Box(*bar["box"])
        scores = [true_box.iou(b.box) for b in found.colorbars]
        if not scores or max(scores) == 0:
            continue
        ticks = found.colorbars[int(np.argmax(scores))].ticks
        if ticks is None or ticks.problem is not None:
            continue
        lo, hi = float(bar["vmin"]), float(bar["vmax"])
        norm = bar["norm"]
        f = np.log10 if norm == "log" else float
        tol = 0.01 * abs(f(hi) - f(lo))
        with np.errstate(all="ignore"):
            verdicts.append(
                ticks.norm == norm
                and abs(f(ticks.vmin) - f(lo)) <= tol
                and abs(f(ticks.vmax) - f(hi)) <= tol
            )
    if not verdicts:
        return None
    return len(verdicts) == len(fig.expected["colorbars"]) and all(verdicts)


def score_zero_input(fig: ProgramFigure, *, ocr: bool = True) -> Score:
    """Read the figure with no input but the file (``digitize --auto``)."""
    image = load_image(fig.path)
    found = detect(image, ticks=None if ocr else False)
    done = complete_recipe(Recipe(), found)
    boxes = list(found.panels)
    panels_right = len(boxes) == len(fig.panels) and all(
        max((t.iou(b) for b in boxes), default=0.0) >= PANEL_IOU for t in fig.panels
    )
    bars_right = all(
        any(Box(*bar["box"]).iou(b.box) >= BAR_IOU for b in found.colorbars)
        for bar in fig.expected["colorbars"]
    )
    range_right = _ranges_right(fig, found)

    def failed(reason: str) -> Score:
        right = (panels_right, bars_right, range_right)
        return Score(False, None, *right, None, reason, list(done.notes))

    if done.problems:
        return failed(done.problems[0])
    try:
        out = run_recipe(done.recipe, image)
    except DigitizerError as exc:
        return failed(str(exc))
    used = [p.box for p in done.recipe.panels]
    error, unmatched = _error(fig, [r.result.values for r in out], used)
    works = error <= WORKS_ERROR
    reason = "" if works else f"median error {100 * error:.2f} % of the range"
    return Score(
        works,
        error,
        panels_right,
        bars_right,
        range_right,
        unmatched,
        reason,
        list(done.notes),
    )
