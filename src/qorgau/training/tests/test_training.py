"""Staff training: coverage (trained / latest headcount), the page, the workbook and the
training officer's forms."""

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid, NotAllowed
from qorgau.reference.models import Region
from qorgau.training import services
from qorgau.training.models import Headcount, Session
from tests.fixtures import local, make_user

pytestmark = pytest.mark.django_db
END = dt.date(2026, 6, 30)


@pytest.fixture
def data():
    """Shymkent: police with two headcount dates before the period's end and one after it, a
    prosecutor's office without any headcount. Astana: police with one headcount."""
    shymkent, astana = Region.objects.get(code="KZ-79"), Region.objects.get(code="KZ-71")
    for region, as_of, staff in (
        (shymkent, dt.date(2026, 1, 1), 1000),
        (shymkent, dt.date(2026, 4, 1), 800),  # the latest on or before END
        (shymkent, dt.date(2026, 9, 1), 5000),  # after END: not yet known on END
        (astana, dt.date(2026, 2, 1), 400),
    ):
        Headcount.objects.create(
            body="police", region=region, as_of=as_of, headcount=staff, source="test"
        )
    for region, body, held_on, participants in (
        (shymkent, "police", dt.date(2026, 3, 1), {"investigator": 30, "district inspector": 50}),
        (shymkent, "police", dt.date(2026, 5, 1), {"investigator": 40}),
        (shymkent, "police", dt.date(2026, 8, 1), {"investigator": 99}),  # after END
        (shymkent, "prosecutor", dt.date(2026, 3, 2), {"prosecutor": 25}),  # no headcount
        (astana, "police", dt.date(2026, 4, 10), {"investigator": 60}),
    ):
        Session.objects.create(region=region, body=body, held_on=held_on, participants=participants,
                               topics=["registration", "criminal_norms"], format="in_person")  # fmt: skip
    return {"KZ-79": shymkent, "KZ-71": astana}


def test_coverage_counts_only_bodies_with_a_headcount_against_the_latest_one(data):
    rows = services.coverage(Actor.system("test"), date_to=END)
    by_body = {(r["region"].code, r["body"]): r for r in rows}
    # Worked out by hand from the fixture: Shymkent police 30+50+40 = 120 trained of 800 staff
    # (the 2026-04-01 figure); the prosecutors' 25 have no headcount; Astana 60 of 400.
    assert (by_body["KZ-79", "police"]["trained"], by_body["KZ-79", "police"]["headcount"]) == (
        120,
        800,
    )
    assert by_body["KZ-79", "police"]["as_of"] == dt.date(2026, 4, 1)
    assert by_body["KZ-79", "police"]["coverage"] == 0.15
    assert by_body["KZ-79", "prosecutor"]["headcount"] is None
    assert by_body["KZ-79", "prosecutor"]["coverage"] is None
    regions = {t["region"].code: t for t in services.by_region(rows)}
    assert regions["KZ-79"]["trained"] == 120 and regions["KZ-79"]["headcount"] == 800
    assert regions["KZ-79"]["coverage"] == 0.15 and regions["KZ-79"]["uncounted"] == 25
    assert not regions["KZ-79"]["complete"]
    assert (regions["KZ-71"]["trained"], regions["KZ-71"]["headcount"]) == (60, 400)
    assert regions["KZ-71"]["coverage"] == 0.15 and regions["KZ-71"]["complete"]
    # Later, the September headcount applies and the August session counts.
    later = {t["region"].code: t for t in services.by_region(
        services.coverage(Actor.system("test"), date_to=dt.date(2026, 12, 31))
    )}  # fmt: skip
    assert (later["KZ-79"]["trained"], later["KZ-79"]["headcount"]) == (219, 5000)


def test_regional_user_sees_only_own_regions_coverage(data):
    user = make_user("training_71", "training", "KZ-71")
    assert {r["region"].code for r in services.coverage(user, date_to=END)} == {"KZ-71"}


def test_training_page_shows_labels_and_the_coverage(client, login, data, time_machine):
    time_machine.move_to(local(END.year, END.month, END.day, 12, 0), tick=False)  # noon of END
    login(client, make_user("analyst_kz", "analyst"))
    client.cookies["django_language"] = "ru"
    page = client.get("/training/").content.decode()
    assert "criminal_norms" not in page and ">police<" not in page
    assert "полиция" in page.lower()
    # Attendances per staff member by region, by hand above: 120 / 800 = 0.15, 60 / 400 = 0.15
    # (a ratio, not a percentage of staff: the sessions do not say who attended).
    region_table = page.split('id="coverage-regions"')[1].split("</table>")[0]
    assert (
        '<td class="num">120</td><td class="num">800*</td><td class="num">0,15</td>' in region_table
    )
    assert (
        '<td class="num">60</td><td class="num">400</td><td class="num">0,15</td>' in region_table
    )
    assert "%" not in region_table
    with translation.override("ru"):
        assert str(services.SUMS_NOTE) in page and str(services.ATTENDANCES) in region_table


