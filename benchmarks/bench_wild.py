"""Figures from the wild: 30 real heat maps with hand-measured answers.

    python benchmarks/bench_wild.py [--corpus DIR] [--no-ocr] [--only NAME]
                                    [--json OUT]

The corpus (default ``../shared/figures-wild`` beside the repository) holds
figures made by other people with other software, and ``expected.json`` with
the answers measured by hand (see the corpus's README.md for every field).
Every figure is measured twice, with the same code for all of them:

1. No input but the file, as ``heatmap-digitizer digitize FIG --auto``:
   `detect` then `complete_recipe`. Reported: expected panels found (a found
   panel matches at intersection-over-union >= 0.8; matched/expected and the
   median IoU of the matches), colour bars found (IoU >= 0.8 against the
   bar's gradient), the range read from the tick labels (vmin and vmax each
   within 1 % of the expected span, or within one pixel along the bar where
   a pixel is more than that: the corpus measures its ends to +-1 px; for
   log bars in decades), the scale (linear/log) right, and whether the
   completed recipe would run (no problems). Per figure: panels right
   (every expected panel matched and nothing extra found), bars right (the
   same for bars), ranges right (every bar's range and scale right). A
   figure works with no input when every expected panel is matched, every
   bar serving them is matched and every bar's range is right.
2. Boxes and range given (the expected panel and bar boxes, vmin, vmax,
   scale and orientation; stepped bars left to be recognised from their
   colours): the fraction of each panel's pixels matched to the bar and the
   median colour distance ΔE of the matched ones; and for matrices with
   printed numbers (or reference values), one value per cell on the
   expected ``COLSxROWS`` grid against them, in % of the bar's range.

Prints a Markdown table for docs/accuracy.md; ``--json OUT`` also saves the
rows and totals.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from napari_heatmap_digitizer import (
    Box,
    ColorbarSpec,
    Panel,
    Recipe,
    Values,
    complete_recipe,
    detect,
    load_image,
    ocr_available,
    run_recipe,
)

ROOT = Path(__file__).resolve().parent.parent
PANEL_IOU = 0.8
BAR_IOU = 0.8


def iou(a: Box, b: Box) -> float:
    return a.iou(b)


def match(expected: list[Box], found: list[Box], least: float) -> list[tuple]:
    """Pair expected with found boxes one to one, best IoU first.

    Returns one ``(found index or None, IoU)`` per expected box.
    """
    pairs = sorted(
        (
            (iou(e, f), i, j)
            for i, e in enumerate(expected)
            for j, f in enumerate(found)
        ),
        reverse=True,
    )
    out: list[tuple] = [(None, 0.0)] * len(expected)
    used_e, used_f = set(), set()
    for score, i, j in pairs:
        if i in used_e or j in used_f:
            continue
        if score >= least:
            out[i] = (j, score)
            used_e.add(i)
            used_f.add(j)
        elif out[i][0] is None and score > out[i][1]:
            out[i] = (None, score)
    return out


def renderers(corpus: Path) -> dict[str, str]:
    """The renderer column of the corpus README's table, by file name."""
    readme = corpus / "README.md"
    out: dict[str, str] = {}
    if readme.exists():
        for line in readme.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|", line)
            if m:
                out[m.group(1)] = m.group(2)
    return out


def range_right(bar: dict, vmin: float, vmax: float) -> tuple[bool, float]:
    """Whether both ends are within tolerance; the worse end in % of span."""
    lo, hi = float(bar["vmin"]), float(bar["vmax"])
    if bar["norm"] == "log":
        if vmin <= 0 or vmax <= 0:
            return False, math.inf
        lo, hi, vmin, vmax = (math.log10(v) for v in (lo, hi, vmin, vmax))
    span = abs(hi - lo)
    worst = 100 * max(abs(vmin - lo), abs(vmax - hi)) / span
    left, top, right, bottom = bar["box"]
    length = bottom - top if bar["orientation"] == "vertical" else right - left
    tol = max(1.0, 100 / length)  # 1 % of the span, or one pixel
    return worst <= tol, worst


# -- 1. no input but the file --------------------------------------------


