"""Regenerate docs/cli.md from the parser's own --help texts.

python tools/make_cli_doc.py

The page is tools/cli_doc_header.md, then a table of the recipe flags and the
recipe fields they set (from napari_heatmap_digitizer.cli._flags.FLAGS), then
every command's --help.
"""

from __future__ import annotations

import os
from pathlib import Path

from napari_heatmap_digitizer.cli import build_parser
from napari_heatmap_digitizer.cli._flags import FLAGS

ROOT = Path(__file__).resolve().parents[1]


def flag_table() -> str:
    lines = [
        "\n## Flags and recipe fields\n",
        "\nEach flag below sets a field of the recipe (the JSON `--save-recipe`\n"
        "writes and `--recipe` reads); a flag given wins over the recipe and over\n"
        "`--auto`. `panels[]` means every panel. This table is made from the\n"
        "one list of these flags in the code (`cli/_flags.py`).\n",
        "\n| flag | recipe field | also resets |",
        "\n|---|---|---|",
    ]
    for flag in FLAGS:
        names = ", ".join(f"`{n}`" for n in flag.names)
        sets = ", ".join(f"`{s}`" for s in flag.sets)
        clears = ", ".join(f"`{c}`" for c in flag.clears)
        lines.append(f"\n| {names} | {sets} | {clears} |")
    return "".join(lines) + "\n"


def main() -> None:
    os.environ["COLUMNS"] = "88"
    parser = build_parser()
    parts = [(ROOT / "tools" / "cli_doc_header.md").read_text().rstrip() + "\n"]
    parts.append(flag_table())
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        parts.append(f"\n## `heatmap-digitizer {name} --help`\n\n```text\n")
        parts.append(sub.format_help().rstrip() + "\n```\n")
    (ROOT / "docs" / "cli.md").write_text("".join(parts))
    print("wrote docs/cli.md")


if __name__ == "__main__":
    main()
