"""The awareness campaign and staff training: the plan workbook, progress and coverage."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from qorgau.access import policy
from qorgau.campaigns import services, template_workbook
from qorgau.campaigns.models import Activity, Plan
from qorgau.core.actors import Actor
from qorgau.core.importing import ImportRejected
from tests.fixtures import local, make_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


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
        row("C", "in_progress", due="2026-12-31", responsible=NGO[0]),  # inside the period
        row("D", "cancelled", reason="no funds", reach=(9999, 0)),
    ], extra_orgs=[NGO])  # fmt: skip
    plan = services.import_plan(SYSTEM, data)
    assert plan.activities.count() == 4 and plan.approved_on == dt.date(2026, 1, 30)
    progress = services.progress(services.activities_for(SYSTEM, plan), dt.date(2026, 6, 1))
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


def test_reach_is_reported_by_channel_with_its_unit_and_never_as_people(client, login):
    publication = row("P", "done", completed="2026-03-01", reach=(500, 700))
    publication[2] = "publication"
    lecture = row("L", "done", completed="2026-03-02", reach=(0, 0))
    lecture[2], lecture[17], lecture[18] = "lecture", 40, 35  # participants planned, achieved
    data = workbook([
        row("A", "done", completed="2026-03-01", reach=(1000, 1500)),
        row("B", "done", completed="2026-03-03", reach=(1000, 2500)),
        publication, lecture,
        row("D", "cancelled", reason="no funds", reach=(9999, 0)),
    ])  # fmt: skip
    plan = services.import_plan(SYSTEM, data)
    progress = services.progress(services.activities_for(SYSTEM, plan), dt.date(2026, 6, 1))
    with translation.override("en"):
        channels = {str(label): c for label, c in progress["by_channel"]}
    assert list(channels) == ["publication", "video", "lecture or seminar"]  # choices' order
    assert channels["video"]["activities"] == 2  # the cancelled one left out
    assert channels["video"]["achieved_reach"] == 4000
    assert channels["publication"]["achieved_reach"] == 700
    assert channels["lecture or seminar"]["achieved_participants"] == 35
    for name in ("reach", "participants", "count"):
        assert (
            sum(c[f"achieved_{name}"] for c in channels.values())
            == (progress["totals"][f"achieved_{name}"])
        )
    login(client, make_user("analyst_channels", "analyst"))
    client.cookies["django_language"] = "en"
    html = client.get(f"/campaigns/plans/{plan.pk}/").content.decode()
    assert "Reach by channel" in html and "Attendances at events (participant-sessions)" in html
    assert "not numbers of people" in html and "Reach / views" not in html
    book = load_workbook(io.BytesIO(client.get(f"/campaigns/progress.xlsx?plan={plan.pk}").content))
    header, *rows = book["channels"].iter_rows(values_only=True)
    assert header[:2] == ("Channel", "Activities")
    assert header[4] == "Views or impressions: Planned"
    assert {r[0]: r[5] for r in rows} == {
        "publication": 700,
        "video": 4000,
        "lecture or seminar": 0,
    }


def test_workbook_with_one_bad_row_imports_nothing_and_names_it():
    data = workbook([row("A"), row("B", due="31.03.2026"), row("C", responsible="Unknown body")])
    with pytest.raises(ImportRejected) as info:
        services.import_plan(SYSTEM, data)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(3, "activities:due_on"), (4, "activities:responsible")}
    assert not Plan.objects.exists() and not Activity.objects.exists()


def test_not_a_workbook_is_refused_clearly():
    with pytest.raises(ImportRejected):
        services.import_plan(SYSTEM, b"not a spreadsheet")
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRejected) as info:
        services.import_plan(SYSTEM, out.getvalue())
    assert {e.column for e in info.value.errors} == {"plan", "activities"}


def test_export_reimports_to_the_same_plan():
    plan = services.import_plan(
        SYSTEM, workbook([row("A", "done", completed="2026-03-01"), row("B")])
    )
    exported = services.export_plan(SYSTEM, plan)
    first = [
        (a.title_kk, a.stored_status, a.due_on, a.responsible_id) for a in plan.activities.all()
    ]
    # The same plan is imported once: the round trip goes through an empty system of plans.
    plan.delete()
    again = services.import_plan(SYSTEM, exported)
    second = [
        (a.title_kk, a.stored_status, a.due_on, a.responsible_id) for a in again.activities.all()
    ]
    assert first == second


def test_demo_progress_matches_an_independent_count(demo):
    day = dt.date.today()
    activities = list(services.activities_for(SYSTEM))
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


def test_regional_coordinator_sees_national_and_own_plans_only(client, login, demo):
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
    from qorgau.audit.models import AuditEntry

    entry = AuditEntry.objects.get()  # one entry, naming the command as the system actor
    assert (entry.action, entry.username) == ("plan.import", "system:import-plan")


def test_regional_coordinator_imports_only_their_regions_plan():
    coordinator = make_user("campaign_61", "campaign", "KZ-61")
    with pytest.raises(ImportRejected) as info:
        services.import_plan(
            Actor.person(coordinator), workbook([row("A")])
        )  # the template's plan is national
    assert [e.column for e in info.value.errors] == ["plan:region"]
    assert not Plan.objects.exists()


# --- Re-importing, organisations matched by name ---------------------------------------------


def test_importing_the_same_workbook_twice_is_refused_and_changes_nothing():
    from qorgau.campaigns.models import Organisation

    data = workbook([row("A"), row("B", responsible=NGO[0])], extra_orgs=[NGO])
    services.import_plan(SYSTEM, data)
    counts = (Plan.objects.count(), Activity.objects.count(), Organisation.objects.count())
    assert counts == (1, 2, 2)
    with pytest.raises(ImportRejected) as info:
        services.import_plan(SYSTEM, data)
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "plan:title_kk")]
    assert (Plan.objects.count(), Activity.objects.count(), Organisation.objects.count()) == counts


def test_import_page_refuses_a_second_import_in_the_users_language(client, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, make_user("campaign_kz", "campaign"))
    client.cookies["django_language"] = "ru"
    data = workbook([row("A")])
    services.import_plan(SYSTEM, data)
    response = client.post("/campaigns/import/", {"file": SimpleUploadedFile("p.xlsx", data)})
    page = response.content.decode()
    assert response.status_code == 400 and "plan:title_kk" in page and "row 1" not in page
    assert Plan.objects.count() == 1


def test_organisations_are_reused_by_name_and_executors_do_not_split():
    from qorgau.campaigns.models import Organisation

    services.import_plan(SYSTEM, workbook([row("A", responsible=NGO[0])], extra_orgs=[NGO]))
    assert Organisation.objects.count() == 2
    # A second plan whose sheet names the same bodies with other case and spacing, one of them
    # only by its Russian name.
    book = load_workbook(io.BytesIO(workbook([row("B", responsible="  КРИЗИСНЫЙ   центр ")])))
    book["plan"]["B1"] = "Басқа жоспар"
    book["plan"]["B2"] = "Другой план"
    orgs = book["organisations"]
    orgs["A2"] = "  мәдениет және ақпарат   МИНИСТРЛІГІ"
    orgs.append(["Басқа атау", "кризисный центр", "ngo", "KZ-79"])
    out = io.BytesIO()
    book.save(out)
    services.import_plan(SYSTEM, out.getvalue())
    assert Organisation.objects.count() == 2 and Plan.objects.count() == 2
    progress = services.progress(services.activities_for(SYSTEM), dt.date(2026, 6, 1))
    executors = [org.name_kk for org, _c in progress["by_executor"]]
    assert executors == [NGO[0]]  # both activities under one row
    assert sum(progress["by_executor"][0][1].values()) == 2


# --- Import checks -------------------------------------------------------------------------


def _edited(data: bytes, plan=None, activity=None) -> bytes:
    book = load_workbook(io.BytesIO(data))
    for cell, value in (plan or {}).items():
        book["plan"][cell] = value
    for cell, value in (activity or {}).items():
        book["activities"][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("plan", "activity", "expected"),
    [
        ({}, {"P2": "1²"}, (2, "activities:planned_reach")),  # a superscript is not a digit
        ({}, {"N2": "٣"}, (2, "activities:planned_count")),  # nor an Arabic-Indic digit
        ({"B7": "2026-12-31", "B8": "2026-02-01"}, {}, (8, "plan:period_to")),  # reversed
        ({"B3": "akimat", "B9": ""}, {}, (9, "plan:region")),  # an akimat's plan needs a region
        ({}, {"I2": "2027-01-15"}, (2, "activities:due_on")),  # after the plan's period
        ({}, {"I2": "2026-01-31"}, (2, "activities:due_on")),  # before it
    ],
)
def test_bad_plan_or_activity_cells_are_row_errors(plan, activity, expected):
    data = _edited(workbook([row("A")]), plan, activity)
    with pytest.raises(ImportRejected) as info:
        services.import_plan(SYSTEM, data)
    assert [(e.row, e.column) for e in info.value.errors] == [expected]
    assert not Plan.objects.exists()


def test_an_akimat_plan_with_its_region_imports():
    data = _edited(workbook([row("A")]), {"B3": "akimat", "B9": "KZ-79"})
    assert services.import_plan(SYSTEM, data).region.code == "KZ-79"


# --- The progress page against counts made from the workbook itself -------------------------

MEDIA = ("Республикалық телеарна", "Республиканский телеканал", "media", "")
DAY = dt.date(2026, 6, 1)
DONE_WHEN_ROWS = [
    row("A", "done", completed="2026-03-01", reach=(1000, 1500)),
    row("B", "planned", due="2026-02-10", regions="KZ-79, KZ-71"),  # overdue on DAY
    row("C", "in_progress", due="2026-12-31", responsible=NGO[0]),
    row("D", "cancelled", reason="no funds", responsible=MEDIA[0], regions="", reach=(9999, 0)),
    row("E", "planned", due="2026-09-01", responsible=MEDIA[0], regions="KZ-71", reach=(50, 0)),
    row("F", "done", completed="2026-05-01", responsible=NGO[0], regions="", reach=(200, 300)),
    row("G", "in_progress", due="2026-04-01", responsible=MEDIA[0], regions="KZ-71"),  # overdue
    row("H", "planned", due="2026-07-01", regions="KZ-75"),
]


def expected_from_workbook(data: bytes, day: dt.date) -> dict:
    """Counts made in plain Python from the workbook's own rows, without the service."""
    book = load_workbook(io.BytesIO(data))
    kinds = {r[0]: r[2] for r in book["organisations"].iter_rows(min_row=2, values_only=True)}
    header, *rows = list(book["activities"].iter_rows(values_only=True))
    expected = {"executor": {}, "kind": {}, "region": {}, "overdue": {}, "reach": Counter()}
    for values in rows:
        cells = dict(zip(header, values, strict=False))
        status = cells["status"]
        if status in ("planned", "in_progress") and dt.date.fromisoformat(cells["due_on"]) < day:
            status = "overdue"
            expected["overdue"].setdefault(cells["responsible"], []).append(cells["title_kk"])
        expected["executor"].setdefault(cells["responsible"], Counter())[status] += 1
        expected["kind"].setdefault(kinds[cells["responsible"]], Counter())[status] += 1
        for code in [c.strip() for c in (cells["regions"] or "").split(",") if c.strip()] or ["KZ"]:
            expected["region"].setdefault(code, Counter())[status] += 1
        if status != "cancelled":
            for side in ("planned", "achieved"):
                expected["reach"][side] += int(cells[f"{side}_reach"] or 0)
    return expected


