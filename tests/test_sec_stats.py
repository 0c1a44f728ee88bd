"""Statistics disclosure: a regional user learns nothing that depends on another region's own
figures; people are not described one case at a time to users without case access; bad
filters are form errors, not server errors."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qorgau.access import policy
from qorgau.reference.models import Article, Body, PopulationFigure, Region
from qorgau.registry.models import Case, Party, Report
from qorgau.registry.services import PartyData, add_party, create_report
from qorgau.stats import services, tables

from .conftest import local, make_user

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 30, 12, 0))


@pytest.fixture
def frozen(monkeypatch):
    """One moment for every request: the exports write their time of generation."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _complete_population():
    """Figures for the two regions the reference data lacks (illustrative numbers), so that a
    national rate over all twenty regions exists and the funnel is drawn for regional users."""
    for code, people in (("KZ-11", 790000), ("KZ-33", 700000)):
        PopulationFigure.objects.create(
            region=Region.objects.get(code=code), reference_date=dt.date(2026, 1, 1),
            population=people, precision="exact", source="test",
        )  # fmt: skip


def _seed():
    call_command("load-seed", stdout=io.StringIO())


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def _page(client, params) -> tuple[int, bytes]:
    response = client.get("/stats/", params)
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
    return response.status_code, re.sub(rb'nonce="[^"]*"', b"", body)


def _export(client, name, fmt, params) -> tuple[int, object]:
    response = client.get(f"/stats/export/{name}.{fmt}", params)
    if fmt == "xlsx" and response.status_code == 200:
        # Every part of the workbook byte for byte, except the timestamps the XLSX writer
        # stamps on the package (docProps/core.xml: created/modified).
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            parts = {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}
        return response.status_code, parts
    return response.status_code, response.content


def _command(username, by, params) -> str:
    """``qorgau stats --as-user`` with the dashboard's filters (those it takes)."""
    args = ["stats", "--as-user", username, "--by", by, "--format", "json", "--include-zero"]
    for key, option in (("articles", "--article"), ("regions", "--region"),
                        ("date_from", "--from"), ("date_to", "--to")):  # fmt: skip
        if key in params:
            args += [option, params[key]]
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError as exc:
        return f"error: {exc}"
    return out.getvalue()


def _everything(client, user, queries) -> dict:
    """The dashboard and every export for each query, and the command for each breakdown."""
    client.force_login(user)
    seen = {}
    for by in ("region", "day", "month", "article", "status", "victim_sex", "victim_age_band",
               "relationship", "termination_ground", "report_region", "report_channel"):  # fmt: skip
        for i, params in enumerate(queries):
            seen[("command", by, i)] = _command(user.username, by, params)
    for i, params in enumerate(queries):
        seen[("page", i)] = _page(client, params)
        for name in tables.TABLES:
            for fmt in ("csv", "xlsx"):
                seen[(name, fmt, i)] = _export(client, name, fmt, params)
    return seen


def _move_other_regions_data(day_case: Case) -> None:
    """Change other regions' data, keeping every national total equal: a KZ-75 case moves to
    Akmola (same article, same moment), a report too; the parties and statuses of Astana's cases
    are rewritten."""
    akmola = Region.objects.get(code="KZ-11")
    Case.objects.filter(pk=day_case.pk).update(
        region=akmola, investigating_body=Body.objects.filter(region=akmola).first()
    )
    Report.objects.filter(region__code="KZ-75").update(
        region=akmola, receiving_body=Body.objects.filter(region=akmola).first()
    )
    astana = Party.objects.filter(case__region__code="KZ-71")
    assert astana.exists()
    astana.filter(role="victim").update(sex="M", age_band="65+")
    astana.filter(role="suspect").update(relationship="colleague", sex="F")
    Case.objects.filter(region__code="KZ-71").update(status="terminated")


