"""The staff home page is each role's worklist: counts that link to the lists they count,
the oldest items first, only the user's scope (docs/worklists.md)."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from qorgau.audit.models import AuditEntry
from qorgau.oversight import deadlines
from qorgau.reference.models import Body, Region
from qorgau.registry import services as registry
from tests.fixtures import DEMO_NOW, SYSTEM, local, make_user

pytestmark = pytest.mark.django_db

ROLES = ["registrar", "investigator", "prosecutor", "analyst", "campaign", "training",
         "administrator"]  # fmt: skip
COUNT_LINK = re.compile(
    r'<a [^>]*href="([^"]+)" data-count="([^"]+)"><strong[^>]*>([^<]+)</strong>'
)


def count_links(page: str) -> dict[str, tuple[str, int]]:
    """The worklist's counts on a home page: key -> (the link, the number shown)."""
    return {
        key: (html.unescape(href), int(re.sub(r"\D", "", number)))
        for href, key, number in COUNT_LINK.findall(page)
    }


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("pk")


def list_total(client, href: str) -> int:
    """How many records the page at ``href`` says it lists (its own figure: the registry's
    lists and the control page by their read entry, the others by their context)."""
    response = client.get(href)
    assert response.status_code == 200, href
    path = href.split("?")[0].split("#")[0]
    if path in (reverse("registry:report_list"), reverse("registry:case_list")):
        action = "report.search" if "report" in path else "case.search"
        return _entry(action).details["results"]
    if path == reverse("oversight:control"):
        details = _entry("oversight.view").details
        return details["late"] + details["due_soon"] + details["review"]
    if path == reverse("campaigns:progress"):
        return response.context["progress"]["status_counts"]["overdue"]
    if path == reverse("training:page"):
        return sum(1 for row in response.context["rows"] if row["headcount"] is None)
    if path == reverse("letters:list"):
        return sum(1 for i in response.context["inquiries"] if i.status != "sent")
    raise AssertionError(f"no total known for {href}")


@pytest.mark.parametrize("scope", [None, "KZ-79"])
@pytest.mark.parametrize("role", ROLES)
def test_every_count_on_the_home_page_equals_the_list_it_links_to(
    client, login, demo, time_machine, role, scope
):
    time_machine.move_to(DEMO_NOW, tick=False)
    user = make_user(f"{role}_{scope or 'kz'}", role, scope, is_staff=role == "administrator")
    login(client, user)
    page = client.get(reverse("home")).content.decode()
    links = count_links(page)
    expected = {
        "registrar": {"pending", "pending_overdue"},
        "investigator": {"term_passed", "term_due"},
        "prosecutor": {"late_report", "overdue_case", "due_soon", "review"},
        "analyst": {"inquiries"} if scope is None else set(),
        "campaign": {"activities_overdue"},
        "training": {"headcount_missing"},
        "administrator": {"pending", "pending_overdue", "term_passed", "term_due",
                          "late_report", "overdue_case", "due_soon", "review"},
    }[role]  # fmt: skip
    assert set(links) == expected
    for key, (href, shown) in links.items():
        assert list_total(client, href) == shown, (role, scope, key, href)
    if role in ("registrar", "investigator", "prosecutor", "administrator"):
        assert sum(shown for _href, shown in links.values()) > 0  # the demo has work for them


def test_demo_registrar_counts_are_those_of_the_demo(client, login, demo, time_machine):
    """The counts are real numbers of the data, not only equal to something."""
    from qorgau.registry.models import Report

    time_machine.move_to(DEMO_NOW, tick=False)
    login(client, make_user("registrar_kz", "registrar"))
    links = count_links(client.get(reverse("home")).content.decode())
    assert links["pending"][1] == Report.objects.filter(decision="pending").count()


def pending(region_code: str, received_at: dt.datetime):
    region = Region.objects.get(code=region_code)
    return registry.create_report(
        SYSTEM, region, received_at=received_at, channel="written",
        receiving_body=Body.objects.get(code=f"POL-{region_code[3:]}"), summary="…",
    )  # fmt: skip


