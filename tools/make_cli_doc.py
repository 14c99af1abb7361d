"""Regenerate docs/cli.md from the parser's own --help texts.

python tools/make_cli_doc.py
"""

from __future__ import annotations

import os
from pathlib import Path

from napari_heatmap_digitizer.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    os.environ["COLUMNS"] = "88"
    parser = build_parser()
    parts = [(ROOT / "tools" / "cli_doc_header.md").read_text().rstrip() + "\n"]
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        parts.append(f"\n## `heatmap-digitizer {name} --help`\n\n```text\n")
        parts.append(sub.format_help().rstrip() + "\n```\n")
    (ROOT / "docs" / "cli.md").write_text("".join(parts))
    print("wrote docs/cli.md")


if __name__ == "__main__":
    main()
