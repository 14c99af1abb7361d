"""Putting files in place: temporary names, all-or-none runs, stale parts.

Every output is first written under a hidden temporary name beside its
target, ``.NAME.XXXXXXXX.part[.EXT]``, and only put in place when complete.
The final step never replaces what it did not check: without ``overwrite`` a
file is put in place by hard link (which fails when anything appeared at the
target meanwhile) and a folder only after checking again; with ``overwrite``
a folder is replaced only when it is a Zarr store this tool wrote.

A :class:`Stage` (``with staged(): ...``) holds every temporary file of a run
and puts them all in place at its end, or removes them all on any error, so a
run writes all its outputs or none. A temporary file is locked while its
writer lives, so :func:`~._stale.clean_stale` can tell the leftovers of a
killed run from the work of a run still going.
"""

from __future__ import annotations

import contextvars
import json
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from napari_heatmap_digitizer.core._errors import DigitizerError

try:  # POSIX: a lock marks a temporary file whose writer still runs
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


#: The name recorded as ``software`` in the Zarr stores this tool writes.
SOFTWARE_NAME = "napari-heatmap-digitizer"

_UMASK_LOCK = threading.Lock()


def umask() -> int:
    """The process's file-mode creation mask (read without changing it).

    Returns
    -------
    int
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:  # pragma: no cover - systems without /proc
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _mode_for(path: Path, *, folder: bool) -> int:
    """The mode an ordinary write would give ``path`` (an existing file's own)."""
    try:
        existing = path.stat()
        if stat.S_ISDIR(existing.st_mode) == folder:
            return stat.S_IMODE(existing.st_mode)
    except OSError:
        pass
    return (0o777 if folder else 0o666) & ~umask()


def _open_folder(path: Path) -> int | None:
    """A descriptor of a folder to lock (none where folders cannot be opened)."""
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return None


def _lock(fd: int | None) -> None:
    if fcntl is not None and fd is not None:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _error(path: Path, exc: OSError) -> DigitizerError:
    return DigitizerError(f"cannot write {str(path)!r}: {exc.strerror or exc}")


def appeared(path: Path) -> DigitizerError:
    """The error for an output that appeared while the run was working.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    DigitizerError
    """
    return DigitizerError(
        f"output {str(path)!r} appeared while this run was working (another run?); "
        "it was left as it is: pass --overwrite to replace it or choose another name"
    )


def is_own_zarr(path: Path) -> bool:
    """Whether ``path`` is a Zarr store this tool wrote (its ``software``).

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    bool
    """
    for name, key in (("zarr.json", "attributes"), (".zattrs", None)):
        meta = path / name
        if not meta.is_file():
            continue
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        attrs = data.get(key, {}) if key else data
        software = attrs.get("software", "") if isinstance(attrs, dict) else ""
        return isinstance(software, str) and software.startswith(SOFTWARE_NAME)
    return False


def check_replaceable(path: Path, *, folder: bool) -> None:
    """Raise unless ``overwrite`` may replace what is at ``path``.

    A file may replace a file; a folder output may replace only a Zarr store
    this tool wrote (never an ordinary folder, never a file).

    Parameters
    ----------
    path : pathlib.Path
    folder : bool
        Whether the new output is a folder (a Zarr store).

    Raises
    ------
    DigitizerError
    """
    if path.is_dir():
        if not folder:
            raise DigitizerError(f"output {str(path)!r} is a folder; give a file name")
        if not is_own_zarr(path):
            raise DigitizerError(
                f"output {str(path)!r} is a folder that is not a Zarr store written "
                "by this tool; --overwrite replaces only those: choose another name"
            )
    elif folder and path.exists():
        raise DigitizerError(
            f"output {str(path)!r} is a file, not a Zarr store written by this "
            "tool; choose another name"
        )


@dataclass
class _Part:
    """One temporary file or folder and where it goes."""

    tmp: Path
    path: Path
    overwrite: bool
    folder: bool
    fd: int | None = None
    old: Path | None = None
    linked: bool = False
    placed: bool = False

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def remove_tmp(self) -> None:
        remove_path(self.tmp)
        self.release()


def new_part(path: Path, *, overwrite: bool, folder: bool = False) -> _Part:
    """A locked temporary file (or folder) beside ``path``, with its final mode.

    Parameters
    ----------
    path : pathlib.Path
    overwrite : bool
    folder : bool

    Returns
    -------
    _Part
    """
    parent = path.parent if str(path.parent) else Path(".")
    fd: int | None
    try:
        if folder:
            tmp = Path(
                tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=parent)
            )
            fd = _open_folder(tmp)
        else:
            fd, name = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=parent
            )
            tmp = Path(name)
    except OSError as exc:
        raise _error(path, exc) from None
    _lock(fd)
    part = _Part(tmp, path, overwrite, folder, fd)
    with suppress(OSError):
        os.chmod(tmp, _mode_for(path, folder=folder))
    return part


