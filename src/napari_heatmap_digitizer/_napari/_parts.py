"""The widget's parts: each edits one part of a recipe and its value IS that part.

Every part is a magicgui :class:`ValuedContainerWidget`: ``part.value`` reads
the fields into a core object (raising :class:`DigitizerError` naming the
field when text does not parse) and ``part.value = x`` shows ``x``. Empty
number fields mean "not given" (``None``). Nothing here knows napari's layers:
boxes come from Shapes layers and are the widget's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
from magicgui.widgets import (
    CheckBox,
    ComboBox,
    Container,
    Image,
    Label,
    LineEdit,
    RadioButtons,
    SpinBox,
)
from magicgui.widgets.bases import ValuedContainerWidget

from napari_heatmap_digitizer.core import (
    Colorbar,
    ColorbarSpec,
    Detection,
    DigitizerError,
    Extent,
    Values,
    catalogue_names,
)
from napari_heatmap_digitizer.core._cells import parse_cells
from napari_heatmap_digitizer.core._naming import RANKED_SCORE, fitting
from napari_heatmap_digitizer.core._recipe import (
    BAND_VALUES,
    FILLS,
    NORMS,
    ORIENTATIONS,
    PER,
)
from napari_heatmap_digitizer.core._scale import parse_ticks

T = TypeVar("T")

#: Where the colours come from (the radio buttons' choices).
BAR_SOURCES = ("colour bar box", "colour map name")
#: What values are given per.
PER_CHOICES = PER

_AUTO = "auto"
_NONE = "none"


class _Part(ValuedContainerWidget[T]):
    """A part whose sub-widgets' changes are emitted as one ``changed``."""

    def _watch(self) -> None:
        for w in self:
            if hasattr(w, "changed"):
                w.changed.connect(self._emit)

    def _emit(self, *_: Any) -> None:
        try:
            value: Any = self.get_value()
        except DigitizerError:
            value = None  # half-typed text: the value is not known yet
        self.changed.emit(value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def number_or_none(text: str, what: str) -> float | None:
    """A number typed in a field; empty means not given.

    Parameters
    ----------
    text : str
    what : str
        The field's name, for the message.

    Returns
    -------
    float or None

    Raises
    ------
    DigitizerError
        If the text is not a number.
    """
    text = str(text).strip().replace("−", "-")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise DigitizerError(f"{what} {text!r} is not a number") from None


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:.10g}"


