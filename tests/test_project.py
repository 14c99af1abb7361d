"""The README, CI, manifest and docs say what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from napari_heatmap_digitizer.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)


def test_ci_runs_the_readme_test_command():
    commands = _readme_commands()
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command.strip() in (ROOT / ".ci" / "run").read_text()


def test_readme_main_command_opens_the_gui_and_names_the_demo():
    commands = _readme_commands()
    assert commands[0] == 'python -m pip install ".[all]" && heatmap-digitizer gui'
    assert "heatmap-digitizer demo" in (ROOT / "README.md").read_text()


def test_one_manifest():
    root = ROOT / "napari.yaml"
    packaged = ROOT / "src" / "napari_heatmap_digitizer" / "napari.yaml"
    assert packaged.read_text() == root.read_text()


def test_manifest_is_valid():
    npe2 = pytest.importorskip("npe2")
    manifest = npe2.PluginManifest.from_file(ROOT / "napari.yaml")
    assert manifest.name == "napari-heatmap-digitizer"
    for command in manifest.contributions.commands:
        module, _, name = command.python_name.partition(":")
        mod = __import__(module, fromlist=[name])
        assert callable(getattr(mod, name))


def test_cli_reference_lists_every_flag():
    text = (ROOT / "docs" / "cli.md").read_text()
    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        assert f"heatmap-digitizer {name}" in text
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in text, (name, flag)


def test_docs_pages_exist_and_link():
    for page in ["user-guide", "cli", "api", "accuracy", "performance"]:
        assert (ROOT / "docs" / f"{page}.md").exists()
        assert f"docs/{page}.md" in (ROOT / "README.md").read_text()
    for image in re.findall(
        r"\]\((?:docs/)?(images/[^)]+)\)", (ROOT / "README.md").read_text()
    ):
        assert (ROOT / "docs" / image).exists()


def test_sample_data_opens_as_layers():
    from napari_heatmap_digitizer._napari._sample_data import single_panel_sample

    ((data, meta, kind),) = single_panel_sample()
    assert kind == "image" and meta["rgb"] and data.shape[2] == 3
    assert meta["metadata"]["recipe"]["panels"]
