"""Statistics disclosure: a regional user learns nothing that depends on another region's own
figures; people are not described one case at a time to users without case access; bad
filters are form errors, not server errors."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qorgau.core.actors import Actor
from qorgau.reference import population
from qorgau.reference.models import Article, Body, PopulationFigure, Region
from qorgau.registry.models import Case, Party, Report
from qorgau.registry.services import ImportedStatus, PartyData, add_party, create_report
from qorgau.stats import disclosure, rates, services, tables
from tests.fixtures import local, make_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")  # the statistics as the system sees them: every region

NOW = timezone.make_aware(dt.datetime(2026, 6, 30, 12, 0))


@pytest.fixture
def frozen(time_machine):
    """One moment for every request: the exports write their time of generation."""
    time_machine.move_to(NOW, tick=False)


def _complete_population():
    """Figures for the two regions the reference data lacks (illustrative numbers), so that a
    national rate over all twenty regions exists and the funnel is drawn for regional users."""
    for code, people in (("KZ-11", 790000), ("KZ-33", 700000)):
        PopulationFigure.objects.create(
            region=Region.objects.get(code=code), reference_date=dt.date(2026, 1, 1),
            population=people, precision="exact", source="test",
        )  # fmt: skip


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
    client, frozen, seed
):
    """An attacker in Shymkent (a registrar, and a regional analyst) fetches the dashboard with
    several filters — another region's code, one-day periods — and every export in both formats.
    Other regions' data then change in ways that keep the national totals: every answer must be
    the same byte for byte."""
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
        SYSTEM, almaty, received_at=moved.registered_at, channel="call_102",
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


def test_regional_user_cannot_derive_other_region_count_from_the_national_rate(client, seed):
    """The reviewer's leak: a region filter made the "national" rate that region's rate, so rate
    × population gave its count. The national rate is over all twenty regions whatever the
    filter, and a region outside the scope is a form error."""
    _complete_population()
    registrar = make_user("registrar_shymkent", "registrar", "KZ-79")
    period = {
        "articles": ("115-1",),
        "date_from": dt.date(2026, 1, 1),
        "date_to": dt.date(2026, 6, 30),
    }
    almaty = services.Filters(regions=("KZ-75",), **period)
    result = services.funnel(registrar, almaty)
    start, end = services.rate_period(almaty)
    figures = population.for_period(start, end)
    # People × years: the national rate is annualised (docs/stats.md).
    everyone = sum(f.population for f in figures.values()) * rates.person_years(start, end)
    national_count = services.cases(SYSTEM, services.Filters(**period)).count()
    almaty_count = services.cases(SYSTEM, almaty).count()
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


def test_regional_user_gets_no_national_rate_over_part_of_the_country(seed):
    """Without a population figure for Akmola and Jetisu a rate over the other eighteen regions
    would move when a case moves to Akmola: a regional user gets none (a national user still
    compares the regions with a figure)."""
    filters = services.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    registrar = make_user("registrar_shymkent", "registrar", "KZ-79")
    from django.utils import translation

    with translation.override("en"):
        mine = services.funnel(registrar, filters)
    assert mine.national_rate is None and mine.points == []
    assert "Akmola" in mine.withheld and "Jetisu" in mine.withheld
    assert services.funnel(SYSTEM, filters).national_rate is not None


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
    add_party(SYSTEM, case, PartyData("victim", sex="F", age_band="35-44"))
    add_party(
        SYSTEM, case, PartyData("suspect", sex="M", age_band="35-44", relationship="former_partner")
    )
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
        add_party(
            SYSTEM, case, PartyData("victim", sex="F", age_band="35-44" if hour == 8 else "25-34")
        )
    analyst = make_user("analyst_kz", "analyst")
    filters = services.Filters(("115-1",), dt.date(2026, 1, 9), dt.date(2026, 1, 9))
    rows = {
        r["key"]: r["count"] for r in services.breakdown(analyst, filters, "victim_age_band").rows
    }
    # 35–44 is one case: "<4"; 25–34 hidden too, else 6 − 5 would give it away. Every other
    # band is listed, its zero shown as "<4" like a small count (rows used to be left out).
    assert rows == {**dict.fromkeys(services.breakdown_labels("victim_age_band"), "<4"),
                    "25-34": "*", "35-44": "<4"}  # fmt: skip
    assert services.breakdown(analyst, filters, "victim_sex").rows[0]["count"] == 6


def test_a_cell_of_many_people_behind_one_case_is_hidden_with_another():
    # Five suspects in one case (counts above the threshold, yet one case): hidden, and a second
    # cell with it so that the total cannot give it away.
    assert disclosure.suppress([5, 10, 7], 3, {0}) == ["*", "10", "*"]


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
    assert 'class="govuk-error-summary' in response.content.decode()
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


# --- Differencing: breakdowns of people are counted over whole quarters ------------------

PEOPLE = ("victim_sex", "victim_age_band", "relationship", "termination_ground", "status")
REVIEWERS_PAIR = [
    {"regions": "KZ-75", "articles": "115-1", "date_from": "2025-11-09", "date_to": "2026-01-02"},
    {"regions": "KZ-75", "articles": "115-1", "date_from": "2025-11-09", "date_to": "2026-01-09"},
]


def _reviewers_data(make_case):
    """Six cases in Almaty between the two "to" dates' reach, and on 2026-01-09 the one case
    the reviewer singled out: a victim of 35–44, sent to court."""
    for i in range(6):
        case = make_case(region="KZ-75", registered_at=local(2025, 11, 10 + 3 * i, 10, 0))
        add_party(SYSTEM, case, PartyData("victim", sex="F", age_band=("25-34", "18-24")[i % 2]))
        add_party(SYSTEM, case, PartyData("suspect", sex="M", relationship="spouse"))
    case = make_case(
        region="KZ-75", registered_at=local(2026, 1, 9, 10, 0),
        imported=ImportedStatus("sent_to_court", at=local(2026, 1, 9, 11, 0)),
    )  # fmt: skip
    add_party(SYSTEM, case, PartyData("victim", sex="F", age_band="35-44"))
    add_party(SYSTEM, case, PartyData("suspect", sex="M", relationship="former_partner"))


def _without_request_echo(content: bytes) -> bytes:
    """A CSV export without the lines that repeat the period asked (``# from``, ``# to``)."""
    return b"\n".join(
        line for line in content.split(b"\n") if not line.startswith((b"# from:", b"# to:"))
    )


def _breakdown_section(page: bytes) -> bytes:
    """The dashboard's breakdowns of cases: their tables and notes, without the download links
    (which repeat the query)."""
    section = page[page.index(b'aria-labelledby="h-break"') :]
    section = section[: section.index(b"</section>")]
    return re.sub(rb'href="[^"]*"', b"", section)


def _analysts_view(client, user, params) -> dict:
    """Everything that shows a breakdown of people, for one query."""
    client.force_login(user)
    seen = {"page": _breakdown_section(_page(client, params)[1])}
    for name in PEOPLE:
        seen[(name, "csv")] = _without_request_echo(_export(client, name, "csv", params)[1])
        xlsx = _export(client, name, "xlsx", params)[1]
        seen[(name, "xlsx")] = xlsx["xl/worksheets/sheet1.xml"]
        seen[(name, "command")] = _command(user.username, name, params)
    return seen


def test_analyst_learns_nothing_from_the_reviewers_two_overlapping_periods(
    client, make_case, frozen
):
    """The reviewer's attack: the same filters to 2026-01-02 and to 2026-01-09; the second file
    gained the row "35-44,<4" of the one new case, and the status table its "sent_to_court,1".
    Both periods are now counted over the same whole quarters: the dashboard, every export and
    the command give the same breakdowns, and say which quarters they counted."""
    _reviewers_data(make_case)
    analyst = make_user("analyst_kz", "analyst")
    _en(client)
    first, second = (_analysts_view(client, analyst, params) for params in REVIEWERS_PAIR)
    for key, answer in first.items():
        assert second[key] == answer, key
    # Not vacuous: the tables are shown, over Q4 2025 and Q1 2026, with the new case in them.
    text = first[("victim_age_band", "csv")].decode()
    assert "# counted_from: 2025-10-01\n# counted_to: 2026-03-31" in text
    assert "35-44,35–44,<4" in text and "Not shown" not in text
    assert "Counted over whole calendar quarters, from 2025-10-01 to 2026-03-31." in (
        first["page"].decode()
    )
    err = io.StringIO()
    call_command("stats", "--as-user", "analyst_kz", "--by", "status", "--region", "KZ-75",
                 "--from", "2025-11-09", "--to", "2026-01-02", "--lang", "en",
                 stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert "from 2025-10-01 to 2026-03-31" in err.getvalue()
    # The one day alone: Q1 2026 has that one case, and no table tells its status.
    day = {**REVIEWERS_PAIR[1], "date_from": "2026-01-09"}
    text = client.get("/stats/export/status.csv", day).content.decode()
    assert "sent_to_court," not in text and "fewer than 4 cases" in text


def _spread_cases(make_case, seed=20260109) -> None:
    """Forty cases in Almaty from October 2025 to June 2026 on random days, with random people
    and outcomes."""
    import random

    rng = random.Random(seed)
    bands = ["18-24", "25-34", "35-44", "45-54", "unknown"]
    kinds = ["spouse", "former_partner", "relative", "acquaintance", "stranger"]
    for _i in range(40):
        day = dt.date(2025, 10, 1) + dt.timedelta(days=rng.randrange(271))
        status = rng.choice(["investigation", "investigation", "sent_to_court", "terminated"])
        case = make_case(
            region="KZ-75", registered_at=local(day.year, day.month, day.day, 10, 0),
            imported=ImportedStatus(
                status, at=local(day.year, day.month, day.day, 12, 0),
                ground="no_complaint" if status == "terminated" else "",
            ),
        )  # fmt: skip
        add_party(
            SYSTEM, case, PartyData("victim", sex=rng.choice("FFFM"), age_band=rng.choice(bands))
        )
        add_party(SYSTEM, case, PartyData("suspect", sex="M", relationship=rng.choice(kinds)))


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


def _ranges_differing_by_days_within_a_quarter(count: int, seed=7):
    """Pairs of periods that differ only by 1 to 5 days at one end, inside that end's quarter."""
    import random

    rng = random.Random(seed)
    pairs = []
    while len(pairs) < count:
        start = dt.date(2025, 10, 1) + dt.timedelta(days=rng.randrange(260))
        end = start + dt.timedelta(days=rng.randrange(200))
        shift = dt.timedelta(days=rng.randint(1, 5))
        if rng.random() < 0.5:
            other = (start, end + shift)
            same = _quarter(end) == _quarter(end + shift)
        else:
            other = (start + shift, end)
            same = _quarter(start) == _quarter(start + shift) and start + shift <= end
        if same and other[1] <= dt.date(2026, 6, 29):
            pairs.append(((start, end), other))
    return pairs


def test_analyst_gets_identical_breakdowns_for_periods_that_differ_by_days_within_a_quarter(
    client, make_case, frozen
):
    """A property over many pairs of periods that differ by one to five days inside a quarter:
    every breakdown of people an analyst can download is the same byte for byte (but for the
    lines that repeat the period asked), whoever was registered on those days."""
    _spread_cases(make_case)
    analyst = make_user("analyst_kz", "analyst")
    _en(client).force_login(analyst)
    moved = 0
    for pair in _ranges_differing_by_days_within_a_quarter(40):
        params = [
            {"regions": "KZ-75", "date_from": a.isoformat(), "date_to": b.isoformat()}
            for a, b in pair
        ]
        counts = [services.cases(SYSTEM, services.Filters((), a, b, ("KZ-75",))).count()
                  for a, b in pair]  # fmt: skip
        moved += counts[0] != counts[1]
        for name in PEOPLE:
            first, second = (
                _without_request_echo(client.get(f"/stats/export/{name}.csv", p).content)
                for p in params
            )
            assert first == second, (pair, name)
    assert moved >= 10  # not vacuous: many pairs differ by registered cases


def test_zero_and_small_categories_of_people_look_the_same(client, make_case):
    """A value nobody has and a value one victim has are both listed and both shown as "<4";
    a table behind which no case stands is withheld like one behind which one to three stand."""
    for i, band in enumerate(["25-34"] * 6 + ["18-24"] * 5 + ["35-44"]):
        case = make_case(region="KZ-75", registered_at=local(2026, 2, 1 + i, 10, 0))
        add_party(SYSTEM, case, PartyData("victim", sex="F", age_band=band))
    analyst = make_user("analyst_kz", "analyst")
    _en(client).force_login(analyst)
    params = {"regions": "KZ-75", "date_from": "2026-02-01", "date_to": "2026-02-28"}
    text = client.get("/stats/export/victim_age_band.csv", params).content.decode()
    assert "35-44,35–44,<4" in text  # one victim
    assert "45-54,45–54,<4" in text  # none
    assert "M,male,<4" in client.get("/stats/export/victim_sex.csv", params).content.decode()
    page = client.get("/stats/", params).content.decode()
    for label in ("35–44", "45–54", "65 and over"):
        assert f'<td>{label}</td><td class="num">&lt;4</td>' in page, label
    assert "Counts from 0 to 3 shown as &lt;4" in page
    # No terminated case in the quarter, then one: the same withheld table.
    grounds = client.get("/stats/export/termination_ground.csv", params).content.decode()
    assert "fewer than 4 cases stand behind this table" in grounds
    make_case(
        region="KZ-75", registered_at=local(2026, 3, 2, 10, 0),
        imported=ImportedStatus("terminated", at=local(2026, 3, 3, 10, 0), ground="no_complaint"),
    )  # fmt: skip
    again = client.get("/stats/export/termination_ground.csv", params).content.decode()
    assert _rows(again) == _rows(grounds)


def _rows(csv_text: str) -> list[str]:
    lines = csv_text.splitlines()
    return [line for line in lines if not line.startswith("#")]


def test_who_may_see_the_cases_still_gets_exact_day_level_breakdowns(client, make_case):
    """A registrar of the region (case.view) gets the day's exact figures, which differ
    between the reviewer's two periods; the analyst, for the same day, does not."""
    _reviewers_data(make_case)
    registrar = make_user("registrar_almaty", "registrar", "KZ-75")
    analyst = make_user("analyst_kz", "analyst")
    day = {**REVIEWERS_PAIR[1], "date_from": "2026-01-09"}
    _en(client).force_login(registrar)
    ages = client.get("/stats/export/victim_age_band.csv", day).content.decode()
    status = client.get("/stats/export/status.csv", day).content.decode()
    assert _rows(ages)[1:] == ["35-44,35–44,1"] and "counted_from" not in ages
    assert _rows(status)[1:] == ["sent_to_court,sent to court,1"]
    first, second = (
        client.get("/stats/export/victim_age_band.csv", p).content for p in REVIEWERS_PAIR
    )
    assert b"35-44,35\xe2\x80\x9344,1" in second and b"35-44" not in first
    out = io.StringIO()
    call_command("stats", "--as-user", "registrar_almaty", "--by", "status", "--region", "KZ-75",
                 "--from", "2026-01-09", "--to", "2026-01-09", "--format", "json",
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue()) == [{"status": "sent_to_court", "count": 1}]
    client.force_login(analyst)
    assert "sent_to_court," not in client.get("/stats/export/status.csv", day).content.decode()


ONE_DAY = {"regions": "KZ-75", "date_from": "2026-02-10", "date_to": "2026-02-10"}


def _completeness(client, params) -> tuple[bytes, bytes, bytes]:
    """What a user gets of data completeness: both exports (without the lines that repeat the
    period asked) and the dashboard's section (without its download links)."""
    exports = tuple(
        _without_request_echo(client.get(f"/stats/export/{name}.csv", params).content)
        for name in ("completeness_region", "completeness_body")
    )
    page = client.get("/stats/", params).content
    section = page[page.index(b'aria-labelledby="h-complete"') :]
    section = re.sub(rb'href="[^"]*"', b"", section[: section.index(b"</section>")])
    return (*exports, section)


def test_analyst_learns_nothing_of_one_days_victim_from_the_unknown_share(
    client, make_case, frozen
):
    """A one-day filter that narrows to one case: the analyst gets the same completeness tables
    whether that victim's sex is recorded or not (the share is counted over the whole quarter,
    and withheld with so few cases behind it); the registrar of the region gets it exactly."""
    case = make_case(region="KZ-75", registered_at=local(2026, 2, 10, 10, 0))
    add_party(SYSTEM, case, PartyData("victim", sex="F", age_band="25-34"))
    analyst = make_user("analyst_kz", "analyst")
    registrar = make_user("registrar_almaty", "registrar", "KZ-75")
    _en(client)
    seen = {}
    for sex in ("F", "U"):
        Party.objects.filter(case=case, role="victim").update(sex=sex)
        client.force_login(analyst)
        seen[sex] = _completeness(client, ONE_DAY)
        client.force_login(registrar)
        share = services.completeness(registrar, services.Filters((), *[dt.date(2026, 2, 10)] * 2))
        seen["registrar", sex] = {r["key"]: r["unknown_share"] for r in share["region"]}["KZ-75"]
    assert seen["F"] == seen["U"]
    region_csv, body_csv, section = seen["U"]
    assert b"fewer than 4 cases in the quarters counted" in region_csv
    assert b"fewer than 4 cases in the quarters counted" in body_csv
    assert b"not shown" in section and b"100%" not in section
    assert (seen["registrar", "F"], seen["registrar", "U"]) == (0.0, 1.0)


def test_analysts_unknown_share_for_a_day_is_that_of_its_whole_quarter(client, make_case):
    """With enough cases in the quarter the analyst gets a share, but the quarter's: the day's
    one case (victim's sex unknown) does not show as 100 %."""
    for day in range(1, 6):
        case = make_case(region="KZ-75", registered_at=local(2026, 2, 5 * day, 10, 0))
        add_party(SYSTEM, case, PartyData("victim", sex="U" if day == 2 else "F", age_band="25-34"))
    analyst = make_user("analyst_kz", "analyst")
    registrar = make_user("registrar_almaty", "registrar", "KZ-75")
    day = services.Filters((), dt.date(2026, 2, 10), dt.date(2026, 2, 10), ("KZ-75",))
    quarter = services.Filters((), dt.date(2026, 1, 1), dt.date(2026, 3, 31), ("KZ-75",))
    for kind in ("region", "body"):
        (row,) = [r for r in services.completeness(analyst, day)[kind] if r["cases"]]
        assert row["cases"] == 1 and row["unknown_share"] == 0.2
        assert "2026-01-01 to 2026-03-31" in row["unknown_share_note"]
        (whole,) = [r for r in services.completeness(analyst, quarter)[kind] if r["cases"]]
        assert whole["unknown_share"] == row["unknown_share"]
        (exact,) = [r for r in services.completeness(registrar, day)[kind] if r["cases"]]
        assert exact["unknown_share"] == 1.0 and exact["unknown_share_note"] == ""
    _en(client).force_login(analyst)
    params = {**ONE_DAY}
    text = client.get("/stats/export/completeness_region.csv", params).content.decode()
    assert "unknown_share_note" in text and ",0.2," in text
