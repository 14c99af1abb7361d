"""Figures rendered from known data, for tests, benchmarks and the samples.

Not part of the digitizer itself: nothing in :mod:`napari_heatmap_digitizer.core`
imports it. The renderers need matplotlib (the ``samples`` extra).
"""
