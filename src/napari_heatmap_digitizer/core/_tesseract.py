"""Run the Tesseract OCR engine on a greyscale image.

The one place the OCR engine is called; `_tick_ocr` prepares the images and
interprets the text.
"""

from __future__ import annotations

from typing import Any

from PIL import Image


def words(img: Image.Image, config: str) -> dict[str, list[Any]]:
    """Words found in ``img``: lists ``text``, ``left``, ``top``, ``height``."""
    import pytesseract

    data = pytesseract.image_to_data(
        img, config=config, output_type=pytesseract.Output.DICT
    )
    return {k: list(data[k]) for k in ("text", "left", "top", "height")}


def text(img: Image.Image, config: str) -> str:
    """The text read from ``img``, stripped."""
    import pytesseract

    return str(pytesseract.image_to_string(img, config=config)).strip()
