"""The one exception type that carries a user-facing message.

The helpers below check a public function's arguments at its entry and say
what to pass instead, so a wrong type never surfaces as a ``TypeError`` from
deep inside NumPy.
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path
from typing import Any


class DigitizerError(ValueError):
    """A problem with the user's input.

    The message is a single line that says what is wrong and what to do about
    it. Front ends show it as it is: the CLI prints it and exits with status 2,
    the napari widget shows it as a notification.
    """


def shown(value: object, limit: int = 60) -> str:
    """A short one-line ``repr`` of ``value`` for an error message.

    Parameters
    ----------
    value : object
    limit : int
        Longer text is cut and ends in ``...``.

    Returns
    -------
    str
    """
    if isinstance(value, int) and abs(value).bit_length() > 200:
        return f"a {abs(value).bit_length()}-bit integer"
    try:
        text = " ".join(repr(value).split())
    except Exception:  # a broken __repr__ must not hide the real problem
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def wrong(name: str, expected: str, value: object) -> DigitizerError:
    """The error for an argument of the wrong kind: what to pass instead.

    Parameters
    ----------
    name : str
        The argument, e.g. ``"max_distance"``.
    expected : str
        What to pass, e.g. ``"a number"``.
    value : object
        What was passed.

    Returns
    -------
    DigitizerError
        ``"NAME must be EXPECTED, not TYPE VALUE"``, to be raised.
    """
    return DigitizerError(
        f"{name} must be {expected}, not {type(value).__name__} {shown(value)}"
    )


def real(value: Any, name: str, *, finite: bool = False) -> float:
    """``value`` as a float, refusing text, ``None``, booleans and huge integers.

    Parameters
    ----------
    value : object
        An ``int``, ``float`` or NumPy number.
    name : str
        The argument, for the message.
    finite : bool
        Refuse NaN and infinities too.

    Returns
    -------
    float

    Raises
    ------
    DigitizerError
        If ``value`` is not a (finite) number.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise wrong(name, "a number", value)
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        raise wrong(name, "a number within the range of a float", value) from None
    if finite and not math.isfinite(number):
        raise wrong(name, "a finite number", value)
    return number


def text(value: Any, name: str, choices: tuple[str, ...] | None = None) -> str:
    """Check that ``value`` is a string (one of ``choices``, if given).

    Parameters
    ----------
    value : object
    name : str
        The argument, for the message.
    choices : tuple of str, optional
        The accepted strings (compared as given).

    Returns
    -------
    str

    Raises
    ------
    DigitizerError
        If ``value`` is not a string or not one of ``choices``.
    """
    expected = "a string" if not choices else "one of " + ", ".join(map(repr, choices))
    if not isinstance(value, str) or (choices and value not in choices):
        raise wrong(name, expected, value)
    return value


def path_or_array(value: Any, name: str) -> None:
    """Refuse what is neither a path (``str`` or path-like) nor an array.

    Parameters
    ----------
    value : object
    name : str
        The argument, for the message.

    Raises
    ------
    DigitizerError
        If ``value`` is neither.
    """
    if isinstance(value, (str, os.PathLike)):
        return
    if hasattr(value, "shape") and hasattr(value, "dtype") and hasattr(value, "ndim"):
        return
    raise wrong(name, "an image array (rows, columns[, channels]) or a path", value)


def file_path(value: Any, name: str = "path") -> Path:
    """``value`` as a :class:`~pathlib.Path`, refusing what is not a path.

    Parameters
    ----------
    value : object
        A ``str`` or path-like object.
    name : str
        The argument, for the message.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DigitizerError
        If ``value`` is not a ``str`` or path-like (bytes are refused too).
    """
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise wrong(name, "a file path (str or pathlib.Path)", value)
    path = Path(value)
    if isinstance(path, bytes):  # os.PathLike returning bytes
        raise wrong(name, "a file path (str or pathlib.Path)", value)
    return path
