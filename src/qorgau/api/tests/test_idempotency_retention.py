"""An Idempotency-Key is kept QORGAU_IDEMPOTENCY_DAYS days (default 7): a retry within them
replays the first answer; after them the key is forgotten, even before the purge deletes its
row, and the call is a new request. ``qorgau api-client purge-idempotency`` deletes only the
expired keys and writes one audit entry with the count."""

import datetime as dt
import io
import threading
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from qorgau.api.models import IdempotencyKey
from qorgau.audit.models import AuditEntry
from qorgau.registry.models import Case
from tests.fixtures import local, make_user

pytestmark = pytest.mark.django_db

REGISTRATION = {"region": "KZ-79", "article": "115-1", "part": 1,
                "registered_at": "2026-02-03T09:30:00+05:00"}  # fmt: skip
FIRST = local(2026, 2, 3, 10, 0)  # when the first call is made


def register(client: Client, key: str, data: dict | None = None):
    return client.post(reverse("api:cases"), data or REGISTRATION,
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip


@pytest.fixture
def registrar_api(caller, api_world, time_machine):
    time_machine.move_to(FIRST, tick=False)
    return caller("registrar", "KZ-79")


def test_a_retry_on_the_last_day_of_the_retention_replays_the_first_answer(
    registrar_api, time_machine
):
    first = register(registrar_api, "erdr-42")
    assert first.status_code == 201
    cases = Case.objects.count()
    time_machine.move_to(FIRST + dt.timedelta(days=7, minutes=-1), tick=False)
    again = register(registrar_api, "erdr-42")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == cases
    # Inside the retention another body with the key is still refused.
    assert register(registrar_api, "erdr-42", {**REGISTRATION, "part": 2}).status_code == 422


def test_a_retry_after_the_retention_is_a_new_request_before_any_purge(registrar_api, time_machine):
    first = register(registrar_api, "erdr-42")
    cases = Case.objects.count()
    later = FIRST + dt.timedelta(days=7, minutes=1)
    time_machine.move_to(later, tick=False)
    again = register(registrar_api, "erdr-42")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["number"] != first.json()["number"]
    assert Case.objects.count() == cases + 1
    # The expired row was taken over (the key is unique per caller): it now answers with the
    # second case, which the next retry replays.
    (row,) = IdempotencyKey.objects.filter(key="erdr-42")
    assert row.created_at == later and row.body["number"] == again.json()["number"]
    replay = register(registrar_api, "erdr-42")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["number"] == again.json()["number"]
    assert Case.objects.count() == cases + 1


def test_an_expired_key_may_carry_another_request(registrar_api, time_machine):
    first = register(registrar_api, "erdr-42")
    time_machine.move_to(FIRST + dt.timedelta(days=8), tick=False)
    other_day = {**REGISTRATION, "registered_at": "2026-02-10T09:30:00+05:00"}
    other = register(registrar_api, "erdr-42", other_day)
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert other.json()["number"] != first.json()["number"]


def test_a_refused_call_with_an_expired_key_leaves_the_old_row_to_the_purge(
    registrar_api, time_machine
):
    register(registrar_api, "erdr-42")
    (before,) = IdempotencyKey.objects.filter(key="erdr-42").values()
    time_machine.move_to(FIRST + dt.timedelta(days=8), tick=False)
    refused = register(registrar_api, "erdr-42", {**REGISTRATION, "article": "999"})
    assert refused.status_code == 400
    (after,) = IdempotencyKey.objects.filter(key="erdr-42").values()
    assert after == before  # rolled back with the refused call
    call_command("api-client", "purge-idempotency", stdout=io.StringIO())
    assert not IdempotencyKey.objects.filter(key="erdr-42").exists()


def test_the_retention_is_the_setting(registrar_api, time_machine, settings):
    settings.QORGAU_IDEMPOTENCY_DAYS = 1
    register(registrar_api, "erdr-42")
    time_machine.move_to(FIRST + dt.timedelta(hours=23), tick=False)
    assert register(registrar_api, "erdr-42")["Idempotent-Replayed"] == "true"
    time_machine.move_to(FIRST + dt.timedelta(hours=25), tick=False)
    assert "Idempotent-Replayed" not in register(registrar_api, "erdr-42")


def _key(age: dt.timedelta, now: dt.datetime) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        owner="api:erdr", key=str(uuid.uuid4()), fingerprint="f" * 64, status=201,
        body={}, created_at=now - age,
    )  # fmt: skip


