"""Rectangles in image pixel coordinates.

Boxes follow PIL's crop order ``LEFT, TOP, RIGHT, BOTTOM`` with the right and
bottom edges exclusive and the origin at the image's top-left corner. napari's
``(row, col)`` order is converted in the napari front end, never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from napari_heatmap_digitizer.core._errors import DigitizerError, shown, wrong


class Box(NamedTuple):
    """A pixel rectangle ``LEFT, TOP, RIGHT, BOTTOM`` (right/bottom exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        """Number of pixel columns."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Number of pixel rows."""
        return self.bottom - self.top

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)`` of the cropped array."""
        return (self.height, self.width)

    @property
    def slices(self) -> tuple[slice, slice]:
        """Row and column slices that crop an image to this box."""
        return (slice(self.top, self.bottom), slice(self.left, self.right))

    @classmethod
    def parse(cls, value: str | Sequence[float], *, what: str = "box") -> Box:
        """Make a box from ``"L,T,R,B"`` or a sequence of four numbers.

        Parameters
        ----------
        value : str or sequence of 4 numbers
            The rectangle, ``LEFT,TOP,RIGHT,BOTTOM`` in pixels.
        what : str
            How to name the box in an error message, e.g. ``"--plot"``.

        Returns
        -------
        Box
            The rectangle with integer edges (non-integers are rounded).

        Raises
        ------
        DigitizerError
            If ``value`` is not text or a sequence, there are not four numbers
            or the box is empty or inverted.
        """
        if isinstance(value, (bytes, bytearray)) or not (
            isinstance(value, (str, Sequence))
            or (hasattr(value, "__array__") and getattr(value, "ndim", 0) == 1)
        ):
            raise wrong(what, "text 'LEFT,TOP,RIGHT,BOTTOM' or four numbers", value)
        parts = value.split(",") if isinstance(value, str) else list(value)
        if len(parts) != 4:
            raise DigitizerError(
                f"{what} {_show(value)} must be four numbers LEFT,TOP,RIGHT,BOTTOM "
                "in pixels, e.g. 80,60,560,420"
            )
        try:
            numbers = [float(p) for p in parts]
        except (TypeError, ValueError, OverflowError):
            raise DigitizerError(
                f"{what} {_show(value)} must be four numbers LEFT,TOP,RIGHT,BOTTOM "
                "in pixels, e.g. 80,60,560,420"
            ) from None
        if not all(n == n and abs(n) < 1e9 for n in numbers):
            raise DigitizerError(f"{what} {_show(value)} has a non-finite edge")
        box = cls(*(round(n) for n in numbers))
        if box.right <= box.left or box.bottom <= box.top:
            raise DigitizerError(
                f"{what} {_show(value)} is empty or inverted: RIGHT must exceed LEFT "
                "and BOTTOM must exceed TOP (pixel LEFT,TOP,RIGHT,BOTTOM)"
            )
        return box

    def check_inside(self, image_shape: tuple[int, ...], *, what: str = "box") -> Box:
        """Raise unless the box lies inside an image of ``image_shape``.

        Parameters
        ----------
        image_shape : tuple of int
            ``(rows, columns, ...)`` of the image.
        what : str
            How to name the box in an error message.

        Returns
        -------
        Box
            ``self``, for chaining.

        Raises
        ------
        DigitizerError
            If any edge lies outside the image.
        """
        rows, cols = int(image_shape[0]), int(image_shape[1])
        if self.left < 0 or self.top < 0 or self.right > cols or self.bottom > rows:
            raise DigitizerError(
                f"{what} {self.as_text()} is outside the {cols}x{rows} image: edges "
                f"must lie within 0..{cols} (x) and 0..{rows} (y)"
            )
        return self

    def overlaps(self, other: Box) -> bool:
        """Whether the two boxes share at least one pixel."""
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def iou(self, other: Box) -> float:
        """Intersection over union of the two boxes' pixels (0 when apart)."""
        w = max(0, min(self.right, other.right) - max(self.left, other.left))
        h = max(0, min(self.bottom, other.bottom) - max(self.top, other.top))
        inter = w * h
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union else 0.0

    def as_text(self) -> str:
        """The box as ``"L,T,R,B"``."""
        return ",".join(str(v) for v in self)


def _show(value: str | Sequence[float]) -> str:
    if isinstance(value, str):
        return shown(value)
    items = [shown(v) if isinstance(v, int) else str(v) for v in list(value)[:6]]
    return shown(",".join(items) + (",..." if len(value) > 6 else ""))
