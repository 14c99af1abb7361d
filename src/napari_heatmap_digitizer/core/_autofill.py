"""Detection to recipe: fill in what the user left open, and nothing else.

``digitize --auto`` and the widget's Detect button both call
:func:`complete_recipe`; whatever the user gave (boxes, range, scale,
extents, cells, tolerance...) always wins over what detection proposes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._confidence import LEFT_OUT
from napari_heatmap_digitizer.core._detect import Detection, FoundBar
from napari_heatmap_digitizer.core._errors import wrong
from napari_heatmap_digitizer.core._naming import RANKED_SCORE, fitting
from napari_heatmap_digitizer.core._recipe import ColorbarSpec, Panel, Recipe
from napari_heatmap_digitizer.core._ticks import TickReading


@dataclass
class Completed:
    """A recipe completed from a detection.

    Attributes
    ----------
    recipe : Recipe
        A copy of the given recipe with open choices filled in.
    notes : list of str
        What was filled in, one line each (for the user to check).
    problems : list of str
        What could not be filled in and must be given; empty when the
        recipe can run.
    """

    recipe: Recipe
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def complete_recipe(
    given: Recipe, found: Detection, *, own_bars: bool = True
) -> Completed:
    """Fill in the panels, colour bar, range and scale ``given`` leaves open.

    Open means: no panels; neither a colour-bar box nor a colour-map name;
    neither both ends of the range nor tick marks; no scale (``norm``); no
    orientation. Everything else of ``given`` is kept as it is; panels added
    take no grid (give it after, as the CLI does with its flags). A panel
    without an extent takes the one its axis tick labels show, when both
    axes were read (``found.axes``); otherwise a note says to give it.

    With several colour bars, the one serving the most panels (the first
    of those) is the recipe's, with its panels; a bar whose
    colours no catalogue map fits is read as custom colours. With
    ``own_bars``, when nothing was given, the panels other bars serve are
    added too, each with its bar as :attr:`Panel.colorbar` (a figure with
    one bar per panel), when that bar's range was read. Without a bar, the
    colour map that fits the first panel best is named, when one fits (score
    at most ``RANKED_SCORE``); otherwise that is a problem (no map is
    guessed).

    Parameters
    ----------
    given : Recipe
        What the user chose (not modified).
    found : Detection
        What :func:`~napari_heatmap_digitizer.detect` found in the figure.
    own_bars : bool
        Add the panels of the other colour bars, each with its own bar (a
        front end that shows one bar passes False).

    Returns
    -------
    Completed

    Raises
    ------
    DigitizerError
        If ``given`` is not a :class:`Recipe` or ``found`` not a
        :class:`Detection`.
    """
    if not isinstance(given, Recipe):
        raise wrong("given", "a Recipe", given)
    if not isinstance(found, Detection):
        raise wrong("found", "a Detection (from detect(image))", found)
    recipe = given.copy()
    done = Completed(recipe)
    if not found.found:
        done.problems.append(found.message)
        return done
    cb = recipe.colorbar
    need_bar, need_range = not cb.has_source, not cb.has_range
    bar: FoundBar | None = None
    if need_bar and found.colorbars:
        bar = max(found.colorbars, key=lambda b: len(b.panels))
        cb.box = bar.box
        cb.orientation = cb.orientation or bar.orientation
        if bar.colormap is not None:
            named = f" ({bar.colormap})"
        elif bar.colormaps:
            named = " (custom colours, read from the bar)"
        else:
            named = ""
        done.notes.append(f"colour bar {bar.box.as_text()}{named}")
    others = [b for b in found.colorbars if b is not bar]
    if not recipe.panels:
        indices = bar.panels if bar is not None and bar.panels else None
        if indices is None:
            indices = list(range(len(found.panels)))
        recipe.panels = [Panel(found.panels[i]) for i in indices]
        if bar is not None and need_range and own_bars:
            # one bar per panel (or per group): each panel with its own
            recipe.panels += _own_bars(found, others, set(indices), done)
            used = {p.colorbar.box for p in recipe.panels if p.colorbar is not None}
            others = [
                b for b in others if b.box not in used and set(b.panels) <= set(indices)
            ]
        if recipe.panels:
            done.notes.append(
                "panels " + ", ".join(p.box.as_text() for p in recipe.panels)
            )
        else:
            done.problems.append("no plot panel found: give the plot panel's box")
    if others and need_bar:
        done.notes.append(
            f"{len(found.colorbars)} colour bars found, using the one serving "
            "the most panels; the others: " + "; ".join(b.box.as_text() for b in others)
        )
    _fill_extents(recipe, found, done)
    if need_bar and bar is None:
        ranked = found.colormaps.get(0) or next(iter(found.colormaps.values()), [])
        if not ranked:
            done.problems.append("no colour bar found: give the colour bar's box")
        elif fitting(ranked, RANKED_SCORE) is None:
            done.problems.append(
                "no colour bar found and no named colour map fits the panel's "
                f"colours (closest: {ranked[0].name}, ΔE {ranked[0].delta_e:.1f}): "
                "give the colour bar's box or --colormap"
            )
        else:
            cb.colormap = ranked[0].name
            done.notes.append(
                f"no colour bar: best-fitting colour map {ranked[0].name} "
                f"(mean ΔE {ranked[0].delta_e:.1f}; next: "
                + ", ".join(f"{m.name} (ΔE {m.delta_e:.1f})" for m in ranked[1:3])
                + ")"
            )
    if need_range and bar is None and cb.box is not None:
        # a bar the user gave: read the range of the bar detection found in it
        bar = _inside(cb.box, found.colorbars)
    if need_range:
        ticks = bar.ticks if bar is not None else None
        if ticks is None:
            where = "its tick labels" if bar is not None else "a colour bar"
            done.problems.append(
                f"the range could not be read from {where} (reading tick labels "
                "needs the OCR extra and Tesseract): give vmin and vmax"
            )
        elif ticks.problem is not None:
            done.problems.append(f"{ticks.problem}: give vmin and vmax")
        else:
            cb.vmin, cb.vmax, cb.ticks = ticks.vmin, ticks.vmax, None
            cb.norm = cb.norm or ticks.norm
            cb.range_from = range_text(ticks, bar.box if bar is not None else None)
            _fall(cb)
            done.notes.append(
                f"range {ticks.vmin:g} to {ticks.vmax:g} ({cb.norm}) {cb.range_from}"
            )
    return done


def range_text(ticks: TickReading, box: Box | None) -> str:
    """How a range was read from tick labels, for the confidence report.

    Names the labels, how far the fitted scale lies from them (pixels along
    the bar), whether the bar's ends lie beyond the outermost labels
    (extrapolated), labels left out as misread, and a range of two labels
    that nothing could check.
    """
    pos = np.array([p for p, _ in ticks.pairs], float)
    val = np.array([v for _, v in ticks.pairs], float)
    text = f"from tick labels {', '.join(ticks.labels)}"
    if (
        len(pos) >= 2
        and np.all(np.isfinite(val))
        and (ticks.norm != "log" or np.all(val > 0))
    ):
        y = np.log10(val) if ticks.norm == "log" else val
        slope, icpt = np.polyfit(pos, y, 1)
        if slope != 0:
            off = np.abs((y - (slope * pos + icpt)) / slope)
            text += f" (fit within {float(off.max()):.1f} px"
            if box is not None:
                lo, hi = (
                    (box.top, box.bottom)
                    if box.height > box.width
                    else (
                        box.left,
                        box.right,
                    )
                )
                if pos.min() - lo > 2 or hi - 1 - pos.max() > 2:
                    text += ", ends extrapolated"
            text += ")"
    if ticks.dropped:
        text += f" ({', '.join(ticks.dropped)} {LEFT_OUT}: check the range)"
    if ticks.unchecked:
        text += " (only two labels, unchecked: check it)"
    return text


def _fall(spec: ColorbarSpec) -> None:
    """Read a bar whose labels fall along it from its other end (``flip``).

    A range is always given low value first; labels read falling from the
    bar's bottom (or left) mean its values run the other way.
    """
    if spec.vmin is not None and spec.vmax is not None and spec.vmin > spec.vmax:
        spec.vmin, spec.vmax = spec.vmax, spec.vmin
        spec.flip = not spec.flip


def _read(bar: FoundBar) -> bool:
    """Whether the bar's range was read from its tick labels."""
    return bar.ticks is not None and bar.ticks.problem is None


