"""The kernels prepared before a run, so its time and progress are its own.

The first run on a machine compiles the Numba kernels (tens of seconds);
later processes load them from Numba's cache in a fraction of a second,
which the run would spend anyway. Preparing them first lets a command say
that it is compiling while it does, and time the digitizing alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from napari_heatmap_digitizer.core import KernelStatus, prepare_kernels

#: What compiling is, said once where it is said.
FIRST_RUN = "first run on this machine only"


def prepare(on_compile: Callable[[], None] | None = None) -> KernelStatus:
    """Prepare the kernels; ``on_compile`` is called once if compiling starts.

    Parameters
    ----------
    on_compile : callable, optional
        Called (in this thread) when the first kernel starts compiling, so a
        terminal can say so while it waits.

    Returns
    -------
    KernelStatus
        How long it took and whether anything was compiled.
    """
    with _on_first_compile(on_compile):
        return prepare_kernels()


@contextlib.contextmanager
def _on_first_compile(call: Callable[[], None] | None) -> Iterator[None]:
    """Call ``call`` when Numba starts its first compilation inside the block."""
    if call is None:
        yield
        return
    try:
        from numba.core import event
    except ImportError:  # pragma: no cover - an older Numba: no early notice
        yield
        return
    said = False
    notify = call

    class Notice(event.Listener):
        def on_start(self, ev: Any) -> None:
            nonlocal said
            if not said:
                said = True
                notify()

        def on_end(self, ev: Any) -> None:
            pass

    with event.install_listener("numba:compile", Notice()):
        yield
