"""The widget's status: a fixed-height message, a progress bar, the next step.

The message area keeps its height whatever it says (longer text is cut to
its first lines and shown whole in the tooltip), so the buttons below it
never move while the user reaches for them. :func:`next_step` says what is
true of the widget's state now, so the hint never asks for what is done.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from magicgui.widgets import Container, Label, ProgressBar

from napari_heatmap_digitizer.core import DigitizerError, PanelResult
from napari_heatmap_digitizer.core._result import share

#: Lines of text the status area always has room for.
STATUS_LINES = 3


@dataclass(frozen=True)
class State:
    """What the widget holds now, as far as the next step is concerned.

    Attributes
    ----------
    figure : bool
        A figure layer is chosen.
    box_layers : bool
        The "plot panels" and "colour bar" layers exist.
    panels : int
        Rectangles in the "plot panels" layer.
    bars : int
        Rectangles in the "colour bar" layer.
    from_box : bool
        The colours come from the colour-bar box (not a colour-map name).
    range_given : bool
        vmin and vmax (or ticks) are typed.
    """

    figure: bool
    box_layers: bool
    panels: int
    bars: int
    from_box: bool
    range_given: bool


def next_step(state: State, *, panels_layer: str, colorbar_layer: str) -> str:
    """One sentence saying what to do next, true of ``state``.

    Parameters
    ----------
    state : State
    panels_layer, colorbar_layer : str
        The box layers' names, to point at them.

    Returns
    -------
    str
    """
    if not state.figure:
        return "open a figure (File > Open, or File > Open Sample)"
    if not state.box_layers:
        return "press Detect, or Add box layers to draw the rectangles yourself"
    todo = []
    if state.panels == 0:
        todo.append(f"draw a rectangle around each plot panel in '{panels_layer}'")
    if state.from_box and state.bars == 0:
        todo.append(f"draw one around the colour bar in '{colorbar_layer}'")
    elif state.from_box and state.bars > 1:
        todo.append(
            f"keep one rectangle in '{colorbar_layer}' (there are {state.bars})"
        )
    if not state.range_given:
        todo.append("type vmin and vmax (the colour bar's range)")
    if todo:
        return "; ".join(todo)
    s = "" if state.panels == 1 else "s"
    return f"{state.panels} panel{s} marked: press Digitize"


def brief(notes: Sequence[str]) -> list[str]:
    """Detection's notes without what the rectangles already show.

    The boxes' pixel numbers and the tick labels read are left for the
    tooltip; a note listing only the panels' boxes is left out.

    Parameters
    ----------
    notes : sequence of str
        ``Completed.notes``.
    """
    short = []
    for note in notes:
        if note.startswith("panels "):
            continue
        note = re.sub(r" -?\d+,-?\d+,-?\d+,-?\d+(; -?\d+,-?\d+,-?\d+,-?\d+)*", "", note)
        note = re.sub(r" from tick labels .*", " from the tick labels", note)
        short.append(re.sub(r"; the others:.*", "", note))
    return short


def widget_state(figure: bool, counts: tuple[int, int] | None, editor: Any) -> State:
    """The widget's state, for the next-step hint.

    Parameters
    ----------
    figure : bool
        Whether a figure is chosen.
    counts : (int, int) or None
        Rectangles in the panel and colour-bar layers (None: no such layers).
    editor : ColorbarEditor
        The colour-bar part (whether a range is given, a box or a map).
    """
    try:
        spec = editor.value
        given = spec.ticks is not None or None not in (spec.vmin, spec.vmax)
    except DigitizerError:
        given = False
    return State(
        figure=figure,
        box_layers=counts is not None,
        panels=(counts or (0, 0))[0],
        bars=(counts or (0, 0))[1],
        from_box=editor.from_box,
        range_given=given,
    )


def results_line(panels: Sequence[PanelResult], lines: Sequence[str]) -> str:
    """What a run gave, short enough for the status area.

    One panel: its summary line. Several: how much of each was matched (the
    summaries and confidence reports are in the tooltip). A doubtful panel
    is marked so (its doubts are shown as warnings).

    Parameters
    ----------
    panels : sequence of PanelResult
    lines : sequence of str
        One summary line per panel, then the panels' confidence lines.
    """

    def doubtful(p: PanelResult) -> str:
        return " DOUBTFUL" if not p.result.lazy and p.confidence.doubtful else ""

    if len(panels) == 1:
        return lines[0] + doubtful(panels[0])
    each = [
        f"[{p.index}] "
        + ("lazy" if p.result.lazy else share(p.result.coverage))
        + doubtful(p)
        for p in panels
    ]
    return (
        f"{len(panels)} panels digitized, matched: {', '.join(each)} "
        "(each panel's summary and confidence in the tooltip)"
    )


class StatusBox(Container):
    """A message of fixed height above a progress bar shown only while working.

    Attributes
    ----------
    text : magicgui.widgets.Label
        The message (``text.value``); its tooltip holds the whole text.
    bar : magicgui.widgets.ProgressBar
        Percent done; hidden when idle.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.text = Label(value="", label="")
        self.bar = ProgressBar(value=0, min=0, max=100, label="")
        kwargs.setdefault("labels", False)
        super().__init__(widgets=[self.text, self.bar], **kwargs)
        self.margins = (0, 0, 0, 0)
        label = self.text.native
        label.setWordWrap(True)
        label.setStyleSheet("padding: 0px; margin: 0px;")  # text fills the height
        self._fit()
        label.setAlignment(_top_left())
        label.setSizePolicy(_expanding_width())
        self.bar.visible = False
        keep_room(self.bar.native)  # hidden, it keeps its room: nothing moves

    def _fit(self) -> None:
        """Room for exactly :data:`STATUS_LINES` lines as the label lays them out.

        napari styles the widget after it is made, so the height is measured
        on the label itself, in the font in use, with text that wraps as
        messages do (one line, then two); a longer message is cut between
        two lines, never through one.
        """
        label = self.text.native
        text, width = label.text(), max(label.width(), 100)
        label.setMinimumHeight(0)
        label.setMaximumHeight(16777215)
        label.setText("Ag")
        one = label.heightForWidth(width)
        words = width // max(label.fontMetrics().horizontalAdvance("Ag "), 1) + 2
        label.setText("Ag " * words)  # wider than one line, narrower than two
        two = label.heightForWidth(width)
        label.setText(text)
        label.setFixedHeight(one + (STATUS_LINES - 1) * max(two - one, 1))

    def say(self, message: str, *, detail: str | None = None) -> None:
        """Show ``message``; its tooltip shows ``detail`` (default: the message)."""
        self._fit()
        self.text.value = message
        self.text.tooltip = detail or message

    def working(self, fraction: float, message: str | None = None) -> None:
        """Show the progress bar at ``fraction`` (0–1) and, optionally, a message."""
        self.bar.visible = True
        self.bar.value = round(100 * min(max(fraction, 0.0), 1.0))
        if message is not None:
            self.say(message)

    def idle(self) -> None:
        """Hide the progress bar."""
        self.bar.visible = False
        self.bar.value = 0


def keep_room(widget: Any, lines: int | None = None) -> None:
    """Make a Qt widget keep its room when hidden, or hold ``lines`` lines always.

    Parameters
    ----------
    widget : QWidget
    lines : int, optional
        For a label: its height, in lines of its font, whatever it says.
    """
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)
    if lines is not None:
        widget.setWordWrap(True)
        widget.setAlignment(_top_left())
        widget.setFixedHeight(widget.fontMetrics().lineSpacing() * (lines + 1))


def _top_left() -> Any:
    from qtpy.QtCore import Qt

    return Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft


def _expanding_width() -> Any:
    from qtpy.QtWidgets import QSizePolicy

    policy = QSizePolicy.Policy
    return QSizePolicy(policy.Expanding, policy.Fixed)
