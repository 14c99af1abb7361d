"""One module per plotting program, used by ``tools/render_programs.py``."""
