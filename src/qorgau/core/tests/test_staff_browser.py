"""The staff pages in a real browser (Debian's chromium, Playwright) with axe-core, for every
role (the nine demonstration users: seven national roles, a registrar and a prosecutor of
Shymkent), in Kazakh, Russian and English, at 390 and 1280 px: every page the role may open and
one workflow per role end to end. On every page: nothing scrolls the page sideways, no request
leaves the site, on a Kazakh page no English word of the interface shows, and axe finds no WCAG
2.1 AA violation. Screenshots of every page in Kazakh at 390 and 1280 px are kept in
artifacts/screenshots/staff-<page>-<width>.png.

All failures of a language are gathered and reported together, so one run lists every page that
needs work. axe runs once per page and language at 1280 px and once more at 390 px in Kazakh (the
pages differ between roles only in their menu)."""

import contextlib
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

from qorgau.access import policy
from qorgau.reference.models import Body, Region
from qorgau.registry import services
from tests.fixtures import SYSTEM, local, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTIFACTS = Path(__file__).resolve().parents[4] / "artifacts" / "screenshots"
WIDE, NARROW = 1280, 390
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}  # the browser's own (date inputs)
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# The nine demonstration users (demo/management/commands/create-demo-users.py).
USERS = [
    ("registrar", "registrar", None),
    ("investigator", "investigator", None),
    ("prosecutor", "prosecutor", None),
    ("analyst", "analyst", None),
    ("campaign", "campaign", None),
    ("training", "training", None),
    ("registrar_shymkent", "registrar", "KZ-79"),
    ("prosecutor_shymkent", "prosecutor", "KZ-79"),
    ("admin", "administrator", None),  # last: it opens what no other role walked (the admin)
]

CASE_WORK = {"registrar", "investigator", "prosecutor", "administrator"}
STATS = CASE_WORK | {"analyst"}
CAMPAIGNS = {"campaign", "analyst", "prosecutor", "administrator"}
TRAINING = {"training", "analyst", "prosecutor", "administrator"}
LETTERS = {"analyst", "prosecutor", "administrator"}  # national users only
OVERSIGHT = {"prosecutor", "administrator"}

# (page name, who may open it, how to make its address from the world). The names are those of
# the screenshots. The access tests (access/tests/test_access.py) check these rights; here they
# only say which pages each role walks.
PAGES = [
    ("home", set(), lambda w: reverse("home")),
    ("cases", CASE_WORK, lambda w: reverse("registry:case_list")),
    ("case-search", CASE_WORK, lambda w: reverse("registry:case_list") + f"?number={w['case'].number}"),
    ("case", CASE_WORK, lambda w: reverse("registry:case_detail", args=[w["case"].number])),
    ("case-new", {"registrar", "administrator"}, lambda w: reverse("registry:case_new")),
    ("case-party", {"registrar", "investigator", "administrator"}, lambda w: reverse("registry:case_party", args=[w["case"].number])),
    ("case-requalify", {"investigator", "prosecutor", "administrator"}, lambda w: reverse("registry:case_requalify", args=[w["case"].number])),
    ("case-extend", {"investigator", "prosecutor", "administrator"}, lambda w: reverse("registry:case_extend", args=[w["case"].number])),
    ("reports", CASE_WORK, lambda w: reverse("registry:report_list")),
    ("report", CASE_WORK, lambda w: reverse("registry:report_detail", args=[w["report"].pk])),
    ("report-new", {"registrar", "administrator"}, lambda w: reverse("registry:report_new")),
    ("report-register", {"registrar", "administrator"}, lambda w: reverse("registry:report_register", args=[w["report"].pk])),
    ("control", OVERSIGHT, lambda w: reverse("oversight:control")),
    ("control-new", OVERSIGHT, lambda w: reverse("oversight:control_new") + f"?case={w['case'].number}"),
    # The case entries: a trail also holds other tests' entries (it is append-only), whose
    # test-only action labels are English.
    ("audit", OVERSIGHT, lambda w: reverse("audit:list") + "?action=case."),
    ("stats", STATS, lambda w: reverse("stats:dashboard")),
    ("campaigns", CAMPAIGNS, lambda w: reverse("campaigns:progress")),
    ("campaign-plan", CAMPAIGNS, lambda w: reverse("campaigns:plan", args=[w["plan"].pk])),
    ("campaign-activity", CAMPAIGNS, lambda w: reverse("campaigns:activity", args=[w["activity"].pk])),
    ("campaign-import", {"campaign", "administrator"}, lambda w: reverse("campaigns:import")),
    ("training", TRAINING, lambda w: reverse("training:page")),
    ("training-session", {"training", "administrator"}, lambda w: reverse("training:session_new")),
    ("training-headcount", {"training", "administrator"}, lambda w: reverse("training:headcount_new")),
    ("letters", LETTERS, lambda w: reverse("letters:list")),
    ("letter", LETTERS, lambda w: reverse("letters:detail", args=[w["inquiry"].pk])),
    ("letter-new", LETTERS, lambda w: reverse("letters:inquiry_new")),
    ("letter-edit", LETTERS, lambda w: reverse("letters:inquiry_edit", args=[w["inquiry"].pk])),
    ("letter-draft", LETTERS, lambda w: reverse("letters:draft", args=[w["inquiry"].pk, "ru"])),
    ("admin", {"administrator"}, lambda w: reverse("admin:index")),
    ("admin-case", {"administrator"}, lambda w: reverse("admin:registry_case_change", args=[w["case"].pk])),
]  # fmt: skip

