"""Whether ``gui`` can open a window here, found out before Qt is imported.

Qt aborts the whole process (status 134) when it finds no display, with a
message that blames the installation. On Linux and the BSDs this module
looks first: a display named in the environment, an X server answering at
``DISPLAY``, and the system libraries of Qt's X11 (xcb) platform plugin.
Each problem is one :class:`~napari_heatmap_digitizer.core.DigitizerError`
line saying what to do. macOS and Windows always have a display.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from napari_heatmap_digitizer.cli._common import PROG
from napari_heatmap_digitizer.core import DigitizerError

#: Qt platform plugins that draw without any display server.
NO_DISPLAY = frozenset(
    {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}
)

#: How to get a display, for every message.
VIRTUAL = f"a virtual display: xvfb-run -a {PROG} gui"

#: Qt bindings in the order qtpy tries them, by their ``QT_API`` names.
BINDINGS = {
    "pyqt5": "PyQt5",
    "pyside6": "PySide6",
    "pyqt6": "PyQt6",
    "pyside2": "PySide2",
}

_MISSING = re.compile(r"([\w.+-]+\.so(?:\.\d+)*): cannot open shared object file")


def needs_display_check(platform: str) -> bool:
    """Whether ``platform`` finds its display through X11 or Wayland.

    Parameters
    ----------
    platform : str
        A ``sys.platform`` value.

    Returns
    -------
    bool
        True on Linux and the BSDs; False on macOS and Windows.
    """
    return platform.startswith(("linux", "freebsd", "openbsd", "netbsd", "dragonfly"))


def check_display(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> None:
    """Raise if Qt will find no display to open a window on.

    Parameters
    ----------
    environ : mapping, optional
        The environment (default: ``os.environ``).
    platform : str, optional
        A ``sys.platform`` value (default: this one).

    Raises
    ------
    DigitizerError
        When no display is set, the X server at ``DISPLAY`` does not answer,
        or a system library of Qt's X11 platform plugin is missing.
    """
    env = os.environ if environ is None else environ
    if not needs_display_check(platform or sys.platform):
        return
    display = env.get("DISPLAY", "").strip()
    wayland = env.get("WAYLAND_DISPLAY", "").strip()
    wanted = [
        name.split(":")[0].strip().lower()
        for name in env.get("QT_QPA_PLATFORM", "").split(";")
        if name.strip()
    ]
    for name in wanted or ["wayland", "xcb"]:
        if name in NO_DISPLAY or (name.startswith("wayland") and wayland):
            return
        if name == "xcb" and display:
            check_x_server(display)
            check_xcb_libraries(env)
            return
        if not name.startswith("wayland") and name != "xcb":
            return  # a platform this check does not know: let Qt decide
    if wanted:
        raise DigitizerError(
            f"the gui needs a display: QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']} "
            "asks for one and DISPLAY (X11) or WAYLAND_DISPLAY is not set; run it "
            f"in a desktop session, or use {VIRTUAL}"
        )
    raise DigitizerError(
        "the gui needs a display and none is set (DISPLAY and WAYLAND_DISPLAY are "
        f"empty): run it in a desktop session, or use {VIRTUAL} ('demo' and "
        "'digitize' need no display)"
    )


def x_socket_address(display: str) -> tuple[int, str | tuple[str, int]] | None:
    """Where the X server of ``display`` listens: (family, address), or None.

    Parameters
    ----------
    display : str
        A ``DISPLAY`` value such as ``:0``, ``:1.0``, ``unix:2`` or
        ``localhost:10.0``.

    Returns
    -------
    tuple or None
        ``(socket.AF_UNIX, path)`` or ``(socket.AF_INET, (host, port))``;
        None for a form this check does not read (it is then left to Qt).
    """
    match = re.fullmatch(r"(?:([\w.-]*)/)?([\w.-]*):(\d+)(?:\.\d+)?", display)
    if match is None or match.group(1):
        return None
    host, number = match.group(2), int(match.group(3))
    if host in ("", "unix"):
        return socket.AF_UNIX, f"/tmp/.X11-unix/X{number}"
    return socket.AF_INET, (host, 6000 + number)


def check_x_server(display: str, timeout: float = 2.0) -> None:
    """Raise if nothing listens where the X server of ``display`` should.

    Parameters
    ----------
    display : str
        The ``DISPLAY`` value.
    timeout : float
        Seconds to wait for a connection.

    Raises
    ------
    DigitizerError
        When the connection is refused or the socket is missing.
    """
    where = x_socket_address(display)
    if where is None:
        return
    family, address = where
    addresses: list[str | tuple[str, int]] = [address]
    if family == socket.AF_UNIX and sys.platform.startswith("linux"):
        addresses.insert(0, "\0" + str(address))  # the abstract socket first
    for one in addresses:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(one)
            return
        except OSError:
            continue
    raise DigitizerError(
        f"the gui cannot reach the X server of DISPLAY={display} (nothing answers "
        f"there): start it or correct DISPLAY, or use {VIRTUAL}"
    )


def xcb_plugin(environ: Mapping[str, str]) -> Path | None:
    """Qt's X11 platform plugin of the binding qtpy will use, if found.

    Parameters
    ----------
    environ : mapping
        The environment (``QT_API`` names the binding).

    Returns
    -------
    pathlib.Path or None
        ``.../plugins/platforms/libqxcb.so`` inside the binding's package;
        None when the binding brings no Qt of its own (a system Qt).
    """
    asked = environ.get("QT_API", "").lower()
    names = [BINDINGS[asked]] if asked in BINDINGS else list(BINDINGS.values())
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in spec.submodule_search_locations:
            for plugin in sorted(Path(root).glob("*/plugins/platforms/libqxcb.so")):
                return plugin
            plugin = Path(root) / "plugins" / "platforms" / "libqxcb.so"
            if plugin.is_file():
                return plugin
        return None
    return None


def check_xcb_libraries(environ: Mapping[str, str]) -> None:
    """Raise if Qt's X11 platform plugin cannot be loaded for a missing library.

    Parameters
    ----------
    environ : mapping
        The environment.

    Raises
    ------
    DigitizerError
        Naming the missing system library and the package that usually
        brings it.
    """
    plugin = xcb_plugin(environ)
    if plugin is None:
        return
    problem = load_library(plugin)
    if problem is None:
        return
    missing = _MISSING.search(problem)
    if missing is None:
        raise DigitizerError(
            f"the gui cannot load Qt's X11 platform plugin ({problem}); reinstall "
            "the Qt binding, or use a Wayland session"
        )
    library = missing.group(1)
    raise DigitizerError(
        f"the gui cannot start: Qt's X11 platform plugin needs the system library "
        f"{library}, which is missing; install it (Debian and Ubuntu: apt install "
        f"{debian_package(library)}) and try again"
    )


def load_library(path: Path) -> str | None:
    """Try loading a shared library; the loader's message when it fails.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    str or None
        None when it loads.
    """
    try:
        ctypes.CDLL(str(path))
    except OSError as exc:
        return str(exc)
    return None


def debian_package(library: str) -> str:
    """The Debian package that usually holds a shared library.

    Parameters
    ----------
    library : str
        A file name such as ``libxcb-cursor.so.0``.

    Returns
    -------
    str
        Such as ``libxcb-cursor0`` (``libxkbcommon-x11-0`` when the name
        ends in a digit).
    """
    stem, _, version = library.partition(".so")
    major = version.strip(".").split(".")[0]
    stem = stem.lower()
    if not major:
        return stem
    return f"{stem}-{major}" if stem[-1:].isdigit() else f"{stem}{major}"
