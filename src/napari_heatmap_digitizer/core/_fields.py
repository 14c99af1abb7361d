"""Reading JSON objects field by field, with errors that name the field."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from napari_heatmap_digitizer.core._errors import DigitizerError


class Fields:
    """One JSON object of a recipe, read field by field with type checks."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise DigitizerError(
                f"recipe field '{path}' must be an object, not {_kind(data)}"
            )
        self.data, self.path = data, path

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, wanted: str, got: Any) -> NoReturn:
        raise DigitizerError(
            f"recipe field '{self.name(key)}' must be {wanted}, not {_show(got)}"
        )

    def only(self, keys: set[str]) -> None:
        unknown = sorted(set(self.data) - keys)
        if unknown:
            raise DigitizerError(
                f"recipe field '{self.name(unknown[0])}' is unknown (expected one "
                f"of: {', '.join(sorted(keys))})"
            )

    def _get(self, key: str, check: Callable[[Any], bool], wanted: str) -> Any:
        value = self.data.get(key)
        if value is not None and not check(value):
            self.fail(key, wanted, value)
        return value

    def number(self, key: str, default: Any = None) -> Any:
        value = self._get(key, is_number, "a number")
        return default if value is None else float(value)

    def integer(self, key: str, default: int) -> int:
        value = self._get(
            key, lambda v: is_number(v) and float(v).is_integer(), "a whole number"
        )
        return default if value is None else int(value)

    def boolean(self, key: str, default: Any = None) -> Any:
        value = self._get(key, lambda v: isinstance(v, bool), "true or false")
        return default if value is None else value

    def text(self, key: str, default: Any = None) -> Any:
        value = self._get(key, lambda v: isinstance(v, str), "a string")
        return default if value is None else value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = None) -> Any:
        wanted = " or ".join(f'"{c}"' for c in choices)
        value = self._get(key, lambda v: v in choices, wanted)
        return default if value is None else value

    def numbers(self, key: str, n: int) -> list[float] | None:
        value = self._get(
            key,
            lambda v: isinstance(v, list) and len(v) == n and all(map(is_number, v)),
            f"a list of {n} numbers",
        )
        return None if value is None else [float(v) for v in value]

    def section(self, key: str, *, required: bool = False) -> Fields:
        value = self.data.get(key)
        if value is None and required:
            raise DigitizerError(f"recipe field '{self.name(key)}' is missing")
        if value is not None and not isinstance(value, dict):
            self.fail(key, "an object", value)
        return Fields(value or {}, self.name(key))

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if not isinstance(value, list):
            self.fail(key, "a list", value)
        return list(value)


def is_number(value: Any) -> bool:
    """Whether ``value`` is a finite number (not a bool, not a huge integer)."""
    if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer beyond any float, e.g. 10**400
        return False


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) < 40 else text[:37] + "..."
