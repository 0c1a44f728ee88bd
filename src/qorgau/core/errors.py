"""The one family of domain errors. A service that refuses raises one of these; nothing was
changed. Each is turned into what its caller shows in one place:

- a form: :func:`qorgau.core.forms.add_error` puts the message next to ``field`` (or on top);
- a view: :class:`NotAllowed` is Django's ``PermissionDenied`` (403, recorded as
  ``access.denied`` by ``access.policy.requires``);
- a command: ``qorgau.core.commands.QorgauCommand`` prints the message and exits with status 1;
- (later) the API: a problem document with the error's ``status``.

Messages are translated into the active language by the code that raises them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied


class QorgauError(Exception):
    """An action was refused; nothing was changed. ``field`` names the input the error is
    about (a form field, a CSV column) when there is one."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(QorgauError, PermissionDenied):
    """The policy does not let this actor do this (on this record)."""

    status = 403


Problem = tuple[str | None, str]  # (field or None, translated message)


class Invalid(QorgauError):
    """The input is wrong: ``field`` (may be None for the input as a whole) and why.

    One error may carry several problems (``problems``: every ``(field, message)`` found, so a
    form shows them all at once, each next to its field); ``field`` and ``message`` are then
    the first one's. Raise several with :func:`refuse`."""

    status = 400

    def __init__(self, field: str | None, message: str):
        super().__init__(message, field=field)
        self.problems: list[Problem] = [(field, message)]

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> Invalid:
        """One error for all of ``problems`` (at least one)."""
        found = list(problems)
        error = cls(*found[0])
        error.problems = found
        return error

    def __str__(self) -> str:
        return " ".join(str(message) for _field, message in self.problems)


def refuse(problems: Iterable[Problem]) -> None:
    """Raise :class:`Invalid` carrying every one of ``problems``; nothing when there are none."""
    found = list(problems)
    if found:
        raise Invalid.of(found)


class Conflict(QorgauError):
    """The input is well formed but the state of the records refuses it: a status that may not
    follow the current one, a number already taken, a record changed meanwhile."""

    status = 409
