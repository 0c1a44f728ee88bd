"""International comparability: the breakdown by ICCS category and the UNODC crime trends
survey (UN-CTS) table — from the aggregates, national only, audited, safe in a spreadsheet."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid, NotAllowed
from qorgau.reference import loaders
from qorgau.reference.models import Article, ArticlePart, Law
from qorgau.stats import international, services
from tests.fixtures import local, make_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


@pytest.fixture
def cases_2025(make_case):
    """Three stalking cases and one of coercion into marriage in autumn 2025, two thefts (art.
    188, from the other Criminal Code articles) and one stalking case in 2026."""
    loaders.load_offences(Law, Article, ArticlePart, loaders.CRIMINAL_CODE_PATH)
    for day in (1, 2, 3):
        make_case(article="115-1", registered_at=local(2025, 10, day, 11, 0))
    make_case(region="KZ-71", article="125-1", registered_at=local(2025, 11, 5, 9, 0))
    for day in (6, 7):
        make_case(region="KZ-71", article="188", registered_at=local(2025, 12, day, 9, 0))
    make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))


def test_breakdown_by_iccs_adds_up_the_articles_of_each_category(cases_2025):
    filters = services.Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
    with translation.override("en"):
        rows = services.counts_by(SYSTEM, filters, "iccs")
    assert [(r["key"], r["count"]) for r in rows] == [("0208", 3), ("0502", 2), ("020292", 1)]
    assert rows[0]["label"] == "0208 Acts intended to induce fear or emotional distress"
    # The same total as the breakdown by article: every case counted once, under one code.
    by_article = services.counts_by(SYSTEM, filters, "article")
    assert sum(r["count"] for r in rows) == sum(r["count"] for r in by_article) == 6
    # A regional actor's breakdown holds their region only.
    analyst_79 = Actor.person(make_user("analyst_79", "analyst", "KZ-79"))
    assert [(r["key"], r["count"]) for r in services.counts_by(analyst_79, filters, "iccs")] == [
        ("0208", 3)
    ]


def test_stats_command_breaks_down_by_iccs(cases_2025):
    out = io.StringIO()
    call_command(
        "stats", "--by", "iccs", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json",
        stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue()) == [
        {"iccs": "0208", "count": 3},
        {"iccs": "0502", "count": 2},
        {"iccs": "020292", "count": 1},
    ]


def test_breakdown_by_iccs_reads_the_aggregate_not_the_cases(
    cases_2025, django_assert_max_num_queries
):
    filters = services.Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
    # One query for the aggregate's rows per article, one for those articles' codes (and at
    # most two for the policy's scope): never one per case.
    with django_assert_max_num_queries(4):
        services.counts_by(SYSTEM, filters, "iccs")


def test_un_cts_rows_one_per_iccs_code_in_force_with_zeros_and_the_source(cases_2025):
    analyst = Actor.person(make_user("analyst_national", "analyst"))
    rows = international.cts_rows(analyst, 2025)
    assert list(rows[0]) == international.COLUMNS
    values = {r["iccs_code"]: r["value"] for r in rows}
    assert values["0208"] == 3 and values["020292"] == 1 and values["0502"] == 2
    assert values["0101"] == 0  # murder: in force, no case recorded here
    assert len(rows) == len({a.iccs_code for a in Article.objects.all()})
    stalking = next(r for r in rows if r["iccs_code"] == "0208")
    assert stalking["country"] == "Kazakhstan" and stalking["iso3_code"] == "KAZ"
    assert stalking["year"] == 2025 and stalking["unit_of_measurement"] == "Counts"
    assert stalking["iccs_label"] == "Acts intended to induce fear or emotional distress"
    assert stalking["national_articles"] == "CC RK art. 115-1"
    assert "ICCS 1.0" in stalking["source"] and "not complete" not in stalking["source"]
    # Before the law of 2025 the two new articles were not in force: no row, not a zero.
    codes_2024 = {r["iccs_code"] for r in international.cts_rows(analyst, 2024)}
    assert "0208" not in codes_2024 and "020292" not in codes_2024 and "0502" in codes_2024


def test_un_cts_leaves_demonstration_cases_out(cases_2025, make_case):
    """The file goes to UNODC, which publishes it: demonstration data is never counted."""
    for day in (20, 21, 22):
        make_case(article="115-1", registered_at=local(2025, 10, day, 11, 0), is_demo=True)
    # New Year in Kazakhstan time: 1 January 00:30 Almaty is still 31 December in UTC.
    make_case(article="125-1", registered_at=local(2026, 1, 1, 0, 30))
    analyst = Actor.person(make_user("analyst_national", "analyst"))
    values = {r["iccs_code"]: r["value"] for r in international.cts_rows(analyst, 2025)}
    assert values["0208"] == 3 and values["020292"] == 1
    assert {r["iccs_code"]: r["value"] for r in international.cts_rows(analyst, 2026)}[
        "020292"
    ] == 1


@pytest.mark.time_machine(dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC), tick=False)
def test_un_cts_of_the_current_year_says_it_is_not_complete(cases_2025):
    rows = international.cts_rows(SYSTEM, 2026)
    assert {r["iccs_code"]: r["value"] for r in rows}["0208"] == 1
    assert "Year not complete: cases registered up to 2026-06-30." in rows[0]["source"]


def test_regional_user_cannot_export_un_cts_and_nothing_is_written(cases_2025):
    analyst_79 = Actor.person(make_user("analyst_79", "analyst", "KZ-79"))
    registrar = Actor.person(make_user("registrar_national", "registrar"))
    before = AuditEntry.objects.count()
    for actor in (analyst_79, registrar):
        with pytest.raises(NotAllowed):
            international.export_cts(actor, 2025, "csv")
    assert AuditEntry.objects.count() == before
    with pytest.raises(Invalid):
        international.export_cts(SYSTEM, 1999, "csv")
    with pytest.raises(Invalid):
        international.export_cts(SYSTEM, 2025, "pdf")


def test_un_cts_csv_quotes_formula_like_text_and_xlsx_keeps_numbers():
    row = dict.fromkeys(international.COLUMNS, "x") | {
        "iccs_label": '=HYPERLINK("http://example.org")',
        "source": "@SUM(A1)",
        "value": 12,
        "year": 2025,
    }
    text = international.to_csv([row])
    read = next(iter(csv.DictReader(io.StringIO(text))))
    assert read["iccs_label"].startswith("'=") and read["source"] == "'@SUM(A1)"
    assert read["value"] == "12"
    sheet = load_workbook(io.BytesIO(international.to_xlsx([row])))["UN-CTS"]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["value"] == 12 and values["year"] == 2025
    assert values["iccs_label"] == '=HYPERLINK("http://example.org")'  # text, not a formula
    assert sheet.cell(2, header.index("iccs_label") + 1).data_type == "s"


def test_export_cts_command_writes_the_file_and_one_audit_entry(cases_2025, tmp_path):
    out = tmp_path / "cts.csv"
    before = AuditEntry.objects.count()
    call_command("export-cts", "--year", "2025", "--output", str(out), stdout=io.StringIO())
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["iccs_code"]: r["value"] for r in rows}["0208"] == "3"
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1 and entry.action == "stats.export"
    assert entry.details["table"] == "un-cts" and entry.details["year"] == 2025
    assert entry.details["via"] == "cli" and entry.details["format"] == "csv"
    xlsx = tmp_path / "cts.xlsx"
    call_command(
        "export-cts", "--year", "2025", "--format", "xlsx", "-o", str(xlsx), stdout=io.StringIO()
    )
    assert load_workbook(xlsx)["UN-CTS"]["A2"].value == "Kazakhstan"


def test_un_cts_download_for_a_national_analyst_and_not_for_a_regional_one(
    cases_2025, client, login
):
    login(client, make_user("analyst_web", "analyst"))
    response = client.get("/stats/export/un-cts-2025.csv")
    assert response.status_code == 200
    assert 'filename="qorgau-un-cts-2025.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert {r["iccs_code"]: r["value"] for r in rows}["020292"] == "1"
    assert client.get("/stats/export/un-cts-1999.csv").status_code == 400
    page = client.get("/stats/").content.decode()
    assert "/stats/export/un-cts-" in page
    iccs_table = page.split('id="iccs"')[1].split("</table>")[0]
    assert "020292" in iccs_table  # the dashboard's table by ICCS category, for its filters
    export = client.get("/stats/export/iccs.csv?date_from=2025-01-01&date_to=2025-12-31")
    assert export.status_code == 200 and "\n0208," in export.content.decode()
    login(client, make_user("analyst_web_79", "analyst", "KZ-79"))
    assert client.get("/stats/export/un-cts-2025.csv").status_code == 403
    assert "/stats/export/un-cts-" not in client.get("/stats/").content.decode()
