"""The public page: content in three languages, help by region, published statistics that
match the staff figures with small counts protected, and nothing that tracks a visitor."""

import io

import pytest

from qorgau.core.actors import Actor
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
    assert "Шымкент қаласының Полиция департаменті" in body
    assert "Павлодар облысының Полиция департаменті" not in body
    assert (
        "Департамент полиции города Шымкент"
        in client.get("/ru/help/?region=KZ-79").content.decode()
    )
    pavlodar = client.get("/ru/help/?region=KZ-55").content.decode()
    assert "Департамент полиции Павлодарской области" in pavlodar
    assert (
        "Павлодар облысының Полиция департаменті"
        in client.get("/kk/help/?region=KZ-55").content.decode()
    )


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_help_directory_shows_no_placeholder_and_names_languages_in_the_page_language(client, lang):
    from qorgau.reference.models import Region

    for region in Region.objects.all():
        body = client.get(f"/{lang}/help/", {"region": region.code}).content.decode()
        for placeholder in ("Адрес добавит администратор", "Мекенжайын әкімші толтырады",
                            "Address to be added"):  # fmt: skip
            assert placeholder not in body, (lang, region.code)
        assert "қаз, рус" not in body or lang == "kk"
        assert 'href="tel:102"' in body and 'href="tel:150"' in body and 'href="tel:112"' in body
    if lang == "en":
        assert "Languages: Kazakh, Russian" in body


def test_national_lines_are_kept_with_their_names(client):
    from qorgau.portal.models import HelpContact

    national = {c.phone: c for c in HelpContact.objects.filter(region=None)}
    assert set(national) == {"111", "102", "112", "150"}
    assert national["112"].name_kk == "Шұғыл қызметтердің бірыңғай нөмірі"
    assert HelpContact.objects.filter(kind="police").exclude(region=None).count() == 20
    assert not HelpContact.objects.filter(is_demo=True).exists()  # real data only until load-demo


def test_demonstration_entries_are_marked_on_the_public_page(client):
    from django.core.cache import cache

    from qorgau.demo import portal as demo
    from qorgau.portal.models import HelpContact

    assert demo.load() == 15 and demo.load() == 0  # five regions, three services, once
    cache.clear()  # public pages are cached for five minutes
    body = client.get("/en/help/", {"region": "KZ-79"}).content.decode()
    for name in ("Family support centre (demo)", "Crisis centre (demo)", "Free legal aid (demo)"):
        item = body.split(name)[1].split("</li>")[0]
        assert "demonstration entry" in item and "1 Example Street (demo address)" in item
    assert HelpContact.objects.filter(is_demo=True).values("region").distinct().count() == 5
    # No invented phone number: the demo entries point to the real national line.
    assert set(HelpContact.objects.filter(is_demo=True).values_list("phone", flat=True)) == {"111"}
    demo.remove()
    cache.clear()
    assert HelpContact.objects.filter(is_demo=True).count() == 0
    assert "demonstration entry" not in client.get("/en/help/?region=KZ-79").content.decode()