# Words of the interface that must not show on a Kazakh page (whole words, case as written):
# an English word there is a string left untranslated. Proper names (Qorgau), codes (KZ-79,
# CSV, XLSX, PDF, ERDR) and the language switch's own names are not in the list.
ENGLISH = [
    "Search", "Cases", "Case", "Reports", "Report", "Status", "Save", "Cancel", "Next",
    "Previous", "Log out", "Menu", "Recent actions", "Authentication", "Required", "required",
    "This field", "Submit", "Export", "Statistics", "Training", "Campaign", "Register", "Show",
    "Download", "Table", "Region", "Number", "Article", "Date", "Delete", "Add", "Change",
    "Home", "View site", "Filter", "Total", "Back", "Continue", "Update", "Edit", "Select",
    "Welcome", "Password", "Username", "Deadline", "Result", "Reason", "Note", "Summary",
    "Channel", "Received", "Registered", "Skip to main content", "There is a problem", "Done",
    "Important", "Administration", "Audit trail", "Replies", "Inquiry", "Draft", "Plan",
    "Activity", "Evidence", "Period", "From", "To", "Page", "of", "the", "and", "or", "None",
    "Yes", "No", "unknown", "Unknown", "Enter", "Choose", "Upload", "Language", "Main",
]  # fmt: skip
# The elements that stick out past the right edge (outside a table's own scrolling box), the
# outermost first: named in a failure, so the fix is easy to find.
WIDEST = """(() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".qorgau-table-wrap") && !el.matches(".qorgau-table-wrap")) continue;
    if (el.getBoundingClientRect().right <= window.innerWidth + 1) continue;
    if (out.some((o) => o.contains(el))) continue;
    out.push(el);
  }
  return out.slice(0, 4).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + " " + Math.round(el.getBoundingClientRect().right) + "px").join(", ");
})()"""
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")


def pages_for(role: str, region: str | None):
    for name, roles, url in PAGES:
        if roles and role not in roles:
            continue
        if roles is LETTERS and region is not None:
            continue  # replies to Parliament are national documents
        yield name, url


