"""Axis calibration: data coordinates of pixel centres from a panel's extent."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from napari_heatmap_digitizer.core._errors import DigitizerError, real, shown, wrong

AXIS_SCALES = ("linear", "log")


@dataclass(frozen=True)
class Extent:
    """Data values at a panel's edges.

    Parameters
    ----------
    xmin, xmax : float
        x at the panel's left and right edges.
    ymin, ymax : float
        y at the panel's bottom and top edges.
    xscale, yscale : {"linear", "log"}
        How each axis is spaced.

    Raises
    ------
    DigitizerError
        If a value is not a finite number, an axis has one value at both
        edges, a scale is unknown or a log axis reaches zero.
    """

    xmin: float
    xmax: float
    ymin: float
    ymax: float
    xscale: str = "linear"
    yscale: str = "linear"

    def __post_init__(self) -> None:
        for name in ("xmin", "xmax", "ymin", "ymax"):
            if not math.isfinite(real(getattr(self, name), f"extent {name}")):
                raise DigitizerError(f"extent {name} must be a finite number")
        for axis in ("x", "y"):
            lo, hi = getattr(self, f"{axis}min"), getattr(self, f"{axis}max")
            scale = getattr(self, f"{axis}scale")
            if not isinstance(scale, str) or scale not in AXIS_SCALES:
                raise DigitizerError(
                    f"{axis} axis scale must be 'linear' or 'log', got {shown(scale)}"
                )
            if lo == hi:
                raise DigitizerError(
                    f"extent {axis}min and {axis}max are both {lo}: give the values at "
                    "the panel's two edges"
                )
            if scale == "log" and (lo <= 0 or hi <= 0):
                raise DigitizerError(
                    f"a log {axis} axis needs positive {axis}min and {axis}max"
                )

    @classmethod
    def parse(
        cls,
        value: str | Sequence[float],
        *,
        xscale: str = "linear",
        yscale: str = "linear",
    ) -> Extent:
        """Make an extent from ``"XMIN,XMAX,YMIN,YMAX"`` or four numbers.

        Parameters
        ----------
        value : str or sequence of 4 numbers
        xscale, yscale : {"linear", "log"}

        Returns
        -------
        Extent

        Raises
        ------
        DigitizerError
            If ``value`` is not text or a sequence, there are not four numbers
            or the extent is degenerate.
        """
        if isinstance(value, (bytes, bytearray)) or not (
            isinstance(value, (str, Sequence))
            or (hasattr(value, "__array__") and getattr(value, "ndim", 0) == 1)
        ):
            raise wrong("extent", "text 'XMIN,XMAX,YMIN,YMAX' or four numbers", value)
        parts = value.split(",") if isinstance(value, str) else list(value)
        try:
            if len(parts) != 4:
                raise ValueError
            numbers = [float(p) for p in parts]
        except (TypeError, ValueError, OverflowError):
            raise DigitizerError(
                f"extent {shown(value)} must be four numbers XMIN,XMAX,YMIN,YMAX "
                "(x at the left/right edges, y at the bottom/top edges)"
            ) from None
        xmin, xmax, ymin, ymax = numbers
        return cls(xmin, xmax, ymin, ymax, xscale=xscale, yscale=yscale)

    def x_centres(self, n: int) -> np.ndarray:
        """X of the centres of ``n`` columns, left to right."""
        return _centres(n, self.xmin, self.xmax, self.xscale == "log")

    def y_centres(self, n: int) -> np.ndarray:
        """Y of the centres of ``n`` rows, top to bottom."""
        return _centres(n, self.ymax, self.ymin, self.yscale == "log")

    def x_at(self, fraction: np.ndarray | float) -> np.ndarray:
        """X at fractions of the panel's width (0 = left edge, 1 = right edge)."""
        return _at(
            np.asarray(fraction, dtype=np.float64),
            self.xmin,
            self.xmax,
            self.xscale == "log",
        )

    def y_at(self, fraction: np.ndarray | float) -> np.ndarray:
        """Y at fractions of the panel's height (0 = top edge, 1 = bottom edge)."""
        return _at(
            np.asarray(fraction, dtype=np.float64),
            self.ymax,
            self.ymin,
            self.yscale == "log",
        )

    def as_list(self) -> list[float]:
        """``[xmin, xmax, ymin, ymax]``."""
        return [self.xmin, self.xmax, self.ymin, self.ymax]


def _centres(n: int, start: float, stop: float, log: bool) -> np.ndarray:
    return _at((np.arange(n) + 0.5) / n, start, stop, log)


def _at(f: np.ndarray, start: float, stop: float, log: bool) -> np.ndarray:
    if log:
        a, b = math.log10(start), math.log10(stop)
        return np.power(10.0, a + f * (b - a))
    return start + f * (stop - start)
