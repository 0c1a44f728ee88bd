"""Dates are Kazakhstan's (Asia/Almaty, UTC+5), checked under a frozen clock (time-machine) on
New Year's night, when the UTC date and year are still the old ones: a case keeps the Kazakh
date on its page, in the list and in the export, is numbered in the Kazakh year, and a case
registered from a report at that moment is offered the Kazakh time."""

import csv
import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.utils import timezone

from qorgau.audit.models import AuditEntry
from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import services
from qorgau.registry.models import Case
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
# 00:45 on 1 January 2026 in Kazakhstan; 19:45 on 31 December 2025 in UTC.
NEW_YEAR_NIGHT = dt.datetime(2026, 1, 1, 0, 45, tzinfo=ALMATY)


@pytest.mark.time_machine(NEW_YEAR_NIGHT, tick=False)
def test_a_case_shows_and_exports_the_kazakh_date_and_takes_the_kazakh_year(
    client, login, make_case
):
    assert timezone.now().date() == dt.date(2025, 12, 31)  # UTC
    assert timezone.localdate() == dt.date(2026, 1, 1)  # Kazakhstan
    evening = make_case(registered_at=local(2025, 12, 31, 23, 30))  # 18:30 UTC
    night = make_case(registered_at=local(2026, 1, 1, 0, 30))  # 19:30 UTC, 31 December
    assert (evening.number, night.number) == ("2025-79-000001", "2026-79-000001")
    login(client, make_user("registrar_79", "registrar", "KZ-79"))
    for case, shown in ((evening, "31.12.2025 23:30"), (night, "01.01.2026 00:30")):
        assert shown in client.get(f"/registry/cases/{case.number}/").content.decode()
    listing = client.get("/registry/cases/").content.decode()
    assert "31.12.2025 23:30" in listing and "01.01.2026 00:30" in listing
    export = client.get("/registry/cases/export.csv")
    assert 'filename="qorgau-cases-20260101-0045.csv"' in export["Content-Disposition"]
    rows = {r["number"]: r for r in csv.DictReader(io.StringIO(export.getvalue().decode()))}
    assert rows[evening.number]["registered_at"] == "2025-12-31T23:30:00+05:00"
    assert rows[night.number]["registered_at"] == "2026-01-01T00:30:00+05:00"


@pytest.mark.time_machine(NEW_YEAR_NIGHT, tick=False)
def test_a_case_registered_from_a_report_now_is_of_the_new_kazakh_year(client, login):
    region = Region.objects.get(code="KZ-79")
    report = services.create_report(
        SYSTEM, region, received_at=local(2026, 1, 1, 0, 10), channel="written",
        receiving_body=Body.objects.get(code="POL-79"), summary="…",
    )  # fmt: skip
    login(client, make_user("registrar_79", "registrar", "KZ-79"))
    form = client.get(f"/registry/reports/{report.pk}/register/").content.decode()
    offered = re.search(r'name="registered_at"[^>]*value="([^"]+)"', form).group(1)
    assert offered.replace("T", " ").startswith("2026-01-01 00:45")  # now, in Kazakh time
    response = client.post(
        f"/registry/reports/{report.pk}/register/",
        {
            "article_part": ArticlePart.objects.get(article__code="115-1", number=1).pk,
            "registered_at": offered,
            "investigating_body": Body.objects.get(code="POL-79").pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.number == "2026-79-000001" and case.registered_at == NEW_YEAR_NIGHT
    assert "01.01.2026 00:45" in client.get(response["Location"]).content.decode()


def test_a_reports_page_and_its_trail_name_it_by_the_kazakh_time(client, login):
    """A report received at 07:53 UTC is the report of 12:53 in Kazakhstan: on its page, in the
    list and in the audit trail's record name (the page used to print the UTC hour)."""
    region = Region.objects.get(code="KZ-79")
    received = dt.datetime(2026, 12, 1, 7, 53, tzinfo=dt.UTC)
    report = services.create_report(
        SYSTEM, region, received_at=received, channel="written",
        receiving_body=Body.objects.get(code="POL-79"), summary="…",
    )  # fmt: skip
    assert "2026-12-01 12:53" in str(report)
    assert "07:53" not in str(report)
    login(client, make_user("registrar_79", "registrar", "KZ-79"))
    page = client.get(f"/registry/reports/{report.pk}/").content.decode()
    assert "01.12.2026 12:53" in page and "07:53" not in page
    listing = client.get("/registry/reports/").content.decode()
    assert "01.12.2026 12:53" in listing
    from_trail = AuditEntry.objects.filter(action="report.create").get()
    assert "12:53" in from_trail.object_repr and "07:53" not in from_trail.object_repr
