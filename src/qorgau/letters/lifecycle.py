"""The one place that decides which status an inquiry may take next, and what each needs.

An inquiry only moves forward, one step at a time — received → drafting → sent — and "sent" is
final; it needs a produced reply and the day it was sent (not before the inquiry, not in the
future). :func:`qorgau.letters.services.change_inquiry_status` asks :func:`check`, then records
the change; the pages offer only :func:`allowed_next`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.core.errors import Conflict, Invalid

from .models import Inquiry, InquiryStatus

S = InquiryStatus

# status -> the statuses that may follow it
TRANSITIONS: dict[InquiryStatus, frozenset[InquiryStatus]] = {
    S.RECEIVED: frozenset({S.DRAFTING}),
    S.DRAFTING: frozenset({S.SENT}),
    S.SENT: frozenset(),
}


def _known(status: str) -> bool:
    return status in S.values


def allowed_next(status: str) -> list[InquiryStatus]:
    """The statuses an inquiry in ``status`` may move to, in the order of InquiryStatus."""
    if not _known(status):
        return []
    following = TRANSITIONS[S(status)]
    return [s for s in S if s in following]


def may_become(from_status: str, to_status: str) -> bool:
    """Whether an inquiry in ``from_status`` may move to ``to_status``."""
    return to_status in allowed_next(from_status)


def may_edit(status: str) -> bool:
    """Whether an inquiry's details may still be corrected: not once its reply was sent."""
    return status != S.SENT


def check(inquiry: Inquiry, to_status: str, *, sent_on: dt.date | None = None) -> InquiryStatus:
    """``to_status`` as an :class:`InquiryStatus` if ``inquiry`` may take it now (with
    ``sent_on``, the day the reply was sent, today by default, for "sent"); else :class:`Invalid` (no such
    status, a wrong day) or :class:`Conflict` (not the next status, no reply produced)."""
    if not _known(to_status):
        raise Invalid("status", _("Unknown status “%(status)s”.") % {"status": to_status})
    target = S(to_status)
    if not may_become(inquiry.status, target):
        raise Conflict(
            _("Inquiry № %(number)s is “%(from)s”; it cannot become “%(to)s”.")
            % {"number": inquiry.number, "from": _label(inquiry.status), "to": target.label},
            field="status",
        )
    if target == S.SENT:
        _check_sent(inquiry, sent_on)
    return target


def _check_sent(inquiry: Inquiry, sent_on: dt.date | None) -> None:
    if not inquiry.versions.exists():
        raise Conflict(
            _(
                "No reply to inquiry № %(number)s has been produced yet: produce a "
                "version before marking it as sent."
            )
            % {"number": inquiry.number},
            field="status",
        )
    sent_on = sent_on or timezone.localdate()
    if sent_on > timezone.localdate():
        raise Invalid("sent_on", _("A reply cannot be marked as sent in advance."))
    if sent_on < inquiry.dated:
        raise Invalid(
            "sent_on",
            _("The reply cannot be sent before the date of the inquiry (%(date)s).")
            % {"date": inquiry.dated.isoformat()},
        )


def _label(status: str) -> str:
    return str(S(status).label) if _known(status) else status
