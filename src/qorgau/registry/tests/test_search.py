"""The search box of every staff page (registry/search.py, docs/search.md): partial case and
ERDR numbers, report numbers and summary words, only in the user's scope."""

import pytest
from django.db import connection
from django.urls import reverse

from qorgau.audit.models import AuditEntry
from qorgau.reference.models import Body, Region
from qorgau.registry import search, services
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db


def make_report(region="KZ-79", summary="Ұрып-соғу, көршісі хабарлады", **kwargs):
    region_obj = Region.objects.get(code=region)
    return services.create_report(
        SYSTEM,
        region_obj,
        received_at=kwargs.pop("received_at", local(2026, 1, 5, 9, 0)),
        channel="phone",
        receiving_body=Body.objects.filter(region=region_obj).first(),
        summary=summary,
        **kwargs,
    )


@pytest.fixture
def registrar_shymkent(db):
    return make_user("registrar_shymkent", "registrar", "KZ-79")


def test_a_part_of_a_case_number_finds_the_case(client, login, registrar_shymkent, make_case):
    case = make_case(region="KZ-79")
    other = make_case(region="KZ-79")
    login(client, registrar_shymkent)
    seq = case.number[-6:]  # "000001"
    page = client.get(reverse("registry:search"), {"q": seq}).content.decode()
    assert case.number in page and other.number not in page
    page = client.get(reverse("registry:search"), {"q": case.number[5:]}).content.decode()
    assert case.number in page  # "79-000001"


def test_a_whole_case_number_opens_the_case(client, login, registrar_shymkent, make_case):
    case = make_case(region="KZ-79")
    login(client, registrar_shymkent)
    response = client.get(reverse("registry:search"), {"q": f" {case.number} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:case_detail", args=[case.number])


def test_a_part_of_an_erdr_number_finds_the_case(client, login, registrar_shymkent, make_case):
    case = make_case(region="KZ-79", erdr_number="261234567890123")
    make_case(region="KZ-79", erdr_number="269999999999999")
    login(client, registrar_shymkent)
    page = client.get(reverse("registry:search"), {"q": "4567890"}).content.decode()
    assert case.number in page and "269999999999999" not in page


def test_a_word_of_a_summary_finds_the_report(client, login, registrar_shymkent):
    wanted = make_report(summary="Кража телефона у соседки во дворе")
    other = make_report(summary="Побои в семье, сообщила соседка")
    login(client, registrar_shymkent)
    response = client.get(reverse("registry:search"), {"q": "телефона"})
    page = response.content.decode()
    assert reverse("registry:report_detail", args=[wanted.pk]) in page
    assert reverse("registry:report_detail", args=[other.pk]) not in page
    # The summary itself is not shown (the report list shows none either).
    assert "Кража телефона" not in page


def test_a_report_number_finds_the_report(client, login, registrar_shymkent):
    report = make_report()
    login(client, registrar_shymkent)
    page = client.get(reverse("registry:search"), {"q": f"№{report.pk}"}).content.decode()
    assert reverse("registry:report_detail", args=[report.pk]) in page


def test_another_regions_case_and_report_are_never_found(
    client, login, registrar_shymkent, make_case
):
    astana_case = make_case(region="KZ-71", erdr_number="261111111111111")
    astana_report = make_report(region="KZ-71", summary="Кража велосипеда в Астане")
    login(client, registrar_shymkent)
    for q in (astana_case.number, astana_case.number[-6:], "1111111", "велосипеда",
              str(astana_report.pk)):  # fmt: skip
        response = client.get(reverse("registry:search"), {"q": q})
        assert response.status_code == 200, q  # not even a redirect to a 404
        page = response.content.decode()
        assert f'href="/registry/cases/{astana_case.number}/"' not in page
        assert reverse("registry:report_detail", args=[astana_report.pk]) not in page


def test_the_search_page_groups_results_counts_them_and_links_to_the_filtered_lists(
    client, login, registrar_shymkent, make_case
):
    make_case(region="KZ-79")
    make_report(summary="Кража телефона")
    login(client, registrar_shymkent)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("registry:search"), {"q": "000001"}).content.decode()
    assert "1 case<" in page and "0 reports<" in page
    assert 'href="/registry/cases/?q=000001"' in page


