"""The inquiry lifecycle (letters/lifecycle.py): forward, one step at a time, "sent" final and
only with a produced reply; a refused change changes nothing and writes no entry."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.letters import lifecycle, services
from qorgau.letters.models import Inquiry, InquiryStatus, ReplyVersion
from qorgau.reference.models import Article

pytestmark = pytest.mark.django_db
S = InquiryStatus
SYSTEM = Actor.system("tests")
ALLOWED = {(S.RECEIVED, S.DRAFTING), (S.DRAFTING, S.SENT)}


@pytest.mark.parametrize(("before", "after"), list(itertools.product(S, S)))
def test_an_inquiry_moves_forward_one_step_at_a_time(before, after):
    assert lifecycle.may_become(before, after) == ((before, after) in ALLOWED)
    assert (after in lifecycle.allowed_next(before)) == ((before, after) in ALLOWED)


def test_sent_is_final_and_unknown_statuses_lead_nowhere():
    assert lifecycle.allowed_next(S.SENT) == []
    assert lifecycle.allowed_next("archived") == []
    assert [lifecycle.may_edit(s) for s in S] == [True, True, False]


def inquiry(status=S.RECEIVED, *, versions=0) -> Inquiry:
    found = Inquiry.objects.create(
        number="ДС-50", dated=dt.date(2026, 2, 10), addressee_kk="x", addressee_ru="x",
        subject_kk="x", subject_ru="x", status=status,
    )  # fmt: skip
    found.articles.set(Article.objects.filter(code="115-1"))
    for number in range(1, versions + 1):
        ReplyVersion.objects.create(inquiry=found, number=number, lang="ru", format="html",
                                    content=b"", blocks=[], figures=[])  # fmt: skip
    return found


@pytest.mark.parametrize(
    ("status", "versions", "to", "sent_on", "error", "field"),
    [
        (S.RECEIVED, 0, "archived", None, Invalid, "status"),
        (S.RECEIVED, 1, S.SENT, None, Conflict, "status"),  # drafting is not skipped
        (S.DRAFTING, 0, S.RECEIVED, None, Conflict, "status"),  # never backwards
        (S.DRAFTING, 0, S.SENT, None, Conflict, "status"),  # no reply produced yet
        (S.DRAFTING, 1, S.SENT, dt.date(2026, 2, 9), Invalid, "sent_on"),  # before the inquiry
        (S.DRAFTING, 1, S.SENT, "tomorrow", Invalid, "sent_on"),  # in advance
        (S.SENT, 1, S.DRAFTING, None, Conflict, "status"),  # sent is final
    ],
)  # fmt: skip
def test_a_refused_status_change_changes_nothing_and_writes_no_entry(
    status, versions, to, sent_on, error, field
):
    if sent_on == "tomorrow":
        sent_on = timezone.localdate() + dt.timedelta(days=1)
    found = inquiry(status, versions=versions)
    with pytest.raises(error) as info:
        services.change_inquiry_status(SYSTEM, found, to, sent_on=sent_on)
    assert info.value.field == field
    found.refresh_from_db()
    assert (found.status, found.sent_on) == (status, None)
    assert not AuditEntry.objects.filter(action="inquiry.status.change").exists()


def test_each_allowed_change_writes_exactly_one_entry():
    found = inquiry(versions=1)
    services.change_inquiry_status(SYSTEM, found, S.DRAFTING)
    services.change_inquiry_status(SYSTEM, found, S.SENT, sent_on=dt.date(2026, 2, 20))
    entries = AuditEntry.objects.order_by("pk")
    assert [(e.action, e.before, e.after, e.username) for e in entries] == [
        ("inquiry.status.change", {"status": "received", "sent_on": None},
         {"status": "drafting", "sent_on": None}, "system:tests"),
        ("inquiry.status.change", {"status": "drafting", "sent_on": None},
         {"status": "sent", "sent_on": "2026-02-20"}, "system:tests"),
    ]  # fmt: skip
    assert (found.status, found.sent_on) == (S.SENT, dt.date(2026, 2, 20))
