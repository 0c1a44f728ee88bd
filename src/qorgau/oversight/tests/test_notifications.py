"""In-app notifications of new overdue items (``qorgau notify-overdue``), the notifications
page, and the daily digest by e-mail (``qorgau send-digest``): docs/worklists.md."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from qorgau.access.models import Profile
from qorgau.audit.models import AuditEntry
from qorgau.oversight import deadlines
from qorgau.oversight.models import Notification
from qorgau.reference.models import Body, Region
from qorgau.registry import services as registry
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 11, 12, 0)


def pending(region_code, received_at):
    region = Region.objects.get(code=region_code)
    return registry.create_report(
        SYSTEM, region, received_at=received_at, channel="written",
        receiving_body=Body.objects.get(code=f"POL-{region_code[3:]}"), summary="…",
    )  # fmt: skip


@pytest.fixture
def overdue(make_case, time_machine):
    """In Shymkent: a report 28 hours old, one 2 hours old, a case past its term and one
    within it; in Astana a late report and a late case. People of several roles and scopes."""
    time_machine.move_to(NOW, tick=False)
    items = {
        "late_report": pending("KZ-79", local(2026, 3, 10, 8, 0)),
        "fresh_report": pending("KZ-79", local(2026, 3, 11, 10, 0)),
        "late_case": make_case(registered_at=local(2025, 12, 1, 10, 0)),
        "open_case": make_case(registered_at=local(2026, 3, 1, 10, 0)),
        "astana_report": pending("KZ-71", local(2026, 3, 9, 8, 0)),
        "astana_case": make_case(region="KZ-71", registered_at=local(2025, 12, 1, 10, 0)),
    }
    users = {
        "registrar": make_user("registrar_shymkent", "registrar", "KZ-79", email="r@example.kz"),
        "investigator": make_user("investigator_shymkent", "investigator", "KZ-79",
                                  email="i@example.kz"),
        "prosecutor": make_user("prosecutor_shymkent", "prosecutor", "KZ-79"),
        "prosecutor_kz": make_user("prosecutor_national", "prosecutor", None),
        "analyst": make_user("analyst_national", "analyst", None, email="a@example.kz"),
        "astana": make_user("registrar_astana", "registrar", "KZ-71"),
    }  # fmt: skip
    return items, users


def refs(user) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(user=user).values_list("kind", "ref"))


def test_notify_overdue_tells_each_user_of_their_own_overdue_items_once(overdue):
    items, users = overdue
    out = io.StringIO()
    call_command("notify-overdue", stdout=out, lang="en")
    late_report = ("report_overdue", f"R{items['late_report'].pk}")
    late_case = ("term_passed", items["late_case"].number)
    astana_report = ("report_overdue", f"R{items['astana_report'].pk}")
    astana_case = ("term_passed", items["astana_case"].number)
    assert refs(users["registrar"]) == {late_report}
    assert refs(users["investigator"]) == {late_case}
    assert refs(users["prosecutor"]) == {late_report, late_case}
    assert refs(users["prosecutor_kz"]) == {late_report, late_case, astana_report, astana_case}
    assert refs(users["analyst"]) == set()
    assert refs(users["astana"]) == {astana_report}
    assert "9 notifications for 5 users." in out.getvalue()
    entry = AuditEntry.objects.get(action="notification.create")
    assert entry.username == "system:notify-overdue"
    assert entry.details["created"] == 9 and entry.details["users"] == 5

    # Idempotent: a second run adds nothing, a read notice is not made again.
    Notification.objects.filter(user=users["registrar"]).update(read_at=NOW)
    call_command("notify-overdue", stdout=io.StringIO())
    assert Notification.objects.count() == 9
    assert (
        AuditEntry.objects.filter(action="notification.create").latest("pk").details["created"] == 0
    )


def test_an_item_becoming_overdue_later_is_notified_then(overdue, time_machine):
    items, users = overdue
    call_command("notify-overdue", stdout=io.StringIO())
    assert len(refs(users["registrar"])) == 1
    time_machine.move_to(local(2026, 3, 12, 10, 30), tick=False)  # the fresh one: 24 h 30 min
    call_command("notify-overdue", stdout=io.StringIO())
    assert ("report_overdue", f"R{items['fresh_report'].pk}") in refs(users["registrar"])
    assert len(refs(users["registrar"])) == 2


def test_the_badge_the_page_and_mark_as_read(client, login, overdue):
    items, users = overdue
    user = users["registrar"]
    login(client, user)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("oversight:notifications") not in home  # nothing unread, no badge
    call_command("notify-overdue", stdout=io.StringIO())
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("oversight:notifications")}"' in home
    page = client.get(reverse("oversight:notifications"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert (
        reverse("registry:report_detail", args=[items["late_report"].pk]) in page.content.decode()
    )
    seen = AuditEntry.objects.filter(action="notification.search").latest("pk")
    assert seen.details["shown"] == [f"R{items['late_report'].pk}"]

    notice = Notification.objects.get(user=user)
    assert client.get(reverse("oversight:notification_read", args=[notice.pk])).status_code == 405
    response = client.post(reverse("oversight:notification_read", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at == NOW
    entry = AuditEntry.objects.get(action="notification.read")
    assert entry.username == user.username and entry.details["ref"] == notice.ref
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("oversight:notifications")}"' not in home
    # Marking it again changes nothing and writes nothing.
    client.post(reverse("oversight:notification_read", args=[notice.pk]))
    assert AuditEntry.objects.filter(action="notification.read").count() == 1


def test_another_users_notification_is_a_404_and_stays_unread(client, login, overdue):
    _items, users = overdue
    call_command("notify-overdue", stdout=io.StringIO())
    theirs = Notification.objects.filter(user=users["prosecutor"]).first()
    login(client, users["registrar"])
    response = client.post(reverse("oversight:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(reverse("oversight:notifications")).content.decode()
    assert users["prosecutor"].notifications.first().ref not in page or theirs.ref in {
        n.ref for n in Notification.objects.filter(user=users["registrar"])
    }


def test_digest_mails_each_user_their_counts_in_their_language(overdue, settings):
    items, users = overdue
    settings.QORGAU_BASE_URL = "https://qorgau.example.kz"
    users["prosecutor"].email, users["prosecutor_kz"].email = "p@example.kz", "pn@example.kz"
    users["prosecutor"].save()
    users["prosecutor_kz"].save()
    Profile.objects.filter(user=users["prosecutor_kz"]).update(language="ru")
    call_command("notify-overdue", stdout=io.StringIO())
    out = io.StringIO()
    call_command("send-digest", stdout=out, lang="en")
    # Those with work and an address get a mail; the analyst has an address but nothing to
    # tell; the Astana registrar has no address.
    sent = {m.to[0]: m for m in mail.outbox}
    assert sorted(sent) == ["i@example.kz", "p@example.kz", "pn@example.kz", "r@example.kz"]
    assert "4 digests sent, 1 with nothing to tell, 0 failed." in out.getvalue()

    registrar = sent["r@example.kz"]
    assert "2026-03-11" in registrar.subject
    text = registrar.body
    assert "  2 — " in text and "  1 — " in text  # two pending, one past its term
    assert "https://qorgau.example.kz/registry/reports/?decision=pending&overdue=1" in text
    assert f"R{items['late_report'].pk}" in text  # the new notification
    html, mimetype = registrar.alternatives[0]
    assert mimetype == "text/html" and '<html lang="kk">' in html
    assert "?decision=pending&amp;overdue=1" in html
    assert items["late_case"].number in sent["i@example.kz"].body

    # In the user's language: Kazakh by default, Russian when the profile says so; the
    # counts of each one's scope (Shymkent: 1 late report; the country: 2).
    late = deadlines.FilterKind.LATE_REPORT.label
    with translation.override("kk"):
        kk = str(late)
    with translation.override("ru"):
        ru = str(late)
    with translation.override("en"):
        en = str(late)
    assert len({kk, ru, en}) == 3
    assert f"  1 — {kk}" in sent["p@example.kz"].body
    assert f"  2 — {ru}" in sent["pn@example.kz"].body
    assert '<html lang="ru">' in sent["pn@example.kz"].alternatives[0][0]

    entry = AuditEntry.objects.get(action="worklist.digest")
    assert entry.username == "system:send-digest"
    assert (entry.details["sent"], entry.details["skipped"]) == (4, 1)
    assert "r@example.kz" not in str(entry.details)


def test_digest_counts_only_notifications_since_the_last_digest(overdue, time_machine):
    _items, users = overdue
    call_command("notify-overdue", stdout=io.StringIO())
    call_command("send-digest", stdout=io.StringIO())
    first = next(m for m in mail.outbox if m.to == ["r@example.kz"]).body
    time_machine.move_to(local(2026, 3, 12, 12, 0), tick=False)
    mail.outbox.clear()
    call_command("send-digest", stdout=io.StringIO())
    second = next(m for m in mail.outbox if m.to == ["r@example.kz"]).body
    notice = Notification.objects.get(user=users["registrar"]).ref
    assert notice in first and notice not in second