def test_regional_users_statistics_do_not_change_when_only_other_regions_data_change(
    client, frozen
):
    """An attacker in Shymkent (a registrar, and a regional analyst) fetches the dashboard with
    several filters — another region's code, one-day periods — and every export in both formats.
    Other regions' data then change in ways that keep the national totals: every answer must be
    the same byte for byte."""
    _seed()
    _complete_population()
    bands, kinds = ["18-24", "25-34", "35-44", "45-54"], ["spouse", "former_partner", "relative"]
    for i, case in enumerate(Case.objects.filter(region__code__in=("KZ-79", "KZ-71", "KZ-75"))):
        Party.objects.create(case=case, role="victim", sex="FM"[i % 5 == 0], age_band=bands[i % 4])
        Party.objects.create(case=case, role="suspect", sex="M", relationship=kinds[i % 3])
    moved = (
        Case.objects.filter(
            region__code="KZ-75",
            article_part__article__code="115-1",
            registered_at__gte=local(2026, 1, 1, 0, 0),  # population figures are of 2026-01-01
        )
        .order_by("registered_at")
        .first()
    )
    day = timezone.localtime(moved.registered_at).date().isoformat()
    almaty = Region.objects.get(code="KZ-75")
    create_report(
        received_at=moved.registered_at, channel="call_102", region=almaty,
        receiving_body=Body.objects.filter(region=almaty).first(), summary="Report (test).",
        suggested_article=Article.objects.get(code="115-1"),
    )  # fmt: skip
    queries = [
        {},
        {"articles": "115-1", "date_from": "2026-01-01", "date_to": "2026-06-30"},
        {"articles": "115-1", "date_from": day, "date_to": day},
        {"regions": "KZ-75", "articles": "115-1", "date_from": day, "date_to": day},
        {"regions": "KZ-75", "articles": "115-1", "date_from": "2026-02-01",
         "date_to": "2026-02-28"},
        {"regions": "KZ-79", "date_from": day, "date_to": day, "period": "month"},
    ]  # fmt: skip
    attackers = [
        make_user("registrar_shymkent", "registrar", "KZ-79"),
        make_user("analyst_shymkent", "analyst", "KZ-79"),
    ]
    before = {}
    for user in attackers:
        before[user.username] = _everything(client, user, queries)
    # Not a vacuous comparison: the national rate and the funnel are drawn for them.
    status, page = before["registrar_shymkent"][("page", 1)]
    assert status == 200 and b'id="funnel-table"' in page
    assert before["registrar_shymkent"][("funnel", "csv", 1)][1].count(b"\nKZ-79,") == 1

    _move_other_regions_data(moved)

    for user in attackers:
        after = _everything(client, user, queries)
        for key, answer in before[user.username].items():
            assert after[key] == answer, (user.username, key)


def test_regional_user_cannot_derive_other_region_count_from_the_national_rate(client):
    """The reviewer's leak: a region filter made the "national" rate that region's rate, so rate
    × population gave its count. The national rate is over all twenty regions whatever the
    filter, and a region outside the scope is a form error."""
    _seed()
    _complete_population()
    registrar = make_user("registrar_shymkent", "registrar", "KZ-79")
    period = {
        "articles": ("115-1",),
        "date_from": dt.date(2026, 1, 1),
        "date_to": dt.date(2026, 6, 30),
    }
    almaty = services.Filters(regions=("KZ-75",), **period)
    result = services.funnel(registrar, almaty)
    population = services.population_on(almaty.end)
    everyone = sum(f.population for f in population.values())
    national_count = services.cases(policy.OPERATOR, services.Filters(**period)).count()
    almaty_count = services.cases(policy.OPERATOR, almaty).count()
    assert almaty_count != national_count
    assert result.national_rate * everyone / 1e5 == pytest.approx(national_count)
    assert result.points == []  # Almaty is not theirs: no point, no expected count
    assert (
        result.national_rate == services.funnel(registrar, services.Filters(**period)).national_rate
    )

    _en(client).force_login(registrar)
    response = client.get(
        "/stats/",
        {"regions": "KZ-75", "articles": "115-1", "date_from": "2026-02-01",
         "date_to": "2026-02-28"},
    )  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 400
    assert "Region outside your scope: KZ-75" in text and "National rate" not in text
    response = client.get("/stats/export/funnel.csv", {"regions": "KZ-75"})
    assert response.status_code == 400 and b"KZ-75" in response.content
    with pytest.raises(CommandError, match="Region outside your scope: KZ-75"):
        call_command("stats", "--as-user", "registrar_shymkent", "--region", "KZ-75",
                     "--lang", "en", stdout=io.StringIO())  # fmt: skip


def test_regional_user_gets_no_national_rate_over_part_of_the_country():
    """Without a population figure for Akmola and Jetisu a rate over the other eighteen regions
    would move when a case moves to Akmola: a regional user gets none (a national user still
    compares the regions with a figure)."""
    _seed()
    filters = services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    registrar = make_user("registrar_shymkent", "registrar", "KZ-79")
    from django.utils import translation

    with translation.override("en"):
        mine = services.funnel(registrar, filters)
    assert mine.national_rate is None and mine.points == []
    assert "Akmola" in mine.withheld and "Jetisu" in mine.withheld
    assert services.funnel(policy.OPERATOR, filters).national_rate is not None