def auto(image: np.ndarray, exp: dict, ocr: bool) -> dict[str, Any]:
    found = detect(image, ticks=None if ocr else False)
    done = complete_recipe(Recipe(), found)
    e_panels = [Box(*p) for p in exp["panels"]]
    e_bars = exp["colorbars"]
    pm = match(e_panels, list(found.panels), PANEL_IOU)
    bm = match(
        [Box(*b["box"]) for b in e_bars], [b.box for b in found.colorbars], BAR_IOU
    )
    ious = [s for j, s in pm if j is not None]
    ranges, norms, worst, read = [], [], [], []
    linked = []
    for bar in e_bars:
        # the range is judged on the found bar overlapping this one most,
        # even when its box is not tight enough to count as found
        scores = [iou(Box(*bar["box"]), b.box) for b in found.colorbars]
        j = int(np.argmax(scores)) if scores and max(scores) >= 0.5 else None
        if j is not None:
            served = {pm[i][0] for i in bar["panels"]}
            linked.append(served <= set(found.colorbars[j].panels))
        ticks = found.colorbars[j].ticks if j is not None else None
        if ticks is None or getattr(ticks, "problem", None):
            ranges.append(False)
            norms.append(False)
            worst.append(None)
            read.append(None if ticks is None else "refused")
            continue
        ok, w = range_right(bar, ticks.vmin, ticks.vmax)
        norms.append(ticks.norm == bar["norm"])
        ranges.append(ok and norms[-1])
        worst.append(round(w, 2) if math.isfinite(w) else None)
        read.append([ticks.vmin, ticks.vmax, ticks.norm, list(ticks.labels)])
    needed = {i for i, b in enumerate(e_bars) if b["panels"]}
    works = (
        all(j is not None for j, _ in pm)
        and all(bm[i][0] is not None for i in needed)
        and all(ranges)
    )
    return {
        "panels_right": all(j is not None for j, _ in pm)
        and len(found.panels) == len(e_panels),
        "bars_right": all(j is not None for j, _ in bm)
        and len(found.colorbars) == len(e_bars),
        "all_ranges_right": all(ranges),
        "panels_found": len(found.panels),
        "panels_matched": sum(j is not None for j, _ in pm),
        "panels_expected": len(e_panels),
        "panel_iou": [round(s, 3) for _, s in pm],
        "median_iou": round(float(np.median(ious)), 3) if ious else None,
        "bars_found": len(found.colorbars),
        "bars_matched": sum(j is not None for j, _ in bm),
        "bars_expected": len(e_bars),
        "bar_iou": [round(s, 3) for _, s in bm],
        "bars_unlinked": len(linked) - sum(linked),
        "ranges_read": sum(r not in (None, "refused") for r in read),
        "ranges_refused": sum(r == "refused" for r in read),
        "ranges_wrong": sum(
            r not in (None, "refused") and not ok
            for r, ok in zip(read, ranges, strict=True)
        ),
        "ranges_right": sum(ranges),
        "norms_right": sum(norms),
        "range_error_pct": worst,
        "range_read": read,
        "runs": not done.problems,
        "problems": list(done.problems),
        "notes": list(done.notes),
        "works": works,
        "found": found.to_dict(),
    }


# -- 2. boxes and range given --------------------------------------------


def given_bar(bar: dict) -> ColorbarSpec:
    return ColorbarSpec(
        box=Box(*bar["box"]),
        vmin=float(bar["vmin"]),
        vmax=float(bar["vmax"]),
        norm=bar["norm"],
        orientation=bar["orientation"],
    )


def given(image: np.ndarray, exp: dict) -> dict[str, Any]:
    panels: list[dict[str, Any]] = [{} for _ in exp["panels"]]
    for bar in exp["colorbars"]:
        if not bar["panels"]:
            continue
        recipe = Recipe(
            panels=[Panel(Box(*exp["panels"][i])) for i in bar["panels"]],
            colorbar=given_bar(bar),
        )
        everything = recipe.copy()
        everything.nodata = "none"
        before = run_recipe(everything, image)
        for i, res, old in zip(
            bar["panels"], run_recipe(recipe, image), before, strict=True
        ):
            r = res.result
            matched = np.isfinite(r.values)
            dist = np.asarray(r.distance)[matched]
            # pixels of exactly one white, grey or black colour given a value:
            # land, masks, the page (a field rarely holds exact neutrals)
            crop = np.asarray(image)[r.box.slices][..., :3]
            neutral = (crop[..., 0] == crop[..., 1]) & (crop[..., 1] == crop[..., 2])
            panels[i] = {
                "coverage": round(100 * float(r.coverage), 2),
                "median_de": round(float(np.median(dist)), 2) if dist.size else None,
                "nodata": round(100 * float(r.nodata.mean()), 1)
                if r.nodata is not None
                else 0.0,
                "neutral_valued_before": round(
                    100 * float((neutral & np.isfinite(old.result.values)).mean()), 2
                ),
                "neutral_valued": round(100 * float((neutral & matched).mean()), 2),
                # a grey map's data are white, grey and black: not measured
                "grey_map": bool(np.ptp(r.colorbar.rgb.astype(int), axis=1).max() <= 2),
                "doubtful": res.confidence.doubtful,
                "doubts": res.confidence.doubts,
            }
    out: dict[str, Any] = {"panels": panels}
    truth = exp.get("cells_truth", exp.get("cells_reference"))
    if exp.get("cells") and truth is not None:
        out["cells"] = cells(image, exp, truth)
    return out