class Tables(__import__("html.parser").parser.HTMLParser):
    """The page's tables by caption: a list of rows, each a list of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self._caption, self._row, self._cell, self._in_caption = (
            {},
            None,
            None,
            None,
            False,
        )
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._in_caption, self._caption = True, ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
            self.tables[self._caption.strip()] = []
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._caption.strip()].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


COLUMNS = ["done", "overdue", "planned", "in_progress", "cancelled"]


def body_rows(table) -> dict:
    return {cells[0]: [int(n) for n in cells[1:]] for cells in table[1:]}


def test_progress_page_matches_counts_computed_from_the_workbook(client, login, time_machine):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from qorgau.campaigns.models import OrganisationKind
    from qorgau.reference.models import Region

    time_machine.move_to(local(DAY.year, DAY.month, DAY.day, 12, 0), tick=False)  # noon of DAY
    data = workbook(DONE_WHEN_ROWS, extra_orgs=[NGO, MEDIA])
    expected = expected_from_workbook(data, DAY)
    login(client, make_user("campaign_kz", "campaign"))
    client.cookies["django_language"] = "en"
    upload = client.post("/campaigns/import/", {"file": SimpleUploadedFile("plan.xlsx", data)})
    assert upload.status_code == 302
    html = client.get("/campaigns/").content.decode()
    tables = Tables(html).tables

    executors = body_rows(tables["By executor"])
    assert executors == {name: [c[s] for s in COLUMNS] for name, c in expected["executor"].items()}
    with translation.override("en"):
        kind_label = {k: str(OrganisationKind(k).label) for k in expected["kind"]}
        region_label = {
            code: Region.objects.get(code=code).name if code != "KZ" else "Whole country"
            for code in expected["region"]
        }
    assert body_rows(tables["By organisation kind"]) == {
        kind_label[k]: [c[s] for s in COLUMNS] for k, c in expected["kind"].items()
    }
    assert body_rows(tables["By region"]) == {
        region_label[code]: [c[s] for s in COLUMNS] for code, c in expected["region"].items()
    }
    reach = {cells[0]: cells[1:] for cells in tables["Reach against plan"][1:]}
    # English groups thousands with a comma (core/formats).
    assert reach["Views or impressions"] == [
        f"{expected['reach']['planned']:,}",
        f"{expected['reach']['achieved']:,}",
    ]
    for name, titles in expected["overdue"].items():
        line = next(
            p
            for p in html.split('<p class="govuk-body">')
            if p.startswith(f"<strong>{name}</strong>")
        )
        assert [t for t in "ABCDEFGH" if f"{t} (" in line] == titles
    # Sanity of the hand-made data: every status and several regions occur.
    assert {s for c in expected["executor"].values() for s in c} == set(COLUMNS)
    assert len(expected["region"]) == 4


def test_progress_export_has_the_pages_numbers(client, login, time_machine):
    time_machine.move_to(local(DAY.year, DAY.month, DAY.day, 12, 0), tick=False)  # noon of DAY
    data = workbook(DONE_WHEN_ROWS, extra_orgs=[NGO, MEDIA])
    expected = expected_from_workbook(data, DAY)
    plan = services.import_plan(SYSTEM, data)
    login(client, make_user("analyst_kz", "analyst"))
    client.cookies["django_language"] = "en"
    response = client.get(f"/campaigns/progress.xlsx?plan={plan.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    book = load_workbook(io.BytesIO(response.content))
    header, *rows = list(book["executors"].iter_rows(values_only=True))
    assert header[:2] == ("Executor", "Kind") and header[-1] == "Total"
    statuses = {"done": "done", "overdue": "overdue", "planned": "planned",
                "in progress": "in_progress", "cancelled": "cancelled"}  # fmt: skip
    found = {
        r[0]: Counter({statuses[h]: n for h, n in zip(header[2:-1], r[2:-1], strict=True) if n})
        for r in rows
    }
    assert found == expected["executor"]
    overdue = {}
    for executor, title, _due, _plan in list(book["overdue"].iter_rows(values_only=True))[1:]:
        overdue.setdefault(executor, []).append(title)
    assert overdue == expected["overdue"]
    reach = {r[0]: r[1:] for r in book["reach"].iter_rows(values_only=True)}
    assert reach["Views or impressions"] == (
        expected["reach"]["planned"],
        expected["reach"]["achieved"],
    )
    assert "not numbers of people" in str(list(book["reach"].iter_rows(values_only=True)))
    regions = {r[0]: r[-1] for r in list(book["regions"].iter_rows(values_only=True))[1:]}
    assert regions["Whole country"] == sum(expected["region"]["KZ"].values())
    assert client.get("/campaigns/progress.xlsx?plan=999999").status_code == 404


# --- Intervention dates for the statistics ---------------------------------------------------


def test_intervention_dates_are_scoped_to_the_users_region():
    national = services.import_plan(SYSTEM, workbook([row("A", "done", completed="2026-03-01")]))
    for code, title, approved in (
        ("KZ-79", "Шымкент", "2026-02-05"),
        ("KZ-71", "Астана", "2026-02-07"),
    ):
        services.import_plan(SYSTEM, _edited(
            workbook([row(f"{title} 1", "done", completed="2026-04-0" + code[-1])]),
            {"B1": title, "B2": title, "B3": "akimat", "B4": approved, "B9": code},
        ))  # fmt: skip
    registrar = make_user("registrar_79", "registrar", "KZ-79")
    dates = {d.isoformat() for d, _label in services.intervention_dates(registrar)}
    assert dates == {"2026-01-30", "2026-03-01", "2026-02-05", "2026-04-09"}
    everyone = {d.isoformat() for d, _label in services.intervention_dates(SYSTEM)}
    assert everyone == dates | {"2026-02-07", "2026-04-01"}
    assert national.approved_on == dt.date(2026, 1, 30)


# --- Coordinators update activities and add evidence ---------------------------------------


@pytest.fixture
def plans():
    """The national plan (from the template) and an akimat's plan of Shymkent and of Astana,
    one activity each."""
    result = {"KZ": services.import_plan(SYSTEM, workbook([row("N")]))}
    for code, title in (("KZ-79", "Шымкент"), ("KZ-71", "Астана")):
        result[code] = services.import_plan(SYSTEM, _edited(
            workbook([row(f"{title} 1")]),
            {"B1": title, "B2": title, "B3": "akimat", "B9": code},
        ))  # fmt: skip
    return {code: plan.activities.get() for code, plan in result.items()}


def test_coordinator_marks_an_activity_done_with_its_achievement(client, login, plans):
    from qorgau.audit.models import AuditEntry

    activity = plans["KZ-79"]
    coordinator = make_user("campaign_79", "campaign", "KZ-79")
    login(client, coordinator)
    assert (
        "activity_update"
        not in client.get(f"/campaigns/activities/{plans['KZ'].pk}/").content.decode()
    )
    response = client.post(f"/campaigns/activities/{activity.pk}/update/", {
        "status": "done", "completed_on": "2026-03-05", "cancel_reason": "",
        "achieved_count": "3", "achieved_reach": "12000", "achieved_participants": "0",
    })  # fmt: skip
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.stored_status, activity.completed_on, activity.achieved_reach) == (
        "done", dt.date(2026, 3, 5), 12000,
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="activity.update")
    assert entry.user == coordinator and entry.region_code == "KZ-79"
    assert entry.before["stored_status"] == "planned" and entry.after["achieved_reach"] == 12000


def test_cancelling_without_a_reason_is_refused_and_the_form_keeps_the_input(client, login, plans):
    activity = plans["KZ"]
    login(client, make_user("campaign_kz", "campaign"))
    client.cookies["django_language"] = "en"
    response = client.post(f"/campaigns/activities/{activity.pk}/update/", {
        "status": "cancelled", "cancel_reason": "  ", "achieved_count": "0",
        "achieved_reach": "777", "achieved_participants": "5",
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "A cancelled activity needs its reason." in page
    assert 'value="777"' in page and '<option value="cancelled" selected>' in page
    activity.refresh_from_db()
    assert activity.stored_status == "planned" and activity.achieved_reach == 0


def test_edits_stay_within_the_coordinators_scope(client, login, plans):
    login(client, make_user("campaign_79", "campaign", "KZ-79"))
    form = {"status": "in_progress", "achieved_count": "0", "achieved_reach": "0",
            "achieved_participants": "0"}  # fmt: skip
    # The national plan: visible, not editable by a region; another region's plan: invisible.
    assert client.get(f"/campaigns/activities/{plans['KZ'].pk}/").status_code == 200
    assert client.post(f"/campaigns/activities/{plans['KZ'].pk}/update/", form).status_code == 403
    assert (
        client.post(f"/campaigns/activities/{plans['KZ-71'].pk}/update/", form).status_code == 404
    )
    assert (
        client.post(
            f"/campaigns/activities/{plans['KZ-71'].pk}/evidence/", {"url": "https://example.kz/a"}
        ).status_code
        == 404
    )
    with pytest.raises(policy.NotAllowed):
        services.update_activity(Actor.person(make_user("analyst_kz", "analyst")), plans["KZ"],
                                 status="done", completed_on=dt.date(2026, 3, 1))  # fmt: skip
    assert {a.stored_status for a in Activity.objects.all()} == {"planned"}


# A well-formed (if empty) PDF: a header and a trailer. The first bytes alone no longer pass.
PDF = (
    b"%PDF-1.4\n% evidence of a round table\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)


def test_evidence_link_and_file_are_added_and_served_only_to_authorised_users(
    client, login, plans, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qorgau.audit.models import AuditEntry
    from qorgau.campaigns.models import Evidence

    settings.VAR_DIR = tmp_path
    activity = plans["KZ-79"]
    login(client, make_user("campaign_79", "campaign", "KZ-79"))
    url = f"/campaigns/activities/{activity.pk}/evidence/"
    assert client.post(url, {"url": "https://example.kz/report", "note": "сайт"}).status_code == 302
    upload = SimpleUploadedFile("Хаттама.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"file": upload}).status_code == 302
    link, file = Evidence.objects.order_by("pk")
    assert link.url == "https://example.kz/report" and file.original_name == "Хаттама.pdf"
    stored = tmp_path / "evidence" / file.file.name
    assert stored.read_bytes() == PDF and "Хаттама" not in file.file.name
    assert AuditEntry.objects.filter(action="evidence.add").count() == 2
    with pytest.raises(ValueError):
        file.file.url  # no public address, ever  # noqa: B018
    page = client.get(f"/campaigns/activities/{activity.pk}/").content.decode()
    assert f"/campaigns/evidence/{file.pk}/file/" in page
    # Served as a download to those who may see the activity ...
    analyst = client_for(login, make_user("analyst_79", "analyst", "KZ-79"))
    response = analyst.get(f"/campaigns/evidence/{file.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    # ... never to another region, to a role without the campaign, or to anyone anonymous.
    other = client_for(login, make_user("campaign_71", "campaign", "KZ-71"))
    assert other.get(f"/campaigns/evidence/{file.pk}/file/").status_code == 404
    registrar = client_for(login, make_user("registrar_79", "registrar", "KZ-79"))
    assert registrar.get(f"/campaigns/evidence/{file.pk}/file/").status_code == 403
    from django.test import Client

    assert Client().get(f"/campaigns/evidence/{file.pk}/file/").status_code == 302


def client_for(login, user):
    from django.test import Client

    return login(Client(), user)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "This file type is not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not match its type"),
        ("big.pdf", PDF + b"x" * 200, "larger than"),
    ],
)
def test_bad_evidence_files_are_refused(client, login, plans, settings, tmp_path, monkeypatch,
                                        name, content, message):  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qorgau.campaigns.models import Evidence

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 100)
    login(client, make_user("campaign_kz", "campaign"))
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/campaigns/activities/{plans['KZ'].pk}/evidence/",
        {"file": SimpleUploadedFile(name, content), "note": "kept note"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and message in page and 'value="kept note"' in page
    assert not Evidence.objects.exists() and not (tmp_path / "evidence").exists()


# --- The import's contract: rows through forms, the policy, one entry ------------------------


def test_cell_errors_and_rule_errors_of_one_row_are_listed_together():
    from django.utils import translation

    bad = row("A", "done", due="tomorrow", regions="KZ-79, KZ-00", reach=("many", 0))
    with pytest.raises(ImportRejected) as info, translation.override("en"):
        services.import_plan(SYSTEM, workbook([row("B"), bad]))
    found = {(e.row, e.column, e.value, e.reason) for e in info.value.errors}
    assert found == {
        (3, "activities:regions", "KZ-00", "unknown region code (expected e.g. KZ-79)"),
        (3, "activities:due_on", "tomorrow", "expected a date as YYYY-MM-DD"),
        (3, "activities:completed_on", "", "a done activity needs its completion date"),
        (3, "activities:planned_reach", "many", "expected a whole number (0 or more)"),
    }
    assert not Plan.objects.exists()


def test_an_identifying_cancel_reason_is_a_row_error_not_a_crash():
    bad = row("A", "cancelled", reason="позвонить +7 701 123 45 67")
    with pytest.raises(ImportRejected) as info:
        services.import_plan(SYSTEM, workbook([bad]))
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "activities:cancel_reason")]
    assert not Plan.objects.exists() and not Activity.objects.exists()


def test_an_import_writes_one_entry_naming_its_actor():
    from qorgau.audit.models import AuditEntry

    plan = services.import_plan(Actor.system("import-plan"), workbook([row("A"), row("B")]))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.username) == (
        "plan.import", str(plan.pk), "system:import-plan",
    )  # fmt: skip
    assert entry.details == {"activities": 2, "organisations_created": 1}


def test_a_user_without_the_campaign_right_imports_nothing():
    from qorgau.audit.models import AuditEntry

    with pytest.raises(policy.NotAllowed):
        services.import_plan(Actor.person(make_user("analyst_kz", "analyst")), workbook([row("A")]))
    assert not Plan.objects.exists() and not AuditEntry.objects.exists()


def test_plans_for_statistics_are_national_and_own_region_narrowed_by_region_and_day():
    services.import_plan(SYSTEM, workbook([row("A")]))  # national, approved 2026-01-30
    for code, title, approved in (
        ("KZ-79", "Шымкент", "2026-02-05"),
        ("KZ-71", "Астана", "2026-02-07"),
    ):
        services.import_plan(SYSTEM, _edited(
            workbook([row(f"{title} 1")]),
            {"B1": title, "B2": title, "B3": "akimat", "B4": approved, "B9": code},
        ))  # fmt: skip

    def regions(plans):
        return sorted(p.region.code if p.region else "KZ" for p in plans)

    registrar = make_user("registrar_79", "registrar", "KZ-79")
    assert regions(services.plans_for_statistics(registrar)) == ["KZ", "KZ-79"]
    assert regions(services.plans_for_statistics(SYSTEM)) == ["KZ", "KZ-71", "KZ-79"]
    assert regions(services.plans_for_statistics(SYSTEM, regions=["KZ-71"])) == ["KZ", "KZ-71"]
    day = dt.date(2026, 2, 6)
    assert regions(services.plans_for_statistics(SYSTEM, approved_by=day)) == ["KZ", "KZ-79"]
    coordinator = make_user("campaign_79", "campaign", "KZ-79")  # no statistics right
    assert not services.plans_for_statistics(coordinator).exists()


def test_the_template_plan_is_approved_on_the_default_campaign_date():
    from qorgau.campaigns.models import DEFAULT_CAMPAIGN_DATE

    assert services.import_plan(SYSTEM, workbook([row("A")])).approved_on == DEFAULT_CAMPAIGN_DATE
