"""The prosecutor's deadline control, checked against items built by hand."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from qorgau.audit.models import AuditEntry
from qorgau.audit.tests.test_audit import admin_form
from qorgau.core import privacy
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict
from qorgau.oversight import deadlines, services
from qorgau.oversight.models import ControlKind, ControlRecord
from qorgau.reference import rules
from qorgau.reference.models import Body, DeadlineRule, Region
from qorgau.registry import lifecycle
from qorgau.registry import services as registry
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def report(region="KZ-79", received=None, decided=None, decision="no_offence"):
    r = registry.create_report(
        SYSTEM, Region.objects.get(code=region), received_at=received, channel="written",
        receiving_body=Body.objects.get(code=f"POL-{region[3:]}"), summary="…",
    )  # fmt: skip
    if decided is not None:
        lifecycle.decide(SYSTEM, r, decision, at=decided)
    return r


@pytest.fixture
def scene(make_case):
    """Items whose place in the list is known by construction."""
    return {
        "late_pending": report(received=ago(hours=30)),
        "late_decided": report(received=ago(hours=80), decided=ago(hours=50)),
        "in_time": report(received=ago(hours=80), decided=ago(hours=70)),
        "due_report": report(received=ago(hours=2)),
        "overdue_case": make_case(article="125-1", registered_at=ago(days=75)),  # 2 months passed
        "due_case": make_case(
            article="115-1", registered_at=ago(days=26)
        ),  # 1 month ends in ~4 days
        "fresh_case": make_case(article="125-1", registered_at=ago(days=5)),
        "terminated": make_case(article="125-1", registered_at=ago(days=20)),
        "astana_overdue": make_case(region="KZ-71", article="125-1", registered_at=ago(days=90)),
    }


def refs(items):
    return {item.obj.pk for item in items}


def test_control_list_matches_the_hand_built_items(scene):
    lifecycle.transition(SYSTEM, scene["terminated"], "terminated", ground="no_corpus_delicti")
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    control = deadlines.control_list(prosecutor)
    late_reports = {i.obj.pk for i in control.late if i.kind == "report"}
    late_cases = {i.obj.pk for i in control.late if i.kind == "case"}
    assert late_reports == {scene["late_pending"].pk, scene["late_decided"].pk}
    assert late_cases == {scene["overdue_case"].pk}  # Astana's is outside the scope
    assert {i.obj.pk for i in control.due_soon if i.kind == "case"} == {scene["due_case"].pk}
    assert {i.obj.pk for i in control.due_soon if i.kind == "report"} == {scene["due_report"].pk}
    assert refs(control.review) == {scene["terminated"].pk}
    overdue = next(i for i in control.late if i.kind == "case")
    expected_end = rules.add_months(
        timezone.localtime(scene["overdue_case"].registered_at).date(), 2
    )
    assert overdue.due == expected_end
    assert overdue.overdue_days == (timezone.localdate() - expected_end).days
    by_region = dict(control.by_region())
    assert by_region[Region.objects.get(code="KZ-79")] == {"late": 3, "due_soon": 2, "review": 1}
    # The national prosecutor also sees Astana's.
    national = deadlines.control_list(make_user("prosecutor_kz", "prosecutor"))
    assert scene["astana_overdue"].pk in {i.obj.pk for i in national.late if i.kind == "case"}


def test_extension_moves_a_case_out_of_the_late_list(scene):
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    case = scene["overdue_case"]
    registry.extend_term(
        SYSTEM,
        case,
        timezone.localdate() + dt.timedelta(days=30),
        authorised_by="oblast prosecutor",
        reason="expertise",
    )
    control = deadlines.control_list(prosecutor)
    assert case.pk not in {i.obj.pk for i in control.late + control.due_soon if i.kind == "case"}


def test_review_result_clears_a_termination_and_a_result_clears_a_late_report(scene):
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    lifecycle.transition(SYSTEM, scene["terminated"], "terminated", ground="no_event")
    review = services.add_control(
        Actor.person(prosecutor), scene["terminated"], kind=ControlKind.REVIEW, instruction="check"
    )
    assert scene["terminated"].pk in refs(
        deadlines.control_list(prosecutor).review
    )  # no result yet
    services.record_result(Actor.person(prosecutor), review, "lawful")
    assert scene["terminated"].pk not in refs(deadlines.control_list(prosecutor).review)
    note = services.add_control(Actor.person(prosecutor), scene["late_decided"], instruction="explain the delay", due_on=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    services.record_result(Actor.person(prosecutor), note, "disciplinary measure")
    assert scene["late_decided"].pk not in {
        i.obj.pk for i in deadlines.control_list(prosecutor).late if i.kind == "report"
    }
    with translation.override("en"), pytest.raises(Conflict, match="already"):
        services.record_result(Actor.person(prosecutor), note, "rewritten")


def test_rules_are_data_an_administrator_can_change(scene):
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    DeadlineRule.objects.filter(kind="report_decision").update(amount=48)
    control = deadlines.control_list(prosecutor)
    # Both took 30 hours: late under 24, in time under 48; the waiting one is now merely due.
    assert {i.obj.pk for i in control.late if i.kind == "report"} == set()
    assert scene["late_pending"].pk in {i.obj.pk for i in control.due_soon if i.kind == "report"}
    assert all(rule.legal_source for rule in DeadlineRule.objects.all())


def test_prosecutor_page_and_command_show_the_same_list(client, login, scene):
    lifecycle.transition(SYSTEM, scene["terminated"], "terminated", ground="no_corpus_delicti")
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    login(client, prosecutor)
    page = client.get("/oversight/").content.decode()
    assert scene["overdue_case"].number in page and scene["terminated"].number in page
    assert f"R{scene['late_pending'].pk}" in page and scene["astana_overdue"].number not in page
    out = io.StringIO()
    call_command("deadlines", "--as-user", "prosecutor_79", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {(r["category"], r["ref"]) for r in rows} == {
        ("late", f"R{scene['late_pending'].pk}"), ("late", f"R{scene['late_decided'].pk}"),
        ("late", scene["overdue_case"].number), ("due_soon", scene["due_case"].number),
        ("due_soon", f"R{scene['due_report'].pk}"), ("review", scene["terminated"].number),
    }  # fmt: skip


def test_control_record_through_the_page(client, login, scene):
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    login(client, prosecutor)
    case = scene["overdue_case"]
    response = client.post("/oversight/control/new/", {"case": case.number, "kind": "instruction",
                                                      "instruction": "finish the expertise", "due_on": ""})  # fmt: skip
    assert response.status_code == 302
    control = case.controls.get()
    response = client.post(f"/oversight/control/{control.pk}/result/", {"result": "done"})
    assert response.status_code == 302
    control.refresh_from_db()
    assert control.result == "done" and control.result_at is not None


def test_demo_data_gives_the_prosecutor_late_and_overdue_items(demo):
    control = deadlines.control_list(make_user("prosecutor_kz", "prosecutor"))
    assert any(i.kind == "report" for i in control.late)
    assert any(i.kind == "case" for i in control.late)


def test_a_rule_edit_moves_the_open_cases_and_leaves_closed_ones(make_case):
    from tests.fixtures import local

    open_case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    suspended = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    lifecycle.transition(
        SYSTEM, suspended, "suspended", ground="suspect_unknown", at=local(2026, 1, 12, 9, 0)
    )
    closed = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    lifecycle.transition(
        SYSTEM, closed, "sent_to_court", reason="indictment", at=local(2026, 2, 1, 9, 0)
    )
    misdemeanour = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))
    rule = DeadlineRule.objects.get(kind="investigation_term", category="crime")
    rule.amount = 3  # as an administrator would in the admin
    rule.save()

    def end(case):
        case.refresh_from_db()
        return case.term_ends_on

    assert end(open_case) == end(suspended) == dt.date(2026, 4, 10)
    assert end(closed) == dt.date(2026, 3, 10)  # no longer under investigation: left as it was
    assert end(misdemeanour) == dt.date(2026, 2, 10)  # another category's rule
    # Each moved end is in the trail, by whoever changed the rule (here: no command, no request).
    moved = AuditEntry.objects.filter(action="case.term.recompute")
    assert sorted(e.object_repr for e in moved) == sorted([open_case.number, suspended.number])
    assert {e.username for e in moved} == {"system:deadline-rule-change"}
    assert moved.get(object_repr=open_case.number).after == {"term_ends_on": "2026-04-10"}


def test_rule_labels_use_the_plural_form_of_the_amount():
    with translation.override("en"):
        labels = {(r.kind, r.category): str(r) for r in DeadlineRule.objects.all()}
    assert labels[("report_decision", "")].endswith(": 24 hours")
    assert labels[("investigation_term", "misdemeanour")].endswith(": 1 month")
    assert labels[("investigation_term", "crime")].endswith(": 2 months")


def test_control_page_reads_the_rules_once_and_audits_what_it_listed(
    client, login, make_case, django_assert_max_num_queries
):
    from qorgau.audit.models import AuditEntry

    cases = [make_case(article="125-1", registered_at=ago(days=65 + i % 30)) for i in range(50)]
    reports = [report(received=ago(hours=30 + i)) for i in range(20)]
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    login(client, prosecutor)
    # 15 before the header's unread-notifications count (oversight.context.unread): one more.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("oversight:control"))
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="oversight.view").latest("pk")
    listed = entry.details["listed"]
    assert sorted(listed["late"]["cases"]) == sorted(c.number for c in cases)
    assert sorted(listed["late"]["reports"]) == sorted(r.pk for r in reports)
    assert entry.details["late"] == 70


# --- Filters, pagination and the CSV export of the control page -----------------------------


def page_refs(response, section):
    """The case numbers and report refs the page lists in ``section``, in the page's order."""
    return [item.ref for item in response.context["sections"][section]["page"]]


