"""A one-line progress bar for the terminal (drawn on stderr when it is one)."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

#: Redraws per second at most.
RATE = 8.0


class Progress:
    """Draw ``what [#####-----] 42% text 0:12`` in place on a terminal.

    Nothing is drawn when ``enabled`` is false or the stream is not a
    terminal (a log file gets only what :meth:`log` prints). Safe to update
    from several threads.

    Parameters
    ----------
    enabled : bool
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
        self.what = what
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = 0
        self._lock = threading.Lock()
        self._state = (0.0, "")

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
        """Show ``fraction`` (0-1) done, with an optional short text."""
        with self._lock:
            self._state = (fraction, text)
            now = time.monotonic()
            if self.live and (now - self._last >= 1 / RATE or fraction >= 1):
                self._last = now
                self._draw()

    def log(self, line: str) -> None:
        """Print a line above the bar (always, terminal or not)."""
        with self._lock:
            self._clear()
            print(line, file=self.stream, flush=True)
            if self.live:
                self._draw()

    def close(self) -> None:
        """Remove the bar."""
        with self._lock:
            self._clear()

    def _draw(self) -> None:
        fraction, text = self._state
        fraction = min(max(fraction, 0.0), 1.0)
        filled = round(24 * fraction)
        seconds = int(time.monotonic() - self._start)
        line = (
            f"{self.what} [{'#' * filled}{'-' * (24 - filled)}] "
            f"{100 * fraction:3.0f}% {text} {seconds // 60}:{seconds % 60:02d}"
        ).strip()
        self._clear()
        self.stream.write(line)
        self.stream.flush()
        self._shown = len(line)

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0
