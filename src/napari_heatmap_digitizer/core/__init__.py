"""The digitizing engine: pure NumPy, Numba and scikit-image.

Nothing here imports napari, Qt or magicgui, so it runs on a headless
cluster worker as well as inside the viewer.
"""

from napari_heatmap_digitizer.core.axes import Extent
from napari_heatmap_digitizer.core.boxes import Box
from napari_heatmap_digitizer.core.colorbar import Colorbar, catalogue_names
from napari_heatmap_digitizer.core.digitize import DEFAULT_MAX_DISTANCE, digitize
from napari_heatmap_digitizer.core.errors import DigitizerError
from napari_heatmap_digitizer.core.export import write_array
from napari_heatmap_digitizer.core.image import as_rgb8, load_image
from napari_heatmap_digitizer.core.recipe import ColorbarSpec, Panel, Recipe
from napari_heatmap_digitizer.core.result import Result
from napari_heatmap_digitizer.core.scale import ValueScale

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
