"""The campaign exports ask the policy and leave a trail (finding 16, outside review).

``export_plan`` and ``export_progress`` are service functions taking the acting actor: whoever
calls them — a page, a command, a script — a user without ``campaigns.view`` gets
``policy.NotAllowed`` and no file, a regional user sees the national plans and their region's
only (as on the pages), and each export writes one audit entry saying what went out.
"""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from openpyxl import load_workbook

from qorgau.access import policy
from qorgau.audit.models import AuditEntry
from qorgau.campaigns import services
from qorgau.core.actors import Actor
from tests.fixtures import make_user

from .test_campaigns import plans  # noqa: F401  (the fixture: national, Shymkent and Astana)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)  # every activity of the fixture (due 2026-03-31) is overdue


def exports():
    return AuditEntry.objects.filter(action__in=["plan.export", "campaign.progress.export"])


def overdue_titles(data: bytes) -> set[str]:
    rows = list(load_workbook(io.BytesIO(data))["overdue"].iter_rows(values_only=True))[1:]
    return {title for _executor, title, _due, _plan in rows}


def test_a_user_without_the_campaign_right_gets_no_export_and_no_entry(plans):  # noqa: F811
    registrar = Actor.person(make_user("registrar_79", "registrar", "KZ-79"))
    with pytest.raises(policy.NotAllowed):
        services.export_plan(registrar, plans["KZ"].plan)
    with pytest.raises(policy.NotAllowed):
        services.export_progress(registrar, day=DAY)
    with pytest.raises(policy.NotAllowed):
        services.export_progress(Actor.person(AnonymousUser()), plans["KZ"].plan, day=DAY)
    assert not exports().exists()


def test_regional_coordinator_cannot_export_another_regions_plan(plans):  # noqa: F811
    coordinator = Actor.person(make_user("campaign_79", "campaign", "KZ-79"))
    astana = plans["KZ-71"].plan
    with pytest.raises(policy.NotAllowed):
        services.export_plan(coordinator, astana)
    with pytest.raises(policy.NotAllowed):
        services.export_progress(coordinator, astana, day=DAY)
    assert not exports().exists()


def test_regional_progress_export_holds_only_their_region_and_national_plans(plans):  # noqa: F811
    coordinator = Actor.person(make_user("campaign_79", "campaign", "KZ-79"))
    with translation.override("kk"):
        data = services.export_progress(coordinator, day=DAY)
        analyst = Actor.person(make_user("analyst_kz", "analyst"))
        national = services.export_progress(analyst, day=DAY)
    assert overdue_titles(data) == {"N", "Шымкент 1"}
    assert overdue_titles(national) == {"N", "Шымкент 1", "Астана 1"}
    entry = AuditEntry.objects.get(action="campaign.progress.export", username="campaign_79")
    assert entry.details == {"plan": None, "day": "2026-06-01", "activities": 2, "format": "xlsx"}
    assert entry.region_code == "KZ-79"
    assert exports().count() == 2  # one entry per export


def test_plan_export_of_a_visible_plan_is_written_to_the_trail(plans):  # noqa: F811
    coordinator = Actor.person(make_user("campaign_79", "campaign", "KZ-79"))
    own, national = plans["KZ-79"].plan, plans["KZ"].plan
    data = services.export_plan(coordinator, own)
    assert "Шымкент 1" in {
        r[0] for r in load_workbook(io.BytesIO(data))["activities"].iter_rows(values_only=True)
    }
    services.export_plan(coordinator, national)
    own_entry, national_entry = AuditEntry.objects.filter(action="plan.export").order_by("pk")
    assert (own_entry.object_id, own_entry.region_code) == (str(own.pk), "KZ-79")
    assert (national_entry.object_id, national_entry.region_code) == (str(national.pk), "")
    assert own_entry.username == "campaign_79"
    assert own_entry.details == {"activities": 1, "format": "xlsx"}


def test_the_export_pages_write_the_same_entries(client, login, plans):  # noqa: F811
    login(client, make_user("campaign_79", "campaign", "KZ-79"))
    own = plans["KZ-79"].plan
    assert client.get(f"/campaigns/plans/{own.pk}/export.xlsx").status_code == 200
    assert client.get(f"/campaigns/progress.xlsx?plan={own.pk}").status_code == 200
    assert client.get(f"/campaigns/plans/{plans['KZ-71'].plan.pk}/export.xlsx").status_code == 404
    assert sorted(exports().values_list("action", "object_id")) == [
        ("campaign.progress.export", ""),
        ("plan.export", str(own.pk)),
    ]
    assert exports().get(action="campaign.progress.export").details["plan"] == own.pk
