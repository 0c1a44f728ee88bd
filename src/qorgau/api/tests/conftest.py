"""The API's test world: a case, a report, a plan and an activity in Shymkent (KZ-79) and in
Astana (KZ-71), and API clients with keys for any role and scope."""

import pytest
from django.test import Client

from qorgau.api import services
from qorgau.reference.models import Body
from tests.fixtures import SYSTEM, local


@pytest.fixture
def api_world(make_case):
    from qorgau.campaigns.models import Organisation, Plan
    from qorgau.registry import services as registry

    objects = {}
    for code in ("KZ-79", "KZ-71"):
        case = make_case(region=code)
        report = registry.create_report(
            SYSTEM, case.region, received_at=local(2026, 1, 5, 10, 0), channel="call_102",
            receiving_body=Body.objects.get(code=f"POL-{code[3:]}"), summary="…",
        )  # fmt: skip
        org = Organisation.objects.create(name_kk=f"Әкімдік {code}", name_ru=f"Акимат {code}",
                                          kind="akimat")  # fmt: skip
        plan = Plan.objects.create(
            title_kk="Жоспар", title_ru="План", kind="akimat", approved_on="2026-02-01",
            approved_by=org, lead=org, period_from="2026-02-01", period_to="2026-12-31",
            region=case.region,
        )  # fmt: skip
        activity = plan.activities.create(title_kk="Іс-шара", title_ru="Мероприятие",
                                          kind="video", responsible=org, due_on="2026-03-01")  # fmt: skip
        objects[code] = {"case": case, "report": report, "plan": plan, "activity": activity}
    return objects


@pytest.fixture
def api_key(db):
    """``api_key(role, region=None)``: a new client's key (its name from role and scope)."""

    def make(role: str, region: str | None = None, name: str = "", **kwargs):
        name = name or f"{role}-{region or 'national'}"
        _client, key = services.create_client(SYSTEM, name, role, region=region or "", **kwargs)
        return key

    return make


@pytest.fixture
def caller(api_key):
    """``caller(role, region=None)``: a test client sending that client's key."""

    def make(role: str, region: str | None = None, **kwargs):
        key = api_key(role, region, **kwargs)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no call counted (client ids are reused after a rollback)."""
    from django.core.cache import cache

    cache.clear()
