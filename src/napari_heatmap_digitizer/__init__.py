"""Turn pictures of heat maps back into numbers.

The public API lives in :mod:`napari_heatmap_digitizer.core` and is re-exported
here. Nothing in this module imports napari or Qt.
"""

__version__ = "0.1.0"

from napari_heatmap_digitizer.core import (
    Box,
    Colorbar,
    DigitizerError,
    Recipe,
    Result,
    ValueScale,
    digitize,
    load_image,
)
from napari_heatmap_digitizer.core._detect import Detection, detect

__all__ = [
    "Box",
    "Colorbar",
    "Detection",
    "DigitizerError",
    "Recipe",
    "Result",
    "ValueScale",
    "__version__",
    "detect",
    "digitize",
    "load_image",
]
