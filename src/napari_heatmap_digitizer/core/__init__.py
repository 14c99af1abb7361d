"""The digitizing engine: pure NumPy, Numba, dask and scikit-image.

Nothing here imports napari, Qt or magicgui, so it runs on a headless
cluster worker as well as inside the viewer. Everything public is listed in
``__all__`` and re-exported by :mod:`napari_heatmap_digitizer`; the modules
themselves (``_recipe``, ``_pipeline``, ...) are internal.
"""

from napari_heatmap_digitizer.core._autofill import Completed, complete_recipe
from napari_heatmap_digitizer.core._axes import Extent
from napari_heatmap_digitizer.core._bar_maps import catalogue_names
from napari_heatmap_digitizer.core._blockwise import digitize_blocks
from napari_heatmap_digitizer.core._boxes import Box
from napari_heatmap_digitizer.core._cells import Cells, Printed, panel_cells
from napari_heatmap_digitizer.core._colorbar import Colorbar
from napari_heatmap_digitizer.core._confidence import Bounds, Confidence, assess
from napari_heatmap_digitizer.core._detect import Detection, detect
from napari_heatmap_digitizer.core._digitize import DEFAULT_MAX_DISTANCE, digitize
from napari_heatmap_digitizer.core._errors import DigitizerError
from napari_heatmap_digitizer.core._grid import Grid, detect_grid
from napari_heatmap_digitizer.core._grid_evidence import find_grid
from napari_heatmap_digitizer.core._matrix import matrix_cells
from napari_heatmap_digitizer.core._outputs import (
    Written,
    output_paths,
    panel_metadata,
    run_to_files,
    write_outputs,
    write_panel,
)
from napari_heatmap_digitizer.core._pipeline import (
    PanelResult,
    read_figure,
    run_recipe,
    run_recipe_steps,
)
from napari_heatmap_digitizer.core._read import as_rgb8, load_image, open_figure
from napari_heatmap_digitizer.core._recipe import (
    ColorbarSpec,
    Output,
    Panel,
    Recipe,
    Values,
)
from napari_heatmap_digitizer.core._regions import (
    Regions,
    fill_gaps,
    find_hexagons,
    find_regions,
)
from napari_heatmap_digitizer.core._result import Result
from napari_heatmap_digitizer.core._scale import ValueScale
from napari_heatmap_digitizer.core._snap import snap_panel
from napari_heatmap_digitizer.core._ticks import ocr_available, parse_label
from napari_heatmap_digitizer.core._warmup import KernelStatus, prepare_kernels
from napari_heatmap_digitizer.core._write import write_array, write_result

__all__ = [
    "DEFAULT_MAX_DISTANCE",
    "Bounds",
    "Box",
    "Cells",
    "Colorbar",
    "ColorbarSpec",
    "Completed",
    "Confidence",
    "Detection",
    "DigitizerError",
    "Extent",
    "Grid",
    "KernelStatus",
    "Output",
    "Panel",
    "PanelResult",
    "Printed",
    "Recipe",
    "Regions",
    "Result",
    "ValueScale",
    "Values",
    "Written",
    "as_rgb8",
    "assess",
    "catalogue_names",
    "complete_recipe",
    "detect",
    "detect_grid",
    "digitize",
    "digitize_blocks",
    "fill_gaps",
    "find_grid",
    "find_hexagons",
    "find_regions",
    "load_image",
    "matrix_cells",
    "ocr_available",
    "open_figure",
    "output_paths",
    "panel_cells",
    "panel_metadata",
    "parse_label",
    "prepare_kernels",
    "read_figure",
    "run_recipe",
    "run_recipe_steps",
    "run_to_files",
    "snap_panel",
    "write_array",
    "write_outputs",
    "write_panel",
    "write_result",
]