class ColorbarEditor(_Part[ColorbarSpec]):
    """The colour bar: from a box or a colour-map name, range, scale and kind.

    The value's ``box`` is always ``None``: with the "colour bar box" source
    the box comes from the colour-bar Shapes layer (see :attr:`from_box`).
    """

    def __init__(self, **kwargs: Any) -> None:
        self.source = RadioButtons(
            choices=BAR_SOURCES, label="colours from", orientation="horizontal"
        )
        self.source.value = BAR_SOURCES[0]
        self.colormap = ComboBox(
            choices=catalogue_names(), value="viridis", label="colour map"
        )
        self.vmin = LineEdit(value="", label="vmin", tooltip="value at the low end")
        self.vmax = LineEdit(value="", label="vmax", tooltip="value at the high end")
        self.norm = ComboBox(
            choices=[_AUTO, *NORMS],
            value=_AUTO,
            label="scale",
            tooltip="auto: from the tick labels when Detect reads them, else linear",
        )
        self.ticks = LineEdit(
            value="",
            label="ticks",
            tooltip="instead of vmin/vmax: POS:VALUE,... where POS is the tick's pixel "
            "row (vertical bar) or column (horizontal bar) in the figure",
        )
        self.bar_orientation = ComboBox(
            choices=[_AUTO, *ORIENTATIONS], value=_AUTO, label="orientation"
        )
        self.flip = CheckBox(value=False, text="low end at top / right (flip)")
        self.stepped = ComboBox(
            choices=[_AUTO, "continuous", "stepped"], value=_AUTO, label="bar kind"
        )
        self.band_value = ComboBox(
            choices=list(BAND_VALUES),
            value="centre",
            label="band value",
            tooltip="stepped bars: the value a band stands for",
        )
        kwargs["widgets"] = [
            self.source,
            self.colormap,
            self.vmin,
            self.vmax,
            self.norm,
            self.ticks,
            self.bar_orientation,
            self.flip,
            self.stepped,
            self.band_value,
        ]
        kwargs.setdefault("labels", True)
        super().__init__(**kwargs)
        self.source.changed.connect(self._on_source)
        self._watch()
        self._on_source()

    @property
    def from_box(self) -> bool:
        """Whether the colours come from a box drawn around the colour bar."""
        return bool(self.source.value == BAR_SOURCES[0])

    def _on_source(self, *_: Any) -> None:
        self.colormap.visible = not self.from_box
        self.bar_orientation.visible = self.flip.visible = self.from_box

    def suggest_colormap(self, found: Detection) -> None:
        """Preselect the colour map ``found`` named first, keeping the source.

        A bar's map comes first, else a bar-less panel's, and only a map that
        fits (a custom bar is named nothing); switching to "colour map name"
        then offers it.
        """
        ranked = list(found.colormaps.values())
        names = [bar.colormap for bar in found.colorbars]  # None: custom colours
        names += [m.name if (m := fitting(r, RANKED_SCORE)) else None for r in ranked]
        name = next((str(n) for n in names if n), None)
        if name is None:
            return
        if name not in self.colormap.choices:
            self.colormap.choices = (*self.colormap.choices, name)
        self.colormap.value = name

    def get_value(self) -> ColorbarSpec:
        """The colour bar settings (``box`` left ``None``)."""
        ticks = self.ticks.value.strip()
        orientation = self.bar_orientation.value
        return ColorbarSpec(
            colormap=None if self.from_box else str(self.colormap.value),
            vmin=number_or_none(self.vmin.value, "vmin"),
            vmax=number_or_none(self.vmax.value, "vmax"),
            norm=None if self.norm.value == _AUTO else self.norm.value,
            ticks=parse_ticks(ticks) if ticks else None,
            orientation=orientation if self.from_box and orientation != _AUTO else None,
            flip=bool(self.flip.value) if self.from_box else False,
            discrete={_AUTO: None, "continuous": False, "stepped": True}[
                self.stepped.value
            ],
            band_value=str(self.band_value.value),
        )

    def set_value(self, value: ColorbarSpec) -> None:
        """Show ``value`` (its ``box`` belongs to the Shapes layer)."""
        if not isinstance(value, ColorbarSpec):
            raise TypeError(f"value must be a ColorbarSpec, got {type(value)}")
        if value.colormap is not None:
            if value.colormap not in self.colormap.choices:
                self.colormap.choices = (*self.colormap.choices, value.colormap)
            self.colormap.value = value.colormap
        self.source.value = BAR_SOURCES[value.colormap is not None]
        self.vmin.value = _number_text(value.vmin)
        self.vmax.value = _number_text(value.vmax)
        self.norm.value = value.norm or _AUTO
        self.ticks.value = ",".join(f"{p:.10g}:{v:.10g}" for p, v in value.ticks or [])
        self.bar_orientation.value = value.orientation or _AUTO
        self.flip.value = bool(value.flip)
        self.stepped.value = {None: _AUTO, False: "continuous", True: "stepped"}[
            value.discrete
        ]
        self.band_value.value = value.band_value


