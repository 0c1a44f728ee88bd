"""The prosecutor's deadline control, checked against items built by hand."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from qorgau.oversight import deadlines, rules, services
from qorgau.oversight.models import ControlKind, DeadlineRule
from qorgau.reference.models import Body, Region
from qorgau.registry import lifecycle
from qorgau.registry import services as registry
from qorgau.registry.errors import RegistryError

from .conftest import make_user

pytestmark = pytest.mark.django_db


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def report(region="KZ-79", received=None, decided=None, decision="no_offence"):
    r = registry.create_report(
        received_at=received, channel="written", region=Region.objects.get(code=region),
        receiving_body=Body.objects.get(code=f"POL-{region[3:]}"), summary="…",
    )  # fmt: skip
    if decided is not None:
        lifecycle.decide(r, decision, at=decided)
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
    lifecycle.transition(scene["terminated"], "terminated", ground="no_corpus_delicti")
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
        case,
        timezone.localdate() + dt.timedelta(days=30),
        authorised_by="oblast prosecutor",
        reason="expertise",
    )
    control = deadlines.control_list(prosecutor)
    assert case.pk not in {i.obj.pk for i in control.late + control.due_soon if i.kind == "case"}


def test_review_result_clears_a_termination_and_a_result_clears_a_late_report(scene):
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    lifecycle.transition(scene["terminated"], "terminated", ground="no_event")
    review = services.add_control(
        prosecutor, case=scene["terminated"], kind=ControlKind.REVIEW, instruction="check"
    )
    assert scene["terminated"].pk in refs(
        deadlines.control_list(prosecutor).review
    )  # no result yet
    services.record_result(prosecutor, review, "lawful")
    assert scene["terminated"].pk not in refs(deadlines.control_list(prosecutor).review)
    note = services.add_control(prosecutor, report=scene["late_decided"], instruction="explain the delay",
                                due_on=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    services.record_result(prosecutor, note, "disciplinary measure")
    assert scene["late_decided"].pk not in {
        i.obj.pk for i in deadlines.control_list(prosecutor).late if i.kind == "report"
    }
    with translation.override("en"), pytest.raises(RegistryError, match="already"):
        services.record_result(prosecutor, note, "rewritten")


def test_rules_are_data_an_administrator_can_change(scene):
    prosecutor = make_user("prosecutor_kz", "prosecutor")
    DeadlineRule.objects.filter(kind="report_decision").update(amount=48)
    control = deadlines.control_list(prosecutor)
    # Both took 30 hours: late under 24, in time under 48; the waiting one is now merely due.
    assert {i.obj.pk for i in control.late if i.kind == "report"} == set()
    assert scene["late_pending"].pk in {i.obj.pk for i in control.due_soon if i.kind == "report"}
    assert all(rule.legal_source for rule in DeadlineRule.objects.all())


def test_prosecutor_page_and_command_show_the_same_list(client, login, scene):
    lifecycle.transition(scene["terminated"], "terminated", ground="no_corpus_delicti")
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


def test_demo_data_gives_the_prosecutor_late_and_overdue_items():
    call_command("load-demo", stdout=io.StringIO())
    control = deadlines.control_list(make_user("prosecutor_kz", "prosecutor"))
    assert any(i.kind == "report" for i in control.late)
    assert any(i.kind == "case" for i in control.late)


def test_a_rule_edit_moves_the_open_cases_and_leaves_closed_ones(make_case):
    from .conftest import local

    open_case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    suspended = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    lifecycle.transition(
        suspended, "suspended", ground="suspect_unknown", at=local(2026, 1, 12, 9, 0)
    )
    closed = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    lifecycle.transition(closed, "sent_to_court", reason="indictment", at=local(2026, 2, 1, 9, 0))
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
    with django_assert_max_num_queries(15):
        response = client.get(reverse("oversight:control"))
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="oversight.view").latest("pk")
    listed = entry.details["listed"]
    assert sorted(listed["late"]["cases"]) == sorted(c.number for c in cases)
    assert sorted(listed["late"]["reports"]) == sorted(r.pk for r in reports)
    assert entry.details["late"] == 70
