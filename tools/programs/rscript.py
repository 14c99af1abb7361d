"""Running an R script (for the ggplot2 and pheatmap figures)."""

from __future__ import annotations

import subprocess
from pathlib import Path

TIMEOUT = 120  # seconds per Rscript run


def rscript(script: str, workdir: Path) -> str:
    """Run ``script`` with ``Rscript --vanilla`` in ``workdir``; its stdout."""
    path = workdir / "figure.R"
    path.write_text(script)
    done = subprocess.run(
        ["Rscript", "--vanilla", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Rscript failed:\n{done.stderr}")
    return done.stdout
