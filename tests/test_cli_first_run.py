"""A new user's first commands: no display, outputs checked early, honest reports."""

from __future__ import annotations

import json
import re
import socket
import sys

import pytest

from napari_heatmap_digitizer.cli import _demo, _digitize, _display, _gui, main
from napari_heatmap_digitizer.core import KernelStatus, detect, load_image
from napari_heatmap_digitizer.data import sample_path

SINGLE = str(sample_path("single"))
PLOT = "80,40,480,420"
BAR = "507,37,533,423"


def run(*args):
    return main([str(a) for a in args])


# -- gui without a display ---------------------------------------------------


def test_gui_without_display_exits_2_in_one_line(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    from napari_heatmap_digitizer._napari import _launch

    def launch(*args, **kwargs):
        raise AssertionError("napari was started")

    monkeypatch.setattr(_launch, "launch", launch)
    assert run("gui") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("heatmap-digitizer: error: ")
    assert "display" in err and "xvfb-run -a heatmap-digitizer gui" in err
    assert "'demo'" in err


@pytest.mark.parametrize(
    "env",
    [
        {"QT_QPA_PLATFORM": "offscreen"},
        {"QT_QPA_PLATFORM": "minimal:enable_fonts"},
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"QT_QPA_PLATFORM": "cocoa"},  # not one this check knows
    ],
)
def test_display_not_needed_or_not_x11_passes(env):
    _display.check_display(env, platform="linux")


def test_no_check_on_macos_and_windows():
    _display.check_display({}, platform="darwin")
    _display.check_display({}, platform="win32")


def test_platform_asked_for_without_its_display():
    with pytest.raises(_display.DigitizerError, match="QT_QPA_PLATFORM=xcb"):
        _display.check_display({"QT_QPA_PLATFORM": "xcb"}, platform="linux")


def test_x_server_that_does_not_answer(tmp_path, monkeypatch):
    monkeypatch.setattr(
        _display,
        "x_socket_address",
        lambda display: (socket.AF_UNIX, str(tmp_path / "X99")),
    )
    with pytest.raises(_display.DigitizerError, match=r"DISPLAY=:99 .*xvfb-run"):
        _display.check_display({"DISPLAY": ":99"}, platform="freebsd")


def test_x_server_that_answers(tmp_path, monkeypatch):
    path = str(tmp_path / "X5")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    monkeypatch.setattr(
        _display, "x_socket_address", lambda display: (socket.AF_UNIX, path)
    )
    monkeypatch.setattr(_display, "xcb_plugin", lambda environ: None)
    try:
        _display.check_display({"DISPLAY": ":5"}, platform="openbsd")
    finally:
        server.close()


def test_display_addresses():
    assert _display.x_socket_address(":0") == (socket.AF_UNIX, "/tmp/.X11-unix/X0")
    assert _display.x_socket_address("unix:3.1") == (
        socket.AF_UNIX,
        "/tmp/.X11-unix/X3",
    )
    assert _display.x_socket_address("localhost:10.0") == (
        socket.AF_INET,
        ("localhost", 6010),
    )
    assert _display.x_socket_address("/private/tmp/launchd/org.xquartz:0") is None


def test_missing_xcb_library_named_with_its_package(tmp_path, monkeypatch):
    monkeypatch.setattr(_display, "check_x_server", lambda display: None)
    monkeypatch.setattr(_display, "xcb_plugin", lambda environ: tmp_path / "x.so")
    monkeypatch.setattr(
        _display,
        "load_library",
        lambda path: (
            "libxcb-cursor.so.0: cannot open shared object file: "
            "No such file or directory"
        ),
    )
    with pytest.raises(_display.DigitizerError) as info:
        _display.check_display({"DISPLAY": ":0"}, platform="linux")
    text = str(info.value)
    assert "libxcb-cursor.so.0" in text and "apt install libxcb-cursor0" in text
    assert "\n" not in text


def test_debian_package_names():
    assert _display.debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert _display.debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert _display.debian_package("libEGL.so.1") == "libegl1"


def test_gui_quiets_napari_notices_but_keeps_a_users_choice(monkeypatch):
    env: dict[str, str] = {}
    _gui.quiet_terminal(env)
    assert env == {_gui.CONSOLE_LEVEL: "error"}
    env = {_gui.CONSOLE_LEVEL: "info"}
    _gui.quiet_terminal(env)
    assert env[_gui.CONSOLE_LEVEL] == "info"


# -- digitize --auto checks its outputs before detecting ----------------------


