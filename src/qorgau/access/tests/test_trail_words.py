"""The audit trail read as words in the reader's language: sentences, labelled changes, Kazakhstan
times, filters that work (and refuse reversed dates), 50 entries a page, regional scope, links
only to records the reader may open."""

import csv
import datetime as dt
import io
import os
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from qorgau.audit import log, words
from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.reference.models import Body
from qorgau.registry import lifecycle, services
from qorgau.registry.choices import CaseStatus, Channel, Decision, TerminationGround
from qorgau.registry.models import Case
from tests.fixtures import SYSTEM, local, make_user

# The trail's time is the database's own clock (db_default=Now()) and PostgreSQL's trail refuses
# UPDATE (append-only trigger), so a test can place an entry at a chosen moment only on SQLite;
# the same rendering code runs on both.
SQLITE_ONLY = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="sets audit entries' times by UPDATE, which PostgreSQL's append-only trail refuses",
)


pytestmark = pytest.mark.django_db

STATUS_MSGID = "%(user)s changed the status of %(record)s: %(before)s → %(after)s"
STATUS_WORDS = {
    "kk": "prosecutor_shymkent мәртебені өзгертті — № {n} {kind}: {before} → {after} ({ground})",
    "ru": "prosecutor_shymkent изменил(а) статус — {kind} № {n}: {before} → {after} ({ground})",
    "en": "prosecutor_shymkent changed the status of case {n}: under investigation → terminated"
    " (absence of corpus delicti (CPC art. 35))",
}


def _page(client, lang="en", **params) -> str:
    client.cookies["django_language"] = lang
    response = client.get("/audit/", params)
    assert response.status_code == 200, response.content[:400]
    return response.content.decode()


def _terminate(make_case):
    case = make_case()
    prosecutor = make_user("prosecutor_shymkent", "prosecutor", "KZ-79")
    lifecycle.transition(
        Actor.person(prosecutor),
        case, CaseStatus.TERMINATED, ground=TerminationGround.NO_CORPUS_DELICTI,
    )  # fmt: skip
    return case, AuditEntry.objects.get(action="case.status.change")


def _results(page: str) -> str:
    """The page below its filters: the entries."""
    return page.split('<ol class="govuk-list qorgau-trail">')[1]


def _sentence(entry, lang: str) -> str:
    with translation.override(lang):
        return str(words.describe([entry])[0].sentence)


def test_a_status_change_reads_as_a_sentence(make_case):
    case, entry = _terminate(make_case)
    assert _sentence(entry, "en") == STATUS_WORDS["en"].format(n=case.number)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_status_change_reads_as_a_sentence_in_kazakh_and_russian(make_case, lang):
    with translation.override(lang):
        assert gettext(STATUS_MSGID) != STATUS_MSGID, "the sentence is not translated"
        values = {
            "kind": str(Case._meta.verbose_name),
            "before": str(CaseStatus.INVESTIGATION.label),
            "after": str(CaseStatus.TERMINATED.label),
            "ground": str(TerminationGround.NO_CORPUS_DELICTI.label),
        }
    case, entry = _terminate(make_case)
    assert _sentence(entry, lang) == STATUS_WORDS[lang].format(**{**values, "n": case.number})


def test_the_record_is_named_in_the_readers_language_not_the_writers(make_case):
    case = make_case()
    with translation.override("ru"):
        log.write(SYSTEM, "case.view", case)
    entry = AuditEntry.objects.get(action="case.view")
    with translation.override("en"):
        assert words.describe([entry])[0].sentence == f"system:tests opened case {case.number}"


def test_changes_show_field_labels_and_only_the_changed_fields(make_case):
    _case, entry = _terminate(make_case)
    with translation.override("en"):
        changes = {c.label: (c.before, c.after) for c in words.describe([entry])[0].changes}
    assert changes["Status"] == ("under investigation", "terminated")
    assert changes["Termination ground"][1] == "absence of corpus delicti (CPC art. 35)"
    assert "Number" not in changes and "Region" not in changes


