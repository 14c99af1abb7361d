"""``heatmap-digitizer detect``: panels and colour bars of a figure, as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_heatmap_digitizer.cli._common import PROG
from napari_heatmap_digitizer.core import detect, load_image
from napari_heatmap_digitizer.core._write import atomic_write_text, check_can_write

if TYPE_CHECKING:
    from napari_heatmap_digitizer.cli._common import SubParsers

#: Lines of the printed JSON are kept within this many characters when they can.
WIDTH = 88


def add_parser(sub: SubParsers) -> None:
    """Declare ``detect`` and its flags.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    det = sub.add_parser(
        "detect",
        help="find the panels and colour bars of a figure; print them as JSON",
        description="Find the plot panels and colour bars of a figure, name each "
        "bar's colour map and read its tick labels (with the OCR extra), and "
        "print the result as JSON. Prints a 'message' and empty lists when "
        "nothing is found.",
    )
    det.add_argument("image", metavar="IMAGE", help="figure file")
    ocr = det.add_mutually_exclusive_group()
    ocr.add_argument(
        "--ocr",
        action="store_true",
        default=None,
        help="read tick labels (fails when Tesseract is missing; default: read "
        "them when it is installed)",
    )
    ocr.add_argument(
        "--no-ocr", dest="ocr", action="store_false", help="do not read tick labels"
    )
    det.add_argument(
        "-o", "--output", metavar="OUT.json", help="also write the JSON to a file"
    )
    det.add_argument(
        "--overwrite", action="store_true", help="replace an output file that exists"
    )
    det.set_defaults(run=detect_command)


def detect_command(args: argparse.Namespace) -> int:
    """Run ``detect``: print (and write) what was found as JSON.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        Exit status 0, also when nothing is found.
    """
    image = load_image(args.image)
    if args.output:
        check_can_write([Path(args.output)], overwrite=args.overwrite)
    found = detect(image, ticks=args.ocr)
    text = compact_json(found.to_dict())
    if args.output:
        atomic_write_text(Path(args.output), text + "\n")
    print(text)
    if not found.found:
        print(f"{PROG}: {found.message}", file=sys.stderr)
    return 0


def compact_json(value: Any, width: int = WIDTH) -> str:
    """JSON indented by two spaces, with what fits on one line kept on one line.

    A list of numbers or strings (a box, a colour bar's panels, tick labels)
    is always one line; a list or object that fits within ``width``
    characters too; larger ones hold one item per line.

    Parameters
    ----------
    value : JSON-ready value
    width : int
        Line length to keep within where possible.

    Returns
    -------
    str
        Valid JSON, equal in content to ``json.dumps(value)``.
    """
    return _compact(value, 0, 0, width)


def _compact(value: Any, indent: int, used: int, width: int) -> str:
    """``value`` as JSON starting ``used`` characters into a line at ``indent``."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (list, dict)) or not value:
        return flat
    scalars = isinstance(value, list) and not any(
        isinstance(item, (list, dict)) for item in value
    )
    if scalars or used + len(flat) <= width:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, list):
        items = [inner + _compact(v, indent + 2, len(inner), width) for v in value]
        open_, close = "[", "]"
    else:
        items = []
        for key, v in value.items():
            head = f"{inner}{json.dumps(key, ensure_ascii=False)}: "
            items.append(head + _compact(v, indent + 2, len(head), width))
        open_, close = "{", "}"
    return open_ + "\n" + ",\n".join(items) + "\n" + " " * indent + close
