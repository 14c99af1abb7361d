"""core must run where napari, Qt and magicgui cannot be imported."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
BLOCKED = ("napari", "qtpy", "PyQt5", "PyQt6", "PySide2", "PySide6", "magicgui")
for name in BLOCKED:
    sys.modules[name] = None  # any import of these now fails
import napari_heatmap_digitizer.cli
from napari_heatmap_digitizer import run_recipe
from napari_heatmap_digitizer.data import load_sample
s = load_sample("single")
results = [p.result for p in run_recipe(s.recipe, s.image)]
assert results[0].coverage > 0.9
banned = [m for m in sys.modules if m.split(".")[0] in ("napari", "qtpy", "magicgui")
          and sys.modules[m] is not None]
assert not banned, banned
print("ok")
"""


def test_core_and_cli_run_without_napari_or_qt():
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
