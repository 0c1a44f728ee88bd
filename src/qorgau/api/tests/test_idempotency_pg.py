"""Two clients posting the same registration with the same Idempotency-Key at the same time get
one case: the second waits on the key's unique index, then replays the first answer."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from qorgau.api import services
from qorgau.api.models import IdempotencyKey
from qorgau.registry.models import Case
from tests.fixtures import SYSTEM

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 8
REGISTRATION = {"region": "KZ-79", "article": "115-1", "part": 1,
                "registered_at": "2026-02-03T09:30:00+05:00"}  # fmt: skip


def test_parallel_posts_with_one_key_register_one_case(on_postgres):
    _client, key = services.create_client(SYSTEM, "erdr", "registrar", region="KZ-79")
    before = Case.objects.count()
    start = threading.Barrier(THREADS)
    answers: list[tuple[int, str, str]] = []

    def register() -> None:
        try:
            http = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
            start.wait()
            response = http.post(reverse("api:cases"), REGISTRATION,
                                 content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY="erdr-2026-000042")  # fmt: skip
            answers.append((response.status_code, response.json().get("number", ""),
                            response.get("Idempotent-Replayed", "")))  # fmt: skip
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == THREADS
    assert {status for status, _n, _r in answers} == {201}
    assert len({number for _s, number, _r in answers}) == 1
    assert sorted(replayed for _s, _n, replayed in answers) == [""] + ["true"] * (THREADS - 1)
    assert Case.objects.count() == before + 1
    assert IdempotencyKey.objects.count() == 1
