"""Run the Tesseract OCR engine on a greyscale image.

The one place the OCR engine is called; `_tick_ocr` prepares the images and
interprets the text. `words` and `text` give what pytesseract's
``image_to_data`` and ``image_to_string`` give, read one of three ways,
chosen by the environment variable ``HEATMAP_DIGITIZER_OCR_RUNNER``:

``stream`` (the default)
    One ``tesseract`` process per configuration (page segmentation mode and
    character whitelist) is kept running and fed one image after another
    (Tesseract's ``stream_filelist``): the engine and its language data
    load once, not once per label. Each image is followed by a small blank
    one, so that where one image's output ends is known. Should such a
    process fail, the image is read by ``direct`` instead.
``direct``
    One ``tesseract`` process per image.
``pytesseract``
    pytesseract's own functions (as in earlier versions).

``stream`` and ``direct`` run the program pytesseract would run
(``pytesseract.pytesseract.tesseract_cmd`` when pytesseract is installed,
else ``tesseract`` on the ``PATH``) with ``OMP_THREAD_LIMIT=1`` added to its
environment (unless set already): the small images read here gain nothing
from OpenMP threads, which only compete for the cores. This process's own
environment is left as it is.

A missing program or a failed reading raises `DigitizerError` saying so.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import os
import queue
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import IO, Any

from PIL import Image

from napari_heatmap_digitizer.core._errors import DigitizerError

#: The environment variable choosing how Tesseract is run.
RUNNER_VARIABLE = "HEATMAP_DIGITIZER_OCR_RUNNER"
RUNNERS = ("stream", "direct", "pytesseract")
#: The columns `words` returns.
COLUMNS = ("text", "left", "top", "height")
#: At most this many ``stream`` processes are kept (the least recently used
#: one is closed first).
KEEP = 8
#: A ``stream`` process silent this long (seconds) is given up for hung.
PATIENCE = 60.0
#: How to install the OCR engine (the message of a missing program).
INSTALL = (
    "pip install 'napari-heatmap-digitizer[ocr]' and install the tesseract "
    "program (Debian/Ubuntu: apt install tesseract-ocr)"
)


def runner() -> str:
    """How Tesseract is run: the ``HEATMAP_DIGITIZER_OCR_RUNNER`` setting.

    Returns
    -------
    str
        One of `RUNNERS`; ``"stream"`` when unset or not recognised.
    """
    chosen = os.environ.get(RUNNER_VARIABLE, "").strip().lower()
    return chosen if chosen in RUNNERS else "stream"


def words(img: Image.Image, config: str) -> dict[str, list[Any]]:
    """Words found in ``img``: lists ``text``, ``left``, ``top``, ``height``.

    Parameters
    ----------
    img : PIL.Image.Image
        A greyscale image.
    config : str
        Tesseract's options, e.g. ``"--psm 6 -c tessedit_char_whitelist=0123"``.

    Returns
    -------
    dict
        One entry per row of Tesseract's TSV output (pages, blocks, lines
        and words; all but words have empty text), as pytesseract's
        ``image_to_data`` gives them.

    Raises
    ------
    DigitizerError
        If Tesseract is missing or fails.
    """
    how = runner()
    if how == "pytesseract":
        import pytesseract

        data = pytesseract.image_to_data(
            img, config=config, output_type=pytesseract.Output.DICT
        )
        return {k: list(data[k]) for k in COLUMNS}
    return parse_tsv(_read(img, config, tsv=True, stream=how == "stream"))


def text(img: Image.Image, config: str) -> str:
    """The text read from ``img``, stripped.

    Parameters
    ----------
    img : PIL.Image.Image
        A greyscale image.
    config : str
        Tesseract's options, e.g. ``"--psm 7 -c tessedit_char_whitelist=0123"``.

    Returns
    -------
    str

    Raises
    ------
    DigitizerError
        If Tesseract is missing or fails.
    """
    how = runner()
    if how == "pytesseract":
        import pytesseract

        return str(pytesseract.image_to_string(img, config=config)).strip()
    return _read(img, config, tsv=False, stream=how == "stream").strip()


def parse_tsv(tsv: str) -> dict[str, list[Any]]:
    """The `COLUMNS` of Tesseract's TSV output, as pytesseract reads them.

    Parameters
    ----------
    tsv : str
        The header line and one line per row.

    Returns
    -------
    dict
        ``text`` as str (empty for rows that are no word), ``left``,
        ``top`` and ``height`` as int; empty lists when nothing was found.
    """
    rows = [line.split("\t") for line in tsv.strip().split("\n")]
    out: dict[str, list[Any]] = {k: [] for k in COLUMNS}
    if len(rows) < 2:
        return out
    header = rows.pop(0)
    where = {k: header.index(k) for k in COLUMNS}
    for cells in rows:
        # the last row's empty text went with the stripped whitespace
        cells += [""] * (len(header) - len(cells))
        out["text"].append(cells[where["text"]])
        for k in ("left", "top", "height"):
            out[k].append(int(float(cells[where[k]])))
    return out


def tesseract_command() -> str:
    """The Tesseract program: pytesseract's setting if installed, else on PATH.

    Returns
    -------
    str
    """
    try:
        import pytesseract
    except ImportError:
        return "tesseract"
    return str(pytesseract.pytesseract.tesseract_cmd)


def environment() -> dict[str, str]:
    """The environment Tesseract runs in: ours plus ``OMP_THREAD_LIMIT=1``.

    Returns
    -------
    dict
        A new dict; ``os.environ`` is not changed. A limit the user set is
        kept.
    """
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def _options(config: str) -> list[str]:
    return shlex.split(config, posix=sys.platform != "win32")


def _missing(cmd: str) -> DigitizerError:
    return DigitizerError(
        f"reading tick labels needs Tesseract ({cmd!r} not found): {INSTALL}"
    )


def _failed(status: int, stderr: bytes) -> DigitizerError:
    said = " ".join(stderr.decode("utf-8", "replace").split())
    return DigitizerError(
        f"Tesseract failed reading tick labels (exit status {status}): "
        f"{said[-300:] or 'no message'}"
    )


def _png(img: Image.Image, path: str) -> None:
    if "A" in img.getbands():  # as pytesseract: alpha onto white
        ground = Image.new("RGB", img.size, (255, 255, 255))
        ground.paste(img, (0, 0), img.getchannel("A"))
        img = ground
    img.save(path, format="PNG", compress_level=1)


def _read(img: Image.Image, config: str, tsv: bool, stream: bool) -> str:
    """Tesseract's output for ``img``: TSV (``tsv``) or plain text."""
    if stream:
        with contextlib.suppress(_StreamTrouble):
            return _POOL.read(img, config, tsv)
    return _direct(img, config, tsv)