@SQLITE_ONLY
def test_a_list_read_shows_its_filters_and_count_in_words(client, login):
    admin = make_user("admin_words", "administrator")
    login(client, admin)
    log.write(
        Actor.person(admin), "case.search",
        details={"filters": {"status": "terminated", "region": "KZ-79"}, "late": 139,
                 "results": 1234, "page": 2, "shown": [f"2026-79-{i:06}" for i in range(20)]},
    )  # fmt: skip
    page = _page(client)
    assert "{&#x27;" not in page and "{'" not in page
    assert (
        "Cases listed: 1,234 results (page 2); filters: status: terminated; region: Shymkent"
        in (page.replace("&nbsp;", " "))
    ), page
    assert '<details class="govuk-details' in page and "Records shown (20)" in page


@SQLITE_ONLY
def test_times_are_kazakhstan_times_in_the_page_and_the_export(client, login, make_case):
    case = make_case()
    log.write(SYSTEM, "case.view", case)
    late = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)  # 23:30 in Almaty
    AuditEntry.objects.filter(action="case.view").update(
        at=late, after={"status_at": late.isoformat()}
    )
    login(client, make_user("admin_times", "administrator"))
    page = _page(client, action="case.view")
    assert "01.12.2026" in page or "2026-12-01" in page or "1.12.2026" in page
    assert "23:30" in page and "18:30" not in page and "+00:00" not in page
    export = client.get("/audit/export.csv", {"action": "case.view"}).content.decode()
    row = next(r for r in csv.reader(io.StringIO(export)) if r[3] == "case.view")
    assert row[0] == "2026-12-01T23:30:00+05:00"
    assert "2026-12-01T23:30:00+05:00" in row[9] and "+00:00" not in row[9]


@SQLITE_ONLY
def test_the_day_filter_is_the_kazakhstan_day(client, login, make_case):
    make_case()
    # 20:30 UTC on the 1st is 01:30 on the 2nd in Almaty.
    AuditEntry.objects.update(at=dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.UTC))
    login(client, make_user("admin_day", "administrator"))
    on_the_2nd = _page(client, date_from="2026-12-02", date_to="2026-12-02", action="case.register")
    on_the_1st = _page(client, date_from="2026-12-01", date_to="2026-12-01", action="case.register")
    assert "Case registered" not in on_the_1st.split('<ol class="govuk-list qorgau-trail">')[1]
    assert "Case registered" in on_the_2nd.split('<ol class="govuk-list qorgau-trail">')[1]


def test_fifty_entries_a_page_with_counts(client, login):
    for i in range(120):
        log.write(SYSTEM, "audit.verify", details={"n": i})
    login(client, make_user("admin_pages", "administrator"))
    first = _page(client, action="audit.verify")
    assert first.count("<time ") == 50 and "Entries 1–50 of 120" in first
    assert 'class="govuk-pagination"' in first
    last = _page(client, action="audit.verify", page=3)
    assert last.count("<time ") == 20 and "Entries 101–120 of 120" in last
    assert "action=audit.verify" in last  # the filters are kept in the pager's links


def test_each_filter_narrows_the_list(client, login, make_case):
    shymkent, astana = make_case(), make_case(region="KZ-71")
    other = make_user("registrar_other", "registrar", "KZ-79")
    log.write(Actor.person(other), "audit.verify")
    login(client, make_user("admin_filters", "administrator"))
    by_record = _results(_page(client, record_type="registry.case", record=shymkent.number))
    assert shymkent.number in by_record and astana.number not in by_record
    by_region = _results(_page(client, region="KZ-71", action="case.register"))
    assert astana.number in by_region and shymkent.number not in by_region
    by_action = _results(_page(client, action="audit.verify"))
    assert "Audit chain verified" in by_action and "Case registered" not in by_action
    by_user = _results(_page(client, username="SYSTEM:TESTS", action="case.register"))
    assert shymkent.number in by_user
    nobody = _results(_page(client, username="nobody"))
    assert "No entries." in nobody


