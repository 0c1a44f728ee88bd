"""A reason given with an inquiry action (``verb(…, *, reason=…)``) lands in its one entry,
and is not taken for an inquiry field."""

import datetime as dt

import pytest

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.letters import services
from qorgau.letters.models import InquiryStatus
from qorgau.reference.models import Article

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def test_a_given_reason_lands_in_the_one_entry_of_each_inquiry_action():
    inquiry = services.register_inquiry(
        SYSTEM, number="ДС-43", dated=dt.date(2026, 2, 10), addressee_kk="x", addressee_ru="x",
        subject_kk="x", subject_ru="x", articles=list(Article.objects.filter(code="115-1")),
        reason="received by post",
    )  # fmt: skip
    services.update_inquiry(SYSTEM, inquiry, subject_ru="о сталкинге", reason="typo")
    services.change_inquiry_status(SYSTEM, inquiry, InquiryStatus.DRAFTING, reason="started")
    details = {e.action: e.details for e in AuditEntry.objects.order_by("pk")}
    assert details == {
        "inquiry.register": {"reason": "received by post"},
        "inquiry.update": {"reason": "typo"},
        "inquiry.status.change": {"reason": "started"},
    }
    inquiry.refresh_from_db()
    assert inquiry.subject_ru == "о сталкинге"