def body_in(region, code="IC-79"):
    """A second investigating body in ``region`` (the reference data has one police department
    per region), so that filtering by body differs from filtering by region."""
    return Body.objects.create(
        code=code, kind="investigative_committee", region=Region.objects.get(code=region),
        name_kk="Тергеу комитеті", name_ru="Следственный комитет", name_en="Investigative committee",
    )  # fmt: skip


def test_region_filter_lists_only_that_regions_items_and_counts(client, login, scene):
    lifecycle.transition(SYSTEM, scene["terminated"], "terminated", ground="no_corpus_delicti")
    astana_report = report(region="KZ-71", received=ago(hours=40))
    login(client, make_user("prosecutor_kz", "prosecutor"))
    response = client.get("/oversight/", {"region": "KZ-71"})
    assert response.status_code == 200
    page = response.content.decode()
    assert scene["astana_overdue"].number in page and f"R{astana_report.pk}" in page
    assert scene["overdue_case"].number not in page and f"R{scene['late_pending'].pk}" not in page
    astana = Region.objects.get(code="KZ-71")
    assert dict(response.context["control"].by_region()) == {astana: {"late": 2}}
    assert dict(response.context["control"].by_body()) == {
        Body.objects.get(code="POL-71"): {"late": 2}
    }
    # The chosen value is kept in the form.
    assert '<option value="KZ-71" selected>' in page
    shymkent = client.get("/oversight/", {"region": "KZ-79"}).context["control"]
    assert dict(shymkent.by_region()) == {
        Region.objects.get(code="KZ-79"): {"late": 3, "due_soon": 2, "review": 1}
    }