def _direct(img: Image.Image, config: str, tsv: bool) -> str:
    """One Tesseract process reading ``img``."""
    cmd = tesseract_command()
    with tempfile.TemporaryDirectory(prefix="hd_tess_") as folder:
        path = os.path.join(folder, "input.png")
        _png(img, path)
        args = [cmd, path, "stdout", *_options(config)]
        if tsv:
            args.append("tsv")
        try:
            done = subprocess.run(
                args,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                env=environment(),
                check=False,
            )
        except FileNotFoundError as exc:
            raise _missing(cmd) from exc
        except OSError as exc:
            raise DigitizerError(
                f"Tesseract could not be run ({cmd!r}): {exc}"
            ) from exc
    if done.returncode:
        raise _failed(done.returncode, done.stderr)
    return done.stdout.decode("utf-8", "replace")


class _StreamTrouble(Exception):
    """A ``stream`` process could not read an image (read it directly)."""


class _Stream:
    """One ``tesseract`` process reading image after image, one configuration.

    Image ``k`` is page ``2k`` of the stream and a blank image page
    ``2k + 1``: page ``2k``'s output is whole once page ``2k + 1``'s begins
    (plain text: a form feed; TSV: a row of the next page).
    """

    def __init__(self, config: str, tsv: bool, folder: str, blank: str) -> None:
        self.tsv = tsv
        self.lock = threading.Lock()
        self.used = time.monotonic()
        self.pages = 0
        self.images = 0  # read whole
        self.pid = os.getpid()
        self.image = os.path.join(folder, f"image{id(self)}.png")
        self.blank = blank
        # the process's messages (kept for as long as it runs)
        self.err: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        args = [tesseract_command(), "stdin", "stdout", *_options(config)]
        args += ["-c", "stream_filelist=1"] + (["tsv"] if tsv else [])
        try:
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.err,
                env=environment(),
            )
        except OSError as exc:
            self.err.close()
            raise _StreamTrouble from exc
        self.chunks: queue.Queue[bytes | None] = queue.Queue()
        self.buffer = ""
        self.header = ""
        self.decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        out = self.proc.stdout
        assert out is not None
        with contextlib.suppress(OSError):
            while chunk := os.read(out.fileno(), 65536):
                self.chunks.put(chunk)
        out.close()  # here: no other thread reads it
        self.chunks.put(None)

    def read(self, img: Image.Image) -> str:
        """The output for ``img`` (call with `lock` held)."""
        self.used = time.monotonic()
        _png(img, self.image)
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(f"{self.image}\n{self.blank}\n".encode())
            stdin.flush()
        except OSError as exc:
            raise _StreamTrouble from exc
        page = self.pages
        self.pages += 2
        out = self._page_tsv(page) if self.tsv else self._page_text(page)
        self.images += 1
        return out

    def _more(self) -> None:
        try:
            chunk = self.chunks.get(timeout=PATIENCE)
        except queue.Empty:
            raise _StreamTrouble from None
        if chunk is None:
            self.chunks.put(None)
            raise _StreamTrouble
        self.buffer += self.decode(chunk)

    def _page_text(self, page: int) -> str:
        # pages are separated by form feeds: image k's text follows the
        # blank page's text before it (none for the first image)
        need = 2 if page else 1
        while self.buffer.count("\f") < need:
            self._more()
        parts = self.buffer.split("\f", need)
        self.buffer = parts[need]
        return parts[need - 1]

    def _page_tsv(self, page: int) -> str:
        # rows are "level, page_num, ...": image k's rows (page numbers
        # count from 1) are whole once a row of the blank page after it came
        rows = []
        while True:
            while "\n" not in self.buffer:
                self._more()
            line, self.buffer = self.buffer.split("\n", 1)
            if not self.header:
                self.header = line
                continue
            number = line.split("\t", 2)[1] if line.count("\t") >= 2 else ""
            if not number.isdigit():
                raise _StreamTrouble
            if int(number) == page + 1:
                rows.append(line)
            elif int(number) > page + 1:
                self.buffer = line + "\n" + self.buffer
                break
        return "\n".join([self.header, *rows]) + "\n"

    def close(self) -> None:
        """End the process (it ends at its input's end)."""
        if self.pid != os.getpid():
            return  # a forked copy: the process is the parent's
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=2)
        self.err.close()


