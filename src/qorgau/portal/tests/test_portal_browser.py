"""The public page in a real browser (Debian's chromium, Playwright) with axe-core: WCAG 2.1 AA,
only same-site requests, no cookie or storage, quick exit by button, first Tab and Shift×3 —
and screenshots at 360 and 1280 px kept in artifacts/screenshots/."""

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.fixtures import chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTIFACTS = Path(__file__).resolve().parents[4] / "artifacts" / "screenshots"
PAGES = [
    "",
    "stalking/",
    "coercion/",
    "report/",
    "rights/",
    "others/",
    "safety/",
    "help/?region=KZ-79",
    "self-check/",
    "statistics/",
]
NEUTRAL = "https://www.gismeteo.kz/"


@pytest.fixture
def context(browser):
    context = browser.new_context()
    # The neutral exit page is another site: answer it locally so the test needs no network.
    context.route(
        f"{NEUTRAL}**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>weather</title>"
        ),
    )
    yield context
    context.close()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_pages_are_accessible_same_site_and_leave_nothing_behind(live_server, context, lang):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    host = urlparse(live_server.url).netloc
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in PAGES:
        page = context.new_page()
        hosts, sizes = set(), []
        page.on("request", lambda r, hosts=hosts: hosts.add(urlparse(r.url).netloc))
        page.on(
            "response", lambda r, sizes=sizes: sizes.append(len(r.body() or b"")) if r.ok else None
        )
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/{lang}/{path}")
        result = axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
            },
        )
        assert result.violations_count == 0, (path, result.generate_report())
        assert hosts == {host}, (path, hosts)
        assert sum(sizes) < 100_000, (path, sum(sizes))
        assert page.evaluate("document.cookie") == ""
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0
        assert context.cookies() == []
        name = path.split("?")[0].strip("/") or "home"
        page.screenshot(path=str(ARTIFACTS / f"{lang}-{name}-1280.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 800})
        page.screenshot(path=str(ARTIFACTS / f"{lang}-{name}-360.png"), full_page=True)
        # Reflow at 320 px: nothing scrolls sideways but the data table's own box.
        page.set_viewport_size({"width": 320, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        page.close()


def test_first_tab_reaches_the_exit_link(live_server, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/kk/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-exit" in focused


def test_exit_button_hides_the_page_and_replaces_it(live_server, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/ru/stalking/")
    before = page.evaluate("history.length")
    with page.expect_navigation(url=f"{NEUTRAL}**"):
        page.locator(".exit-bar .exit").click()
    assert page.title() == "weather"
    # location.replace: the neutral page took the public page's place in the history.
    assert page.evaluate("history.length") == before


def test_shift_three_times_exits_with_spoken_status_and_shift_with_a_letter_does_not(
    live_server, context
):
    page = context.new_page()
    page.goto(f"{live_server.url}/kk/help/")
    status = page.locator("#exit-status")
    page.keyboard.press("Shift+A")  # Shift with another key: not counted
    page.keyboard.press("Shift+B")
    page.keyboard.press("Shift+C")
    assert page.url.startswith(live_server.url)
    page.keyboard.press("Shift")
    assert status.text_content() == status.get_attribute("data-one") != ""
    page.keyboard.press("Shift")
    assert status.text_content() == status.get_attribute("data-two")
    with page.expect_navigation(url=f"{NEUTRAL}**"):
        page.keyboard.press("Shift")
    assert page.title() == "weather"


# What a screen reader hears on exit, written here (not read from the page) in each language.
EXITING = {"kk": "Беттен шығып жатырмыз.", "ru": "Выход со страницы.", "en": "Exiting this page."}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_exiting_status_is_spoken_in_the_page_language(live_server, context, settings, lang):
    from django.core.cache import cache

    # The "neutral page" is a place on the same page here, so the public page stays in its
    # exiting state to be read (while a real neutral page loads, a screen reader hears it).
    settings.PORTAL_EXIT_URL = "#exited"
    cache.clear()
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/stalking/")
    for _press in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url("**#exited")
    assert page.evaluate("document.body.classList.contains('exiting')")
    status = page.locator("#exit-status")
    assert status.text_content() == EXITING[lang]
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('#exit-status'));"
        " return [s.visibility, s.display]; })()"
    )
    assert style[0] != "hidden" and style[1] != "none"
    # In the accessibility tree: the message is there, the page's content is not.
    tree = page.locator("body").aria_snapshot()
    assert EXITING[lang] in tree and "<h1>" not in tree
    assert page.locator("main h1").is_hidden()
    page.close()
    cache.clear()  # no page with this exit address stays cached for the other tests


def test_self_check_answers_are_gone_after_exit_and_back(live_server, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/en/self-check/")
    page.check("#q1")
    page.check("#q3")
    assert page.locator(".result-stalking").is_visible()
    # On to another page, exit there, and come back with Back to the self-check.
    page.locator(".help-contacts a[href$='/help/']").click()
    page.wait_for_url("**/en/help/")
    with page.expect_navigation(url=f"{NEUTRAL}**"):
        page.locator(".exit-bar .exit").click()
    page.go_back()
    assert page.url == f"{live_server.url}/en/self-check/"
    for box in ("#q1", "#q2", "#q3", "#q4"):
        assert not page.is_checked(box), box
    assert page.locator(".result-stalking").is_hidden()
    assert page.locator(".result-coercion").is_hidden()
    assert page.locator(".help-contacts").is_visible()  # the contacts are always shown


def test_self_check_is_cleared_when_the_page_comes_back_from_the_back_forward_cache(
    live_server, monkeypatch
):
    """Playwright turns the back/forward cache off; here it is on, as in a visitor's browser,
    and a page restored from it (``pageshow`` with ``persisted``) comes back blank."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with chromium(ignore_default_args=["--disable-back-forward-cache"]) as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/ru/self-check/")
        page.evaluate("window.marker = 'same document'")
        page.check("#q2")
        page.check("#q4")
        page.locator(".help-contacts a[href$='/help/']").click()
        page.wait_for_url("**/ru/help/")
        page.go_back(wait_until="commit")  # a restored page fires no "load"
        page.wait_for_url("**/ru/self-check/", wait_until="commit")
        restored = page.evaluate("window.marker === 'same document'")
        assert not page.is_checked("#q2") and not page.is_checked("#q4")
        assert page.locator(".result-stalking").is_hidden()
        assert page.locator(".result-coercion").is_hidden()
    assert restored, "the page did not come from the back/forward cache: nothing was tested"


@pytest.mark.parametrize("lang", ["kk", "en"])
def test_missing_public_page_is_accessible_with_the_exit_button(live_server, context, lang):
    from axe_playwright_python.sync_playwright import Axe

    page = context.new_page()
    response = page.goto(f"{live_server.url}/{lang}/no-such-page/")
    assert response.status == 404 and response.headers["referrer-policy"] == "no-referrer"
    assert page.locator(".exit-bar .exit").is_visible()
    result = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    assert result.violations_count == 0, result.generate_report()
    assert context.cookies() == []
    with page.expect_navigation(url=f"{NEUTRAL}**"):
        page.locator(".exit-bar .exit").click()


def test_returning_with_back_shows_a_usable_page(live_server, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    page.goto(f"{live_server.url}/en/report/")
    with page.expect_navigation(url=f"{NEUTRAL}**"):
        page.locator(".exit-bar .exit").click()
    page.go_back()
    assert page.url == f"{live_server.url}/en/"
    assert page.locator("main h1").is_visible()
    assert page.locator("#exit-overlay").is_hidden()


def test_works_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/ru/self-check/")
    page.check("#q1")
    assert page.locator(".result-stalking").is_visible()
    assert page.locator(".exit-bar .exit").get_attribute("href") == NEUTRAL
    context.close()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_on_a_phone_the_numbers_and_the_exit_come_first_and_no_keyboard_hint(
    live_server, browser, lang
):
    """At 390×844 on a touch screen the first screen of every public page holds 102, 112, 111
    and the exit button (before, /kk/ showed nine menu links and the numbers were below the
    fold), and "or press Shift 3 times" is not shown until a key is pressed."""
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    # Every page in Kazakh (the default); the home page in the other languages.
    for path in PAGES if lang == "kk" else PAGES[:1]:
        page = phone.new_page()
        page.goto(f"{live_server.url}/{lang}/{path}")
        for number in ("102", "112", "111"):
            box = page.locator(f".exit-bar a[href='tel:{number}']").bounding_box()
            assert box and box["y"] + box["height"] <= 844 / 3, (path, number, box)
        exit_box = page.locator(".exit-bar .exit").bounding_box()
        assert exit_box and exit_box["y"] + exit_box["height"] <= 844 / 3, (path, exit_box)
        assert page.locator(".exit-hint").is_hidden(), path
        # Still there after scrolling to the end: the bar is sticky.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert page.locator(".exit-bar").bounding_box()["y"] <= 1, path
        box = page.locator(".exit-bar .exit").bounding_box()
        assert box["y"] + box["height"] <= 844 / 3, (path, box)
        page.close()
    page = phone.new_page()
    page.goto(f"{live_server.url}/{lang}/")
    page.keyboard.press("a")  # a keyboard joined the phone: now the hint helps
    assert page.locator(".exit-hint").is_visible()
    phone.close()


def test_on_a_computer_the_keyboard_hint_is_shown(live_server, context):
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/kk/")
    assert page.locator(".exit-hint").is_visible()
