"""napari finds the plugin from a wheel as well as from the editable install."""

from __future__ import annotations

import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import sys
import napari_heatmap_digitizer as pkg
from npe2 import PluginManager
pm = PluginManager.instance()
pm.discover()
manifest = pm.get_manifest("napari-heatmap-digitizer")
widgets = [w.display_name for w in pm.iter_widgets()
           if w.plugin_name == "napari-heatmap-digitizer"]
print(pkg.__file__)
c = manifest.contributions
print(widgets, len(c.sample_data), len(c.writers))
"""


def _check(python: str) -> list[str]:
    proc = subprocess.run([python, "-c", CHECK], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_editable_install_lists_the_widget():
    location, listing = _check(sys.executable)
    assert location.startswith(str(ROOT / "src")), location  # the editable copy
    assert listing == "['Heat-map digitizer'] 2 1"


@pytest.mark.slow
def test_wheel_install_lists_the_widget(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("*.whl")
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = str(env / "bin" / "python")
    # The new environment sees this one's packages (numba, napari, ...), which
    # may itself be a venv: system_site_packages would see the base Python's.
    # Its own site-packages, holding the wheel, comes first.
    (new_site,) = (env / "lib").glob("python*/site-packages")
    (new_site / "outer.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    location, listing = _check(python)
    assert location.startswith(str(env)), location  # the wheel's copy, not src/
    assert listing == "['Heat-map digitizer'] 2 1"
