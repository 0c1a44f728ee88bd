"""Every action the trail can name, with what it says in words.

An app declares its actions once, in its own ``actions.py``::

    from qorgau.audit.actions import action
    STATUS_CHANGE = action("case.status.change", _("Case status changed"))

and its services pass the constant to ``audit.log.write``. Writing an entry with a code that
was never declared fails (like an unknown right in ``access.policy``), so every entry the trail
shows reads as words in the user's language. Codes are dotted: ``<object>.<what happened>``.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, str | Promise] = {}


def action(code: str, label: str | Promise) -> str:
    """Declare ``code`` with its (lazily translated) ``label``; returns the code."""
    if code in _LABELS and str(_LABELS[code]) != str(label):
        raise ValueError(f"audit action {code!r} is declared twice with different labels")
    _LABELS[code] = label
    return code


def is_declared(code: str) -> bool:
    return code in _LABELS


def label(code: str) -> str:
    """What ``code`` means, in the active language; the code itself for entries written before
    codes were declared (the trail is append-only and keeps them)."""
    text = _LABELS.get(code)
    return str(text) if text is not None else code


def declared() -> dict[str, str | Promise]:
    return dict(_LABELS)


# The trail's own actions: reading it (the trail page, its export, an entry in the admin),
# checking its chain, and handing it to the restricted database roles.
AUDIT_VIEW = action("audit.view", _("Audit entry opened"))
AUDIT_SEARCH = action("audit.search", _("Audit trail searched"))
AUDIT_EXPORT = action("audit.export", _("Audit trail exported"))
AUDIT_VERIFY = action("audit.verify", _("Audit chain verified"))
DATABASE_ROLES = action("database.roles", _("Database roles set up"))