class _Pool:
    """The ``stream`` processes, one per configuration, made when needed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        self.streams: dict[tuple[str, bool], _Stream] = {}
        self.folder: str | None = None
        self.blank = ""
        self.pid = os.getpid()
        self.broken = False

    def read(self, img: Image.Image, config: str, tsv: bool) -> str:
        stream = self._stream(config, tsv)
        if not stream.lock.acquire(blocking=False):
            raise _StreamTrouble  # busy in another thread: read directly
        try:
            try:
                return stream.read(img)
            except _StreamTrouble:
                self._drop((config, tsv), stream)
                raise
        finally:
            stream.lock.release()

    def _stream(self, config: str, tsv: bool) -> _Stream:
        with self.lock:
            if self.pid != os.getpid():  # a forked copy: its own processes
                self._start()
            if self.broken:
                raise _StreamTrouble
            key = (config, tsv)
            if key in self.streams:
                return self.streams[key]
            if self.folder is None:
                self.folder = tempfile.mkdtemp(prefix="hd_tess_")
                self.blank = os.path.join(self.folder, "blank.png")
                Image.new("L", (8, 8), 255).save(self.blank)
            for old in sorted(self.streams, key=lambda k: self.streams[k].used):
                if len(self.streams) < KEEP:
                    break
                stale = self.streams[old]
                if stale.lock.acquire(blocking=False):  # not in use
                    del self.streams[old]
                    stale.close()
                    stale.lock.release()
            try:
                stream = _Stream(config, tsv, self.folder, self.blank)
            except _StreamTrouble:
                self.broken = True  # no program: the direct run says why
                raise
            self.streams[key] = stream
            return stream

    def _drop(self, key: tuple[str, bool], stream: _Stream) -> None:
        with self.lock:
            if self.streams.get(key) is stream:
                del self.streams[key]
        stream.close()
        if not stream.images:
            # the first image already failed: no streaming with this
            # program (an old Tesseract) or this configuration
            with self.lock:
                self.broken = True

    def close(self) -> None:
        """End every process and remove the temporary files."""
        with self.lock:
            if self.pid != os.getpid():
                return
            for stream in self.streams.values():
                stream.close()
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
            self._start()


_POOL = _Pool()
atexit.register(_POOL.close)


def close() -> None:
    """End the ``stream`` processes now (they are made again when needed)."""
    _POOL.close()