def _own_bars(
    found: Detection, others: list[FoundBar], taken: set[int], done: Completed
) -> list[Panel]:
    """Panels read through a colour bar of their own (one bar per panel).

    Each other bar serving panels the main bar does not gets them, when its
    range was read; otherwise they are left out with a note saying why.
    """
    out = []
    for bar in others:
        mine = [i for i in bar.panels if i not in taken]
        if not mine:
            continue
        boxes = ", ".join(found.panels[i].as_text() for i in mine)
        if not _read(bar):
            why = bar.ticks.problem if bar.ticks is not None else "no tick labels read"
            done.notes.append(
                f"panels {boxes} left out: their colour bar {bar.box.as_text()}'s "
                f"range could not be read ({why}); give their boxes and range"
            )
            continue
        assert bar.ticks is not None
        spec = ColorbarSpec(
            box=bar.box,
            orientation=bar.orientation,
            vmin=bar.ticks.vmin,
            vmax=bar.ticks.vmax,
            norm=bar.ticks.norm,
            range_from=range_text(bar.ticks, bar.box),
        )
        _fall(spec)
        out += [Panel(found.panels[i], colorbar=spec) for i in mine]
        taken.update(mine)
        done.notes.append(
            f"colour bar {bar.box.as_text()} for panels {boxes}: range "
            f"{bar.ticks.vmin:g} to {bar.ticks.vmax:g} ({bar.ticks.norm}) from "
            f"tick labels {', '.join(bar.ticks.labels)}"
        )
    return out


