"""What every sub-command shares: the program's name and its parser class."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    # The generic is only subscriptable for type checkers on Python 3.10.
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

PROG = "heatmap-digitizer"

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|[+-]?inf(?:inity)?|[+-]?nan"

#: A negative number or a list of numbers starting with one (``-1e-3``,
#: ``-.5``, ``-10,10,-5,5``, ``-0:1,300:2``, ``-3x4``): a flag's value, not an
#: option. argparse's own matcher knows only ``-1`` and ``-1.5``.
NEGATIVE_NUMBERS = re.compile(
    rf"^-(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?:\s*[,:x]\s*(?:{_NUMBER}))*\s*$"
    r"|^-(?:inf(?:inity)?|nan)$",
    re.IGNORECASE,
)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (exit status 2).

    Values starting with ``-`` that are numbers or lists of numbers
    (:data:`NEGATIVE_NUMBERS`) are taken as values, so ``--extent
    -10,10,-5,5`` and ``--vmin -1e-3`` work.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._negative_number_matcher = NEGATIVE_NUMBERS

    def error(self, message: str) -> NoReturn:
        """Print ``message`` on one line and exit with status 2.

        Parameters
        ----------
        message : str
        """
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