def test_registrar_sees_pending_reports_oldest_first_with_the_24_hour_clock(
    client, login, time_machine
):
    time_machine.move_to(local(2026, 3, 11, 12, 0), tick=False)
    newest = pending("KZ-79", local(2026, 3, 11, 9, 30))  # 21 h 30 min left
    oldest = pending("KZ-79", local(2026, 3, 9, 8, 0))  # overdue by 1 d 4 h
    middle = pending("KZ-79", local(2026, 3, 10, 13, 15))  # 1 h 15 min left
    pending("KZ-71", local(2026, 3, 8, 8, 0))  # Astana: not the Shymkent registrar's
    login(client, make_user("registrar_shymkent", "registrar", "KZ-79"))
    with_lang = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    page = with_lang.content.decode()
    refs = re.findall(r'href="/registry/reports/(\d+)/"', page) or re.findall(
        r'href="[^"]*/reports/(\d+)/"', page
    )
    assert [int(r) for r in refs] == [oldest.pk, middle.pk, newest.pk]
    assert "overdue by 1 d 4 h" in page
    assert "1 h 15 min left" in page and "21 h 30 min left" in page
    links = count_links(page)
    assert links["pending"][1] == 3 and links["pending_overdue"][1] == 1
    assert links["pending"][0].endswith("?decision=pending")
    assert links["pending_overdue"][0].endswith("?decision=pending&overdue=1")
    entry = _entry("worklist.view")
    assert entry.details["shown"] == {
        "reports": [f"R{oldest.pk}", f"R{middle.pk}", f"R{newest.pk}"]
    }
    assert entry.details["counts"] == {"pending": 3, "pending_overdue": 1}


def test_investigator_sees_terms_due_within_the_window_and_passed(
    client, login, make_case, time_machine
):
    assert deadlines.DUE_SOON_DAYS == 7
    time_machine.move_to(local(2026, 3, 11, 12, 0), tick=False)
    passed = make_case(registered_at=local(2025, 12, 1, 10, 0))  # term ended 1 February
    soon = make_case(registered_at=local(2026, 2, 15, 10, 0))  # ends 15 March: 4 days
    later = make_case(registered_at=local(2026, 3, 1, 10, 0))  # ends 1 April: not yet
    other = make_case(region="KZ-71", registered_at=local(2025, 12, 1, 10, 0))
    for case in (passed, soon, later, other):
        case.refresh_from_db()
    assert soon.term_ends_on == dt.date(2026, 3, 15) and passed.term_ends_on < dt.date(2026, 3, 11)
    login(client, make_user("investigator_shymkent", "investigator", "KZ-79"))
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    links = count_links(page)
    assert links["term_passed"] == (reverse("registry:case_list") + "?term=passed", 1)
    assert links["term_due"] == (reverse("registry:case_list") + "?term=due", 1)
    assert passed.number in page and soon.number in page
    assert later.number not in page and other.number not in page
    assert "4 days left" in page


def test_prosecutor_counts_are_the_control_pages_filters(client, login, make_case, time_machine):
    time_machine.move_to(local(2026, 3, 11, 12, 0), tick=False)
    make_case(registered_at=local(2025, 12, 1, 10, 0))  # overdue investigation
    make_case(registered_at=local(2026, 2, 15, 10, 0))  # due soon
    pending("KZ-79", local(2026, 3, 9, 8, 0))  # late report
    pending("KZ-71", local(2026, 3, 9, 8, 0))  # another region's
    login(client, make_user("prosecutor_shymkent", "prosecutor", "KZ-79"))
    links = count_links(client.get(reverse("home")).content.decode())
    control = reverse("oversight:control")
    assert links["late_report"] == (f"{control}?kind=late_report", 1)
    assert links["overdue_case"] == (f"{control}?kind=overdue_case", 1)
    assert links["due_soon"] == (f"{control}?kind=due_soon", 1)
    assert links["review"] == (f"{control}?kind=review", 0)


def test_shymkent_users_see_only_shymkent_work(client, login, make_case, time_machine):
    time_machine.move_to(local(2026, 3, 11, 12, 0), tick=False)
    own = make_case(registered_at=local(2025, 12, 1, 10, 0))
    astana = make_case(region="KZ-71", registered_at=local(2025, 12, 1, 10, 0))
    mine = pending("KZ-79", local(2026, 3, 9, 8, 0))
    theirs = pending("KZ-71", local(2026, 3, 9, 7, 0))
    login(client, make_user("admin_shymkent", "administrator", "KZ-79", is_staff=True))
    page = client.get(reverse("home")).content.decode()
    assert own.number in page and astana.number not in page
    assert f"/{mine.pk}/" in page and f"/{theirs.pk}/" not in page
    links = count_links(page)
    assert links["pending"][1] == 1 and links["term_passed"][1] == 1
    national = client.__class__()
    login(national, make_user("admin_kz", "administrator", None, is_staff=True))
    links = count_links(national.get(reverse("home")).content.decode())
    assert links["pending"][1] == 2 and links["term_passed"][1] == 2
