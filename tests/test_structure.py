"""The code keeps its shape: layers, types, module sizes and the public API."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import napari_heatmap_digitizer

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "napari_heatmap_digitizer"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[testing]'")
    return found


def test_imports_go_one_way():
    proc = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "BROKEN" not in proc.stdout and proc.stdout.count("KEPT") >= 3


def test_types_check():
    proc = subprocess.run(
        [_tool("mypy"), "--no-incremental"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_no_module_over_600_lines():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long


def test_public_api_is_what_the_docs_document():
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    text = text.split("## Outside the top-level API")[0]
    documented = set(re.findall(r"^- `([A-Za-z_][A-Za-z0-9_]*)", text, flags=re.M))
    public = set(napari_heatmap_digitizer.__all__) - {"__version__"}
    assert documented - public == set(), "documented but not exported"
    assert public - documented == set(), "exported but not documented"


def test_internal_modules_are_underscored():
    core = PACKAGE / "core"
    public = [p.name for p in core.glob("*.py") if not p.name.startswith("_")]
    assert public == []
    for name in napari_heatmap_digitizer.__all__:
        obj = getattr(napari_heatmap_digitizer, name)
        module = getattr(obj, "__module__", None) or ""
        assert not module or module.startswith("napari_heatmap_digitizer.core._")
