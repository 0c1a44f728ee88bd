"""Probes by typed numbers: a form field that looks a record up by a number the user types
answers for another region's record as for none at all, and leaves one ``access.denied`` entry
naming the number asked, so that the region's prosecutor can see someone probing."""

import re

import pytest

from qorgau.audit.models import AuditEntry
from qorgau.registry.models import Case
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db


def _join(client, case: Case, typed: str):
    """Ask that ``case`` be joined to the case numbered ``typed``."""
    client.cookies["django_language"] = "en"
    return client.post(
        f"/registry/cases/{case.number}/status/",
        {"to_status": "joined", "joined_to": typed, "reason": "", "ground": ""},
    )


def _joined_to_errors(response) -> list[str]:
    """The messages shown next to the "joined to" field (and the form's own), as text."""
    page = response.content.decode()
    return re.findall(r'<p class="govuk-error-message" id="id_[a-z_]+_error">(.*?)</p>', page, re.S)


def test_investigator_typing_another_regions_case_number_is_answered_as_none_and_recorded(
    client, login, make_case
):
    astana = make_case(region="KZ-71")
    own = make_case(region="KZ-79")
    investigator = make_user("investigator_shymkent", "investigator", "KZ-79")
    login(client, investigator)
    missing = "2026-71-999999"
    assert not Case.objects.filter(number=missing).exists()
    answers = {}
    for typed in (astana.number, missing):
        before = AuditEntry.objects.filter(action="access.denied").count()
        response = _join(client, own, typed)
        assert response.status_code == 400
        answers[typed] = _joined_to_errors(response)
        denied = AuditEntry.objects.filter(action="access.denied")
        assert denied.count() == before + 1, typed
        entry = denied.latest("pk")
        assert entry.username == "investigator_shymkent"
        assert entry.details["ref"] == {"joined_to": typed}
        assert entry.details["status"] == 404
        # The number asked, never the record: nothing tells whether it exists.
        assert (entry.object_type, entry.object_id, entry.object_repr) == ("", "", "")
        assert entry.region_code == "KZ-79"
    assert answers[astana.number] == answers[missing]
    assert any("No case with this number." in e for e in answers[missing])
    own.refresh_from_db()
    assert own.status == "investigation" and own.joined_to is None
    # The two entries differ by the number asked only.
    first, second = (
        {key: value for key, value in e.details.items() if key != "ref"}
        for e in AuditEntry.objects.filter(action="access.denied").order_by("pk")
    )
    assert first == second
    # Not vacuous: a number in scope is found, the case is joined, nothing more is refused.
    target = make_case(region="KZ-79")
    assert _join(client, own, f" {target.number} ").status_code == 302
    own.refresh_from_db()
    assert own.joined_to == target
    assert AuditEntry.objects.filter(action="access.denied").count() == 2
