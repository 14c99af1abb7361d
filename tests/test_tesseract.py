"""Running Tesseract: the same words and text however it is run."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from napari_heatmap_digitizer.core import DigitizerError, _tesseract
from napari_heatmap_digitizer.core._tick_ocr import CHARS
from napari_heatmap_digitizer.core._ticks import ocr_available

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="needs Tesseract")
posix = pytest.mark.skipif(sys.platform == "win32", reason="shell scripts")

LINE = f"--psm 7 -c tessedit_char_whitelist={CHARS}"
BLOCK = f"--psm 6 -c tessedit_char_whitelist={CHARS}"
NUMBERS = ["-0.25", "1e3", "100", "42"]


@pytest.fixture(autouse=True)
def fresh_pool():
    """Each test starts and ends without kept Tesseract processes."""
    _tesseract.close()
    yield
    _tesseract.close()


def drawn(*lines: str) -> Image.Image:
    """Lines of text, black on white, large, one under the other."""
    font = ImageFont.load_default(size=48)
    img = Image.new("L", (60 + 40 * max(map(len, lines)), 40 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((30, 20 + 80 * i), line, font=font, fill=0)
    return img


def run(how: str, monkeypatch: pytest.MonkeyPatch, call, *args):
    monkeypatch.setenv(_tesseract.RUNNER_VARIABLE, how)
    return call(*args)


def test_runner_setting(monkeypatch):
    monkeypatch.delenv(_tesseract.RUNNER_VARIABLE, raising=False)
    assert _tesseract.runner() == "stream"
    for how in ("direct", "pytesseract", "stream"):
        monkeypatch.setenv(_tesseract.RUNNER_VARIABLE, f" {how.upper()} ")
        assert _tesseract.runner() == how
    monkeypatch.setenv(_tesseract.RUNNER_VARIABLE, "nonsense")
    assert _tesseract.runner() == "stream"


@needs_ocr
@pytest.mark.parametrize("how", ["direct", "stream"])
def test_text_same_as_pytesseract(how, monkeypatch):
    for number in NUMBERS:
        img = drawn(number)
        before = run("pytesseract", monkeypatch, _tesseract.text, img, LINE)
        assert before == number
        assert run(how, monkeypatch, _tesseract.text, img, LINE) == before


@needs_ocr
@pytest.mark.parametrize("how", ["direct", "stream"])
def test_words_same_as_pytesseract(how, monkeypatch):
    img = drawn(*NUMBERS)
    before = run("pytesseract", monkeypatch, _tesseract.words, img, BLOCK)
    assert [t for t in before["text"] if t.strip()] == NUMBERS
    after = run(how, monkeypatch, _tesseract.words, img, BLOCK)
    assert after == before
    tops = [t for t, w in zip(after["top"], after["text"], strict=True) if w]
    assert tops == sorted(tops)


@needs_ocr
def test_stream_keeps_images_apart(monkeypatch):
    """Many images through one process: each gets its own text and words."""
    blank = Image.new("L", (200, 80), 255)
    images = [drawn(n) for n in NUMBERS] + [blank, drawn("7"), blank]
    direct = [run("direct", monkeypatch, _tesseract.text, i, LINE) for i in images]
    assert direct[: len(NUMBERS)] == NUMBERS
    for _ in range(2):
        got = [run("stream", monkeypatch, _tesseract.text, i, LINE) for i in images]
        assert got == direct
    stacks = [drawn(*NUMBERS[:2]), blank, drawn(*NUMBERS[2:])]
    direct_words = [
        run("direct", monkeypatch, _tesseract.words, i, BLOCK) for i in stacks
    ]
    for _ in range(2):
        got_words = [
            run("stream", monkeypatch, _tesseract.words, i, BLOCK) for i in stacks
        ]
        assert got_words == direct_words
    assert [w for w in got_words[2]["text"] if w] == NUMBERS[2:]


@needs_ocr
def test_stream_process_lost(monkeypatch):
    """A stream process that died: the image is read by a process of its own."""
    img = drawn("-0.25")
    assert run("stream", monkeypatch, _tesseract.text, img, LINE) == "-0.25"
    (stream,) = _tesseract._POOL.streams.values()
    stream.proc.kill()
    stream.proc.wait()
    assert run("stream", monkeypatch, _tesseract.text, img, LINE) == "-0.25"
    assert run("stream", monkeypatch, _tesseract.text, img, LINE) == "-0.25"
    (again,) = _tesseract._POOL.streams.values()
    assert again is not stream and again.proc.poll() is None


def test_environment_limits_threads(monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    env = _tesseract.environment()
    assert env["OMP_THREAD_LIMIT"] == "1"
    assert "OMP_THREAD_LIMIT" not in os.environ
    assert env["PATH"] == os.environ["PATH"]
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")  # the user's choice stays
    assert _tesseract.environment()["OMP_THREAD_LIMIT"] == "2"


def fake_tesseract(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-tesseract"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@posix
@pytest.mark.parametrize("how", ["direct", "stream"])
def test_program_gets_thread_limit(how, tmp_path, monkeypatch):
    """The program runs with OMP_THREAD_LIMIT=1; our environment is unchanged."""
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    # reads one image (a stream: its line and the blank's), says its limit
    cmd = fake_tesseract(
        tmp_path, 'read a; read b; printf "limit=%s\\f" "$OMP_THREAD_LIMIT"\n'
    )
    monkeypatch.setattr(_tesseract, "tesseract_command", lambda: cmd)
    assert run(how, monkeypatch, _tesseract.text, drawn("1"), LINE) == "limit=1"
    assert "OMP_THREAD_LIMIT" not in os.environ


@posix
@pytest.mark.parametrize("how", ["direct", "stream"])
def test_failing_program(how, tmp_path, monkeypatch):
    cmd = fake_tesseract(tmp_path, 'echo "Error, cannot read input file" >&2\nexit 1\n')
    monkeypatch.setattr(_tesseract, "tesseract_command", lambda: cmd)
    with pytest.raises(DigitizerError, match="cannot read input file"):
        run(how, monkeypatch, _tesseract.text, drawn("1"), LINE)
    with pytest.raises(DigitizerError, match="exit status 1"):
        run(how, monkeypatch, _tesseract.words, drawn("1"), BLOCK)


@pytest.mark.parametrize("how", ["direct", "stream"])
def test_missing_program(how, tmp_path, monkeypatch):
    """No program: OCR is unavailable, and reading says how to install it."""
    pytesseract = pytest.importorskip("pytesseract")
    missing = str(tmp_path / "no-such-tesseract")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", missing)
    ocr_available.cache_clear()
    try:
        assert not ocr_available()
        assert _tesseract.tesseract_command() == missing
        with pytest.raises(DigitizerError, match="apt install tesseract-ocr"):
            run(how, monkeypatch, _tesseract.text, drawn("1"), LINE)
    finally:
        ocr_available.cache_clear()


def test_parse_tsv_as_pytesseract():
    pytesseract = pytest.importorskip("pytesseract")
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num"
    head += "\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t400\t120\t-1\t",
        "5\t1\t1\t1\t1\t1\t22\t36\t130\t44\t88.754196\t-0.25",
        "5\t1\t1\t1\t1\t2\t180\t36.0\t60\t44\t-1\t ",
        "5\t1\t1\t1\t2\t1\t22\t96\t60\t41\t91.5\t1e3",
        "4\t1\t1\t1\t3\t0\t22\t150\t60\t41\t-1",  # last cell missing
    ]
    tsv = "\n".join([head, *rows]) + "\n"
    ours = _tesseract.parse_tsv(tsv)
    theirs = pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)
    assert ours["text"] == ["", "-0.25", " ", "1e3", ""]
    assert ours["left"] == [0, 22, 180, 22, 22]
    assert ours["top"] == [0, 36, 36, 96, 150]
    assert ours["height"] == [120, 44, 44, 41, 41]
    for k in _tesseract.COLUMNS:
        assert ours[k] == theirs[k]
    assert _tesseract.parse_tsv(head + "\n") == {k: [] for k in _tesseract.COLUMNS}


def test_alpha_onto_white(tmp_path):
    img = Image.new("LA", (4, 4), (0, 0))  # black, wholly transparent
    _tesseract._png(img, str(tmp_path / "x.png"))
    assert np.all(np.asarray(Image.open(tmp_path / "x.png").convert("L")) == 255)
