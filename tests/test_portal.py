"""The public page: content in three languages, help by region, published statistics that
match the staff figures with small counts protected, and nothing that tracks a visitor."""

import io

import pytest
from django.core.management import call_command

from qorgau.access import policy
from qorgau.portal.views import published_table
from qorgau.stats import services as stats

pytestmark = pytest.mark.django_db

PAGES = [
    "",
    "stalking/",
    "coercion/",
    "report/",
    "rights/",
    "others/",
    "safety/",
    "help/",
    "self-check/",
    "statistics/",
]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_public_page_opens_in_each_language_without_cookies(client, lang):
    for page in PAGES:
        response = client.get(f"/{lang}/{page}")
        assert response.status_code == 200, page
        body = response.content.decode()
        assert f'<html lang="{lang}"' in body
        assert not response.cookies, page  # no cookie of any kind
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Content-Security-Policy"].startswith("default-src 'self'")
        assert (
            "Exit this page" in body or "Шығу" in body or "Выйти" in body or "exit" in body.lower()
        )
        assert "http://" not in body.replace("http://testserver", "")  # nothing from another host
        assert len(response.content) < 100_000


def test_article_pages_show_the_penalties_from_the_reference_data(client):
    body = client.get("/ru/stalking/").content.decode()
    assert "200 МРП" in body and "50 суток" in body
    body = client.get("/kk/coercion/").content.decode()
    assert "3 жылдан 7 жылға дейінгі" in body


def test_help_directory_filters_by_region_with_tel_links(client):
    body = client.get("/kk/help/", {"region": "KZ-79"}).content.decode()
    assert 'href="tel:111"' in body and 'href="tel:102"' in body
    assert "Шымкент қаласы Полиция департаменті" in body
    assert "Павлодар облысы Полиция департаменті" not in body


def test_published_statistics_match_the_staff_figures_with_small_counts_hidden():
    call_command("load-seed", stdout=io.StringIO())
    import datetime as dt

    table = published_table(dt.date(2026, 12, 31))
    staff = {
        r.region.code: r.count
        for r in stats.by_region(
            policy.OPERATOR, stats.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        )
    }
    column = [a.code for a in table["articles"]].index("115-1")
    shown = {row["region"].code: row["cells"][column] for row in table["rows"]}
    for code, count in staff.items():
        if count == 0 or count > 3:
            assert shown[code] in (str(count), "*")
        else:
            assert shown[code] == "<4"
    assert shown["KZ-79"] == "23" and table["totals"][column] == "79"
    hidden = [staff[c] for c, v in shown.items() if v in ("<4", "*")]
    assert len(hidden) >= 2 and sum(hidden) > len(hidden)  # the total does not pin any of them


def test_public_statistics_csv(client):
    call_command("load-seed", stdout=io.StringIO())
    text = client.get("/en/statistics.csv").content.decode()
    assert text.splitlines()[1] == "region,name,115-1,125-1" and "<4" in text


def test_pages_are_cached_for_a_traffic_spike(client, django_assert_max_num_queries):
    client.get("/kk/stalking/")
    with django_assert_max_num_queries(0):
        assert client.get("/kk/stalking/").status_code == 200


def test_editor_text_cannot_inject_markup():
    from qorgau.portal.markup import render

    html = render("## Title\n\n<script>alert(1)</script>\n\n- one\n- two")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.startswith("<h2>Title</h2>") and "<ul><li>one</li><li>two</li></ul>" in html