def test_reversed_dates_are_refused_with_a_message_next_to_the_field(client, login):
    login(client, make_user("admin_reversed", "administrator"))
    client.cookies["django_language"] = "en"
    response = client.get("/audit/", {"date_from": "2026-12-02", "date_to": "2026-12-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The end date must be the same as or after the start date." in page
    assert re.search(r'id="id_date_to"[^>]*aria-invalid|aria-invalid[^>]*id="id_date_to"', page)
    export = client.get("/audit/export.csv", {"date_from": "2026-12-02", "date_to": "2026-12-01"})
    assert export.status_code == 400
    assert client.get("/audit/", {"action": "no.such.code"}).status_code == 400


def test_a_regional_prosecutor_sees_only_their_regions_entries(client, login, make_case):
    shymkent, astana = make_case(), make_case(region="KZ-71")
    login(client, make_user("prosecutor_region", "prosecutor", "KZ-79"))
    page = _results(_page(client, action="case.register"))
    assert shymkent.number in page and astana.number not in page


def test_the_record_is_linked_only_when_the_reader_may_open_it(client, login, make_case):
    case, elsewhere = make_case(), make_case(region="KZ-71")
    # An entry filed under Shymkent about a case of Astana (a join across regions, say): the
    # Shymkent prosecutor reads the entry but may not open the other region's case.
    log.write(SYSTEM, "case.view", elsewhere, region_code="KZ-79")
    login(client, make_user("prosecutor_link", "prosecutor", "KZ-79"))
    page = _results(_page(client))
    assert f'href="/registry/cases/{case.number}/"' in page
    assert elsewhere.number in page and f'href="/registry/cases/{elsewhere.number}/"' not in page


def test_a_report_decision_reads_in_words_and_links_the_report(client, login, shymkent):
    registrar = make_user("registrar_words", "registrar", "KZ-79")
    report = services.create_report(
        Actor.person(registrar), shymkent, received_at=local(2026, 12, 1, 23, 30),
        channel=Channel.CALL_102, receiving_body=Body.objects.filter(region=shymkent).first(),
        summary="A call about threats",
    )  # fmt: skip
    lifecycle.decide(Actor.person(registrar), report, Decision.NO_OFFENCE)
    login(client, make_user("prosecutor_reports", "prosecutor", "KZ-79"))
    page = _results(_page(client, action="report.decide"))
    link = f'<a class="govuk-link" href="/registry/reports/{report.pk}/">Report of 2026-12-01 23:30</a>'
    assert f"registrar_words recorded the decision on {link}: no decision yet" in page
    created = _results(_page(client, action="report.create"))
    assert ">Value</th>" in created and ">Before</th>" not in created
    assert "A call about threats" not in created and "(text not kept in the trail)" in created


def test_a_record_that_cannot_be_found_keeps_its_stored_name(make_case):
    case = make_case()
    at = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)
    gone = AuditEntry(at=at, username="u", action="case.view", object_type="registry.case",
                      object_id="not-an-id", object_repr="2026-79-999999")  # fmt: skip
    found = AuditEntry(at=at, username="u", action="case.view", object_type="registry.case",
                       object_id=str(case.pk), object_repr="stale")  # fmt: skip
    with translation.override("en"):
        said = [str(w.sentence) for w in words.describe([gone, found])]
    assert said == ["u opened 2026-79-999999", f"u opened case {case.number}"]


def test_the_selects_offer_labels_with_one_empty_choice(client, login):
    login(client, make_user("admin_selects", "administrator"))
    page = _page(client)
    assert "---------" not in page and page.count('<option value="" selected>Any ') == 3
    assert '<option value="case.status.change">Case status changed</option>' in page


def test_a_family_of_actions_is_asked_by_its_prefix(client, login, make_case):
    case = make_case()
    log.write(SYSTEM, "audit.verify")
    login(client, make_user("admin_family", "administrator"))
    page = _page(client, action="case.")
    assert case.number in _results(page) and "Audit chain verified" not in _results(page)
    assert '<option value="case." selected>case.…</option>' in page
    assert client.get("/audit/", {"action": "nothing."}).status_code == 400


def test_the_old_object_parameter_still_names_the_record(client, login, make_case):
    shymkent, astana = make_case(), make_case(region="KZ-71")
    login(client, make_user("admin_object", "administrator"))
    export = client.get("/audit/export.csv", {"object": shymkent.number}).content.decode()
    assert shymkent.number in export and astana.number not in export
