"""Temporary files left by killed runs: found by their names, removed safely.

A temporary file of this tool is named ``.NAME.XXXXXXXX.part[.EXT]`` (old
outputs kept during a replacement: ``.NAME.XXXXXXXX.old.part``) and is
locked while its writer lives (:mod:`._atomic`). What a killed run left
(SIGKILL, a crash, power loss) is removed by the next run into that folder
and by ``batch --resume``; what a live run is writing is never touched.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from napari_heatmap_digitizer.core._atomic import fcntl, remove_path

#: The names of this tool's temporary files and folders.
PART = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.(old\.)?part(\.[A-Za-z0-9]+)?$")


def clean_stale(
    folder: str | os.PathLike[str],
    *,
    before: float | None = None,
    names: set[str] | None = None,
) -> int:
    """Remove this tool's temporary files left in ``folder`` by killed runs.

    Only names of this tool's own pattern (``.NAME.XXXXXXXX.part…``) that are
    older than ``before`` and whose writer is gone (no lock held) are removed.

    Parameters
    ----------
    folder : path
    before : float, optional
        A time (``time.time()``); default now.
    names : set of str, optional
        Only the temporary files of these outputs (default: any).

    Returns
    -------
    int
        How many were removed.
    """
    before = time.time() if before is None else before
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        match = PART.match(entry.name)
        if not match or (names is not None and match["name"] not in names):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= before:
                continue
            if _in_use(Path(entry.path)):
                continue
        except OSError:
            continue
        remove_path(Path(entry.path))
        removed += 1
    return removed


def partials(folder: Path, names: set[str] | None = None) -> list[Path]:
    """The temporary files of this tool in ``folder`` (of ``names`` only).

    Parameters
    ----------
    folder : pathlib.Path
    names : set of str, optional
        Names of outputs (default: any).

    Returns
    -------
    list of pathlib.Path
    """
    try:
        entries = sorted(Path(folder).iterdir())
    except OSError:
        return []
    found = []
    for path in entries:
        match = PART.match(path.name)
        if match and (names is None or match["name"] in names):
            found.append(path)
    return found


def _in_use(path: Path) -> bool:
    """Whether a live writer holds the lock of a temporary file or folder."""
    if fcntl is None:  # pragma: no cover - Windows: age alone decides
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
