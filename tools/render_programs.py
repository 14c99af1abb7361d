"""Draw heat maps with other plotting programs, with exact truth per pixel.

python tools/render_programs.py [PROGRAM ...] [--only NAME]

Each program has a module in ``tools/programs/`` (``PROGRAM``, ``version()``,
``specs()``, ``draw(spec, data, colormap, path)``); ``truth.make_truth``
draws each figure several times to find its data areas, cell edges and
colour bar. The figures and their truth go to ``tests/data/programs/`` and
are committed, so the tests need none of these programs. Which system
packages each program needs is said in its module.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "data" / "programs"
PROGRAMS = (
    "matplotlib",
    "octave",
    "gnuplot",
    "ggplot2",
    "pheatmap",
    "vegalite",
    "plotly",
    "seaborn",
    "scikit_learn",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", default=list(PROGRAMS))
    parser.add_argument("--only", help="draw only the figure with this name")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from programs.truth import make_truth

    OUT.mkdir(parents=True, exist_ok=True)
    for program in args.programs:
        module = importlib.import_module(f"programs.{program}")
        version = module.version()
        for spec in module.specs():
            if args.only and spec.name != args.only:
                continue
            start = time.perf_counter()
            out = OUT / f"{module.PROGRAM}_{spec.name}.png"
            truth = make_truth(spec, module.draw, out, module.PROGRAM, version)
            print(
                f"{out.name}: {truth['size'][0]}x{truth['size'][1]},"
                f" panels {truth['panels']},"
                f" bars {[b['box'] for b in truth['colorbars']]}"
                f" ({time.perf_counter() - start:.1f} s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
