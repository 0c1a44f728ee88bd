"""An API client is given, by the same policy as a person, the role and region it was
registered with, while its key is valid; never the system's rights."""

import datetime as dt

import pytest

from qorgau.access import policy
from qorgau.api import services
from qorgau.core.actors import Actor
from qorgau.reference.models import Region
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db


def test_a_client_acts_with_its_role_and_region_only(make_case):
    client, _key = services.create_client(SYSTEM, "erdr-79", "registrar", region="KZ-79")
    actor = Actor.api_client(client, "10.0.0.1")
    assert not actor.is_system and actor.username == "api:erdr-79"
    shymkent = Region.objects.get(code="KZ-79")
    assert policy.scope_of(actor) == policy.Scope("registrar", shymkent.pk)
    assert policy.can(actor, "case.create", shymkent)
    assert not policy.can(actor, "case.create", Region.objects.get(code="KZ-71"))
    assert not policy.can(actor, "case.change_status")  # a registrar's rights, no more
    assert not policy.can(actor, "admin.site")
    assert list(policy.regions_for(actor, "case.view")) == [shymkent]


def test_a_revoked_or_expired_client_is_nobody(time_machine, db):
    time_machine.move_to(dt.datetime(2026, 5, 1, 6, tzinfo=dt.UTC))
    client, _key = services.create_client(SYSTEM, "akimat", "campaign",
                                          expires_on=dt.date(2026, 5, 1))  # fmt: skip
    actor = Actor.api_client(client, "10.0.0.2")
    assert policy.can(actor, "campaigns.view")
    time_machine.move_to(dt.datetime(2026, 5, 1, 19, 30, tzinfo=dt.UTC))  # 2 May in Almaty
    assert policy.scope_of(actor) == policy.NOBODY
    assert not policy.can(actor, "campaigns.view")
    client.expires_on = None
    services.revoke_client(SYSTEM, "akimat")
    client.refresh_from_db()
    assert policy.scope_of(Actor.api_client(client, "10.0.0.2")) == policy.NOBODY


def test_only_a_national_administrator_or_the_system_registers_clients(db):
    from qorgau.core.errors import NotAllowed
    from tests.fixtures import make_user

    regional = make_user("admin_79", "administrator", "KZ-79")
    with pytest.raises(NotAllowed):
        services.create_client(Actor.person(regional), "x", "analyst")
    national = make_user("admin_kz", "administrator")
    client, key = services.create_client(Actor.person(national), "x", "analyst")
    assert client.pk and key.startswith("qk_")
