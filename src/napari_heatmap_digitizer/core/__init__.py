"""The digitizing engine: pure NumPy, Numba and scikit-image.

Nothing here imports napari, Qt or magicgui, so it runs on a headless
cluster worker as well as inside the viewer.
"""

from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._colorbar import Colorbar, catalogue_names
from napari_heatmap_digitizer.core._digitize import DEFAULT_MAX_DISTANCE, digitize
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._read import as_rgb8, load_image
from napari_heatmap_digitizer.core._recipe import ColorbarSpec, Panel, Recipe
from napari_heatmap_digitizer.core._result import Result
from napari_heatmap_digitizer.core._scale import ValueScale
from napari_heatmap_digitizer.core._write import write_array

__all__ = [
    "DEFAULT_MAX_DISTANCE",
    "Box",
    "Colorbar",
    "ColorbarSpec",
    "DigitizerError",
    "Extent",
    "Panel",
    "Recipe",
    "Result",
    "ValueScale",
    "as_rgb8",
    "catalogue_names",
    "digitize",
    "load_image",
    "write_array",
]
