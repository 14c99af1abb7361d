"""The ``heatmap-digitizer`` command.

One module per sub-command (``_digitize``, ``_batch``, ``_detect``, ``_demo``,
``_gui``, ``_colormaps``); the flags that set a recipe are declared once, in
``_flags``. Calls :mod:`napari_heatmap_digitizer.core` only (``gui`` imports
napari lazily). Errors in the user's input print one line and exit with
status 2; nothing is written then. Ctrl-C (SIGINT) and SIGTERM stop a run the
same way: one line, exit status 130 or 143, and no unfinished output left.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from napari_heatmap_digitizer._version import __version__
from napari_heatmap_digitizer.cli import (
    _batch,
    _colormaps,
    _demo,
    _detect,
    _digitize,
    _gui,
)
from napari_heatmap_digitizer.cli._common import PROG, Parser
from napari_heatmap_digitizer.core import DigitizerError

__all__ = ["build_parser", "main"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every clean-up on the way runs."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the command runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise Terminated("terminated")

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # pragma: no cover - no signals here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``heatmap-digitizer`` (all sub-commands).

    Returns
    -------
    argparse.ArgumentParser
        Each sub-command's parser has a ``run`` default: the function that
        carries it out.
    """
    parser = Parser(
        prog=PROG,
        description="Turn pictures of heat maps back into numbers.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in (_digitize, _demo, _batch, _gui, _detect, _colormaps):
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for bad input, 1 for an unexpected failure (or, in
        ``batch``, figures that failed), 130 when interrupted (Ctrl-C), 143
        when terminated (SIGTERM).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with _sigterm_as_interrupt():
            return int(args.run(args))
    except DigitizerError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        # A command that leaves something says so in the exception's note.
        note = getattr(exc, "note", None) or (
            "the unfinished outputs of this run were removed; nothing was replaced"
        )
        print(f"{PROG}: {what}; {note}", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except MemoryError:
        print(
            f"{PROG}: error: out of memory; digitize fewer or smaller panels",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:
        if os.environ.get("HEATMAP_DIGITIZER_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (please report it "
            "with the command you ran; set HEATMAP_DIGITIZER_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1
