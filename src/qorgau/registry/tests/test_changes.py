"""The change feed (outbox): a row for every change to a case or a report, written with the
change, read in order by the actors who may see it."""

import pytest

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.reference.models import Body, Region
from qorgau.registry import changes, csvio, lifecycle, services
from qorgau.registry.choices import CaseStatus, Channel, Decision, PartyRole, Sex
from qorgau.registry.models import Case, Change
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db


def feed_all(actor, after=None, limit=1000):
    rows, cursor = changes.feed(actor, after, limit)
    return rows, cursor


def test_every_kind_of_change_leaves_a_row_with_the_object_as_it_became(make_case, coercion):
    start = Change.objects.count()
    case = make_case()
    investigator = make_user("investigator_shymkent", "investigator", "KZ-79")
    actor = Actor.person(investigator)
    services.requalify(actor, case, coercion, reason="new facts", at=local(2026, 1, 11, 9, 0))
    services.extend_term(actor, case, amount=30, authorised_by="prosecutor", reason="expert",
                         at=local(2026, 1, 12, 9, 0))  # fmt: skip
    party = services.add_party(
        SYSTEM, case, services.PartyData(role=PartyRole.VICTIM, sex=Sex.FEMALE)
    )
    services.update_party(SYSTEM, party, services.PartyData(role=PartyRole.VICTIM, sex=Sex.MALE))
    lifecycle.transition(actor, case, CaseStatus.SUSPENDED, ground="suspect_unknown",
                         at=local(2026, 1, 13, 9, 0))  # fmt: skip
    shymkent = Region.objects.get(code="KZ-79")
    report = services.create_report(
        SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel=Channel.CALL_102,
        receiving_body=Body.objects.filter(region=shymkent).first(), summary="a call",
    )  # fmt: skip
    lifecycle.decide(SYSTEM, report, Decision.NO_OFFENCE, at=local(2026, 1, 9, 10, 0))
    rows = list(Change.objects.filter(id__gt=start).order_by("id"))
    assert [(r.kind, r.action) for r in rows] == [
        ("case", "case.register"), ("case", "case.requalify"), ("case", "case.term.extend"),
        ("case", "party.add"), ("case", "party.update"), ("case", "case.status.change"),
        ("report", "report.create"), ("report", "report.decide"),
    ]  # fmt: skip
    assert rows[1].data["article"] == "125-1"
    assert rows[3].data["parties"][0]["sex"] == "F"
    assert rows[4].data["parties"][0]["sex"] == "M"
    last = rows[5].data
    assert (last["status"], last["suspension_ground"]) == ("suspended", "suspect_unknown")
    assert last["status_at"].endswith("+05:00")
    assert last == changes.case_data(Case.objects.get(pk=case.pk))
    assert rows[7].data["decision"] == "no_offence"
    assert "summary" not in rows[7].data


def test_a_refused_change_leaves_no_row(make_case):
    case = make_case()
    before = Change.objects.count()
    with pytest.raises(Conflict):
        lifecycle.transition(SYSTEM, case, CaseStatus.INVESTIGATION, reason="again")
    assert Change.objects.count() == before


def test_a_regional_actor_reads_its_regions_changes_only_and_resumes_from_the_cursor(make_case):
    shymkent_case = make_case(region="KZ-79")
    astana_case = make_case(region="KZ-71")
    registrar = Actor.person(make_user("registrar_shymkent", "registrar", "KZ-79"))
    rows, cursor = feed_all(registrar)
    assert {r["id"] for r in rows if r["kind"] == "case"} == {shymkent_case.pk}
    national = Actor.person(make_user("analyst_national", "administrator"))
    everything, _cursor = feed_all(national)
    assert {shymkent_case.pk, astana_case.pk} <= {r["id"] for r in everything}
    # Resuming after the cursor gives only what came later.
    later = make_case(region="KZ-79")
    rows, cursor2 = feed_all(registrar, cursor)
    assert [r["id"] for r in rows] == [later.pk]
    assert int(cursor2) > int(cursor)
    rows, cursor3 = feed_all(registrar, cursor2)
    assert rows == [] and cursor3 == cursor2


def test_limit_pages_through_the_feed_without_repeating(make_case):
    made = [make_case().pk for _ in range(5)]
    national = Actor.person(make_user("admin_x", "administrator"))
    seen, cursor = [], None
    while True:
        rows, cursor = changes.feed(national, cursor, 2)
        if not rows:
            break
        seen += [r["id"] for r in rows]
    assert seen[-5:] == made
    assert len(seen) == len(set(seen))


def test_reading_the_feed_is_audited_and_a_bad_cursor_refused(make_case):
    make_case()
    national = Actor.person(make_user("admin_y", "administrator"))
    before = AuditEntry.objects.filter(action="change.feed").count()
    changes.feed(national, None, 10)
    assert AuditEntry.objects.filter(action="change.feed").count() == before + 1
    for bad in ("-1", "abc", "1e5", "１２"):
        with pytest.raises(Invalid):
            changes.feed(national, bad, 10)


def test_someone_without_the_right_reads_nothing(make_case):
    make_case()
    nobody = Actor.person(make_user("campaign_user", "campaign", "KZ-79"))
    rows, _cursor = changes.feed(nobody, None, 10)
    assert rows == []


def test_the_bulk_import_writes_one_row_per_case_equal_to_the_case(db):
    csv_text = (
        "number,article,part,region,registered_at,status,termination_ground,investigating_body,"
        "victim_sex,victim_age_band,relationship,erdr_number\n"
        ",115-1,1,KZ-79,2026-01-05T10:00:00+05:00,terminated,no_event,POL-79,F,25-34,spouse,"
        "261234567890123\n"
        ",125-1,2,KZ-71,2026-01-06T10:00:00+05:00,investigation,,,,,,\n"
    )
    before = Change.objects.count()
    imported = csvio.import_cases(SYSTEM, csv_text)
    rows = list(Change.objects.order_by("id")[before:])
    assert len(rows) == 2 == len(imported)
    assert {r.action for r in rows} == {"case.import"}
    for row in rows:
        case = Case.objects.get(pk=row.object_id)
        assert row.data == changes.case_data(case), row.data
        assert row.region_id == case.region_id