def _detect_must_not_run(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("detection ran before the outputs were checked")

    monkeypatch.setattr(_digitize, "detect", fail)


def test_auto_refuses_an_existing_output_before_detecting(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "v.npy"
    out.write_bytes(b"keep")
    _detect_must_not_run(monkeypatch)
    assert run("digitize", SINGLE, "--auto", "-o", out) == 2
    assert "exists" in capsys.readouterr().err
    assert out.read_bytes() == b"keep"


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("missing/v.npy", "does not exist"),
        ("v.png", "must end in"),
    ],
)
def test_auto_refuses_a_bad_output_before_detecting(
    tmp_path, monkeypatch, capsys, output, message
):
    _detect_must_not_run(monkeypatch)
    assert run("digitize", SINGLE, "--auto", "-o", tmp_path / output) == 2
    assert message in capsys.readouterr().err


# -- demo and digitize say truly what compiling took --------------------------


def _kernels(monkeypatch, module, compiled):
    def fake(on_compile=None):
        if compiled and on_compile is not None:
            on_compile()
        return KernelStatus(12.3, compiled)

    monkeypatch.setattr(module, "prepare", fake)


def test_demo_says_compiling_only_when_it_compiled(monkeypatch, capsys):
    _kernels(monkeypatch, _demo, compiled=False)
    assert run("demo") == 0
    out = capsys.readouterr().out
    assert "kernels" not in out
    _kernels(monkeypatch, _demo, compiled=True)
    assert run("demo") == 0
    out = capsys.readouterr().out
    assert "compiled the kernels in 12.3 s (first run on this machine only)" in out
    assert out.count("first run") == 1


def test_demo_says_each_share_once_with_what_it_is_of(monkeypatch, capsys):
    _kernels(monkeypatch, _demo, compiled=False)
    assert run("demo", "--sample", "multi") == 0
    lines = capsys.readouterr().out.splitlines()
    panels = [line for line in lines if line.startswith("panel ")]
    assert len(panels) == 3
    for line in panels:
        shares = re.findall(r"\d+\.\d% (?:of|showing)", line)
        assert len(shares) == 3, line  # all pixels, unobstructed ones, their share
        assert "of its pixels" in line and "showing the map unobstructed" in line
        assert "matched" not in line
    assert not any("matched" in line for line in lines)


def test_share_never_rounds_up_to_all():
    assert _demo._share(99.97) == "99.9%"
    assert _demo._share(100.0) == "100.0%"
    assert _demo._share(99.46) == "99.5%"  # as the panel summaries round it
    assert _demo._share(0.01) == "0.1%"


def test_digitize_reports_compiling_apart_from_digitizing(
    tmp_path, monkeypatch, capsys
):
    _kernels(monkeypatch, _digitize, compiled=True)
    args = ["digitize", SINGLE, "--plot", PLOT, "--colorbar", BAR]
    args += ["--vmin", -2, "--vmax", 3, "-o", tmp_path / "v.npy"]
    assert run(*args) == 0
    done = capsys.readouterr().out.splitlines()[-1]
    assert re.fullmatch(
        r"done in \d+\.\d\d s \(and 12\.3 s compiling the kernels, first run on "
        r"this machine only\)",
        done,
    )
    _kernels(monkeypatch, _digitize, compiled=False)
    assert run(*args[:-2], "-o", tmp_path / "w.npy") == 0
    assert "kernels" not in capsys.readouterr().out


# -- detect prints compact JSON -----------------------------------------------


def test_detect_json_is_compact_and_equal(tmp_path, capsys):
    out = tmp_path / "found.json"
    assert run("detect", SINGLE, "--no-ocr", "-o", out) == 0
    text = capsys.readouterr().out
    found = detect(load_image(SINGLE), ticks=False)
    assert json.loads(text) == json.loads(json.dumps(found.to_dict()))
    assert out.read_text() == text
    for line in text.splitlines():
        assert not re.fullmatch(r"\s*-?[\d.eE+-]+,?", line), line
    assert '"panels": [[81, 41, 480, 420]],' in text
    assert '"box": [511, 41, 530, 420],' in text


def test_compact_json_keeps_lists_of_numbers_whole():
    from napari_heatmap_digitizer.cli._detect import compact_json

    value = {"a": list(range(60)), "b": [[1.5, 2.0]] * 20, "c": {}, "d": []}
    text = compact_json(value, width=40)
    assert json.loads(text) == value
    assert json.dumps(list(range(60))) in text
    assert all(len(line) <= 40 for line in text.splitlines()[2:-3])
