"""How far a panel's numbers can be trusted: the confidence report.

Every panel's result is judged on what the image itself shows: how many of
its data pixels (no-data left out) matched the colour bar, how close their
colours lie to it (median and 95th-percentile ΔE), how many sit at one end
of the bar, how the range was had, and the cell grid's own checks. A
result outside the `Bounds` is *doubtful*: it is still written, and every
front end says so (the CLI exits 3, the widget warns), with what to try.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from napari_heatmap_digitizer.core._bands import Stats, iter_bands
from napari_heatmap_digitizer.core._cells import Cells
from napari_heatmap_digitizer.core._errors import DigitizerError, real
from napari_heatmap_digitizer.core._result import Result, share

#: How a range read from labels that partly disagreed says so (a doubt).
LEFT_OUT = "left out as misread"


@dataclass(frozen=True)
class Bounds:
    """When a panel's result is doubtful.

    Parameters
    ----------
    min_matched : float
        Least share of the data pixels that must get a value. Lines, text
        and borders drawn over the data in white, grey or black are not
        counted as data; their blends with the data's colours are, and take
        up to a quarter of a choropleth of small counties. A wrong colour
        map leaves most pixels without a value.
    max_median_delta : float
        Largest median ΔE (CIE76) between the data pixels' colours and the
        colour bar. Clean PNGs give under 1, JPEGs 1-3; a map that is not
        the figure's gives 10 or more.
    max_edge_page : float
        Largest share of the box's width (or height) that may be the page
        along one whole side: a box drawn past the plot's edge.
    """

    min_matched: float = 0.7
    max_median_delta: float = 5.0
    max_edge_page: float = 0.03

    def __post_init__(self) -> None:
        for f in fields(self):
            value = real(getattr(self, f.name), f.name)
            if not math.isfinite(value) or value < 0:
                raise DigitizerError(
                    f"{f.name} must be a finite number of at least 0, got {value}"
                )
            if f.name != "max_median_delta" and value > 1:
                raise DigitizerError(f"{f.name} is a share from 0 to 1, got {value}")
            object.__setattr__(self, f.name, value)

    def to_dict(self) -> dict[str, float]:
        """The bounds as a recipe stores them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Any, where: str = "bounds") -> Bounds:
        """Bounds from :meth:`to_dict` output; missing keys take the defaults.

        Raises
        ------
        DigitizerError
            If ``data`` is not an object of known keys and valid numbers.
        """
        if data is None:
            return cls()
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) - names:
            raise DigitizerError(
                f"recipe field '{where}' must be an object with keys "
                f"{', '.join(sorted(names))}, got {data!r}"
            )
        try:
            return cls(**data)
        except DigitizerError as exc:
            raise DigitizerError(f"recipe field '{where}': {exc}") from None


