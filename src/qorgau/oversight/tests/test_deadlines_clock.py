"""The control list under a frozen clock (time-machine) around midnight in Kazakhstan (UTC+5),
where the UTC date is still yesterday's: a case's term is late or due by the Kazakh date
(``localdate``), a report's 24 hours by the moment (``now``)."""

import datetime as dt
import io
import json
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from qorgau.oversight import deadlines
from qorgau.reference.models import Body, Region
from qorgau.registry import services as registry
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
# 00:30 on 11 March in Kazakhstan is 19:30 on 10 March in UTC.
PAST_MIDNIGHT = dt.datetime(2026, 3, 11, 0, 30, tzinfo=ALMATY)


def pending_report(received_at):
    region = Region.objects.get(code="KZ-79")
    return registry.create_report(
        SYSTEM, region, received_at=received_at, channel="written",
        receiving_body=Body.objects.get(code="POL-79"), summary="…",
    )  # fmt: skip


@pytest.fixture
def items(make_case, time_machine):
    """Cases whose term (115-1: one month) ends on 10, 18 and 19 March, and two pending reports
    whose 24 hours end 10 minutes before and after the frozen moment."""
    time_machine.move_to(PAST_MIDNIGHT, tick=False)
    return {
        "ends_10": make_case(article="115-1", registered_at=local(2026, 2, 10, 10, 0)),
        "ends_18": make_case(article="115-1", registered_at=local(2026, 2, 18, 10, 0)),
        "ends_19": make_case(article="115-1", registered_at=local(2026, 2, 19, 10, 0)),
        "report_late": pending_report(local(2026, 3, 10, 0, 20)),
        "report_due": pending_report(local(2026, 3, 10, 0, 40)),
    }


def listed(control):
    return {
        (item.category, item.ref, item.overdue_days) for item in control.late + control.due_soon
    }


def test_past_midnight_in_kazakhstan_the_term_of_yesterday_is_late(items, time_machine):
    assert timezone.now().date() == dt.date(2026, 3, 10)  # UTC
    assert timezone.localdate() == dt.date(2026, 3, 11)  # Kazakhstan
    assert [items[k].term_ends_on for k in ("ends_10", "ends_18", "ends_19")] == [
        dt.date(2026, 3, 10), dt.date(2026, 3, 18), dt.date(2026, 3, 19),
    ]  # fmt: skip
    control = deadlines.control_list(make_user("prosecutor_79", "prosecutor", "KZ-79"))
    assert control.today == dt.date(2026, 3, 11)
    assert listed(control) == {
        ("late", items["ends_10"].number, 1),  # its last day was yesterday, Kazakh time
        ("due_soon", items["ends_18"].number, 0),  # the seventh day from today
        ("late", f"R{items['report_late'].pk}", 1),  # 24 hours passed 10 minutes ago
        ("due_soon", f"R{items['report_due'].pk}", 0),  # 10 minutes left
    }
    # The command and the page say the same at this moment.
    out = io.StringIO()
    call_command("deadlines", "--as-user", "prosecutor_79", "--format", "json", stdout=out)
    assert {(r["category"], r["ref"]) for r in json.loads(out.getvalue())} == {
        (category, ref) for category, ref, _days in listed(control)
    }


def test_an_hour_before_midnight_the_same_term_is_still_due(items, time_machine, client, login):
    time_machine.move_to(dt.datetime(2026, 3, 10, 23, 30, tzinfo=ALMATY), tick=False)
    assert timezone.localdate() == timezone.now().date() == dt.date(2026, 3, 10)
    prosecutor = make_user("prosecutor_79", "prosecutor", "KZ-79")
    control = deadlines.control_list(prosecutor)
    assert listed(control) == {
        ("due_soon", items["ends_10"].number, 0),  # its last day is today
        # 18 March is the eighth day: not yet within the week.
        ("due_soon", f"R{items['report_late'].pk}", 0),  # 50 minutes left
        ("due_soon", f"R{items['report_due'].pk}", 0),
    }
    login(client, prosecutor)
    page = client.get("/oversight/").content.decode()
    assert items["ends_10"].number in page and items["ends_18"].number not in page
    # Ten minutes past midnight the term has run out, and the first report's hours too.
    time_machine.move_to(dt.datetime(2026, 3, 11, 0, 25, tzinfo=ALMATY), tick=False)
    page = client.get("/oversight/").content.decode()
    late = deadlines.control_list(prosecutor).late
    assert {item.ref for item in late} == {items["ends_10"].number, f"R{items['report_late'].pk}"}
    assert items["ends_18"].number in page