def test_training_page_lists_the_sessions_of_the_chosen_period(client, login, data):
    login(client, make_user("analyst_kz", "analyst"))
    page = client.get("/training/?date_from=2026-03-02&date_to=2026-05-01").content.decode()
    # The fixture's sessions held from 2 March to 1 May 2026, both days included.
    held = {"2026-03-02", "2026-04-10", "2026-05-01"}
    for day in ("2026-03-01", "2026-03-02", "2026-04-10", "2026-05-01", "2026-08-01"):
        assert (f"<tr><td>{day}</td>" in page) == (day in held), day


def test_coverage_export_matches_the_report(client, login, data):
    login(client, make_user("training_kz", "training"))
    client.cookies["django_language"] = "en"
    response = client.get("/training/export.xlsx?date_to=2026-06-30")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header, *regions = book["regions"].iter_rows(values_only=True)
    assert header[1] == "Attendances (participant-sessions)"
    assert header[3] == "Attendances per staff member"
    rows = {r[0]: r[1:] for r in regions}
    with translation.override("en"):
        shymkent, astana = data["KZ-79"].name, data["KZ-71"].name
    assert rows[shymkent] == (120, 800, 0.15, 25) and rows[astana] == (60, 400, 0.15, 0)
    bodies = list(book["bodies"].iter_rows(values_only=True))
    assert ("police" in {b[1] for b in bodies}) and "criminal_norms" not in str(
        list(book["sessions"].iter_rows(values_only=True))
    )


# --- The training officer's forms -----------------------------------------------------------


def test_training_officer_enters_a_session_and_a_headcount(client, login):
    from qorgau.audit.models import AuditEntry

    officer = make_user("training_79", "training", "KZ-79")
    login(client, officer)
    shymkent = Region.objects.get(code="KZ-79")
    response = client.post("/training/sessions/new/", {
        "held_on": "2026-03-10", "body": "police", "unit": "ПД", "region": shymkent.pk,
        "topics": ["registration", "pretrial"], "format": "online",
        "participants": "investigator: 12\ndistrict inspector : 30\n",
    })  # fmt: skip
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.participants == {"investigator": 12, "district inspector": 30}
    assert session.total == 42 and session.topics == ["registration", "pretrial"]
    response = client.post("/training/headcounts/new/", {
        "body": "police", "region": shymkent.pk, "as_of": "2026-01-01", "headcount": "700",
        "source": "кадр бөлімі",
    })  # fmt: skip
    assert response.status_code == 302
    client.post("/training/headcounts/new/", {
        "body": "police", "region": shymkent.pk, "as_of": "2026-01-01", "headcount": "720",
        "source": "кадр бөлімі (түзетілген)",
    })  # fmt: skip
    assert list(Headcount.objects.values_list("headcount", flat=True)) == [720]  # corrected
    actions = list(
        AuditEntry.objects.filter(user=officer).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["training.session.create", "training.headcount.create",
                       "training.headcount.update"]  # fmt: skip


def test_session_form_keeps_input_and_refuses_another_region(client, login):
    login(client, make_user("training_79", "training", "KZ-79"))
    client.cookies["django_language"] = "en"
    astana = Region.objects.get(code="KZ-71")
    response = client.post("/training/sessions/new/", {
        "held_on": "2026-03-10", "body": "police", "unit": "Unit X", "region": astana.pk,
        "topics": ["registration"], "format": "online", "participants": "investigator: 12",
    })  # fmt: skip
    assert response.status_code == 400 and 'value="Unit X"' in response.content.decode()
    response = client.post("/training/sessions/new/", {
        "held_on": "2026-03-10", "body": "police", "unit": "Unit X",
        "region": Region.objects.get(code="KZ-79").pk, "topics": ["registration"],
        "format": "online", "participants": "investigator: twelve",
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "Line 1" in page and "investigator: twelve" in page
    assert not Session.objects.exists()
    with pytest.raises(NotAllowed):
        services.record_headcount(
            Actor.person(make_user("analyst_kz", "analyst")), body="police", region=astana,
            as_of=dt.date(2026, 1, 1), headcount=5, source="x",
        )  # fmt: skip
    with pytest.raises(Invalid) as refused:  # their own right, another region
        services.record_headcount(
            Actor.person(make_user("training_79b", "training", "KZ-79")), body="police",
            region=astana, as_of=dt.date(2026, 1, 1), headcount=5, source="x",
        )  # fmt: skip
    assert refused.value.field == "region"
    assert not Headcount.objects.exists()