def _fill_extents(recipe: Recipe, found: Detection, done: Completed) -> None:
    """Give each panel without an extent the one its axis labels show.

    Only when both axes were read; a panel's axes are those of the found
    panel lying inside its box. Given extents are kept.
    """
    if not found.axes:
        return
    for k, panel in enumerate(recipe.panels):
        if panel.extent is not None:
            continue
        i = _panel_index(panel.box, found.panels)
        axes = found.axes.get(i) if i is not None else None
        if axes is None:
            continue
        extent = axes.extent_for(panel.box)
        if extent is None:
            done.notes.append(
                f"axes of panel {k} not read ({axes.problem}): give --extent"
            )
            continue
        panel.extent = extent
        done.notes.append(f"axes of panel {k} read: {axes.describe()}")


def _panel_index(box: Box, panels: list[Box]) -> int | None:
    """Index of the found panel lying (at least 90 % of it) inside ``box``."""
    best, most = None, 0.9
    for i, p in enumerate(panels):
        share = _share(box, p)
        if share >= most:
            best, most = i, share
    return best


def _share(box: Box, b: Box) -> float:
    """How much of ``b`` lies inside ``box`` (0-1)."""
    w = min(box.right, b.right) - max(box.left, b.left)
    h = min(box.bottom, b.bottom) - max(box.top, b.top)
    return max(w, 0) * max(h, 0) / max(b.width * b.height, 1)


def _inside(box: Box, bars: list[FoundBar]) -> FoundBar | None:
    """The found bar lying (at least 90 % of it) inside ``box``, if any."""
    best, most = None, 0.9
    for bar in bars:
        share = _share(box, bar.box)
        if share >= most:
            best, most = bar, share
    return best