class AxesEditor(_Part[list[Extent | None]]):
    """The axes' extents: one for all panels, or one per panel.

    The value is the list as typed (``[]`` when empty, one extent for all
    panels, or one per panel with ``None`` where a panel has none); use
    :meth:`for_panels` to get one per panel.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.extents = LineEdit(
            value="",
            label="axis extents",
            tooltip="XMIN,XMAX,YMIN,YMAX at the panel's left, right, bottom, top "
            "edges; one for all panels, or one per panel separated by ';'",
        )
        self.xscale = ComboBox(choices=list(NORMS), value="linear", label="x axis")
        self.yscale = ComboBox(choices=list(NORMS), value="linear", label="y axis")
        kwargs["widgets"] = [self.extents, self.xscale, self.yscale]
        kwargs.setdefault("labels", True)
        super().__init__(**kwargs)
        self._watch()

    def get_value(self) -> list[Extent | None]:
        """The extents as typed."""
        text = self.extents.value.strip()
        if not text:
            return []
        out: list[Extent | None] = []
        for part in text.split(";"):
            if not part.strip():
                out.append(None)
                continue
            try:
                out.append(
                    Extent.parse(
                        part.strip(),
                        xscale=self.xscale.value,
                        yscale=self.yscale.value,
                    )
                )
            except DigitizerError as exc:
                raise DigitizerError(f"axis extents: {exc}") from None
        return out

    def set_value(self, value: Sequence[Extent | None]) -> None:
        """Show extents (their scales: those of the first one given)."""
        given = [e for e in value if e is not None]
        if given:
            self.xscale.value, self.yscale.value = given[0].xscale, given[0].yscale
        self.extents.value = "; ".join(
            "" if e is None else ",".join(f"{v:.10g}" for v in e.as_list())
            for e in value
        )

    def for_panels(self, n: int) -> list[Extent | None]:
        """One extent (or ``None``) per panel of ``n``.

        Raises
        ------
        DigitizerError
            If neither one extent nor ``n`` are given.
        """
        extents = self.get_value()
        if not extents:
            return [None] * n
        if len(extents) == 1:
            return extents * n
        if len(extents) != n:
            raise DigitizerError(
                f"give one axis extent for all panels or one per panel ({n}), "
                f"not {len(extents)}"
            )
        return extents

    @staticmethod
    def compact(extents: Sequence[Extent | None]) -> list[Extent | None]:
        """The shortest list :meth:`for_panels` expands back to ``extents``."""
        if all(e is None for e in extents):
            return []
        if all(e == extents[0] for e in extents):
            return [extents[0]]
        return list(extents)


class ValuesEditor(_Part[Values]):
    """What values are given per (pixel, cell, region, hexagon) and gap filling."""

    def __init__(self, **kwargs: Any) -> None:
        self.per = ComboBox(
            choices=list(PER_CHOICES),
            value="pixel",
            label="values per",
            tooltip="pixel: a value per pixel; cell: one per cell of a matrix "
            "heat map (grid drawn in a Shapes layer you can correct and re-run); "
            "region: one per patch of one colour (bands, classes) as points; "
            "hexagon: one per hexagon of a hexbin plot",
        )
        self.cells = LineEdit(
            value="auto",
            label="cells",
            tooltip="'auto' to detect the cell grid, or COLSxROWS (e.g. 12x8)",
        )
        self.min_area = SpinBox(
            value=9,
            min=1,
            max=10**7,
            label="smallest region",
            tooltip="regions of fewer pixels are left out",
        )
        self.fill = ComboBox(
            choices=[_NONE, *FILLS],
            value=_NONE,
            label="fill gaps",
            tooltip="fill pixels left empty under text or lines from their "
            "neighbours (shown in the 'unmatched' layer)",
        )
        self.numbers = CheckBox(
            value=True,
            text="read printed numbers",
            tooltip="read the numbers printed in the cells (and the rows' and "
            "columns' names) when Tesseract is installed; a number that agrees "
            "with its cell's colour becomes its value (green points), one that "
            "does not is flagged and the colour kept (orange points)",
        )
        kwargs["widgets"] = [
            self.per,
            self.cells,
            self.numbers,
            self.min_area,
            self.fill,
        ]
        kwargs.setdefault("labels", True)
        super().__init__(**kwargs)
        self.per.changed.connect(self._on_per)
        self._watch()
        self._on_per()

    def _on_per(self, *_: Any) -> None:
        self.cells.visible = self.per.value == "cell"
        self.numbers.visible = self.per.value == "cell"
        self.min_area.visible = self.per.value == "region"

    def get_value(self) -> Values:
        """The values settings."""
        cells = str(self.cells.value).strip().lower() or "auto"
        parse_cells(cells)  # raises naming 'cells'
        return Values(
            per=str(self.per.value),
            cells=cells,
            min_area=int(self.min_area.value),
            fill=None if self.fill.value == _NONE else self.fill.value,
            numbers="auto" if self.numbers.value else "off",
        )

    def set_value(self, value: Values) -> None:
        """Show ``value``."""
        if not isinstance(value, Values):
            raise TypeError(f"value must be a Values, got {type(value)}")
        self.per.value = value.per
        self.cells.value = value.cells
        self.min_area.value = value.min_area
        self.fill.value = value.fill or _NONE
        self.numbers.value = value.numbers != "off"


class BarPreview(Container):
    """What the colour bar reads as: a strip of its colours and its range."""

    def __init__(self, **kwargs: Any) -> None:
        self.strip = Image(value=np.zeros((14, 200, 3), np.uint8), label="read")
        self.text = Label(value="no colour bar yet", label="")
        kwargs.setdefault("labels", True)
        super().__init__(widgets=[self.strip, self.text], **kwargs)
        self.text.native.setWordWrap(True)

    def display(self, bar: Colorbar | str) -> None:
        """Show a colour bar, or why there is none."""
        if isinstance(bar, str):
            self.strip.value = np.full((14, 200, 3), 230, np.uint8)
            self.text.value = f"colour bar: {bar}"
            return
        strip = bar.preview(200)
        self.strip.value = np.ascontiguousarray(np.repeat(strip[None], 14, axis=0))
        mid = float(bar.scale.to_value(0.5))
        kind = f"stepped, {len(bar.rgb)} bands" if bar.discrete else "continuous"
        self.text.value = (
            f"{kind}: {bar.vmin:.4g} … {mid:.4g} … {bar.vmax:.4g} ({bar.scale.norm})"
        )


def nodata_field() -> LineEdit:
    """The recipe's no-data choice, as text (see ``Recipe.nodata``)."""
    return LineEdit(
        value="auto",
        label="no data",
        tooltip="what inside a panel is not data (left empty, never filled): "
        "'auto' finds the page around the data, flat white, grey or black areas "
        "such as land and lines drawn over the data; 'none' keeps every pixel "
        "matching the bar; colours (#rrggbb, white, grey, black; after 'auto,' "
        "to add them) are no data wherever they appear",
    )
