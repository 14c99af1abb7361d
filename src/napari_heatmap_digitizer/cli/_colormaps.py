"""``heatmap-digitizer colormaps``: the colour-map names --colormap accepts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from napari_heatmap_digitizer.core import DigitizerError, catalogue_names

if TYPE_CHECKING:
    from napari_heatmap_digitizer.cli._common import SubParsers


def add_parser(sub: SubParsers) -> None:
    """Declare ``colormaps`` and its argument.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    cm = sub.add_parser(
        "colormaps",
        help="list the colour-map names --colormap accepts",
        description="List the colour-map names --colormap accepts.",
    )
    cm.add_argument(
        "pattern", nargs="?", default="", help="only names containing this text"
    )
    cm.set_defaults(run=colormaps)


def colormaps(args: argparse.Namespace) -> int:
    """Run ``colormaps``: print the matching names, one a line.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        Exit status 0.

    Raises
    ------
    DigitizerError
        If no name contains the pattern.
    """
    pattern = args.pattern.lower()
    names = [n for n in catalogue_names() if pattern in n.lower()]
    if not names:
        raise DigitizerError(f"no colour map name contains {args.pattern!r}")
    print("\n".join(names))
    return 0
