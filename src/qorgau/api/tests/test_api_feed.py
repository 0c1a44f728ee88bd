"""The change feed and the bulk upsert as API endpoints (the services are the registry's:
``registry.changes.feed``, ``registry.upsert.upsert``)."""

import json
import uuid

import pytest
from django.urls import reverse

from qorgau.audit.models import AuditEntry
from qorgau.registry.models import Case

pytestmark = pytest.mark.django_db

ERDR_A, ERDR_B = "261234567890001", "261234567890002"


def row(erdr: str, **cells: str) -> dict[str, str]:
    base = {"article": "115-1", "part": "1", "region": "KZ-79",
            "registered_at": "2026-01-05T10:00:00+05:00", "status": "investigation",
            "erdr_number": erdr}  # fmt: skip
    return {**base, **cells}


def ndjson(*rows: dict[str, str]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def bulk(client, body: str, query: str = "", key: str | None = None,
         media: str = "application/x-ndjson"):  # fmt: skip
    return client.post(reverse("api:cases_bulk") + query, body, content_type=media,
                       HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))  # fmt: skip


def lines(response) -> list[dict]:
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_the_feed_lists_changes_of_the_callers_scope_and_resumes_after_its_cursor(
    caller, api_world
):
    regional = caller("investigator", "KZ-79", name="mirror-79")
    first = regional.get(reverse("api:changes")).json()
    numbers = {c["data"].get("number") for c in first["results"] if c["kind"] == "case"}
    assert api_world["KZ-79"]["case"].number in numbers
    assert api_world["KZ-71"]["case"].number not in numbers
    assert first["next"]
    again = regional.get(reverse("api:changes") + f"?after={first['next']}").json()
    assert again["results"] == [] and again["next"] == first["next"]
    national = caller("prosecutor").get(reverse("api:changes")).json()["results"]
    assert len(national) > len(first["results"])
    assert AuditEntry.objects.filter(action="change.feed", username="api:mirror-79").exists()
    bad = regional.get(reverse("api:changes") + "?after=x")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "after"
    assert caller("analyst").get(reverse("api:changes")).status_code == 403


def test_bulk_upsert_all_or_nothing_and_row_by_row(caller, api_world):
    client = caller("registrar", "KZ-79")
    body = ndjson(row(ERDR_A), row(ERDR_B, region="KZ-71"))
    refused = bulk(client, body)
    assert refused.status_code == 200
    summary, *rows = lines(refused)
    assert summary == {"committed": False, "created": 1, "updated": 0, "unchanged": 0,
                       "errors": 1}  # fmt: skip
    assert [r["outcome"] for r in rows] == ["created", "error"]
    assert not Case.objects.filter(erdr_number=ERDR_A).exists()
    per_row = bulk(client, body, "?atomic=false")
    summary, *rows = lines(per_row)
    assert summary["committed"] and summary["created"] == 1 and summary["errors"] == 1
    case = Case.objects.get(erdr_number=ERDR_A)
    assert rows[0]["number"] == case.number


def test_a_retried_bulk_upload_replays_its_counts(caller, api_world):
    client = caller("registrar", "KZ-79")
    body = ndjson(row(ERDR_A))
    first = bulk(client, body, key="bulk-1")
    assert lines(first)[0]["created"] == 1
    again = bulk(client, body, key="bulk-1")
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == "application/x-ndjson"
    assert json.loads(again.content) == {"committed": True, "created": 1, "updated": 0, "unchanged": 0,
                            "errors": 0}  # fmt: skip
    assert Case.objects.filter(erdr_number=ERDR_A).count() == 1


def test_bulk_accepts_csv_and_refuses_other_media_and_roles(caller, api_world):
    client = caller("registrar", "KZ-79")
    header = ",".join(row(ERDR_A))
    csv_body = header + "\n" + ",".join(row(ERDR_A).values()) + "\n"
    summary = lines(bulk(client, csv_body, media="text/csv"))[0]
    assert summary["created"] == 1 and summary["committed"]
    wrong = bulk(client, "{}", media="application/json")
    assert wrong.status_code == 415
    assert wrong.json()["type"] == "urn:qorgau:problem:unsupported-media-type"
    assert bulk(caller("analyst"), ndjson(row(ERDR_B))).status_code == 403
