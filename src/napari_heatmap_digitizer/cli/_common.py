"""What every sub-command shares: the program's name and its parser class."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    # The generic is only subscriptable for type checkers on Python 3.10.
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

PROG = "heatmap-digitizer"


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` on one line and exit with status 2.

        Parameters
        ----------
        message : str
        """
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
