"""Cell grids from every kind of evidence a matrix figure shows.

:func:`~napari_heatmap_digitizer.core._grid.detect_grid` finds cells from
colour steps alone; it fails where neighbouring cells share a colour (a
confusion matrix's pale off-diagonal cells, the blank half of a triangle).
:func:`find_grid` also looks at what is drawn *around* the colours. Along
each axis, every source gives points:

* colour steps between cells (edges);
* separator lines of any colour crossing the panel or whole cells (edges,
  or cell centres for grid lines drawn at the ticks);
* tick marks just outside the panel (centres or edges);
* tick labels outside the panel, one per row or column (centres, up to a
  common shift: rotated labels sit beside their tick);
* numbers printed in the cells, one centred in each (centres).

For every count ``n`` of equal cells, a source *fits* when its points lie
on the cells' edges (or centres) and *covers* the grid when it has a point
at most of them. A count scores the mean fit of the sources (weighted by
how well each lines up with any count at all: noise counts little) times
the best fit x cover of one source. The grid fills the part of the panel
holding data. A poor best score raises; a close runner-up, a source lining
up with another count, or cells of two colours make the grid doubtful
(warnings); when the evidence is not clear the grid of the colour steps
alone (`detect_grid`, maybe irregular) settles it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cell_estimate import positions
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._grid import (
    DETECT_DISTANCE,
    INK,
    MIN_CELL,
    STEP,
    Grid,
    _evidence,
    _in_long_runs,
    _irregular,
    _line_mask,
    _merge_close,
    _mixed,
    _peaks,
    detect_grid,
)
from napari_heatmap_digitizer.core._result import Result, check_result
from napari_heatmap_digitizer.core._tick_ocr import _runs

__all__ = ["find_grid"]

#: Colour-bar position difference of the finest colour step looked for
#: (about one level of a 256-colour map).
FINE_STEP = 0.006
#: A count scores at least this to be taken ...
LEAST_SCORE = 0.6
#: ... and a different count within this of it makes the grid doubtful.
CLOSE_SCORE = 0.1
#: A source fitting the chosen grid less than this makes it doubtful.
DISAGREE = 0.5
#: How far beside the panel tick marks and labels are looked for (px).
REACH = 120


@dataclass
class _Source:
    """Points along one axis from one kind of evidence (panel pixels)."""

    name: str
    points: np.ndarray
    weights: np.ndarray
    kind: str  # "edge", "centre", "either" (lines, ticks) or "shifted" (labels)

    def __len__(self) -> int:
        return int(self.points.size)


def find_grid(image: np.ndarray, result: Result, *, step: float = STEP) -> Grid:
    """Find the cell grid of a matrix panel from all the evidence in the figure.

    Parameters
    ----------
    image : numpy.ndarray
        The whole figure, ``(H, W, 3)`` ``uint8`` RGB.
    result : Result
        The per-pixel result of the panel (``result.box`` is the panel in
        figure pixels).
    step : float
        Colour-bar position difference (0-1) that counts as a colour change.

    Returns
    -------
    Grid
        In panel pixels; ``warnings`` name anything doubtful.

    Raises
    ------
    DigitizerError
        If no grid fits the evidence well.
    """
    check_result(result)
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] < 3:
        raise DigitizerError("find_grid needs the figure as an (H, W, 3) RGB array")
    box = result.box
    where = f"panel {box.as_text()}"
    # the figure around the panel, as far as tick labels are looked for
    top, left = max(0, box.top - REACH), max(0, box.left - REACH)
    near = image[top : box.bottom + REACH, left : box.right + REACH, :3]
    grey = near.astype(np.float32).mean(axis=2)
    inner = Box(box.left - left, box.top - top, box.right - left, box.bottom - top)
    pos = positions(result, DETECT_DISTANCE)
    text_x, text_y, hide = _printed(grey[inner.slices])
    # a grid may fill only part of the panel: the part with the data
    data = np.isfinite(pos)
    spans = (_span(data.mean(axis=0)), _span(data.mean(axis=1)))
    pos[hide] = np.nan  # colour steps around printed numbers are the numbers'
    outside = _outside(grey, inner)
    rgb = near[inner.slices].astype(np.float32)
    sources = []
    for k, (a, b) in enumerate(spans):
        p = pos[:, a:b] if k == 0 else np.ascontiguousarray(pos[a:b].T)
        g = rgb[:, a:b] if k == 0 else np.ascontiguousarray(rgb[a:b].swapaxes(0, 1))
        found = [_steps(p, step), _lines(g)]
        found += [_shifted(s, a, b) for s in (*outside[k], (text_x, text_y)[k])]
        sources.append([s for s in found if len(s)])

    def choose(steps: Grid | None) -> tuple[int, int, list[str]]:
        clean = steps is not None and not steps.warnings
        counts, notes = [], []
        for k, name in enumerate(("column", "row")):
            (a, b), count = spans[k], None if steps is None else steps.shape[1 - k]
            n, said = _choose(name, b - a, sources[k], where, count, clean)
            counts.append(n)
            notes += said
        if counts == [1, 1]:
            raise DigitizerError(
                f"no cell grid found in {where}: it holds one colour and nothing "
                "marks its cells; give the grid with --cells COLSxROWS"
            )
        return counts[0], counts[1], notes

    def regular(cols: int, rows: int, notes: list[str]) -> Grid:
        (a, b), (c, d) = spans
        grid = Grid(
            a + np.linspace(0, b - a, cols + 1), c + np.linspace(0, d - c, rows + 1)
        )
        grid.check_size()
        grid.warnings += notes + _irregular(grid) + _mixed(pos, grid, step, where)
        return grid

    try:  # the evidence alone, when it is clear
        grid = regular(*choose(None))
        if not grid.warnings:
            return grid
    except DigitizerError:
        pass
    # otherwise the colour steps' own grid (maybe irregular) helps decide
    try:
        steps_grid: Grid | None = detect_grid(result, step=step)
    except DigitizerError:
        steps_grid = None
    cols, rows, notes = choose(steps_grid)
    if steps_grid is not None and steps_grid.shape == (rows, cols):
        steps_grid.warnings += notes
        return steps_grid
    return regular(cols, rows, notes)


def _span(share: np.ndarray) -> tuple[int, int]:
    """Where along an axis the data lie (columns holding some), or all of it."""
    size = share.size
    idx = np.flatnonzero(share >= 0.01)
    if idx.size == 0:
        return 0, size
    a, b = int(idx[0]), int(idx[-1]) + 1
    if a <= 2 * MIN_CELL and b >= size - 2 * MIN_CELL:
        return 0, size  # the whole panel (up to its frame)
    if min(share[a : a + MIN_CELL].min(), share[b - MIN_CELL : b].min()) < 0.5:
        return 0, size  # no clear end of the data (a triangle's corner cell)
    return a, b


def _shifted(source: _Source, a: int, b: int) -> _Source:
    """``source`` with its points measured from ``a``, within ``a..b``."""
    if a == 0 and b >= source.points.max(initial=0):
        return source
    x = source.points - a
    keep = (x > -2) & (x < b - a + 2)
    return _Source(source.name, x[keep], source.weights[keep], source.kind)


def _fit(source: _Source, size: int, ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How well ``source`` fits ``n`` equal cells, for every ``n`` of ``ns``.

    Returns the fit (weighted share of the points on the cells' edges or
    centres) and the cover (share of those edges or centres with a point).
    """
    p = size / ns.astype(np.float64)
    # edges are drawn where they fall; centres of text are looser
    loose = 0.1 if source.kind in ("centre", "shifted") else 0.05
    tol = np.minimum(np.maximum(1.5, loose * p), 0.25 * p)[:, None]
    x = source.points[None, :] / p[:, None]
    wsum = max(float(source.weights.sum()), 1e-9)
    best_fit = np.zeros(ns.size)
    best_cover = np.zeros(ns.size)
    kinds = {"either": ("edge", "centre"), "shifted": ("centre",)}.get(
        source.kind, (source.kind,)
    )
    rows = np.broadcast_to(np.arange(ns.size)[:, None], x.shape)
    for kind in kinds:
        r = x - 0.5 if kind == "centre" else x
        if source.kind == "shifted":
            # one shift common to all labels (rotated labels sit beside the tick)
            turn = np.exp(2j * np.pi * (r - np.round(r))).sum(axis=1)
            r = r - (np.angle(turn) / (2 * np.pi))[:, None]
        k = np.round(r)
        first = 1 if kind == "edge" else 0
        total = ns - 1 if kind == "edge" else ns
        on = (np.abs(r - k) * p[:, None] <= tol) & (k >= first)
        on &= k < (first + total)[:, None]
        fit = (on * source.weights[None, :]).sum(axis=1) / wsum
        hits = np.zeros((ns.size, int(ns.max()) + 1), dtype=bool)
        hits[rows[on], k[on].astype(np.int64)] = True
        cover = np.minimum(1.0, hits.sum(axis=1) / np.maximum(total, 1))
        better = fit * cover > best_fit * best_cover
        best_fit[better] = fit[better]
        best_cover[better] = cover[better]
    return best_fit, best_cover


