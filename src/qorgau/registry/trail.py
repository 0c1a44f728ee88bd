"""What an action changed, as the audit trail keeps it: the changed fields before and after,
sensitive free text named, never copied (``core.privacy``)."""

from typing import Any

from django.db import models

from qorgau.audit.log import snapshot
from qorgau.core import privacy

Values = dict[str, Any]


def values(obj: models.Model) -> Values:
    """The field values of ``obj`` to compare with later ones (not for the trail as they are)."""
    return snapshot(obj, redact=False)


def changes(before: Values, obj: models.Model) -> tuple[Values, Values]:
    """The fields of ``obj`` that differ from ``before`` (:func:`values` taken earlier), as
    (before, after), with sensitive text redacted: what ``audit.log.write`` keeps."""
    after = values(obj)
    changed = [name for name in after if before.get(name) != after[name]]
    return (
        privacy.redact(type(obj), {name: before.get(name) for name in changed}),
        privacy.redact(type(obj), {name: after[name] for name in changed}),
    )


def created(obj: models.Model) -> Values:
    """A new record's field values as the trail keeps them."""
    return snapshot(obj)


def named(text: str) -> str:
    """What the trail keeps of a sensitive free text given with an action: that it is there."""
    return privacy.REDACTED if text else ""