def place(part: _Part) -> None:
    """Put a complete temporary file or folder in place (see the module).

    Parameters
    ----------
    part : _Part

    Raises
    ------
    DigitizerError
        If the target appeared without ``overwrite``, or cannot be replaced.
    """
    path = part.path
    if _exists(path):
        if not part.overwrite:
            raise appeared(path)
        check_replaceable(path, folder=part.folder)
        _aside(part)
    if part.folder:
        if _exists(path):  # renaming onto an empty folder would succeed
            raise appeared(path)
        os.replace(part.tmp, path)
    elif part.overwrite:
        os.replace(part.tmp, path)
    else:
        try:  # a link never replaces: it fails when anything is there
            os.link(part.tmp, path)
        except FileExistsError:
            raise appeared(path) from None
        except OSError:  # no hard links here (FAT, some shares): check, rename
            if _exists(path):
                raise appeared(path) from None
            os.replace(part.tmp, path)
        else:
            part.tmp.unlink(missing_ok=True)
    part.placed = True


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _aside(part: _Part) -> None:
    """Keep what ``part`` replaces under a hidden name until the run ends."""
    name = part.tmp.name
    old = part.tmp.with_name(name[: name.rindex(".part")] + ".old.part")
    if not part.folder:
        try:  # the old file stays visible until the new one replaces it
            os.link(part.path, old)
            part.old, part.linked = old, True
            return
        except OSError:
            pass
    os.replace(part.path, old)
    part.old, part.linked = old, False


def _undo(part: _Part) -> None:
    """Take back a part: remove the new output, restore the old one."""
    if part.placed:
        remove_path(part.path)
        part.placed = False
    if part.old is not None:
        if part.linked and _exists(part.path):
            remove_path(part.old)  # the old file was never moved
        else:
            with suppress(OSError):
                os.replace(part.old, part.path)
        part.old = None