def test_regional_user_gets_no_national_rate_when_the_rest_of_the_country_has_few_cases(
    make_case,
):
    """A national rate that stands on one to three cases elsewhere would publish that small
    count to the regional user: it is withheld."""
    _complete_population()
    make_case(region="KZ-79", registered_at=local(2026, 3, 3, 9, 0))
    make_case(region="KZ-75", registered_at=local(2026, 3, 3, 10, 0))
    registrar = make_user("registrar_shymkent", "registrar", "KZ-79")
    day = services.Filters(("115-1",), dt.date(2026, 3, 3), dt.date(2026, 3, 3))
    result = services.funnel(registrar, day)
    assert result.national_rate is None and result.withheld
    for hour in range(11, 14):
        make_case(region="KZ-71", registered_at=local(2026, 3, 3, hour, 0))
    assert services.funnel(registrar, day).national_rate is not None  # 4 elsewhere: shown


def _one_case_day(make_case):
    case = make_case(region="KZ-75", registered_at=local(2026, 1, 9, 10, 0))
    add_party(case, PartyData("victim", sex="F", age_band="35-44"))
    add_party(case, PartyData("suspect", sex="M", age_band="35-44", relationship="former_partner"))
    return {"regions": "KZ-75", "articles": "115-1", "date_from": "2026-01-09",
            "date_to": "2026-01-09"}  # fmt: skip


def test_analyst_cannot_read_one_cases_victim_attributes_through_a_one_day_filter(
    client, make_case
):
    params = _one_case_day(make_case)
    analyst = make_user("analyst_kz", "analyst")
    _en(client).force_login(analyst)
    for name in ("victim_age_band", "victim_sex", "relationship"):
        text = client.get(f"/stats/export/{name}.csv", params).content.decode()
        rows = text.splitlines()[text.splitlines().index(f"{name},label,count") + 1 :]
        assert rows == [",Not shown: fewer than 4 cases stand behind this table.,"], (name, rows)
    page = client.get("/stats/", params).content.decode()
    table = page[page.index('id="breakdown-victim_age_band"') :]
    table = table[: table.index("</table>")]
    assert "35–44" not in table and "Not shown: fewer than 4 cases" in page
    with pytest.raises(CommandError, match="fewer than 4 cases"):
        call_command("stats", "--as-user", "analyst_kz", "--by", "victim_age_band",
                     "--from", "2026-01-09", "--to", "2026-01-09", "--lang", "en",
                     stdout=io.StringIO())  # fmt: skip
    # Who may see the case itself sees the true figure.
    registrar = make_user("registrar_almaty", "registrar", "KZ-75")
    client.force_login(registrar)
    text = client.get("/stats/export/victim_age_band.csv", params).content.decode()
    assert "35-44,35–44,1" in text


def test_analyst_sees_small_cells_of_people_coarsened_and_not_derivable(make_case):
    for hour in range(8, 14):
        case = make_case(region="KZ-75", registered_at=local(2026, 1, 9, hour, 0))
        add_party(case, PartyData("victim", sex="F", age_band="35-44" if hour == 8 else "25-34"))
    analyst = make_user("analyst_kz", "analyst")
    filters = services.Filters(("115-1",), dt.date(2026, 1, 9), dt.date(2026, 1, 9))
    rows = {
        r["key"]: r["count"] for r in services.breakdown(analyst, filters, "victim_age_band").rows
    }
    # 35–44 is one case: "<4"; 25–34 hidden too, else 6 − 5 would give it away.
    assert rows == {"25-34": "*", "35-44": "<4"}
    assert services.breakdown(analyst, filters, "victim_sex").rows[0]["count"] == 6


def test_a_cell_of_many_people_behind_one_case_is_hidden_with_another():
    # Five suspects in one case (counts above the threshold, yet one case): hidden, and a second
    # cell with it so that the total cannot give it away.
    assert services.suppress([5, 10, 7], 3, {0}) == ["*", "10", "*"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "2026-03-01", "date_to": "2026-01-01"},
        {"date_from": "99999999"},
        {"date_to": "2026-02-30"},
        {"intervention": "0001-01-01"},
        {"intervention": "9999-12-31"},
        {"articles": "999-9"},
        {"period": "decade"},
    ],
)
def test_impossible_statistics_filters_are_form_errors_not_server_errors(client, params):
    client.raise_request_exception = False
    _en(client).force_login(make_user("analyst_kz", "analyst"))
    response = client.get("/stats/", params)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert "No figures are shown" in response.content.decode()
    export = client.get("/stats/export/series.csv", params)
    assert export.status_code == 400 and export.content.strip()
    client.cookies["django_language"] = "ru"
    assert client.get("/stats/", params).status_code == 400


def test_dates_out_of_range_are_explained_in_the_users_language(client):
    _en(client).force_login(make_user("analyst_kz", "analyst"))
    text = client.get("/stats/", {"date_from": "0001-01-01"}).content.decode()
    assert "Dates must lie between 2000-01-01 and" in text
    text = client.get("/stats/", {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert "The period ends before it begins." in text.content.decode()
    with pytest.raises(CommandError, match="Dates must lie between"):
        call_command("stats", "--from", "0001-01-01", "--lang", "en", stdout=io.StringIO())
