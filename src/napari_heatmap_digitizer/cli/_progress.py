"""Terminal progress: a tqdm bar on stderr when it is a terminal, lines otherwise."""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import TextIO

from tqdm import tqdm

#: Redraws per second at most.
RATE = 8.0

#: Steps of the bar (the fraction is shown to 0.1 %).
STEPS = 1000


class Progress:
    """A progress bar drawn in place on a terminal, and log lines above it.

    Nothing is drawn when ``enabled`` is false or the stream is not a
    terminal (a log file gets only what :meth:`log` prints). Safe to update
    from several threads.

    Parameters
    ----------
    enabled : bool
        Draw the bar (when the stream is a terminal).
    what : str
        Label in front of the bar.
    stream : text file, optional
        Default: ``sys.stderr``.
    """

    def __init__(
        self, *, enabled: bool = True, what: str = "", stream: TextIO | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.live = enabled and self.stream.isatty()
        self._lock = threading.Lock()
        self._bar = tqdm(
            total=STEPS,
            desc=what,
            file=self.stream,
            disable=not self.live,
            leave=False,
            mininterval=1 / RATE,
            ascii=" #",
            bar_format="{desc} [{bar:24}] {percentage:3.0f}%{postfix} {elapsed}",
        )

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def fraction(self, fraction: float, text: str = "") -> None:
        """Show ``fraction`` (0-1) done, with an optional short text.

        Parameters
        ----------
        fraction : float
        text : str
            Shown after the percentage.
        """
        if not self.live:
            return
        with self._lock:
            steps = round(STEPS * min(max(fraction, 0.0), 1.0))
            if text != self._bar.postfix:
                self._bar.set_postfix_str(text, refresh=False)
            self._bar.update(steps - self._bar.n)
            if steps >= STEPS:
                self._bar.refresh()

    def log(self, line: str) -> None:
        """Print a line above the bar (always, terminal or not).

        Parameters
        ----------
        line : str
        """
        with self._lock:
            if self.live:
                tqdm.write(line, file=self.stream)
            else:
                print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """Remove the bar."""
        with self._lock:
            self._bar.close()
