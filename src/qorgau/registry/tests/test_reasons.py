"""A reason given with a registry action (``verb(…, *, reason=…)``) lands in the action's one
audit entry; one that names a person (an IIN, a phone number) is not kept."""

import datetime as dt

import pytest

from qorgau.audit.models import AuditEntry
from qorgau.core import privacy
from qorgau.core.errors import Invalid
from qorgau.reference.models import Body, Region
from qorgau.registry import lifecycle, services
from qorgau.registry.choices import Decision, PartyRole
from tests.fixtures import SYSTEM, local

pytestmark = pytest.mark.django_db


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_a_given_reason_lands_in_the_one_entry_of_the_action(make_case):
    case = make_case(reason="moved from the paper register")
    [registered] = entries("case.register")
    assert registered.details["reason"] == "moved from the paper register"
    party = services.add_party(SYSTEM, case, services.PartyData(role=PartyRole.VICTIM),
                               reason="found in the file")  # fmt: skip
    services.update_party(SYSTEM, party, services.PartyData(role=PartyRole.VICTIM, sex="F"),
                          reason="statement of 3 March")  # fmt: skip
    assert [e.details["reason"] for e in entries("party.add")] == ["found in the file"]
    assert [e.details["reason"] for e in entries("party.update")] == ["statement of 3 March"]


def test_a_report_decision_keeps_its_note_and_the_reason_apart():
    region = Region.objects.get(code="KZ-79")
    report = services.create_report(
        SYSTEM, region, received_at=local(2026, 1, 10, 9, 0), channel="written",
        receiving_body=Body.objects.get(code="POL-79"), summary="…", reason="late entry",
    )  # fmt: skip
    lifecycle.decide(SYSTEM, report, Decision.NO_OFFENCE, at=local(2026, 1, 10, 12, 0),
                     reason="checked with the duty officer")  # fmt: skip
    assert [e.details for e in entries("report.create")] == [{"reason": "late entry"}]
    assert [e.details for e in entries("report.decide")] == [
        {"reason": "checked with the duty officer"}
    ]


def test_no_reason_adds_nothing_and_an_identifying_one_is_not_kept(make_case):
    case = make_case()
    assert "reason" not in entries("case.register")[0].details
    services.add_party(SYSTEM, case, services.PartyData(role=PartyRole.SUSPECT),
                       reason="call +7 701 123 4567")  # fmt: skip
    assert entries("party.add")[0].details["reason"] == privacy.REDACTED


def test_a_status_change_without_a_reason_stores_an_empty_one(make_case):
    case = make_case()
    change = lifecycle.transition(SYSTEM, case, "suspended", ground="suspect_unknown",
                                  at=local(2026, 1, 20, 10, 0))  # fmt: skip
    assert change.reason == ""


@pytest.mark.parametrize("given", [{}, {"amount": 1, "new_end": dt.date(2026, 6, 1)}])
def test_an_extension_needs_either_a_new_end_or_a_length(make_case, given):
    case = make_case()
    with pytest.raises(Invalid) as info:
        services.extend_term(SYSTEM, case, authorised_by="Prosecutor", reason="more witnesses",
                             **given)  # fmt: skip
    assert info.value.field == "amount"
    assert not AuditEntry.objects.filter(action="case.term.extend").exists()
