"""``heatmap-digitizer gui``: napari with a figure and the widget docked."""

from __future__ import annotations

import argparse
import os
from collections.abc import MutableMapping
from typing import TYPE_CHECKING

from napari_heatmap_digitizer.cli._display import check_display
from napari_heatmap_digitizer.core import DigitizerError, load_image

if TYPE_CHECKING:
    from napari_heatmap_digitizer.cli._common import SubParsers

#: napari echoes every notification of the window (information, warnings,
#: errors) to the terminal unless this setting says from which level on.
CONSOLE_LEVEL = "NAPARI_APPLICATION_CONSOLE_NOTIFICATION_LEVEL"


def add_parser(sub: SubParsers) -> None:
    """Declare ``gui`` and its argument.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    gui = sub.add_parser(
        "gui",
        help="open napari with a figure and the digitizer widget",
        description="Open napari with FIGURE (the bundled sample when none is given) "
        "and the heat-map digitizer widget docked.",
    )
    gui.add_argument(
        "figure",
        nargs="?",
        metavar="FIGURE",
        help="image file to digitize (default: the bundled sample)",
    )
    gui.set_defaults(run=gui_command)


def gui_command(args: argparse.Namespace) -> int:
    """Run ``gui``: check the figure, then open napari (blocks until closed).

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
        If the figure cannot be read, there is no display to open a window
        on, or napari is not installed.
    """
    if args.figure is not None:
        load_image(args.figure)  # a bad file is an error before any window opens
    check_display()  # Qt would abort the whole process instead
    quiet_terminal(os.environ)
    try:
        from napari_heatmap_digitizer._napari._launch import launch
    except ImportError as exc:
        raise DigitizerError(
            f"the napari front end is not installed ({exc.name} is missing): "
            "pip install 'napari-heatmap-digitizer[napari]'"
        ) from None
    launch(args.figure)
    return 0


def quiet_terminal(environ: MutableMapping[str, str]) -> None:
    """Keep the window's notes and warnings out of the terminal; errors still show.

    napari prints each notification (``INFO: ...``, ``WARNING: ...``) to the
    terminal as well as in the window unless its console notification level
    is set. This sets it to ``error`` for this process through the
    environment, which napari reads without saving it to the user's
    settings; a value the user set is kept.

    Parameters
    ----------
    environ : mutable mapping
        The environment to set it in (``os.environ``).
    """
    environ.setdefault(CONSOLE_LEVEL, "error")
