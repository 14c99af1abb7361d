"""Value scales: from a position along the colour bar (0-1) to a value.

A scale is a list of anchors ``(position, value)`` with piecewise-linear
interpolation between them and linear extrapolation beyond the outer ones.
Linear and log scales are the two-anchor cases; log scales interpolate
``log10(value)``. Tick-based scales have two or more anchors read off the
colour bar's tick marks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from napari_heatmap_digitizer.core._errors import DigitizerError, real, shown, wrong

#: Accepted names of the value scale.
NORMS = ("linear", "log")


@dataclass(frozen=True)
class ValueScale:
    """Map colour-bar positions (0 at the low end, 1 at the high end) to values.

    Parameters
    ----------
    positions : tuple of float
        Anchor positions along the bar, strictly increasing.
    values : tuple of float
        The value at each anchor, strictly monotonic.
    log : bool
        Interpolate ``log10(value)`` instead of the value.
    """

    positions: tuple[float, ...]
    values: tuple[float, ...]
    log: bool = False

    @classmethod
    def from_range(cls, vmin: float, vmax: float, norm: str = "linear") -> ValueScale:
        """A linear or log scale from the values at the bar's two ends.

        Parameters
        ----------
        vmin, vmax : float
            Values at the low and high end of the colour bar.
        norm : {"linear", "log"}
            How values are spread along the bar.

        Returns
        -------
        ValueScale

        Raises
        ------
        DigitizerError
            If ``vmin`` or ``vmax`` is not a number or not finite, they are
            equal, ``vmin`` is above ``vmax`` (a bar whose values fall along
            it is read with ``flip``), or a log scale has a value that is not
            positive.
        """
        norm = _check_norm(norm)
        vmin, vmax = real(vmin, "vmin"), real(vmax, "vmax")
        if not (math.isfinite(vmin) and math.isfinite(vmax)):
            raise DigitizerError(
                f"vmin and vmax must be finite numbers, got {vmin}, {vmax}"
            )
        _check_float32((vmin, vmax), "vmin and vmax")
        if vmin == vmax:
            raise DigitizerError(
                f"vmin and vmax are both {vmin}: give the values at the two ends of "
                "the colour bar"
            )
        if vmin > vmax:
            raise DigitizerError(
                f"vmin {vmin:g} is above vmax {vmax:g}: vmin is the value at the "
                "colour bar's low end (its bottom, or left); for a bar whose values "
                "fall along it give flip (--flip), for a named map its reverse "
                "(NAME_r)"
            )
        if norm == "log" and (vmin <= 0 or vmax <= 0):
            raise DigitizerError(
                "a log colour bar needs positive vmin and vmax, got "
                f"{vmin} and {vmax}; use --norm linear or give the true end values"
            )
        return cls((0.0, 1.0), (vmin, vmax), norm == "log")

    @classmethod
    def from_ticks(
        cls, positions: Sequence[float], values: Sequence[float], norm: str = "linear"
    ) -> ValueScale:
        """A piecewise-linear (or piecewise-log) scale through tick marks.

        Parameters
        ----------
        positions : sequence of float
            Tick positions as fractions along the bar (0 = low end).
        values : sequence of float
            The value printed at each tick.
        norm : {"linear", "log"}
            ``"log"`` interpolates ``log10(value)`` between ticks.

        Returns
        -------
        ValueScale

        Raises
        ------
        DigitizerError
            If positions or values are not sequences of numbers, there are
            fewer than two ticks, two ticks share a position, or the values do
            not change monotonically along the bar.
        """
        norm = _check_norm(norm)
        pos = _numbers(positions, "tick positions")
        val = _numbers(values, "tick values")
        if pos.size < 2 or pos.shape != val.shape:
            raise DigitizerError(
                "ticks need at least two POS:VALUE pairs, e.g. 12:0,300:1"
            )
        if not (np.isfinite(pos).all() and np.isfinite(val).all()):
            raise DigitizerError("tick positions and values must be finite numbers")
        _check_float32(val, "tick values")
        order = np.argsort(pos)
        pos, val = pos[order], val[order]
        if np.any(np.diff(pos) == 0):
            raise DigitizerError("two ticks share one position; give each tick once")
        steps = np.diff(val)
        if not (np.all(steps > 0) or np.all(steps < 0)):
            raise DigitizerError(
                "tick values must rise (or fall) steadily along the colour bar; "
                "check the POS:VALUE pairs"
            )
        if norm == "log" and np.any(val <= 0):
            raise DigitizerError("log ticks need positive values; use --norm linear")
        return cls(tuple(pos.tolist()), tuple(val.tolist()), norm == "log")

    @property
    def norm(self) -> str:
        """``"log"`` or ``"linear"``."""
        return "log" if self.log else "linear"

    def to_value(self, positions: np.ndarray | float) -> np.ndarray:
        """Values at bar positions (extrapolating linearly beyond the anchors).

        Parameters
        ----------
        positions : array_like
            Positions along the colour bar, 0 at the low end, 1 at the high end.

        Returns
        -------
        numpy.ndarray
            Values, ``float64``, same shape as ``positions``.
        """
        p = np.asarray(positions, dtype=np.float64)
        x = np.asarray(self.positions)
        y = np.log10(self.values) if self.log else np.asarray(self.values)
        # Pick the anchor segment for each position (outer segments extend).
        i = np.clip(np.searchsorted(x, p, side="right") - 1, 0, x.size - 2)
        t = (p - x[i]) / (x[i + 1] - x[i])
        out = y[i] + t * (y[i + 1] - y[i])
        return np.power(10.0, out) if self.log else out

    def to_position(self, values: np.ndarray | float) -> np.ndarray:
        """Inverse of :meth:`to_value`: where along the bar a value lies.

        Parameters
        ----------
        values : array_like
            Values in the colour bar's units.

        Returns
        -------
        numpy.ndarray
            Positions along the bar (0 = low end), ``float64``.
        """
        v = np.asarray(values, dtype=np.float64)
        x = np.asarray(self.positions)
        y = np.log10(self.values) if self.log else np.asarray(self.values)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.log10(v) if self.log else v
        if y[0] > y[-1]:
            x, y = x[::-1], y[::-1]
        i = np.clip(np.searchsorted(y, w, side="right") - 1, 0, y.size - 2)
        t = (w - y[i]) / (y[i + 1] - y[i])
        return x[i] + t * (x[i + 1] - x[i])

    def describe(self) -> str:
        """A short human-readable description, e.g. ``"log 0.1..1000"``."""
        lo, hi = self.to_value(0.0), self.to_value(1.0)
        return f"{self.norm} {float(lo):.6g}..{float(hi):.6g}"


def _check_norm(norm: str) -> str:
    if not isinstance(norm, str):
        raise wrong("norm", "'linear' or 'log'", norm)
    norm = norm.lower()
    if norm not in NORMS:
        raise DigitizerError(
            f"unknown norm {shown(norm)}: use one of {', '.join(NORMS)}"
        )
    return norm


def _numbers(values: Sequence[float], name: str) -> np.ndarray:
    """A 1-D float64 array of ``values``, or the error saying what to pass."""
    if isinstance(values, (str, bytes, bytearray)):
        raise wrong(name, "a sequence of numbers", values)
    try:
        complex_ = np.iscomplexobj(values)
    except (TypeError, ValueError, OverflowError):
        complex_ = False  # np.asarray below says what is wrong
    if complex_:
        raise wrong(name, "a sequence of real numbers", values)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise wrong(name, "a sequence of numbers", values) from None
    if array.ndim != 1:
        raise wrong(name, "a 1-D sequence of numbers", values)
    return array


def parse_ticks(text: str) -> list[tuple[float, float]]:
    """Parse ``"POS:VALUE,POS:VALUE,..."`` into pairs.

    Parameters
    ----------
    text : str
        Comma-separated ``POS:VALUE`` pairs, e.g. ``"412:0,262:0.5,112:1"``.

    Returns
    -------
    list of (float, float)

    Raises
    ------
    DigitizerError
        If ``text`` is not a string or an item is not two numbers separated
        by a colon.
    """
    if not isinstance(text, str):
        raise wrong("ticks", "text 'POS:VALUE,POS:VALUE,...'", text)
    pairs = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(":")
        try:
            if len(parts) != 2:
                raise ValueError
            pairs.append((float(parts[0]), float(parts[1])))
        except ValueError:
            raise DigitizerError(
                f"malformed tick {item!r}: write ticks as POS:VALUE pairs separated by "
                "commas, e.g. --ticks 412:0,262:0.5,112:1"
            ) from None
    if len(pairs) < 2:
        raise DigitizerError(
            "ticks need at least two POS:VALUE pairs, e.g. --ticks 412:0,112:1"
        )
    return pairs


#: Largest magnitude a digitized value (float32) can hold.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_float32(values: Sequence[float] | np.ndarray, what: str) -> None:
    """Refuse values that float32 outputs would turn into infinity."""
    biggest = float(np.max(np.abs(np.asarray(values, dtype=np.float64))))
    if biggest > FLOAT32_MAX:
        raise DigitizerError(
            f"{what} reach {biggest:g}, beyond what the float32 values can hold "
            f"(±{FLOAT32_MAX:.3g}); rescale the range (e.g. give it in other units)"
        )
