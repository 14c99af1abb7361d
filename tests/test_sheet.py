"""Detection inside a screenshot: the figure's sheet amid application chrome."""

from __future__ import annotations

import io

import numpy as np
import pytest

from napari_heatmap_digitizer.core import Box
from napari_heatmap_digitizer.core._detect import detect
from napari_heatmap_digitizer.core._sheet import find_sheet

#: viridis at five stops: the heat map's and the colour bar's colours
STOPS = np.array(
    [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]],
    float,
)

#: where the sheet, and on it the panel and the bar, sit in every screenshot
SHEET = Box(90, 70, 510, 390)
PANEL = Box(SHEET.left + 50, SHEET.top + 60, SHEET.left + 290, SHEET.top + 260)
BAR = Box(SHEET.left + 320, SHEET.top + 60, SHEET.left + 340, SHEET.top + 260)


def _coloured(values: np.ndarray) -> np.ndarray:
    """Values in 0..1 through the five stops."""
    x = np.clip(values, 0, 1) * (len(STOPS) - 1)
    return np.stack(
        [np.interp(x, np.arange(len(STOPS)), STOPS[:, c]) for c in range(3)], axis=-1
    )


def _sheet() -> np.ndarray:
    """A white sheet with a heat map, a vertical colour bar and some text."""
    sheet = np.full((SHEET.height, SHEET.width, 3), 255.0)
    y, x = np.mgrid[0 : PANEL.height, 0 : PANEL.width]
    field = 0.5 + 0.45 * np.sin(x / 23.0) * np.cos(y / 17.0)
    top, left = PANEL.top - SHEET.top, PANEL.left - SHEET.left
    sheet[top : top + PANEL.height, left : left + PANEL.width] = _coloured(field)
    ramp = np.linspace(1, 0, BAR.height)[:, None].repeat(BAR.width, axis=1)
    left = BAR.left - SHEET.left
    sheet[top : top + BAR.height, left : left + BAR.width] = _coloured(ramp)
    # a title's worth of dark strokes above the panel
    for i in range(8):
        sheet[25:36, 120 + 14 * i : 122 + 14 * i] = 30
    return sheet


def _chrome(kind: str) -> np.ndarray:
    """A 460 x 600 screenshot of ``kind`` of chrome, the sheet left blank."""
    rng = np.random.default_rng(1)
    shot = np.empty((460, 600, 3))
    if kind == "dark":
        shot[...] = 38
        shot[:30] = 225  # a light tab bar along the top
        shot[30:60] = 60
    elif kind == "striped":
        for i, row in enumerate(range(0, 460, 12)):
            shot[row : row + 12] = (200, 205, 215) if i % 2 else (90, 92, 100)
    else:  # a side bar, a blue title bar and a task bar with icons
        shot[...] = 242
        shot[:, :70] = (35, 45, 50)
        shot[:50, 70:] = (40, 90, 200)
        shot[410:] = (230, 232, 236)
        for i in range(12):
            shot[420:445, 100 + 40 * i : 125 + 40 * i] = rng.integers(0, 256, 3)
    return shot


def _screenshot(kind: str, jpeg: bool) -> np.ndarray:
    shot = _chrome(kind)
    shot[SHEET.slices] = _sheet()
    image = np.rint(shot).astype(np.uint8)
    if jpeg:
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", quality=75)
        image = np.asarray(Image.open(buffer).convert("RGB"))
    return image


def _near(found: Box, true: Box, tol: int = 2) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(found, true, strict=True))


@pytest.mark.parametrize("jpeg", [False, True], ids=["png", "jpeg75"])
@pytest.mark.parametrize("kind", ["dark", "striped", "multicolour"])
def test_panel_and_bar_found_on_the_sheet_amid_chrome(kind, jpeg):
    found = detect(_screenshot(kind, jpeg), ticks=False)
    assert found.found, found.message
    assert len(found.panels) == 1 and len(found.colorbars) == 1
    assert _near(found.panels[0], PANEL), found.panels
    bar = found.colorbars[0]
    assert _near(bar.box, BAR), bar.box
    assert bar.orientation == "vertical" and bar.panels == [0]
    # five stops of viridis: named viridis, or ggplot2's six-stop viridis
    assert bar.colormap in ("viridis", "ggplot2:viridis")
    assert found.message.startswith("searched inside the figure's sheet")


@pytest.mark.parametrize("jpeg", [False, True], ids=["png", "jpeg75"])
def test_the_sheet_is_the_plain_area_holding_the_data(jpeg):
    sheet = find_sheet(_screenshot("multicolour", jpeg))
    assert sheet is not None
    # inside the sheet, by at most a few pixels (its search is at reduced scale)
    assert SHEET.left <= sheet.left <= SHEET.left + 4
    assert SHEET.top <= sheet.top <= SHEET.top + 4
    assert SHEET.right - 4 <= sheet.right <= SHEET.right
    assert SHEET.bottom - 4 <= sheet.bottom <= SHEET.bottom


def test_a_figure_with_a_plain_background_is_its_own_sheet():
    figure = np.rint(_sheet()).astype(np.uint8)
    assert find_sheet(figure) is None
    found = detect(figure, ticks=False)
    assert _near(found.panels[0], Box(50, 60, 290, 260))
    assert found.message == ""


@pytest.mark.parametrize("what", ["noise", "noise in chrome"])
def test_a_photograph_still_gives_nothing_found(what):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (400, 560, 3)).astype(np.uint8)
    if what == "noise in chrome":
        # plain chrome all round, but nothing plain holds the content
        image[:40] = 40
        image[-40:] = 230
    assert find_sheet(image) is None
    found = detect(image)
    assert not found.found
    assert found.message.startswith("nothing found: the figure has no plain")
