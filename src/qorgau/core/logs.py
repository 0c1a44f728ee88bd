"""Log records of refused requests: one line each, no traceback.

A 403 is the access policy doing its job (it is in the audit trail as ``access.denied``), not
a fault; Django logs it as a warning with the PermissionDenied traceback, and ``runserver``
logs the same request again. Here the warning keeps its one line ("Forbidden (Permission
denied): /path") and loses the traceback, and the development server's duplicate line for a 403
is dropped, so each refusal is logged once."""

import logging


class OneLineRefusals(logging.Filter):
    """Attached to the ``django.request`` and ``django.server`` loggers (settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        if record.name == "django.server":
            return False
        record.exc_info = None
        record.exc_text = None
        return True
