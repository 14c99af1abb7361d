"""The one exception type that carries a user-facing message."""

from __future__ import annotations


class DigitizerError(ValueError):
    """A problem with the user's input.

    The message is a single line that says what is wrong and what to do about
    it. Front ends show it as it is: the CLI prints it and exits with status 2,
    the napari widget shows it as a notification.
    """
