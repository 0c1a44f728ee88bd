"""The change feed under concurrent writers on PostgreSQL: 16 writer threads change cases and
reports while a reader mirrors the feed; at the end the mirror equals the database and the
reader saw every position exactly once (a position committed after a larger one was read would
be skipped: the outbox pitfall the trail's lock prevents)."""

import random
import threading
import time

import pytest
from django.db import connection

from qorgau.core.actors import Actor
from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import changes, lifecycle, services
from qorgau.registry.choices import CaseStatus, Channel, Decision
from qorgau.registry.models import Case, Change, Report
from tests.fixtures import local

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WRITERS = 16
STEPS = 6
REGIONS = ["KZ-79", "KZ-71", "KZ-75"]


def _writer(index: int, errors: list) -> None:
    actor = Actor.system(f"writer-{index}")
    rng = random.Random(index)
    try:
        part = ArticlePart.objects.get(article__code="115-1", number=1)
        for step in range(STEPS):
            region = Region.objects.get(code=REGIONS[(index + step) % len(REGIONS)])
            body = Body.objects.filter(region=region).first()
            case = services.register_case(
                actor, region, article_part=part, registered_at=local(2026, 1, 5 + step, 10, 0),
                investigating_body=body,
            )  # fmt: skip
            # A random pause, so that the writers' transactions interleave differently.
            time.sleep(rng.random() * 0.01)
            lifecycle.transition(actor, case, CaseStatus.SUSPENDED, ground="suspect_unknown")
            if step % 2:
                report = services.create_report(
                    actor, region, received_at=local(2026, 1, 4, 9, 0), channel=Channel.CALL_102,
                    receiving_body=body, summary="call",
                )  # fmt: skip
                lifecycle.decide(actor, report, Decision.NO_OFFENCE)
    except Exception as exc:  # reported by the test
        errors.append(exc)
    finally:
        connection.close()


def test_a_reader_mirrors_sixteen_parallel_writers_exactly(on_postgres):
    reader = Actor.system("mirror")
    mirror: dict[tuple[str, int], dict] = {}
    positions: list[int] = []
    errors: list = []
    threads = [threading.Thread(target=_writer, args=(i, errors)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    cursor = None

    def read() -> int:
        nonlocal cursor
        rows, cursor = changes.feed(reader, cursor, 37)
        for row in rows:
            positions.append(int(row["position"]))
            mirror[(row["kind"], row["id"])] = row["data"]
        return len(rows)

    while any(t.is_alive() for t in threads):
        read()
    for thread in threads:
        thread.join()
    while read():
        pass
    assert not errors, errors
    assert positions == sorted(positions) and len(positions) == len(set(positions))
    assert set(positions) == set(Change.objects.values_list("id", flat=True))
    cases = Case.objects.select_related("region", "article_part__article", "investigating_body")
    expected = {("case", c.pk): changes.case_data(c, c.parties.all()) for c in cases}
    reports = Report.objects.select_related("region", "receiving_body", "suggested_article")
    expected |= {("report", r.pk): changes.report_data(r) for r in reports}
    assert len(expected) == WRITERS * STEPS + WRITERS * (STEPS // 2)
    assert mirror == expected