def test_published_statistics_match_the_staff_figures_with_small_counts_hidden(make_case):
    """The public table is the latest release (stats.releases): the staff figures of its
    period, small counts protected; demonstration cases (the seed's too) left out."""
    import datetime as dt

    from qorgau.stats import releases
    from tests.fixtures import local

    for code, n in (("KZ-79", 23), ("KZ-71", 5), ("KZ-62", 2), ("KZ-75", 1), ("KZ-19", 9)):
        for i in range(n):
            make_case(region=code, registered_at=local(2026, 1, 1 + i % 28, 10, 0))
    make_case(region="KZ-62", registered_at=local(2026, 1, 5, 10, 0), is_demo=True)
    releases.publish(Actor.system("tests"), releases.parse_period("2026-01"),
                     now=local(2026, 2, 10, 9, 0))  # fmt: skip
    table = published_table()
    staff = {
        r.region.code: r.count
        for r in stats.by_region(
            Actor.system("tests"),
            stats.Filters(("115-1",), dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        )
    }
    assert staff["KZ-62"] == 3  # the staff see the demonstration case; the public does not
    staff["KZ-62"] -= 1
    column = [a.code for a in table["articles"]].index("115-1")
    shown = {row["region"].code: row["cells"][column] for row in table["rows"]}
    for code, count in staff.items():
        if count == 0 or count > 3:
            assert shown[code] in (str(count), "*")
        else:
            assert shown[code] == "<4"
    assert list(shown.values()).count("*") == 1 and table["totals"][column] == "40"
    hidden = [staff[c] for c, v in shown.items() if v in ("<4", "*")]
    assert len(hidden) >= 2 and sum(hidden) > len(hidden)  # the total does not pin any of them


def test_public_statistics_csv(client, make_case):
    import csv

    from django.core.cache import cache

    from qorgau.stats import releases
    from tests.fixtures import local

    make_case(region="KZ-79", registered_at=local(2026, 2, 3, 10, 0))
    releases.publish(Actor.system("tests"), releases.parse_period("2026-02"),
                     now=local(2026, 3, 10, 9, 0))  # fmt: skip
    cache.clear()
    text = client.get("/en/statistics.csv").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    # The header is row 1; the period of the data (the release's) is in two columns of every row.
    assert rows[0] == ["region", "name", "115-1", "125-1", "period_start", "period_end"]
    assert {tuple(r[-2:]) for r in rows[1:]} == {("2026-02-01", "2026-02-28")}
    assert len(rows) == 22 and rows[-1][0] == "total" and "<4" in text
    assert all(len(r) == 6 for r in rows)


def test_pages_are_cached_for_a_traffic_spike(client, django_assert_max_num_queries):
    client.get("/kk/stalking/")
    with django_assert_max_num_queries(0):
        assert client.get("/kk/stalking/").status_code == 200


def test_editor_text_cannot_inject_markup():
    from qorgau.portal.markup import render

    html = render("## Title\n\n<script>alert(1)</script>\n\n- one\n- two")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.startswith("<h2>Title</h2>") and "<ul><li>one</li><li>two</li></ul>" in html


def test_bare_domain_sends_an_anonymous_visitor_to_the_public_page_without_a_cookie(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/kk/"
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert client.get("/login/").status_code == 200  # the staff login stays where it was


def test_bare_domain_keeps_the_staff_home_for_logged_in_staff(client, login):
    from tests.fixtures import make_user

    login(client, make_user("registrar_home", "registrar", "KZ-79"))
    response = client.get("/")
    assert response.status_code == 200 and "115-1" in response.content.decode()


@pytest.mark.parametrize(
    ("lang", "exit_label"),
    [("kk", "Бұл беттен шығу"), ("ru", "Выйти с этой страницы"), ("en", "Exit this page")],
)
def test_missing_public_page_is_a_public_404_with_the_exit_button(
    client, settings, lang, exit_label
):
    settings.DEBUG = False
    response = client.get(f"/{lang}/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert f'<html lang="{lang}"' in body and 'class="exit"' in body and "data-exit" in body
    assert f'href="{settings.PORTAL_EXIT_URL}"' in body
    assert response["Referrer-Policy"] == "no-referrer" and not response.cookies
    if lang == "en":
        assert exit_label in body
    for code in ("kk", "ru", "en"):
        assert f'href="/{code}/" hreflang="{code}"' in body  # language links lead home
    deeper = client.get(f"/{lang}/no/such/page/")  # matches no public route at all
    assert deeper.status_code == 404 and 'class="exit"' in deeper.content.decode()
    assert deeper["Referrer-Policy"] == "no-referrer"
    staff = client.get("/registry/no-such-page/")
    assert staff.status_code == 404 and 'class="exit"' not in staff.content.decode()


def test_text_fixes_reach_a_database_with_the_initial_text_and_keep_editors_wording():
    import importlib

    from django.apps import apps

    from qorgau.portal.models import HelpContact, Page
    from qorgau.reference.models import ArticlePart, Body, Region

    # Applied in the migrations' order: reference data first, then the portal's texts.
    reference_fixes = importlib.import_module(
        "qorgau.reference.migrations.0004_police_names_genitive"
    )
    fixes = importlib.import_module("qorgau.portal.migrations.0004_text_fixes")
    rights = Page.objects.get(slug="rights")
    rights.body_ru = rights.body_ru.replace(
        "Давать показания на родном языке или языке, которым вы владеете, бесплатно пользоваться помощью переводчика.",
        "Давать показания на своём языке – казахском или русском, при необходимости с переводчиком.",
    )
    rights.body_kk = (
        "Редактор өзгерткен мәтін: Өз тілінде жауап беру."  # edited by the campaign team
    )
    rights.save()
    shymkent = Region.objects.get(code="KZ-79")
    HelpContact.objects.filter(region=shymkent, kind="police").update(
        name_kk="Шымкент қаласы Полиция департаменті", name_ru="Полиция: город Шымкент",
        note_ru="Адрес добавит администратор", languages="қаз, рус",
    )  # fmt: skip
    part = ArticlePart.objects.get(article__code="115-1", number=1)
    part.penalty_kk = part.penalty_kk.replace("қамаққа алу", "қамауға алу")
    part.save()
    Body.objects.filter(code="POL-79").update(name_kk="Шымкент қаласы Полиция департаменті")

    reference_fixes.reapply(apps, None)
    fixes.forwards(apps, None)

    rights.refresh_from_db()
    assert "Давать показания на родном языке или языке, которым вы владеете" in rights.body_ru
    assert "казахском или русском" not in rights.body_ru
    assert rights.body_kk == "Редактор өзгерткен мәтін: Өз тілінде жауап беру."
    police = HelpContact.objects.get(region=shymkent, kind="police")
    assert police.name_kk == "Шымкент қаласының Полиция департаменті"
    assert police.name_ru == "Департамент полиции города Шымкент"
    assert police.note_ru == "" and police.languages == "kk, ru"
    assert Body.objects.get(code="POL-79").name_kk == "Шымкент қаласының Полиция департаменті"
    part.refresh_from_db()
    assert part.penalty_kk.endswith("50 тәулікке дейінгі мерзімге қамаққа алу.")


def test_corrected_wording_on_the_public_pages(client):
    rights = client.get("/kk/rights/").content.decode()
    assert (
        "Ана тілінде немесе өзіңіз білетін тілде айғақ беру, аудармашының көмегін тегін пайдалану."
        in rights
    )
    assert "Давать показания на родном языке или языке, которым вы владеете, бесплатно пользоваться помощью переводчика." in client.get("/ru/rights/").content.decode()  # fmt: skip
    assert "қамаққа алу" in client.get("/kk/stalking/").content.decode()
    assert "кіреберіс" in client.get("/kk/stalking/").content.decode()
    assert "идёт за вами до дома" in client.get("/ru/stalking/").content.decode()
    assert "ученицы или ученика" in client.get("/ru/others/").content.decode()
    # The safety page names the button by the label it really has.
    for lang, label in (("kk", "«Бұл беттен шығу»"), ("ru", "«Выйти с этой страницы»"),
                        ("en", "“Exit this page”")):  # fmt: skip
        main = client.get(f"/{lang}/safety/").content.decode().split('<main id="main">')[1]
        assert label in main.split("</main>")[0], lang
    safety_ru = client.get("/ru/safety/").content.decode()
    assert "устройство, к которому у этого человека нет доступа" in safety_ru
    home = client.get("/en/").content.decode()
    assert (
        "<h1>Stalking and coercion into marriage are punishable under the Criminal Code</h1>"
        in home
    )


def test_self_check_answers_are_not_remembered_by_the_browser(client):
    body = client.get("/kk/self-check/").content.decode()
    form = body.split('<form class="check"')[1].split("</form>")[0]
    assert form.startswith(' id="self-check" autocomplete="off">')
    assert form.count('type="checkbox"') == 4 == form.count('autocomplete="off"') - 1
    # The help contacts are outside the part that needs CSS :has(): always shown.
    after = body.split("</form>")[1]
    assert 'href="tel:111"' in after and 'href="tel:102"' in after and "/kk/help/" in after


def test_published_note_names_the_configured_threshold(client, settings, make_case):
    """The note under the public table says what the suppression really did: the threshold
    the release was published with."""
    from django.core.cache import cache

    from qorgau.stats import releases
    from tests.fixtures import local

    make_case(region="KZ-79", registered_at=local(2026, 2, 3, 10, 0))
    settings.SMALL_COUNT_THRESHOLD = 5
    releases.publish(Actor.system("tests"), releases.parse_period("2026-02"),
                     now=local(2026, 3, 10, 9, 0))  # fmt: skip
    settings.SMALL_COUNT_THRESHOLD = 3  # a later change of the setting does not rewrite it
    cache.clear()  # public pages are cached
    page = client.get("/ru/statistics/").content.decode()
    assert "числа от 1 до 5 показаны как «<6»" in page