def build_world(settings_, tmp_path) -> dict:
    """A case, a report (undecided), a control record, a campaign plan with an activity and its
    evidence, and an inquiry with a draft: in Shymkent (KZ-79) so every user can open them, and
    a case in Astana for the national lists."""
    from qorgau.campaigns.models import Organisation, Plan
    from qorgau.demo.letters import seed_inquiry
    from qorgau.letters import services as letters
    from qorgau.oversight.models import ControlRecord
    from qorgau.reference.models import ArticlePart

    settings_.VAR_DIR = tmp_path
    world: dict = {}
    for code in ("KZ-71", "KZ-79"):
        region = Region.objects.get(code=code)
        case = services.register_case(
            SYSTEM, region, article_part=ArticlePart.objects.get(article__code="115-1", number=1),
            registered_at=local(2026, 1, 10, 10, 0),
            investigating_body=Body.objects.filter(region=region).first(),
        )  # fmt: skip
        report = services.create_report(
            SYSTEM, region, received_at=local(2026, 1, 5, 10, 0), channel="call_102",
            receiving_body=Body.objects.get(code=f"POL-{code[3:]}"),
            summary="Хабарлама мәтіні",
        )  # fmt: skip
        world.update(case=case, report=report)
    world["control"] = ControlRecord.objects.create(case=world["case"], instruction="Тексеру")
    inquiry = seed_inquiry()
    letters.produce_reply(SYSTEM, letters.regenerate_reply(SYSTEM, inquiry, "ru"), "html")
    world["inquiry"] = inquiry
    org = Organisation.objects.create(name_kk="Әкімдік", name_ru="Акимат", kind="akimat")
    world["plan"] = plan = Plan.objects.create(
        title_kk="Жоспар", title_ru="План", kind="akimat", approved_on="2026-02-01",
        approved_by=org, lead=org, period_from="2026-02-01", period_to="2026-12-31",
        region=world["case"].region,
    )  # fmt: skip
    activity = plan.activities.create(
        title_kk="Іс-шара", title_ru="Мероприятие", kind="video", responsible=org,
        due_on="2026-03-01",
    )  # fmt: skip
    evidence = activity.evidence_items.create(original_name="a.pdf")
    evidence.file.save("a.pdf", ContentFile(b"%PDF-1.4"))
    world["activity"] = activity
    return world