def test_regional_prosecutor_cannot_widen_the_scope_with_the_region_parameter(client, login, scene):
    login(client, make_user("prosecutor_79", "prosecutor", "KZ-79"))
    page = client.get("/oversight/").content.decode()
    assert 'value="KZ-79"' in page and 'value="KZ-71"' not in page  # not offered
    assert 'value="POL-71"' not in page  # nor another region's body
    for params in ({"region": "KZ-71"}, {"body": "POL-71"}):
        response = client.get("/oversight/", params)
        # Another region's code is no valid choice: a 400 with the message at the field.
        assert response.status_code == 400
        html = response.content.decode()
        field = next(iter(params))
        assert f'href="#id_{field}"' in html and f'id="id_{field}_error"' in html
        assert scene["astana_overdue"].number not in html
        assert scene["overdue_case"].number not in html  # an invalid choice lists nothing
        control = response.context["control"]
        assert control.all() == [] and control.by_region() == []
        rows = list(
            csv.reader(io.StringIO(client.get("/oversight/export.csv", params).content.decode()))
        )
        assert rows == [["category", "ref", "status", "region", "body", "due", "overdue_days", "controls"]]  # fmt: skip


def test_body_article_kind_and_without_control_filters(client, login, scene):
    from qorgau.reference.models import ArticlePart

    lifecycle.transition(SYSTEM, scene["terminated"], "terminated", ground="no_corpus_delicti")
    committee = body_in("KZ-79")
    by_committee = registry.register_case(
        SYSTEM, Region.objects.get(code="KZ-79"), registered_at=ago(days=80),
        article_part=ArticlePart.objects.get(article__code="125-1", number=1),
        investigating_body=committee,
    )  # fmt: skip
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    login(client, prosecutor)

    def listed(**params):
        control = client.get("/oversight/", params).context["control"]
        return {(i.category, i.ref) for i in control.all()}

    assert listed(body="IC-79") == {("late", by_committee.number)}
    assert listed(article="115-1") == {("due_soon", scene["due_case"].number)}
    assert listed(kind="late_report") == {
        ("late", f"R{scene['late_pending'].pk}"), ("late", f"R{scene['late_decided'].pk}")
    }  # fmt: skip
    assert listed(kind="overdue_case") == {
        ("late", scene["overdue_case"].number), ("late", by_committee.number)
    }  # fmt: skip
    assert listed(kind="due_soon") == {
        ("due_soon", scene["due_case"].number), ("due_soon", f"R{scene['due_report'].pk}")
    }  # fmt: skip
    assert listed(kind="review") == {("review", scene["terminated"].number)}
    services.add_control(Actor.person(prosecutor), scene["overdue_case"], instruction="finish")
    services.add_control(Actor.person(prosecutor), scene["late_pending"], instruction="decide")
    assert listed(kind="late_report", without_control="on") == {
        ("late", f"R{scene['late_decided'].pk}")
    }
    assert listed(kind="overdue_case", without_control="on") == {("late", by_committee.number)}
    # Filters combine, and the counts follow them.
    response = client.get("/oversight/", {"body": "POL-79", "kind": "overdue_case"})
    assert dict(response.context["control"].by_body()) == {
        Body.objects.get(code="POL-79"): {"late": 1}
    }