def cells(image: np.ndarray, exp: dict, truth: list) -> dict[str, Any]:
    cols, rows = exp["cells"]
    bar = next(b for b in exp["colorbars"] if 0 in b["panels"])
    box = Box(*(exp.get("cells_box") or exp["panels"][0]))
    recipe = Recipe(
        panels=[Panel(box)],
        colorbar=given_bar(bar),
        values=Values(per="cell", cells=f"{cols}x{rows}"),
    )
    got = np.asarray(run_recipe(recipe, image)[0].cells.values, float)
    want = np.array([[np.nan if v is None else v for v in row] for row in truth], float)
    if got.shape != want.shape:
        raise ValueError(f"cells {got.shape} but truth {want.shape}")
    known = np.isfinite(want)
    if bar["norm"] == "log":
        got, want = np.log10(got), np.log10(want)
        span = abs(math.log10(bar["vmax"]) - math.log10(bar["vmin"]))
    else:
        span = abs(float(bar["vmax"]) - float(bar["vmin"]))
    err = 100 * np.abs(got - want)[known & np.isfinite(got)] / span
    return {
        "kind": "printed" if "cells_truth" in exp else "reference",
        "cells": int(known.sum()),
        "unmatched": int((known & ~np.isfinite(got)).sum()),
        "median_pct": round(float(np.median(err)), 2) if err.size else None,
        "max_pct": round(float(err.max()), 2) if err.size else None,
    }


# -- the run --------------------------------------------------------------


def short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0].split("; ")[0] if str(exc) else ""
    return f"error: {type(exc).__name__}: {text}"[:160]


def measure(path: Path, exp: dict, ocr: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "file": path.name,
        "tags": exp.get("tags", []),
        "background": bool(exp.get("background")),
    }
    start = time.perf_counter()
    try:
        image = load_image(path)
    except Exception as exc:  # reported as a row
        row["error"] = short(exc)
        return row
    for name, step in (("auto", lambda: auto(image, exp, ocr)), ("given", None)):
        t0 = time.perf_counter()
        try:
            row[name] = step() if step else given(image, exp)
        except Exception as exc:  # reported as a row
            row[name] = {"error": short(exc), "trace": traceback.format_exc()}
        row[f"{name}_seconds"] = round(time.perf_counter() - t0, 2)
    row["seconds"] = round(time.perf_counter() - start, 2)
    return row