def session_cookie(user, live_url: str, lang: str) -> list[dict]:
    """A logged-in session made on the server (the one-time password confirmed for the roles
    that need it, as access/ marks it), and the language chosen: cookies for the browser."""
    client = Client()
    client.force_login(user)
    if policy.needs_otp(user):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [
        {"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_url},
    ]


class Walk:
    """One language's walk: checks every page shown and gathers the failures."""

    def __init__(self, live_url: str, lang: str):
        from axe_playwright_python.sync_playwright import Axe

        self.url, self.lang, self.axe = live_url, lang, Axe()
        self.host = urlparse(live_url).netloc
        self.failures: list[str] = []
        self.axed: set[tuple[str, int]] = set()
        self.shot: set[tuple[str, int]] = set()
        self.walked: set[str] = set()
        self.times: list[tuple[float, str]] = []

    def fail(self, where: str, what: str) -> None:
        self.failures.append(f"{self.lang} {where}: {what}")

    def open(self, page, name: str, path: str, who: str) -> None:
        page.set_viewport_size({"width": WIDE, "height": 900})
        started = time.monotonic()
        response = page.goto(self.url + path, timeout=60_000)
        self.times.append((time.monotonic() - started, f"{who} {name} goto"))
        if response is None or response.status != 200:
            self.fail(f"{who} {name}", f"answered {response and response.status}")
            return
        self.check(page, name, who)

    def check(self, page, name: str, who: str) -> None:
        """The current page at 1280 px, then at 390 px (the same page, reflowed)."""
        started = time.monotonic()
        for width in (WIDE, NARROW):
            page.set_viewport_size({"width": width, "height": 900})
            where = f"{who} {name} {width}px"
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wide = page.evaluate(WIDEST)
                self.fail(where, f"the page scrolls sideways ({scroll} px wide): {wide}")
            if self.lang == "kk":
                self.english(page, where)
            # axe once per page and width, in Kazakh (the default language; the markup, and so
            # what axe checks, is the same in ru and en, whose walks check width, workflows and
            # other hosts): the suite stays within its time.
            if (name, width) not in self.axed and self.lang == "kk":
                self.axed.add((name, width))
                result = self.axe.run(page, options=AXE_OPTIONS)
                if result.violations_count:
                    rules = sorted({v["id"] for v in result.response["violations"]})
                    self.fail(where, f"axe: {', '.join(rules)}")
            if self.lang == "kk" and (name, width) not in self.shot:
                self.shot.add((name, width))
                page.screenshot(
                    path=str(ARTIFACTS / f"staff-{name}-{width}.png"),
                    full_page=True,
                    timeout=60_000,
                )
        page.set_viewport_size({"width": WIDE, "height": 900})
        self.times.append((time.monotonic() - started, f"{who} {name} check"))

    def english(self, page, where: str) -> None:
        """English words in the visible text, each with a little of the text around it."""
        # Sources cited as published (data-verbatim: a population figure's source, in the
        # language it was published in) are data, not the interface: left out.
        text = page.evaluate(
            """(() => {
              const cited = [...document.querySelectorAll("[data-verbatim]")];
              cited.forEach((el) => { el.dataset.display = el.style.display; el.style.display = "none"; });
              const text = document.body.innerText;
              cited.forEach((el) => { el.style.display = el.dataset.display; });
              return text;
            })()"""
        )
        found: dict[str, str] = {}
        for match in ENGLISH_RE.finditer(text):
            around = text[max(0, match.start() - 25) : match.end() + 25].replace("\n", " ")
            found.setdefault(match.group(1), around)
        if found:
            self.fail(where, "English: " + "; ".join(f"{w!r} in «{c}»" for w, c in found.items()))

    def watch(self, page) -> None:
        page.on("request", self.request)
        # The buttons of irreversible steps ask first (data-confirm, core/static/qorgau/init.mjs):
        # the workflows answer yes, as the officer would.
        page.on("dialog", lambda dialog: dialog.accept())

    def request(self, request) -> None:
        host = urlparse(request.url).netloc
        if host != self.host and not request.url.startswith(("data:", "blob:")):
            self.fail("request", f"to another host: {request.url}")


def submit(page) -> None:
    """Press the main form's submit button (the last one in <main>) and wait for the answer."""
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").last.click()


def error_summary_shown(walk: Walk, page, who: str, name: str) -> None:
    summary = page.locator(".govuk-error-summary")
    if not summary.count():
        walk.fail(f"{who} {name}", "no error summary after a wrong entry")
    walk.check(page, name + "-error", who)


# --- One workflow per role, end to end -------------------------------------------------------


def registrar_flow(walk: Walk, page, world, who: str) -> None:
    """Enter a report with a mistake (nothing filled in), see the errors, fix them; register a
    case from it."""
    walk.open(page, "report-new", reverse("registry:report_new"), who)
    submit(page)
    error_summary_shown(walk, page, who, "report-new")
    page.fill("[name=received_at]", "2026-01-06T09:30")
    page.select_option("[name=channel]", index=1)
    page.select_option("[name=region]", value=str(world["case"].region.pk))
    page.select_option("[name=receiving_body]", value=str(Body.objects.get(code="POL-79").pk))
    page.fill("[name=summary]", "Хабарлама мәтіні")
    submit(page)
    if "/registry/reports/" not in page.url or "/new/" in page.url:
        walk.fail(f"{who} report-new", f"the report was not saved ({page.url})")
        return
    walk.check(page, "report-saved", who)
    page.goto(page.url.rstrip("/") + "/register/")
    page.select_option("[name=article_part]", index=1)
    page.fill("[name=registered_at]", "2026-01-07T10:00")
    submit(page)
    if "/registry/cases/" not in page.url:
        walk.fail(f"{who} report-register", f"no case was registered ({page.url})")
        return
    walk.check(page, "case-registered", who)


def investigator_flow(walk: Walk, page, world, who: str) -> None:
    """Change a case's status (a fresh case every time)."""
    region = Region.objects.get(code="KZ-79")
    case = services.register_case(
        SYSTEM, region, article_part=world["case"].article_part,
        registered_at=local(2026, 1, 11, 10, 0), investigating_body=world["case"].investigating_body,
    )  # fmt: skip
    walk.open(page, "case", reverse("registry:case_detail", args=[case.number]), who)
    page.select_option("[name=to_status]", value="sent_to_court")
    with page.expect_navigation():
        page.locator("form:has([name=to_status]) [type=submit]").first.click()
    case.refresh_from_db()
    if case.status != "sent_to_court":
        walk.fail(f"{who} case-status", f"the status did not change ({page.url})")
    walk.check(page, "case-status-changed", who)


def prosecutor_flow(walk: Walk, page, world, who: str) -> None:
    """Open the deadline control, then a control item, and record its result."""
    from qorgau.oversight.models import ControlRecord

    record = ControlRecord.objects.create(case=world["case"], instruction="Мерзімін тексеру")
    walk.open(page, "control", reverse("oversight:control"), who)
    form = page.locator(f"form[action$='/control/{record.pk}/result/']")
    if not form.count():
        walk.fail(f"{who} control", "no form to record the control item's result")
        return
    form.locator("[name=result]").fill("Орындалды")
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    record.refresh_from_db()
    if not record.result:
        walk.fail(f"{who} control-result", f"the result was not recorded ({page.url})")
    walk.check(page, "control-result", who)


def analyst_flow(walk: Walk, page, world, who: str) -> None:
    """Filter the statistics by a period and download a table as CSV."""
    walk.open(page, "stats", reverse("stats:dashboard"), who)
    page.fill("[name=date_from]", "2026-01-01")
    page.fill("[name=date_to]", "2026-03-31")
    with page.expect_navigation():
        page.locator("form.filters [type=submit]").click()
    if "date_from=2026-01-01" not in page.url:
        walk.fail(f"{who} stats-filter", f"the filter was not applied ({page.url})")
    walk.check(page, "stats-filtered", who)
    with page.expect_download() as download:
        page.locator("a[href*='/stats/export/regions.csv']").first.click()
    if not download.value.suggested_filename.endswith(".csv"):
        walk.fail(f"{who} stats-csv", download.value.suggested_filename)


def campaign_flow(walk: Walk, page, world, who: str) -> None:
    """From the campaign's progress to an activity."""
    walk.open(page, "campaigns", reverse("campaigns:progress"), who)
    link = page.locator(f"main a[href$='/activities/{world['activity'].pk}/']")
    if not link.count():
        plan = page.locator(f"main a[href$='/plans/{world['plan'].pk}/']")
        with page.expect_navigation():
            plan.first.click()
        link = page.locator(f"main a[href$='/activities/{world['activity'].pk}/']")
    with page.expect_navigation():
        link.first.click()
    walk.check(page, "campaign-activity", who)


def training_flow(walk: Walk, page, world, who: str) -> None:
    """Record a training session: first with a wrong participants line, then right."""
    walk.open(page, "training-session", reverse("training:session_new"), who)
    page.fill("[name=held_on]", "2026-03-02")
    page.select_option("[name=region]", value=str(world["case"].region.pk))
    page.locator("[name=topics]").first.check()
    page.fill("[name=participants]", "тергеуші он екі")
    submit(page)
    error_summary_shown(walk, page, who, "training-session")
    page.fill("[name=participants]", "тергеуші: 12")
    submit(page)
    if "/sessions/new/" in page.url:
        walk.fail(f"{who} training-session", "the session was not saved")
    walk.check(page, "training-saved", who)


def admin_flow(walk: Walk, page, world, who: str) -> None:
    """The admin site's index, then a case in it."""
    walk.open(page, "admin", reverse("admin:index"), who)
    with page.expect_navigation():
        page.locator("#content a[href$='/admin/registry/case/']").first.click()
    walk.check(page, "admin-cases", who)
    with page.expect_navigation():
        page.locator(f"#result_list a[href$='/registry/case/{world['case'].pk}/change/']").click()
    walk.check(page, "admin-case", who)


FLOWS = {
    "registrar": registrar_flow,
    "investigator": investigator_flow,
    "prosecutor": prosecutor_flow,
    "analyst": analyst_flow,
    "campaign": campaign_flow,
    "training": training_flow,
    "administrator": admin_flow,
}


def menu_collapses(walk: Walk, page, who: str) -> None:
    """Below 641 px the menu hides behind its button, which opens it; at 1280 px it shows."""
    page.set_viewport_size({"width": NARROW, "height": 900})
    toggle = page.locator(".govuk-service-navigation__toggle")
    items = page.locator(".govuk-service-navigation__list")
    # GOV.UK's script hides the list when the screen narrows (a media query listener, run
    # after the resize: on a loaded machine not at once).
    with contextlib.suppress(PlaywrightError):
        toggle.wait_for(state="visible", timeout=5000)
        items.wait_for(state="hidden", timeout=5000)
    if not toggle.is_visible() or items.is_visible():
        walk.fail(f"{who} menu {NARROW}px", "the menu does not hide behind its button")
    else:
        toggle.click()
        if not items.is_visible() or toggle.get_attribute("aria-expanded") != "true":
            walk.fail(f"{who} menu {NARROW}px", "the menu button does not open the menu")
    page.set_viewport_size({"width": WIDE, "height": 900})
    # GOV.UK's script hides the button when the screen widens (a media query listener).
    with contextlib.suppress(PlaywrightError):
        toggle.wait_for(state="hidden", timeout=5000)
    if toggle.is_visible() or not items.is_visible():
        walk.fail(f"{who} menu {WIDE}px", "the menu is not shown in full")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_role_walks_its_pages(live_server, browser, settings, tmp_path, lang):
    world = build_world(settings, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    walk = Walk(live_server.url, lang)
    for username, role, region in USERS:
        user = make_user(username, role, region, is_staff=role == "administrator",
                         is_superuser=role == "administrator")  # fmt: skip
        context = browser.new_context(locale=LOCALES[lang])
        context.add_cookies(session_cookie(user, live_server.url, lang))
        context.set_default_timeout(5000)
        page = context.new_page()
        walk.watch(page)  # answers data-confirm questions yes, as the officer would
        who = username
        # Each page once per language, by the first role that may open it (its markup, width,
        # words and accessibility do not change with the role; which role may open what is the
        # access tests' subject): the home page, a worklist per role, by every role.
        # In ru and en the workflows below open the pages they go through (and the home page
        # is walked): every page of every role is walked in Kazakh, the default language.
        for name, url in pages_for(role, region) if lang == "kk" else ():
            if name != "home" and name in walk.walked:
                continue
            walk.walked.add(name)
            walk.open(page, name, url(world), who)
        walk.open(page, "home", reverse("home"), who)
        menu_collapses(walk, page, who)
        try:
            FLOWS[role](walk, page, world, who)
        except PlaywrightError as error:
            walk.fail(f"{who} workflow", str(error).splitlines()[0])
        context.close()
    for seconds, what in sorted(walk.times, reverse=True)[:25]:
        print(f"{seconds:6.2f} {what}")
    print(f"{sum(t for t, _w in walk.times):6.2f} in all")
    assert not walk.failures, "\n".join(walk.failures)


def test_skip_link_is_the_first_tab_and_focus_is_visible(live_server, browser, settings, tmp_path):
    user = make_user("registrar", "registrar")
    context = browser.new_context()
    context.add_cookies(session_cookie(user, live_server.url, "kk"))
    page = context.new_page()
    page.goto(live_server.url + reverse("registry:case_list"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").startswith("govuk-skip-link")
    # GOV.UK's focus: yellow behind the focused link.
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    context.close()


def test_menu_without_javascript_is_a_plain_list(live_server, browser):
    user = make_user("prosecutor", "prosecutor")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    context.add_cookies(session_cookie(user, live_server.url, "kk"))
    page = context.new_page()
    page.goto(live_server.url + reverse("training:page"))
    assert page.locator(".govuk-service-navigation__toggle").is_hidden()
    assert page.locator(".govuk-service-navigation__list").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_login_page(live_server, browser, lang):
    context = browser.new_context()
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}]
    )
    page = context.new_page()
    walk = Walk(live_server.url, lang)
    walk.watch(page)
    walk.open(page, "login", reverse("login"), "anonymous")
    page.fill("[name=username]", "nobody")
    page.fill("[name=password]", "wrong-password")
    submit(page)
    walk.check(page, "login-error", "anonymous")
    context.close()
    assert not walk.failures, "\n".join(walk.failures)