def test_an_unknown_kind_is_a_400_with_the_message_at_the_field(client, login, scene):
    login(client, make_user("prosecutor_79", "prosecutor", "KZ-79"))
    response = client.get("/oversight/", {"kind": "everything"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_kind_error"' in html
    assert scene["overdue_case"].number not in html  # never the whole list instead


def test_the_sections_pager_keeps_the_filters(client, login, make_case):
    for day in range(55):
        make_case(region="KZ-79", registered_at=local(2025, 9, 20, 10, 0) + dt.timedelta(days=day))
    login(client, make_user("prosecutor_79", "prosecutor", "KZ-79"))
    page = client.get("/oversight/", {"kind": "overdue_case", "region": "KZ-79"}).content.decode()
    links = re.findall(r'href="(\?[^"]*late_page=2[^"]*)"', page)
    assert links and all("kind=overdue_case" in x and "region=KZ-79" in x for x in links)


def test_late_section_is_paginated_most_overdue_first(client, login, make_case):
    # 60 overdue cases registered one day apart: the earlier the registration, the longer
    # overdue; and a report waiting for 10 days, which belongs in the middle, not on top.
    cases = [make_case(article="125-1", registered_at=ago(days=70 + i, hours=1)) for i in range(60)]
    waiting = report(received=ago(days=10, hours=1))  # due 9 days 1 hour ago: 10 days late
    login(client, make_user("prosecutor_79", "prosecutor", "KZ-79"))

    def days_late(response):
        return [i.overdue_days for i in response.context["sections"][0]["page"]]

    first = client.get("/oversight/")
    second = client.get("/oversight/", {"late_page": 2})
    one, two = page_refs(first, 0), page_refs(second, 0)
    assert len(one) == 50 and len(two) == 11
    assert set(one) | set(two) == {c.number for c in cases} | {f"R{waiting.pk}"}
    assert one[0] == cases[-1].number  # registered first, so the most overdue
    ordered = days_late(first) + days_late(second)
    assert ordered == sorted(ordered, reverse=True)
    # The report's place follows its days late: after every case later than 10 days.
    position = (one + two).index(f"R{waiting.pk}")
    assert ordered[position] == 10
    assert all(d >= 10 for d in ordered[:position]) and all(d <= 10 for d in ordered[position:])
    # The page links to the next page of this section and keeps the filters chosen.
    html = client.get("/oversight/", {"kind": "overdue_case"}).content.decode()
    assert "?kind=overdue_case&amp;late_page=2#late" in html


def test_csv_export_holds_exactly_the_filtered_items_and_is_audited(client, login, scene):
    from qorgau.audit.models import AuditEntry

    lifecycle.transition(SYSTEM, scene["terminated"], "terminated", ground="no_corpus_delicti")
    login(client, make_user("prosecutor_kz", "prosecutor"))
    response = client.get("/oversight/export.csv", {"region": "KZ-79", "kind": "late_report"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["ref"] for r in rows} == {
        f"R{scene['late_pending'].pk}", f"R{scene['late_decided'].pk}"
    }  # fmt: skip
    assert {r["category"] for r in rows} == {"late"}
    entry = AuditEntry.objects.filter(action="oversight.export").latest("pk")
    assert entry.username == "prosecutor_kz" and entry.region_code == "KZ-79"
    assert entry.details["filters"] == {"region": "KZ-79", "kind": "late_report"}
    assert entry.details["count"] == 2
    assert sorted(entry.details["listed"]["late"]["reports"]) == sorted(
        [scene["late_pending"].pk, scene["late_decided"].pk]
    )
    everything = list(
        csv.DictReader(io.StringIO(client.get("/oversight/export.csv").content.decode()))
    )
    assert {(r["category"], r["ref"]) for r in everything} == {
        ("late", f"R{scene['late_pending'].pk}"), ("late", f"R{scene['late_decided'].pk}"),
        ("late", scene["overdue_case"].number), ("late", scene["astana_overdue"].number),
        ("due_soon", scene["due_case"].number), ("due_soon", f"R{scene['due_report'].pk}"),
        ("review", scene["terminated"].number),
    }  # fmt: skip
    overdue = next(r for r in everything if r["ref"] == scene["overdue_case"].number)
    end = rules.add_months(timezone.localtime(scene["overdue_case"].registered_at).date(), 2)
    assert overdue["due"] == end.isoformat()
    assert overdue["overdue_days"] == str((timezone.localdate() - end).days)


def test_csv_export_does_not_let_a_spreadsheet_run_an_instruction(client, login, scene):
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    services.add_control(
        Actor.person(prosecutor), scene["overdue_case"], instruction="=HYPERLINK(1)"
    )
    login(client, prosecutor)
    rows = list(csv.DictReader(io.StringIO(client.get("/oversight/export.csv").content.decode())))
    cell = next(r["controls"] for r in rows if r["ref"] == scene["overdue_case"].number)
    assert not cell.startswith("=") and "=HYPERLINK(1)" in cell


def test_page_view_audits_the_filters_and_the_page_shown(client, login, make_case):
    from qorgau.audit.models import AuditEntry

    cases = [make_case(article="125-1", registered_at=ago(days=70 + i)) for i in range(55)]
    login(client, make_user("prosecutor_kz", "prosecutor"))
    client.get("/oversight/", {"region": "KZ-79", "late_page": 2})
    entry = AuditEntry.objects.filter(action="oversight.view").latest("pk")
    assert entry.details["filters"] == {"region": "KZ-79"} and entry.region_code == "KZ-79"
    assert entry.details["pages"]["late"] == 2
    assert len(entry.details["listed"]["late"]["cases"]) == 55
    # Page 2 of the most-overdue-first order: the five registered last.
    assert sorted(entry.details["shown"]["late"]["cases"]) == sorted(c.number for c in cases[:5])


def test_filtered_control_page_query_count_does_not_grow_with_the_list(
    client, login, make_case, django_assert_max_num_queries
):
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    for i in range(50):
        case = make_case(article="125-1", registered_at=ago(days=65 + i % 30))
        if i % 5 == 0:
            services.add_control(Actor.person(prosecutor), case, instruction="check")
    for i in range(10):
        report(received=ago(hours=30 + i))
    login(client, prosecutor)
    params = {"region": "KZ-79", "body": "POL-79", "article": "125-1", "kind": "overdue_case",
              "without_control": "on", "late_page": "1"}  # fmt: skip
    # 18 today, whatever the list holds (one of them the header's unread-notifications count).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("oversight:control"), params)
    assert response.status_code == 200
    assert len(page_refs(response, 0)) == 40  # the 50 overdue cases less the 10 with a control


def test_a_control_record_changed_in_the_admin_is_one_entry_without_its_instruction(
    client, login, make_case
):
    """The admin is no service, but its edits of a control are in the trail: one entry per
    save, the changed fields before and after, the instruction named but never copied."""
    case = make_case()
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    control = services.add_control(Actor.person(prosecutor), case, instruction="Допросить Ахметова")
    login(client, make_user("admin_kz", "administrator", is_staff=True, is_superuser=True))
    url = f"/admin/oversight/controlrecord/{control.pk}/change/"
    data = admin_form(client, url)
    data["instruction"] = "Допросить Ахметова и Серикову"
    data["due_on"] = "2099-03-01"
    response = client.post(url, data, REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ControlRecord.objects.get().instruction == "Допросить Ахметова и Серикову"
    entry = AuditEntry.objects.get(action__startswith="control.admin")
    assert entry.action == "control.admin.change"
    assert (entry.before, entry.after) == (
        {"instruction": privacy.REDACTED, "due_on": None},
        {"instruction": privacy.REDACTED, "due_on": "2099-03-01"},
    )
    assert (entry.object_id, entry.username, entry.source) == (
        str(control.pk), "admin_kz", "10.5.5.5")  # fmt: skip
    assert entry.details == {"via": "admin"}
    assert "Ахметов" not in json.dumps([entry.before, entry.after, entry.details, entry.object_repr], ensure_ascii=False)  # fmt: skip

    # A save that changes nothing leaves no entry; a delete leaves one, again without the text.
    response = client.post(url, admin_form(client, url))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action__startswith="control.admin").count() == 1
    response = client.post(f"/admin/oversight/controlrecord/{control.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not ControlRecord.objects.exists()
    deleted = AuditEntry.objects.get(action="control.admin.delete")
    assert deleted.before["instruction"] == privacy.REDACTED
    assert AuditEntry.objects.filter(action__startswith="control.admin").count() == 2
