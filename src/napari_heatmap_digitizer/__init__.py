"""Turn pictures of heat maps back into numbers.

The public API is :mod:`napari_heatmap_digitizer.core`, re-exported here;
``docs/api.md`` documents exactly the names in ``__all__``. Nothing in this
module imports napari or Qt.
"""

from napari_heatmap_digitizer._version import __version__
from napari_heatmap_digitizer.core import *  # noqa: F403
from napari_heatmap_digitizer.core import __all__ as _core_all

__all__ = ["__version__", *_core_all]
