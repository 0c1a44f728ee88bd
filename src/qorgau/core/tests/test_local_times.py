"""Every date-time a page or a file shows is the database value in Kazakhstan time (Asia/Almaty,
UTC+5), with the Kazakh day.

Records are made at 23:30 and at 00:30 in Kazakhstan: 23:30 is 18:30 UTC the same day, 00:30 is
19:30 UTC of the day before, which is where a page or file that prints UTC shows the wrong day.
Pages print the short Kazakh form (15.03.2026 00:30); files ISO 8601 with the +05:00 offset.
"""

import csv
import datetime as dt
import os
import zoneinfo

import pytest
from django.utils import timezone

from qorgau.audit.models import AuditEntry
from qorgau.oversight.models import ControlRecord
from qorgau.reference.models import Body, Region
from qorgau.registry import services
from tests.fixtures import SYSTEM, make_user

# The trail's time is the database's own clock (db_default=Now()) and PostgreSQL's trail refuses
# UPDATE (append-only trigger), so a test can place an entry at a chosen moment only on SQLite;
# the same rendering code runs on both.
SQLITE_ONLY = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="sets audit entries' times by UPDATE, which PostgreSQL's append-only trail refuses",
)


pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
EVENING = dt.datetime(2026, 3, 14, 23, 30, tzinfo=ALMATY)  # 18:30 UTC, 14 March
NIGHT = dt.datetime(2026, 3, 15, 0, 30, tzinfo=ALMATY)  # 19:30 UTC, 14 March
LATER = dt.datetime(2026, 3, 20, 10, 0, tzinfo=ALMATY)
UTC_HOURS = ("18:30", "19:30")  # what a page or file printing UTC would show


def _csv(response) -> list[dict[str, str]]:
    """The rows of a CSV download (the statistics' leading ``# key: value`` lines aside)."""
    lines = response.getvalue().decode("utf-8-sig").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("# ")))


def _generated(response) -> str:
    """A statistics file's ``# generated:`` time."""
    for line in response.getvalue().decode("utf-8-sig").splitlines():
        if line.startswith("# generated: "):
            return line.removeprefix("# generated: ")
    raise AssertionError("no generated line")


@pytest.fixture
def scene(make_case, time_machine):
    """A case and a report at each moment, a control record on the night case, each written
    with the clock at its moment (the audit trail's time too); then the clock at LATER."""
    region, body = Region.objects.get(code="KZ-79"), Body.objects.get(code="POL-79")
    made = {}
    for name, moment in (("evening", EVENING), ("night", NIGHT)):
        time_machine.move_to(moment, tick=False)
        made[f"{name}_case"] = make_case(registered_at=moment)
        made[f"{name}_report"] = services.create_report(
            SYSTEM, region, received_at=moment, channel="call_102", receiving_body=body,
            summary="…",
        )  # fmt: skip
    made["control"] = ControlRecord.objects.create(case=made["night_case"], instruction="check")
    # The trail's time is the database's clock (db_default=Now()): set it to the moments.
    for name, moment in (("evening", EVENING), ("night", NIGHT)):
        AuditEntry.objects.filter(object_id=str(made[f"{name}_report"].pk)).update(at=moment)
    time_machine.move_to(LATER, tick=False)
    return made


@pytest.fixture
def admin(client, login):
    return login(
        client, make_user("admin_times", "administrator", is_staff=True, is_superuser=True)
    )


def _page(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 200, url
    return response.content.decode()


@SQLITE_ONLY
def test_pages_show_the_kazakh_day_and_hour(client, admin, scene):
    evening, night = scene["evening_case"], scene["night_case"]
    pages = {
        f"/registry/cases/{evening.number}/": ["14.03.2026 23:30"],
        f"/registry/cases/{night.number}/": ["15.03.2026 00:30"],
        "/registry/cases/": ["14.03.2026 23:30", "15.03.2026 00:30"],
        f"/registry/reports/{scene['evening_report'].pk}/": ["14.03.2026 23:30"],
        f"/registry/reports/{scene['night_report'].pk}/": ["15.03.2026 00:30"],
        "/registry/reports/": ["14.03.2026 23:30", "15.03.2026 00:30"],
        # A report is due 24 hours after it came in: the Kazakh day after.
        "/oversight/": ["15.03.2026 23:30", "16.03.2026 00:30"],
        "/audit/?record_type=registry.report": ["14.03.2026 23:30", "15.03.2026 00:30"],
    }
    for url, shown in pages.items():
        html = _page(client, url)
        for text in shown:
            assert text in html, (url, text)
        for hour in UTC_HOURS:
            assert hour not in html, (url, hour)
        assert "+00:00" not in html and "14.03.2026 19:30" not in html, url


@SQLITE_ONLY
def test_files_give_kazakh_time_with_its_offset(client, admin, scene):
    cases = {r["number"]: r for r in _csv(client.get("/registry/cases/export.csv"))}
    assert cases[scene["evening_case"].number]["registered_at"] == "2026-03-14T23:30:00+05:00"
    assert cases[scene["night_case"].number]["registered_at"] == "2026-03-15T00:30:00+05:00"

    control = {r["ref"]: r for r in _csv(client.get("/oversight/export.csv"))}
    assert control[f"R{scene['evening_report'].pk}"]["due"] == "2026-03-15T23:30+05:00"
    assert control[f"R{scene['night_report'].pk}"]["due"] == "2026-03-16T00:30+05:00"

    trail = _csv(client.get("/audit/export.csv?record_type=registry.report"))
    times = {r["at"] for r in trail if r["action"] == "report.create"}
    assert times == {"2026-03-14T23:30:00+05:00", "2026-03-15T00:30:00+05:00"}

    for text in (str(cases), str(control), str(trail)):
        assert "+00:00" not in text and "T19:30" not in text and "T18:30" not in text


@SQLITE_ONLY
def test_statistics_count_a_case_on_its_kazakh_day(client, admin, scene):
    """The night case (19:30 UTC on the 14th) is a case of the 15th; the evening one of the
    14th — in the counts by region and in the series by period."""
    for day in ("2026-03-14", "2026-03-15"):
        response = client.get(f"/stats/export/regions.csv?date_from={day}&date_to={day}")
        counts = {r["region"]: r["count"] for r in _csv(response)}
        assert counts["KZ-79"] == "1", (day, counts)
    assert _generated(response) == LATER.isoformat(timespec="seconds")  # 2026-03-20T10:00:00+05:00
    assert timezone.localdate() == LATER.date()