def remove_path(path: Path) -> None:
    """Remove a file or folder tree, quietly (it may be gone already)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with suppress(OSError):
            path.unlink(missing_ok=True)


@dataclass
class Stage:
    """The temporary files of one run, put in place together at its end."""

    parts: list[_Part] = field(default_factory=list)

    def add(self, part: _Part) -> None:
        """Hold a complete temporary file until :meth:`commit`.

        Parameters
        ----------
        part : _Part
        """
        self.parts.append(part)

    def commit(self) -> None:
        """Put every part in place, or none (the run's outputs are all or none).

        Raises
        ------
        DigitizerError
            If a target appeared meanwhile or cannot be replaced; nothing of
            this run is left then and what was there is restored.
        """
        try:  # check everything before placing anything
            for part in self.parts:
                if _exists(part.path):
                    if not part.overwrite:
                        raise appeared(part.path)
                    check_replaceable(part.path, folder=part.folder)
        except BaseException:
            self.discard()
            raise
        try:
            for part in self.parts:
                place(part)
        except BaseException as exc:
            for part in reversed(self.parts):
                _undo(part)
            self.discard()
            if isinstance(exc, OSError):
                raise _error(part.path, exc) from None
            raise
        for part in self.parts:
            if part.old is not None:
                remove_path(part.old)
            part.release()
        self.parts = []

    def discard(self) -> None:
        """Remove every temporary file of this run."""
        for part in self.parts:
            part.remove_tmp()
        self.parts = []


_STAGE: contextvars.ContextVar[Stage | None] = contextvars.ContextVar(
    "heatmap_digitizer_stage", default=None
)


@contextmanager
def staged() -> Iterator[Stage]:
    """Collect every output written inside; put them in place at the end.

    On any error (or Ctrl-C) inside, every temporary file is removed and
    nothing is put in place. Nested uses join the outermost stage.

    Yields
    ------
    Stage
    """
    outer = _STAGE.get()
    if outer is not None:
        yield outer
        return
    stage = Stage()
    token = _STAGE.set(stage)
    try:
        yield stage
    except BaseException:
        stage.discard()
        raise
    finally:
        _STAGE.reset(token)
    stage.commit()


def finish(part: _Part) -> None:
    """Hand a complete part to the current stage, or put it in place now.

    Parameters
    ----------
    part : _Part
    """
    stage = _STAGE.get()
    if stage is not None:
        stage.add(part)
        return
    single = Stage([part])
    single.commit()


def write_part(
    path: Path, write: Callable[[Path], object], *, overwrite: bool, folder: bool
) -> None:
    """Write ``path`` through a temporary file or folder (see :func:`finish`).

    Parameters
    ----------
    path : pathlib.Path
    write : callable
        Writes the complete content to the path it is given.
    overwrite : bool
    folder : bool

    Raises
    ------
    DigitizerError
        If writing fails (its temporary file is removed).
    """
    part = new_part(path, overwrite=overwrite, folder=folder)
    try:
        write(part.tmp)
    except OSError as exc:
        part.remove_tmp()
        raise _error(path, exc) from None
    except BaseException:
        part.remove_tmp()
        raise
    finish(part)


def check_can_write(
    paths: Iterable[str | os.PathLike[str]], *, overwrite: bool
) -> None:
    """Raise before anything is written if any path cannot be written.

    Parameters
    ----------
    paths : iterable of path
    overwrite : bool
        Whether existing outputs may be replaced (files, and Zarr stores this
        tool wrote).

    Raises
    ------
    DigitizerError
        If an output exists (without ``overwrite``) or may not be replaced,
        its folder is missing or not writable, or the path is a folder.
    """
    for path in paths:
        path = Path(path)
        folder = path.suffix.lower() == ".zarr"
        if path.is_dir() and not folder:
            raise DigitizerError(f"output {str(path)!r} is a folder; give a file name")
        if _exists(path):
            if not overwrite:
                raise DigitizerError(
                    f"output {str(path)!r} exists; pass --overwrite to replace it "
                    "or choose another name"
                )
            check_replaceable(path, folder=folder)
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise DigitizerError(
                f"cannot write {str(path)!r}: folder {str(parent)!r} does not exist"
            )
        if not os.access(parent, os.W_OK):
            raise DigitizerError(
                f"cannot write {str(path)!r}: folder {str(parent)!r} is not writable"
            )


def check_distinct(named: dict[str, list[Path]]) -> None:
    """Refuse when two outputs of one run, or an output and an input, coincide.

    Parameters
    ----------
    named : dict of str to list of pathlib.Path
        What each path is (``"values"``, ``"recipe"``, ``"summary"``,
        ``"input"``) and the paths; inputs are given under keys starting
        with ``"input"``.

    Raises
    ------
    DigitizerError
    """
    seen: dict[str, tuple[str, Path]] = {}
    for what, paths in named.items():
        for path in paths:
            key = _identity(path)
            if key in seen:
                other, first = seen[key]
                if other.startswith("input") and what.startswith("input"):
                    continue
                if what.startswith("input") or other.startswith("input"):
                    out, inp = (
                        (first, path) if what.startswith("input") else (path, first)
                    )
                    raise DigitizerError(
                        f"output {str(out)!r} is the input {str(inp)!r}; "
                        "choose another output name or folder"
                    )
                raise DigitizerError(
                    f"the {what} and the {other} would both be written to "
                    f"{str(path)!r}; give them different names"
                )
            seen[key] = (what, path)


def _identity(path: Path) -> str:
    try:
        st = path.stat()
        return f"{st.st_dev}:{st.st_ino}"
    except OSError:
        return os.path.normcase(os.path.abspath(os.path.realpath(path)))