def test_the_search_leaves_one_read_entry_naming_what_it_showed(
    client, login, registrar_shymkent, make_case
):
    case = make_case(region="KZ-79")
    report = make_report(summary="Кража телефона")
    login(client, registrar_shymkent)
    before = AuditEntry.objects.count()
    client.get(reverse("registry:search"), {"q": "кража"})
    client.get(reverse("registry:search"), {"q": case.number[-6:]})
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert [e.action for e in entries] == ["case.search", "case.search"]
    assert entries[0].details["reports_shown"] == [report.pk]
    assert entries[1].details["shown"] == [case.number]
    assert entries[1].details["filters"] == {"q": case.number[-6:]}


def test_every_staff_page_has_the_search_box_for_those_who_may_search(client, login):
    login(client, make_user("registrar_shymkent", "registrar", "KZ-79"))
    assert 'action="/registry/search/"' in client.get("/").content.decode()
    analyst = make_user("analyst_kz", "analyst")
    client.logout()
    login(client, analyst)
    assert 'action="/registry/search/"' not in client.get("/").content.decode()


def test_text_that_is_no_number_finds_no_case(make_case):
    make_case(region="KZ-79")
    assert not search.cases_matching(search.Case.objects.all(), "'; DROP TABLE --").exists()
    assert not search.cases_matching(search.Case.objects.all(), "abc").exists()


@pytest.mark.postgres
def test_the_trigram_and_full_text_indexes_exist_and_serve_the_search(on_postgres, make_case):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN"
            " ('registry_case_number_trgm', 'registry_case_erdr_trgm',"
            " 'registry_report_summary_fts')"
        )
        assert {row[0] for row in cursor.fetchall()} == {
            "registry_case_number_trgm",
            "registry_case_erdr_trgm",
            "registry_report_summary_fts",
        }
    case = make_case(region="KZ-79")
    make_report(summary="Кража телефона у соседки")
    assert list(search.cases_matching(search.Case.objects.all(), case.number[-6:])) == [case]
    assert search.reports_matching(search.Report.objects.all(), "краж").count() == 1
    # With sequential scans priced out, the planner takes the indexes for these very queries
    # (unordered, as the counts run them; a first page may walk the newest-first index).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for queryset in (
            search.cases_matching(search.Case.objects.all(), "000222"),
            search.reports_matching(search.Report.objects.all(), "телефон"),
        ):
            sql, params = queryset.order_by().query.sql_with_params()  # the count's query
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "registry_case_number_trgm" in plans[0] and "registry_case_erdr_trgm" in plans[0]
    assert "registry_report_summary_fts" in plans[1]


@pytest.mark.parametrize(
    "holds_word",
    [
        "11111111",  # every report: the window alone answers
        "00000011",  # only the two newest
        "11000000",  # only the two oldest: outside the window, found by the index
        "10100101",  # spread: part inside the window, part outside
        "00000000",  # none
    ],
)
def test_the_first_page_is_the_newest_matches_whether_or_not_they_are_recent(
    monkeypatch, holds_word
):
    """``search.newest`` reads the newest RECENT reports first and the search index only when
    they hold fewer than SHOWN matches: either way the page shows the newest matches, and the
    count is exact below COUNT_UP_TO."""
    monkeypatch.setattr(search, "RECENT", 4)
    monkeypatch.setattr(search, "SHOWN", 2)
    made = []
    for day, flag in enumerate(holds_word, start=1):
        summary = "Кража телефона во дворе" if flag == "1" else "Угрозы соседке по лестнице"
        made.append((make_report(summary=summary, received_at=local(2026, 1, day, 9, 0)), flag))
    matches = [report for report, flag in reversed(made) if flag == "1"]  # newest first
    found = search.find(SYSTEM, "телефон")
    assert found.reports == matches[:2]
    assert found.report_count == len(matches)


@pytest.mark.postgres
def test_the_newest_window_is_read_down_the_date_index_however_rare_the_words_look(on_postgres):
    """Two common words look rare to PostgreSQL (0.04 %): the window's query must not be
    served by the full-text index (it would fetch every report holding them), only by the
    newest-first date index, testing each row (docs/search.md)."""
    make_report(summary="Кража телефона во дворе")
    reports = search.Report.objects.all()
    window = search.reports_matching(reports, "кража телефона", indexed=False)
    cutoff = reports.order_by("-received_at", "-pk").values("received_at")[:1]
    query = window.filter(received_at__gte=search.Subquery(cutoff)).order_by("-received_at", "-pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query[:20].query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "registry_report_received_desc" in plan
    assert "registry_report_summary_fts" not in plan
    assert list(window) == list(search.reports_matching(reports, "кража телефона"))