def _choose(
    name: str,
    size: int,
    sources: list[_Source],
    where: str,
    steps: int | None = None,
    clean: bool = False,
) -> tuple[int, list[str]]:
    """The count of cells along one axis best supported by ``sources``.

    ``steps`` is the count colour steps alone found (every edge between
    cells of different colours, no cell of two colours), if they did, and
    ``clean`` whether they found a regular grid. When no count of equal cells
    fits, theirs (an irregular grid) is taken.
    """
    if not sources:
        return (1, []) if steps is None else (steps, [])
    ns = np.arange(2, max(2, size // MIN_CELL) + 1)
    fits = np.zeros((len(sources), ns.size))
    covers = np.zeros((len(sources), ns.size))
    for i, s in enumerate(sources):
        fits[i], covers[i] = _fit(s, size, ns)
    # a source counts less with a few points, and when its points line up
    # with no count of cells at all (noise)
    alone = (fits * covers).max(axis=1)
    weight = np.array([min(1.0, len(s) / 4) for s in sources]) * alone
    # the source covering the cells best must fit them too
    scores = (weight @ fits / weight.sum()) * (fits * covers).max(axis=0)
    i = int(np.argmax(scores))
    n, best = int(ns[i]), float(scores[i])
    if best < LEAST_SCORE:
        if steps is not None:
            return steps, []
        raise DigitizerError(
            f"no cell grid found in {where}: nothing lines up in equal {name}s "
            f"(best fit {best:.2f}); give the grid with --cells COLSxROWS"
        )
    notes = []
    others = scores.copy()
    others[i] = 0
    j = int(np.argmax(others))
    if clean and steps is not None and steps != n and 2 <= steps <= ns[-1]:
        if scores[steps - 2] > best - CLOSE_SCORE:
            # the colour steps settle a close call
            i, n, best = steps - 2, steps, float(scores[steps - 2])
        else:
            notes.append(
                f"the colour steps give {steps} {name}s, the rest {n}: check the "
                "grid, or give it with --cells COLSxROWS"
            )
    elif not (clean and steps == n) and others[j] > best - CLOSE_SCORE:
        notes.append(
            f"{n} or {int(ns[j])} {name}s fit the figure about equally well (scores "
            f"{best:.2f}, {others[j]:.2f}): check the grid, or give it with "
            "--cells COLSxROWS"
        )
    for k, s in enumerate(sources):
        # a source that lines up with another count by itself disagrees
        own = int(np.argmax(fits[k] * covers[k]))
        if s.kind == "edge" and alone[k] >= 0.95 and covers[k, i] < 0.5:
            notes.append(
                f"the colour steps show {int(ns[own])} {name}s, the rest {n}: "
                "check the grid, or give it with --cells COLSxROWS"
            )
        elif len(s) >= 3 and fits[k, i] < DISAGREE and alone[k] >= 0.8:
            notes.append(
                f"the {s.name} line up with {int(ns[own])} {name}s, the rest "
                f"with {n}: check the grid, or give it with --cells COLSxROWS"
            )
    return n, notes


# -- the sources ------------------------------------------------------------------


def _steps(pos: np.ndarray, step: float) -> _Source:
    """Colour steps between pixel columns (``pos`` is the panel's positions)."""
    w = pos.shape[1]
    with np.errstate(invalid="ignore"):
        changes = (np.abs(np.diff(pos, axis=1)) > FINE_STEP).mean(axis=0)
    if np.median(changes) > 0.02:  # JPEG noise: only larger, clearer steps
        s, least = _evidence(pos, step), 0.4
    else:  # colours change only between cells: every step counts
        s, least = _evidence(pos, FINE_STEP), 0.15
    empty = _Source("colour steps", np.zeros(0), np.zeros(0), "edge")
    if s.max() <= 0.05:
        return empty
    peaks = _peaks(s, max(0.05, least * float(np.percentile(s[s > 0], 95))))
    # steps this close to the panel's edge are its frame (or JPEG ringing)
    peaks = peaks[(peaks > 2 * MIN_CELL) & (peaks < w - 2 * MIN_CELL)]
    if peaks.size == 0:
        return empty
    if least > 0.15:  # both sides of an edge rung by JPEG: one edge
        peaks = _merge_close(peaks, s)
    return _Source("colour steps", peaks.astype(float), s[peaks], "edge")


def _lines(g: np.ndarray) -> _Source:
    """Separator lines of any colour down the panel (``g``: RGB, rows x cols)."""
    h, w = g.shape[:2]
    empty = _Source("separator lines", np.zeros(0), np.zeros(0), "either")
    if w < 8 or h < 8:
        return empty
    mask = _line_mask(g[..., 0]) | _line_mask(g[..., 1]) | _line_mask(g[..., 2])
    least = max(12, h // 8)
    share = _in_long_runs(mask, least).sum(axis=0) / h
    cols = np.flatnonzero(share >= 0.15)
    if cols.size == 0:
        return empty
    points, weights = [], []
    for run in np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1):
        if run.size > 5 or run[0] <= 2 or run[-1] >= w - 3:
            continue  # a band, or the panel's frame
        weights.append(float(share[run].max()))
        points.append(float(run.mean()) + 0.5)
    return _Source("separator lines", np.array(points), np.array(weights), "either")


def _printed(panel: np.ndarray) -> tuple[_Source, _Source, np.ndarray]:
    """Centres of the words printed in the panel (numbers in cells).

    Words are clusters of thin strokes both across and along the panel (a
    line has strokes of one direction only; straight runs longer than a
    glyph are left out first). Also returns where the text is.
    """
    from scipy import ndimage as ndi

    h, w = panel.shape
    empty = (
        _Source("printed numbers", np.zeros(0), np.zeros(0), "centre"),
        _Source("printed numbers", np.zeros(0), np.zeros(0), "centre"),
        np.zeros(panel.shape, dtype=bool),
    )
    least = max(15, min(h, w) // 12)
    across = _line_mask(panel)
    across &= ~_in_long_runs(across, least)
    down = _line_mask(np.ascontiguousarray(panel.T))
    down &= ~_in_long_runs(down, least)
    down = down.T
    ink = across | down
    if not ink.any():
        return empty
    labels, _ = ndi.label(ink, structure=np.ones((3, 3)))
    boxes = ndi.find_objects(labels)
    heights = [b[0].stop - b[0].start for b in boxes]
    sizes = [hh for hh in heights if 4 <= hh <= max(6, h // 4)]
    if len(sizes) < 2:
        return empty
    glyph = float(np.median(sizes))
    # glyphs give the rows (all glyphs of a line share its middle) and hide
    # the colour steps around them; words give the columns
    glyphs = _blobs(ink, across, down, glyph, 0, 0.05)
    words = _blobs(ink, across, down, glyph, max(1, int(0.25 * glyph)), 0.15)
    if len(glyphs) < 3:
        return empty
    ys = np.array([0.5 * (b[0].start + b[0].stop) for b in glyphs])
    xs = np.array([0.5 * (b[1].start + b[1].stop) for b in words])
    if xs.size < 3:
        xs = np.zeros(0)
    # all the text's ink, with the halo JPEG puts around it
    textish = np.zeros(len(boxes) + 1, dtype=bool)
    textish[1:] = np.array(
        [
            b[0].stop - b[0].start <= 1.6 * glyph
            and b[1].stop - b[1].start <= 2 * glyph
            for b in boxes
        ]
    )
    hide = ndi.binary_dilation(textish[labels], structure=np.ones((7, 7)))
    return (
        _Source("printed numbers", xs, np.ones(xs.size), "centre"),
        _Source("printed numbers", ys, np.ones(ys.size), "centre"),
        hide,
    )


def _blobs(
    ink: np.ndarray,
    across: np.ndarray,
    down: np.ndarray,
    glyph: float,
    join: int,
    mixed: float,
) -> list[tuple[slice, ...]]:
    """Boxes of the clusters of ink (glyphs joined ``join`` px apart) like text.

    A glyph's height, strokes of both directions (at least ``mixed`` of
    them the less common one), not cut by the panel's edge.
    """
    from scipy import ndimage as ndi

    h, w = ink.shape
    merged = ink
    if join:
        merged = ndi.binary_dilation(ink, structure=np.ones((1, 2 * join + 1)))
    labels, count = ndi.label(merged, structure=np.ones((3, 3)))
    index = np.arange(1, count + 1)
    n_across = ndi.sum(across, labels, index)
    n_down = ndi.sum(down, labels, index)
    widest = 12 * glyph if join else 2 * glyph
    out = []
    for i, b in enumerate(ndi.find_objects(labels)):
        if b is None:
            continue
        bh = b[0].stop - b[0].start
        bw = b[1].stop - b[1].start - 2 * join
        if not 0.6 * glyph <= bh <= 1.6 * glyph or bw < 1 or bw > widest:
            continue
        if min(n_across[i], n_down[i]) < mixed * max(n_across[i], n_down[i]):
            continue  # strokes of one direction: a piece of line
        if b[0].start <= 1 or b[0].stop >= h - 1:
            continue  # cut by the panel's edge: not a number in a cell
        if b[1].start + join <= 1 or b[1].stop - join >= w - 1:
            continue
        out.append(b)
    return out


def _paper(grey: np.ndarray) -> float:
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return float(np.median(border))


def _strip(grey: np.ndarray, b: Box, side: str, pad: int) -> np.ndarray:
    """The figure beside one side of the panel as ``(along, away)``.

    ``grey`` is padded by :data:`REACH` (NaN) and ``b`` the panel in it;
    ``along`` runs over the panel's extent plus ``pad`` each side, ``away``
    from the pixel just outside the panel outwards.
    """
    across = slice(b.left - pad, b.right + pad)
    down = slice(b.top - pad, b.bottom + pad)
    if side == "bottom":
        return grey[b.bottom : b.bottom + REACH, across].T
    if side == "top":
        return grey[b.top - REACH : b.top, across][::-1].T
    if side == "right":
        return grey[down, b.right : b.right + REACH]
    return grey[down, b.left - REACH : b.left][:, ::-1]


def _outside(grey: np.ndarray, box: Box) -> tuple[list[_Source], list[_Source]]:
    """Tick marks and labels beside the panel: (along x, along y) sources."""
    paper = _paper(grey)
    grey = np.pad(grey, REACH, constant_values=np.nan)
    box = Box(box.left + REACH, box.top + REACH, box.right + REACH, box.bottom + REACH)
    found: dict[str, list[_Source]] = {"x": [], "y": []}
    for axis, sides in (("x", ("bottom", "top")), ("y", ("left", "right"))):
        length = box.width if axis == "x" else box.height
        pad = min(REACH, max(4, length // 40))
        ticks, labels = np.zeros(0), np.zeros(0)
        for side in sides:
            strip = _strip(grey, box, side, pad)
            ink = np.abs(strip - paper) > INK  # NaN (off the figure) is no ink
            t, ink = _marks(ink, pad, length)
            if t.size > ticks.size:
                ticks = t
            lab = _labels(ink, pad, length)
            if lab.size > labels.size:
                labels = lab
        found[axis] = [
            _Source("tick marks", ticks, np.ones(ticks.size), "either"),
            _Source("tick labels", labels, np.ones(labels.size), "shifted"),
        ]
    return found["x"], found["y"]


def _marks(ink: np.ndarray, pad: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Tick marks on a strip's ``ink``: positions, and the ink without them.

    A tick mark starts at the panel's edge or its frame and runs straight out,
    thin (at most 3 px) and at least 2 px long.
    """
    inside = ink[pad : pad + length]
    share = inside.mean(axis=0)
    d = 0
    while d < 4 and share[d] > 0.5:  # the frame
        d += 1
    first = d
    if first:
        ink = ink.copy()
        ink[:, :first] = False
    while d < first + 3 and share[d] == 0:
        d += 1
    if share[d] == 0 or share[d] > 0.3:
        return np.zeros(0), ink
    marks = inside[:, d].copy()
    depth = 1
    while d + depth < ink.shape[1] and depth < 15:
        col = inside[:, d + depth]
        if (col & marks).sum() < 0.8 * max(1, (col | marks).sum()):
            break
        marks &= col
        depth += 1
    idx = np.flatnonzero(marks)
    if depth < 2 or idx.size == 0:
        return np.zeros(0), ink
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    if any(r.size > 3 for r in runs) or len(runs) < 2:
        return np.zeros(0), ink
    ink = ink.copy()
    for r in runs:
        ink[pad + r[0] - 1 : pad + r[-1] + 2, : d + depth] = False
    return np.array([float(r.mean()) + 0.5 for r in runs]), ink


def _labels(ink: np.ndarray, pad: int, length: int) -> np.ndarray:
    """Centres of tick labels on a strip's ``ink`` (tick marks removed).

    The labels are the first band of ink away from the panel. Each label is
    a run of ink along the axis, either over the whole band (level text) or
    over its first few pixels (text set at an angle, whose end nearest the
    axis marks the tick); the more regular of the two is taken.
    """
    away = np.flatnonzero(ink.any(axis=0))
    if away.size == 0 or away[0] > 30:
        return np.zeros(0)
    gaps = np.flatnonzero(np.diff(away) > 6)
    end = int(away[gaps[0]]) + 1 if gaps.size else int(away[-1]) + 1
    start = int(away[0])
    best = np.zeros(0)
    spread = np.inf
    for stop in (end, min(end, start + 6)):
        runs = _runs(np.asarray(ink[:, start:stop].any(axis=1)), join=3)
        pts = np.array([0.5 * (a + b) for a, b in runs if b - a >= 2]) - pad
        pts = pts[(pts > -pad / 2) & (pts < length + pad / 2)]
        if pts.size < 2:
            continue
        gap = np.diff(pts)
        cv = float(gap.std() / gap.mean()) if pts.size > 2 else 0.5
        if cv < spread:
            best, spread = pts, cv
    return best