def test_the_purge_deletes_only_expired_keys_and_writes_one_entry(db, time_machine):
    now = local(2026, 3, 1, 3, 0)
    time_machine.move_to(now, tick=False)
    # Exactly 7 days old: still kept (and still replayed).
    kept = [_key(dt.timedelta(0), now), _key(dt.timedelta(days=6), now),
            _key(dt.timedelta(days=7), now)]  # fmt: skip
    for age in (dt.timedelta(days=7, seconds=1), dt.timedelta(days=30)):
        _key(age, now)
    out = io.StringIO()
    call_command("api-client", "--lang", "en", "purge-idempotency", stdout=out)
    assert out.getvalue().strip() == "Expired idempotency keys deleted: 2."
    assert set(IdempotencyKey.objects.values_list("pk", flat=True)) == {k.pk for k in kept}
    entry = AuditEntry.objects.get(action="api.idempotency.purge")
    assert entry.username == "system:api-client"
    assert entry.details["deleted"] == 2 and entry.details["days"] == 7
    # A second run deletes nothing and says so in a second entry.
    call_command("api-client", "purge-idempotency", stdout=io.StringIO())
    assert IdempotencyKey.objects.count() == 3
    last = AuditEntry.objects.filter(action="api.idempotency.purge").latest("pk")
    assert last.pk != entry.pk and last.details["deleted"] == 0


def test_the_purge_as_a_user_needs_an_administrator(db, time_machine):
    now = local(2026, 3, 1, 3, 0)
    time_machine.move_to(now, tick=False)
    _key(dt.timedelta(days=10), now)
    make_user("analyst_national", "analyst")
    with pytest.raises(CommandError):
        call_command("api-client", "--as-user", "analyst_national", "purge-idempotency")
    assert IdempotencyKey.objects.count() == 1
    make_user("admin_national", "administrator")
    call_command("api-client", "--as-user", "admin_national", "purge-idempotency",
                 stdout=io.StringIO())  # fmt: skip
    assert IdempotencyKey.objects.count() == 0
    entry = AuditEntry.objects.get(action="api.idempotency.purge")
    assert entry.username == "admin_national" and entry.details["deleted"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_retries_with_an_expired_key_make_one_new_case(on_postgres):
    """The expired row is taken over under its row lock: of eight calls at once, one runs and
    the seven others wait for it, then replay its answer."""
    from qorgau.api import services
    from tests.fixtures import SYSTEM

    threads_n = 8
    _client, key = services.create_client(SYSTEM, "erdr", "registrar", region="KZ-79")
    http = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    register(http, "erdr-42")
    IdempotencyKey.objects.filter(key="erdr-42").update(
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), body={"number": "OLD"}
    )
    before = Case.objects.count()
    start = threading.Barrier(threads_n)
    answers: list[tuple[int, str, str]] = []

    def retry() -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
            start.wait()
            response = register(client, "erdr-42")
            answers.append((response.status_code, response.json().get("number", ""),
                            response.get("Idempotent-Replayed", "")))  # fmt: skip
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == threads_n
    assert {status for status, _n, _r in answers} == {201}
    numbers = {number for _s, number, _r in answers}
    assert len(numbers) == 1 and "OLD" not in numbers
    assert sorted(replayed for _s, _n, replayed in answers) == [""] + ["true"] * (threads_n - 1)
    assert Case.objects.count() == before + 1
    assert IdempotencyKey.objects.filter(key="erdr-42").count() == 1
