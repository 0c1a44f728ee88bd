"""The awareness campaign and staff training: the plan workbook, progress and coverage."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from qorgau.access import policy
from qorgau.campaigns import services, template_workbook
from qorgau.campaigns.models import Activity, Plan
from qorgau.core.importing import ImportRejected
from qorgau.training import services as training

from .conftest import make_user

pytestmark = pytest.mark.django_db


def workbook(activities: list[list], extra_orgs=()) -> bytes:
    """The documented template with the given activity rows."""
    book = load_workbook(io.BytesIO(template_workbook.build()))
    sheet = book["activities"]
    sheet.delete_rows(2, sheet.max_row)
    for row in activities:
        sheet.append(row)
    for org in extra_orgs:
        book["organisations"].append(list(org))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MINISTRY = "Мәдениет және ақпарат министрлігі"
NGO = ("Дағдарыс орталығы", "Кризисный центр", "ngo", "KZ-79")


def row(
    title,
    status="planned",
    due="2026-03-31",
    responsible=MINISTRY,
    regions="KZ-79",
    reach=(1000, 0),
    completed="",
    reason="",
):
    return [title, title + " (ru)", "video", "stalking", "youth", regions, responsible, "", due, status, reason,
            completed, "", 1, 1 if status == "done" else 0, reach[0], reach[1], 0, 0]  # fmt: skip


def test_template_imports_and_shows_correct_progress():
    data = workbook([
        row("A", "done", completed="2026-03-01", reach=(1000, 1500)),
        row("B", "planned", due="2026-02-01"),  # past due: overdue
        row("C", "in_progress", due="2099-01-01", responsible=NGO[0]),
        row("D", "cancelled", reason="no funds", reach=(9999, 0)),
    ], extra_orgs=[NGO])  # fmt: skip
    plan = services.import_plan(data)
    assert plan.activities.count() == 4 and plan.approved_on == dt.date(2026, 1, 30)
    progress = services.progress(
        services.activities_for(policy.OPERATOR, plan), dt.date(2026, 6, 1)
    )
    assert progress["status_counts"] == Counter(
        {"done": 1, "overdue": 1, "in_progress": 1, "cancelled": 1}
    )
    assert (
        progress["totals"]["planned_reach"] == 3000 and progress["totals"]["achieved_reach"] == 1500
    )  # cancelled left out
    by_executor = {org.name_kk: counts for org, counts in progress["by_executor"]}
    assert by_executor[MINISTRY] == Counter({"done": 1, "overdue": 1, "cancelled": 1})
    assert by_executor[NGO[0]] == Counter({"in_progress": 1})
    overdue = dict(progress["overdue"])
    assert [a.title_kk for a in overdue[plan.lead]] == ["B"]


def test_workbook_with_one_bad_row_imports_nothing_and_names_it():
    data = workbook([row("A"), row("B", due="31.03.2026"), row("C", responsible="Unknown body")])
    with pytest.raises(ImportRejected) as info:
        services.import_plan(data)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(3, "activities:due_on"), (4, "activities:responsible")}
    assert not Plan.objects.exists() and not Activity.objects.exists()


def test_not_a_workbook_is_refused_clearly():
    with pytest.raises(ImportRejected):
        services.import_plan(b"not a spreadsheet")
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRejected) as info:
        services.import_plan(out.getvalue())
    assert {e.column for e in info.value.errors} == {"plan", "activities"}


def test_export_reimports_to_the_same_plan():
    plan = services.import_plan(workbook([row("A", "done", completed="2026-03-01"), row("B")]))
    again = services.import_plan(services.export_plan(plan))
    first = [
        (a.title_kk, a.stored_status, a.due_on, a.responsible_id) for a in plan.activities.all()
    ]
    second = [
        (a.title_kk, a.stored_status, a.due_on, a.responsible_id) for a in again.activities.all()
    ]
    assert first == second


def test_demo_progress_matches_an_independent_count():
    call_command("load-demo", stdout=io.StringIO())
    day = dt.date.today()
    activities = list(services.activities_for(policy.OPERATOR))
    assert len(activities) >= 70
    progress = services.progress(activities, day)
    # Counted here without the service: overdue = planned or in progress past the due date.
    expected = Counter()
    for activity in Activity.objects.select_related("responsible"):
        late = activity.stored_status in ("planned", "in_progress") and activity.due_on < day
        expected[(activity.responsible_id, "overdue" if late else activity.stored_status)] += 1
    for org, counts in progress["by_executor"]:
        for status, n in counts.items():
            assert expected[(org.pk, status)] == n
    assert sum(sum(c.values()) for _o, c in progress["by_executor"]) == len(activities)
    kinds = {org.kind for org, _c in progress["by_executor"]}
    assert len(kinds) == 9  # every participant kind of the letter takes part
    reach = sum(a.achieved_reach for a in Activity.objects.exclude(stored_status="cancelled"))
    assert progress["totals"]["achieved_reach"] == reach


def test_training_coverage_matches_an_independent_count():
    from qorgau.training.models import Headcount, Session

    call_command("load-demo", stdout=io.StringIO())
    rows = training.by_region(training.coverage(policy.OPERATOR))
    for total in rows:
        trained = sum(s.total for s in Session.objects.filter(region=total["region"]))
        heads = sum(h.headcount for h in Headcount.objects.filter(region=total["region"]))
        assert total["trained"] == trained and total["headcount"] == heads
        assert total["coverage"] == round(trained / heads, 3)


def test_regional_coordinator_sees_national_and_own_plans_only(client, login):
    call_command("load-demo", stdout=io.StringIO())
    coordinator = make_user("campaign_79", "campaign", "KZ-79")
    visible = {p.region.code if p.region else "KZ" for p in services.plans_for(coordinator)}
    assert visible == {"KZ", "KZ-79"}
    login(client, coordinator)
    turkistan = Plan.objects.get(region__code="KZ-61")
    assert client.get(f"/campaigns/plans/{turkistan.pk}/").status_code == 404
    assert client.get("/campaigns/").status_code == 200


def test_import_page_rejects_a_bad_file_and_names_the_row(client, login):
    login(client, make_user("campaign_kz", "campaign"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = workbook([row("A"), row("B", status="finished")])
    response = client.post("/campaigns/import/", {"file": SimpleUploadedFile("plan.xlsx", bad)})
    assert response.status_code == 400 and "activities:status" in response.content.decode()
    good = workbook([row("A")])
    response = client.post("/campaigns/import/", {"file": SimpleUploadedFile("plan.xlsx", good)})
    assert response.status_code == 302 and Plan.objects.count() == 1


def test_import_plan_command_all_or_nothing(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([row("A"), row("B", due="tomorrow")]))
    with pytest.raises(CommandError) as info:
        call_command("import-plan", str(bad), lang="en")
    assert "row 3" in str(info.value) and "activities:due_on" in str(info.value)
    assert not Plan.objects.exists()
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([row("A"), row("B")]))
    out = io.StringIO()
    call_command("import-plan", str(good), lang="en", stdout=out)
    assert "2 activities" in out.getvalue()


def test_regional_coordinator_imports_only_their_regions_plan():
    coordinator = make_user("campaign_61", "campaign", "KZ-61")
    with pytest.raises(ImportRejected) as info:
        services.import_plan(
            workbook([row("A")]), user=coordinator
        )  # the template's plan is national
    assert [e.column for e in info.value.errors] == ["plan:region"]
    assert not Plan.objects.exists()
