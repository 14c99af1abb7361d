"""The napari front end: npe2 contributions over :mod:`napari_heatmap_digitizer.core`.

Coordinates are converted here, never in ``core``: boxes are ``LEFT, TOP,
RIGHT, BOTTOM`` pixels, napari uses ``(row, col)``.
"""
