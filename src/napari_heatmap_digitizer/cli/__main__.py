"""``python -m napari_heatmap_digitizer.cli``."""

import sys

from napari_heatmap_digitizer.cli import main

sys.exit(main())