@dataclass
class Confidence:
    """What one panel's result is worth.

    Attributes
    ----------
    box : str
        The panel's box, ``LEFT,TOP,RIGHT,BOTTOM``.
    pixels : int
        Pixels in the box.
    nodata : int
        Pixels judged no data (the page around the data, masks, transparent).
    ink : int
        Pixels that matched no colour and are white, grey or black: lines,
        text, borders and grid drawn over the data, counted neither as data
        matched nor as data missed.
    matched : int
        Data pixels that got a value from their colour.
    filled : int
        Data pixels given a value by gap filling.
    median_delta, p95_delta : float
        Median and 95th-percentile ΔE of the data pixels' colours to the bar
        (NaN when there are none).
    at_low, at_high : int
        Matched pixels at the bar's low and high end (the figure's values
        may run past them: clipped).
    edge_page : dict
        Sides (``left``, ``top``, ``right``, ``bottom``) where the box
        reaches past the plot's frame, with how many lines: lines of no data
        (95 % or more of each) among which is a frame's line of ink.
    range_from : str
        How the value range was had.
    colour_map : str
        Where the colour bar's colours came from.
    cells : str or None
        The cell grid's summary, when values are per cell.
    doubts : list of str
        Why the result is doubtful and what to try; empty when it is not.
    notes : list of str
        What is worth knowing but is no reason for doubt.
    """

    box: str
    pixels: int
    nodata: int
    ink: int
    matched: int
    filled: int
    median_delta: float
    p95_delta: float
    at_low: int
    at_high: int
    edge_page: dict[str, int]
    range_from: str
    colour_map: str
    cells: str | None = None
    doubts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def data(self) -> int:
        """Pixels judged data (neither no data nor ink)."""
        return self.pixels - self.nodata - self.ink

    @property
    def matched_share(self) -> float:
        """Share of the data pixels that got a value from their colour."""
        return self.matched / self.data if self.data else 0.0

    @property
    def doubtful(self) -> bool:
        """Whether the result is outside the bounds."""
        return bool(self.doubts)

    def line(self) -> str:
        """One line: the panel, its match, ΔE, no-data and range source."""
        med = "n/a" if math.isnan(self.median_delta) else f"{self.median_delta:.1f}"
        p95 = "n/a" if math.isnan(self.p95_delta) else f"{self.p95_delta:.1f}"
        verdict = "DOUBTFUL" if self.doubtful else "ok"
        return (
            f"panel {self.box}: {verdict}: {share(self.matched_share)} of the data "
            f"matched (ΔE median {med}, 95 % {p95}), "
            f"{share(self.nodata / max(self.pixels, 1))} no data, "
            f"range {self.range_from}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (NaN as ``None``)."""
        out = asdict(self)
        for key in ("median_delta", "p95_delta"):
            if math.isnan(out[key]):
                out[key] = None
        out["data"] = self.data
        out["matched_share"] = round(self.matched_share, 6)
        out["doubtful"] = self.doubtful
        return out


def assess(
    result: Result,
    *,
    cells: Cells | None = None,
    range_from: str = "given",
    bounds: Bounds | None = None,
    stats: Stats | None = None,
) -> Confidence:
    """Judge one panel's result (computed band by band when lazy).

    Parameters
    ----------
    result : Result
        The panel's per-pixel result.
    cells : Cells, optional
        Its values per cell, whose doubtful cells and grid warnings count.
    range_from : str
        How the range was had, for the report (e.g. ``"given"`` or
        ``"from tick labels 0, 0.5, 1"``).
    bounds : Bounds, optional
        When the result is doubtful; the defaults otherwise.
    stats : Stats, optional
        For a lazy result, what writing it gathered: the report is made from
        it instead of computing the panel again (values at the bar's ends and
        page along the sides are then not counted).

    Returns
    -------
    Confidence
    """
    bounds = bounds or Bounds()
    if stats is not None and result.lazy:
        return _from_stats(result, stats, cells, range_from, bounds)
    bar = result.colorbar
    ends = np.asarray(bar.values, dtype=np.float64)
    lo, hi = float(np.min(ends)), float(np.max(ends))
    # half a table step: the end colours' own values and their neighbours'
    step = 0.5 * float(np.min(np.abs(np.diff(ends)))) if len(ends) > 1 else 0.0
    hist = np.zeros(4097, np.int64)  # ΔE in 1/16 bins up to 256
    nodata = matched = at_low = at_high = 0
    page = np.zeros(4, np.int64)  # whole no-data lines at each side
    ink = 0
    for band, values, distance, hidden in iter_bands(
        result.values, result.distance, result.nodata
    ):
        v = np.asarray(values)
        d = np.asarray(distance)
        data = np.ones(v.shape, bool) if hidden is None else ~np.asarray(hidden)
        nodata += int(v.size - np.count_nonzero(data))
        if result.ink is not None and not result.lazy:
            data &= ~result.ink[band]
            ink += int(np.count_nonzero(result.ink[band]))
        ok = np.isfinite(v)
        if result.filled is not None and not result.lazy:
            ok &= ~result.filled[band]
        matched += int(np.count_nonzero(ok))
        at_low += int(np.count_nonzero(v[ok] <= lo + step))
        at_high += int(np.count_nonzero(v[ok] >= hi - step))
        finite = d[data & np.isfinite(d)]
        bins = np.minimum((finite * 16).astype(np.int64), 4096)
        hist += np.bincount(bins, minlength=len(hist))
    filled = 0 if result.filled is None else int(np.count_nonzero(result.filled))
    if result.ink is not None and not result.lazy:
        empty = np.isnan(np.asarray(result.values))
        if result.nodata is not None:
            empty |= np.asarray(result.nodata)
        page[:] = _edge_lines(empty, np.asarray(result.ink))
    report = Confidence(
        box=result.box.as_text(),
        pixels=int(result.box.width * result.box.height),
        nodata=nodata,
        ink=ink,
        matched=matched,
        filled=filled,
        median_delta=_quantile(hist, 0.5),
        p95_delta=_quantile(hist, 0.95),
        at_low=at_low,
        at_high=at_high,
        edge_page={
            side: int(n)
            for side, n in zip(("left", "top", "right", "bottom"), page, strict=True)
            if n
        },
        range_from=range_from,
        colour_map=bar.describe(),
        cells=None if cells is None else cells.summary(),
    )
    _judge(report, result, bounds, cells)
    return report


def _from_stats(
    result: Result,
    stats: Stats,
    cells: Cells | None,
    range_from: str,
    bounds: Bounds,
) -> Confidence:
    """The report of a lazy result from what writing it gathered."""
    pixels = int(result.box.width * result.box.height)
    report = Confidence(
        box=result.box.as_text(),
        pixels=pixels,
        nodata=pixels - stats.total,
        ink=0,
        matched=stats.matched,
        filled=0,
        median_delta=_quantile(stats.hist, 0.5, 256),
        p95_delta=_quantile(stats.hist, 0.95, 256),
        at_low=0,
        at_high=0,
        edge_page={},
        range_from=range_from,
        colour_map=result.colorbar.describe(),
        cells=None if cells is None else cells.summary(),
    )
    _judge(report, result, bounds, cells)
    report.notes.append("read chunk by chunk: values at the bar's ends not counted")
    return report


def _quantile(hist: np.ndarray, q: float, per: int = 16) -> float:
    """The ``q`` quantile of a histogram of ``1/per`` ΔE bins."""
    n = int(hist.sum())
    if n == 0:
        return float("nan")
    i = int(np.searchsorted(np.cumsum(hist), q * n))
    return (i + 0.5) / per


def _edge_lines(empty: np.ndarray, ink: np.ndarray, least: float = 0.95) -> np.ndarray:
    """How deep the box reaches past a plot's frame at each side.

    At the left, top, right and bottom: the lines in a row at that side of
    which at least ``least`` is no data or got no value (the page beside a
    plot, with the tick labels and marks in its margin), when the last of
    them (within 3) is a frame: a line of ink along at least 80 % of it.
    Data missing along a side inside the frame (land, a section's empty
    start) is no doubt.
    """
    out = []
    for lines, inked in (
        (empty.mean(axis=0), ink.mean(axis=0)),
        (empty.mean(axis=1), ink.mean(axis=1)),
        (empty.mean(axis=0)[::-1], ink.mean(axis=0)[::-1]),
        (empty.mean(axis=1)[::-1], ink.mean(axis=1)[::-1]),
    ):
        off = np.flatnonzero(np.asarray(lines) < least)
        depth = len(lines) if len(off) == 0 else int(off[0])
        # the frame is where the strip ends and the data begins (a grid line
        # out in an empty part of the plot is not)
        framed = bool((np.asarray(inked)[max(0, depth - 3) : depth] >= 0.8).any())
        out.append(depth if framed else 0)
    return np.array(out)


def _judge(
    report: Confidence, result: Result, bounds: Bounds, cells: Cells | None
) -> None:
    """Fill in the report's doubts and notes."""
    doubts, notes = report.doubts, report.notes
    if report.data == 0:
        doubts.append(
            "no data pixels: the whole box is no data (page, masks); check the box"
        )
        return
    shown = report.matched_share
    med = report.median_delta
    if shown < bounds.min_matched or (
        not math.isnan(med) and med > bounds.max_median_delta
    ):
        why = (
            f"only {share(shown)} of the data pixels match the colour bar"
            if shown < bounds.min_matched
            else f"the data's colours lie far from the colour bar (median ΔE {med:.1f})"
        )
        doubts.append(
            f"{why}: wrong colour map or colour-bar box? (check --colormap/"
            "--colorbar, or the bar's ends)"
        )
    box = result.box
    for side, n in report.edge_page.items():
        size = box.width if side in ("left", "right") else box.height
        if n >= 3 and n > bounds.max_edge_page * size:
            doubts.append(
                f"the box reaches {n} px past the plot's frame at its {side}: "
                "draw it to the plot's edge (--plot)"
            )
    if LEFT_OUT in report.range_from:
        doubts.append(
            f"the range was read {report.range_from}: some tick labels disagreed "
            "with the others; check it, or give vmin and vmax"
        )
    for end, n in (("low", report.at_low), ("high", report.at_high)):
        if n > 0.25 * report.matched:
            notes.append(
                f"{share(n / report.matched)} of the values sit at the bar's {end} "
                "end: the figure's values may run past it (clipped)"
            )
    if cells is not None:
        doubts.extend(f"cells: {w}" for w in cells.warnings)
        bad = int(cells.doubtful().sum())
        if bad:
            notes.append(f"{bad} cell(s) with under half their pixels matched")