def de(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def fmt_row(row: dict, renderer: str) -> list[str]:
    name = f"`{row['file']}`"
    if "error" in row:
        return [name, renderer, row["error"]] + [""] * 6
    a, g = row["auto"], row["given"]
    if "error" in a:
        cols = [a["error"], "", "", "no", "no"]
    else:
        med = f" ({a['median_iou']:.3f})" if a["median_iou"] is not None else ""
        unread = sum(r is None for r in a["range_read"])
        refused = sum(r == "refused" for r in a["range_read"])
        wrong = a["bars_expected"] - unread - refused - a["norms_right"]
        norms = (
            (f", {unread} not read" if unread else "")
            + (f", {refused} refused" if refused else "")
            + (f", {wrong} scale wrong" if wrong else "")
        )
        extra = a["panels_found"] - a["panels_matched"]
        extra_bars = a["bars_found"] - a["bars_matched"]
        cols = [
            f"{a['panels_matched']}/{a['panels_expected']}{med}"
            + (f", {extra} extra" if extra > 0 else ""),
            f"{a['bars_matched']}/{a['bars_expected']}"
            + (f", {extra_bars} extra" if extra_bars > 0 else "")
            + (", not linked" if a["bars_unlinked"] else ""),
            f"{a['ranges_right']}/{a['bars_expected']}{norms}",
            "yes" if a["runs"] else "no",
            "**yes**" if a["works"] else "no",
        ]
    if "error" in g:
        cols += [g["error"], ""]
    else:
        cov = [p for p in g["panels"] if p]
        if len(cov) > 3:
            c = sorted(p["coverage"] for p in cov)
            d = sorted(p["median_de"] or 0 for p in cov)
            text = (
                f"{c[0]:.1f}–{c[-1]:.1f} % (ΔE {d[0]:.1f}–{d[-1]:.1f}, "
                f"{len(cov)} panels)"
            )
        else:
            text = ", ".join(
                f"{p['coverage']:.1f} % (ΔE {de(p['median_de'])})" for p in cov
            )
        cell = g.get("cells")
        if cell is None:
            ctext = "–"
        elif cell["median_pct"] is None:
            ctext = "no cell matched"
        else:
            ctext = f"{cell['median_pct']:.2f} / {cell['max_pct']:.1f} %"
            if cell["kind"] == "reference":
                ctext += " (ref.)"
            if cell["unmatched"]:
                ctext += f", {cell['unmatched']} of {cell['cells']} unmatched"
        cols += [text, ctext]
    return [name, renderer, *cols]


def totals(rows: list[dict]) -> dict[str, Any]:
    autos = [r["auto"] for r in rows if "auto" in r and "error" not in r["auto"]]
    cov = [
        p["coverage"]
        for r in rows
        if "given" in r and "error" not in r["given"]
        for p in r["given"]["panels"]
        if p
    ]
    # figures with background inside the data area: the share of their
    # panels' pixels of one exact neutral colour given a value, before (no
    # data left to the colour distance) and after the no-data search (panels
    # read through a grey map left out)
    bg = [
        (p["neutral_valued_before"], p["neutral_valued"])
        for r in rows
        if r.get("background") and "given" in r and "error" not in r["given"]
        for p in r["given"]["panels"]
        if p and not p["grey_map"]
    ]
    cells = [
        r["given"]["cells"]
        for r in rows
        if "given" in r
        and "cells" in r["given"]
        and r["given"]["cells"]["median_pct"] is not None
    ]
    return {
        "figures": len(rows),
        "work_with_no_input": sum(a["works"] for a in autos),
        "figures_with_bars": sum(
            bool(r.get("expected_bars")) for r in rows if "auto" in r
        ),
        "work_with_bars": sum(
            a["works"]
            for r, a in ((r, r.get("auto", {})) for r in rows)
            if r.get("expected_bars") and "error" not in a and a
        ),
        "figures_panels_right": sum(a["panels_right"] for a in autos),
        "figures_bars_right": sum(a["bars_right"] for a in autos),
        "figures_ranges_right": sum(a["all_ranges_right"] for a in autos),
        "would_run": sum(a["runs"] for a in autos),
        "panels_matched": sum(a["panels_matched"] for a in autos),
        "panels_expected": sum(len(r.get("expected_panels", [])) for r in rows),
        "bars_matched": sum(a["bars_matched"] for a in autos),
        "bars_expected": sum(r.get("expected_bars", 0) for r in rows),
        "ranges_read": sum(a["ranges_read"] for a in autos),
        "ranges_refused": sum(a.get("ranges_refused", 0) for a in autos),
        "ranges_wrong": sum(a.get("ranges_wrong", 0) for a in autos),
        "ranges_right": sum(a["ranges_right"] for a in autos),
        "norms_right": sum(a["norms_right"] for a in autos),
        "errors": sum(
            "error" in r or any("error" in r.get(k, {}) for k in ("auto", "given"))
            for r in rows
        ),
        "median_coverage": round(float(np.median(cov)), 1) if cov else None,
        "background_figures": len(bg),
        "neutral_valued_before": round(float(np.mean([b[0] for b in bg])), 2)
        if bg
        else None,
        "neutral_valued": round(float(np.mean([b[1] for b in bg])), 2) if bg else None,
        "doubtful_panels": sum(
            bool(p.get("doubtful"))
            for r in rows
            if "given" in r and "error" not in r["given"]
            for p in r["given"]["panels"]
        ),
        "panels_covered_90": sum(c >= 90 for c in cov),
        "panels_measured": len(cov),
        "cell_figures": len(cells),
        "cell_median_of_medians": round(
            float(np.median([c["median_pct"] for c in cells])), 2
        )
        if cells
        else None,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    text = (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()}, "
        f"Python {platform.python_version()}"
    )
    if ocr_available():
        try:
            import pytesseract

            text += f", Tesseract {pytesseract.get_tesseract_version()}"
        except Exception:  # no version, no matter
            pass
    return text


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "figures-wild"
    )
    parser.add_argument("--no-ocr", action="store_true", help="do not read tick labels")
    parser.add_argument("--only", action="append", help="this figure only (repeatable)")
    parser.add_argument("--json", type=Path, help="also save rows and totals here")
    args = parser.parse_args(argv)

    expected = json.loads((args.corpus / "expected.json").read_text(encoding="utf-8"))
    names = sorted(expected)
    if args.only:
        names = [n for n in names if n in args.only or Path(n).stem in args.only]
    ocr = not args.no_ocr and ocr_available()
    tags = renderers(args.corpus)
    start = time.perf_counter()
    rows = []
    for name in names:
        exp = expected[name]
        row = measure(args.corpus / name, exp, ocr)
        row["renderer"] = tags.get(name) or (exp.get("tags") or ["?"])[0]
        row["expected_panels"] = exp["panels"]
        row["expected_bars"] = len(exp["colorbars"])
        rows.append(row)
        print(f"{name}: {row.get('seconds', '-')} s", file=sys.stderr)
    seconds = time.perf_counter() - start
    tot = totals(rows)

    head = [
        "figure",
        "renderer",
        "panels (median IoU)",
        "bars",
        "range read",
        "runs",
        "works with no input",
        "coverage given boxes (median ΔE)",
        "cells: median / max error",
    ]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(fmt_row(row, row["renderer"])) + " |")
    print()
    t = tot
    n = t["figures"]
    print(
        f"Per figure: panels right {t['figures_panels_right']}/{n}, "
        f"bars right {t['figures_bars_right']}/{n}, ranges right "
        f"{t['figures_ranges_right']}/{n}; works with no input on "
        f"{t['work_with_bars']}/{t['figures_with_bars']} of the figures with "
        "a colour bar."
    )
    print()
    print(
        f"Works with no input: **{t['work_with_no_input']}/{t['figures']}** "
        f"(would run without a problem: {t['would_run']}/{t['figures']}). "
        f"Panels found {t['panels_matched']}/{t['panels_expected']}, "
        f"colour bars {t['bars_matched']}/{t['bars_expected']}, "
        f"ranges read {t['ranges_read']}/{t['bars_expected']}, right "
        f"{t['ranges_right']}/{t['bars_expected']}, read but wrong "
        f"{t['ranges_wrong']}, refused (labels on no scale) {t['ranges_refused']} "
        f"(scale right {t['norms_right']}/{t['bars_expected']}). "
        f"Boxes and range given: median coverage {t['median_coverage']} % over "
        f"{t['panels_measured']} panels ({t['panels_covered_90']} at 90 % or more); "
        f"cells on {t['cell_figures']} matrices, median of the median errors "
        f"{t['cell_median_of_medians']} % of the range. Figures with an error: "
        f"{t['errors']}."
    )
    print()
    print(
        f"No data, boxes and range given: on the {t['background_figures']} panels "
        "of figures with background inside the data area (grey maps left out), "
        "pixels of one exact "
        f"white, grey or black colour given a value: {t['neutral_valued_before']} % "
        f"of a panel on average with every matching pixel taken as data "
        f"(nodata none), {t['neutral_valued']} % with the no-data search (auto). "
        f"Doubtful panels: {t['doubtful_panels']} of {t['panels_measured']}."
    )
    print()
    info = {
        "seconds": round(seconds, 1),
        "machine": machine(),
        "commit": commit(),
        "ocr": ocr,
        "date": time.strftime("%Y-%m-%d"),
    }
    print(
        f"{len(rows)} figures in {seconds:.0f} s on {info['machine']}; "
        f"OCR {'on' if ocr else 'off'}; commit {info['commit']}, {info['date']}."
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"info": info, "totals": tot, "rows": rows}, indent=1, default=str
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
