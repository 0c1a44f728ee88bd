"""What other programmers rely on: problem documents in kk/ru/en with field errors, cursor
pages, ETag and If-Match, Idempotency-Key, the rate limit, keys hashed, revocable and
expiring, every call audited, dates with +05:00."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from qorgau.api import services
from qorgau.api.models import ApiClient, IdempotencyKey, hash_key
from qorgau.audit.models import AuditEntry
from qorgau.registry.models import Case
from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, data: dict, key: str | None = None, **headers):
    extra = {"HTTP_IDEMPOTENCY_KEY": key or str(uuid.uuid4())}
    extra.update(headers)
    return client.post(url, data, content_type="application/json", **extra)


REGISTRATION = {"region": "KZ-79", "article": "115-1", "part": 1,
                "registered_at": "2026-02-03T09:30:00+05:00"}  # fmt: skip


# --- Errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_errors_are_problem_documents_with_a_stable_type_and_a_translated_title(
    caller, api_world, lang
):
    client = caller("registrar", "KZ-79")
    other = api_world["KZ-71"]["case"].number
    response = client.get(reverse("api:case", args=[other]), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:qorgau:problem:not-found" and body["status"] == 404
    with translation.override(lang):
        assert body["title"] == gettext("Not found.")
    if lang != "en":
        assert body["title"] != "Not found."


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_invalid_input_lists_every_field_with_its_message(caller, api_world, lang):
    client = caller("registrar", "KZ-79")
    response = post(client, reverse("api:cases"), {"region": "KZ-79", "part": "x"},
                    HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "urn:qorgau:problem:invalid"
    assert {e["field"] for e in body["errors"]} == {"article", "part", "registered_at"}
    with translation.override(lang):
        assert body["title"] == gettext("The request is invalid.")


def test_a_service_refusal_is_a_problem_naming_its_field(caller, api_world):
    client = caller("registrar", "KZ-79")
    response = post(
        client, reverse("api:cases"), {**REGISTRATION, "registered_at": "2099-01-01T10:00:00+05:00"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "registered_at"
    assert Case.objects.count() == 2


# --- Reading ----------------------------------------------------------------------------------


def test_case_detail_has_qualification_status_term_and_pseudonymous_parties(caller, make_case):
    from qorgau.registry.services import PartyData

    case = make_case(parties=[PartyData(role="victim", sex="F", age_band="18-24")])
    body = caller("investigator", "KZ-79").get(reverse("api:case", args=[case.number])).json()
    assert body["number"] == case.number and body["article"] == "115-1" and body["part"] == 1
    assert body["iccs_code"] and body["status"] == "investigation"
    assert body["registered_at"] == "2026-01-10T10:00:00+05:00"  # Kazakhstan time
    assert body["term_ends_on"] == case.term_ends_on.isoformat()
    assert body["qualifications"][0]["article"] == "115-1"
    assert body["parties"] == [{"role": "victim", "sex": "F", "age_band": "18-24",
                                "is_minor": False, "relationship": "",
                                "consent_further_use": None}]  # fmt: skip
    assert "investigation" not in body["allowed_next"]


def test_cursor_pages_walk_every_case_once(caller, make_case):
    for day in range(1, 6):
        make_case(registered_at=timezone.make_aware(dt.datetime(2026, 1, day, 12)))
    client = caller("prosecutor")
    url, seen = reverse("api:cases") + "?limit=2", []
    while url:
        page = client.get(url).json()
        seen += [c["number"] for c in page["results"]]
        url = page["next"]
    assert len(seen) == 5 == len(set(seen))


def test_statistics_counts_and_series_match_the_dashboards_services(caller, api_world):
    client = caller("analyst")
    counts = client.get(reverse("api:stats_counts") + "?by=region&date_from=2026-01-01").json()
    assert {r["key"]: r["count"] for r in counts["rows"]} == {"KZ-79": "1", "KZ-71": "1"}
    series = client.get(reverse("api:stats_series") + "?period=month&date_from=2026-01-01"
                        "&date_to=2026-02-28").json()  # fmt: skip
    assert series["points"][:2] == [{"start": "2026-01-01", "count": 2},
                                    {"start": "2026-02-01", "count": 0}]  # fmt: skip
    bad = client.get(reverse("api:stats_counts") + "?by=nothing")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "by"


# --- Every call audited -----------------------------------------------------------------------


def test_every_call_is_audited_under_the_clients_name_and_region(caller, api_world):
    client = caller("investigator", "KZ-79", name="erdr-79")
    case = api_world["KZ-79"]["case"]
    client.get(reverse("api:case", args=[case.number]))
    view = AuditEntry.objects.filter(action="case.view").latest("pk")
    assert (view.username, view.object_id, view.region_code) == (
        "api:erdr-79",
        str(case.pk),
        "KZ-79",
    )
    client.get(reverse("api:cases"))
    search = AuditEntry.objects.filter(action="case.search").latest("pk")
    assert search.username == "api:erdr-79" and search.region_code == "KZ-79"
    assert search.details["shown"] == [case.number]
    caller("analyst", "KZ-79", name="stats-79").get(reverse("api:stats_series"))
    assert AuditEntry.objects.filter(action="stats.view", username="api:stats-79").exists()


# --- Keys -------------------------------------------------------------------------------------


def test_a_key_is_stored_hashed_shown_once_and_revocable(api_world):
    client, key = services.create_client(SYSTEM, "erdr", "registrar", region="KZ-79")
    assert key.startswith("qk_") and client.key_hash == hash_key(key)
    assert key not in str(list(ApiClient.objects.values()))
    assert client.key_prefix == key[:11]
    http = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert http.get(reverse("api:cases")).status_code == 200
    services.revoke_client(SYSTEM, "erdr")
    refused = http.get(reverse("api:cases"))
    assert refused.status_code == 401
    assert refused.json()["type"] == "urn:qorgau:problem:not-authenticated"
    assert Client(HTTP_AUTHORIZATION="Bearer qk_wrong").get(reverse("api:cases")).status_code == 401
    assert AuditEntry.objects.filter(action="api.client.revoke", object_id=str(client.pk)).exists()


def test_an_expired_key_no_longer_opens_the_api(time_machine, api_world):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
    _client, key = services.create_client(SYSTEM, "akimat", "campaign", region="KZ-79",
                                          expires_on=dt.date(2026, 3, 31))  # fmt: skip
    http = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert http.get(reverse("api:activities")).status_code == 200
    time_machine.move_to(dt.datetime(2026, 3, 31, 18, 59, tzinfo=dt.UTC))  # 23:59 in Almaty
    assert http.get(reverse("api:activities")).status_code == 200
    time_machine.move_to(dt.datetime(2026, 3, 31, 19, 1, tzinfo=dt.UTC))  # 1 April in Almaty
    assert http.get(reverse("api:activities")).status_code == 401


def test_api_client_command_creates_lists_and_revokes(capsys, db):
    call_command("api-client", "create", "erdr-79", "--role", "registrar", "--region", "KZ-79",
                 "--expires", "2099-12-31")  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    key = out[-1]
    assert key.startswith("qk_")
    assert ApiClient.objects.get(name="erdr-79").key_hash == hash_key(key)
    call_command("api-client", "list")
    listed = capsys.readouterr().out
    assert "erdr-79\tregistrar\tKZ-79" in listed and key not in listed and "active" in listed
    call_command("api-client", "revoke", "erdr-79")
    call_command("api-client", "list")
    assert "revoked" in capsys.readouterr().out


# --- Rate limit -------------------------------------------------------------------------------


def test_a_client_over_its_rate_gets_429_with_retry_after(caller, settings, api_world):
    settings.QORGAU_API_RATE = 3
    client = caller("registrar", "KZ-79")
    answers = [client.get(reverse("api:regions")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(reverse("api:regions"))
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:qorgau:problem:too-many-requests"
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another client has its own count.
    assert caller("analyst").get(reverse("api:regions")).status_code == 200


# --- Idempotency ------------------------------------------------------------------------------


def test_a_retried_registration_returns_the_first_case_and_no_second_number(caller, api_world):
    client = caller("registrar", "KZ-79")
    first = post(client, reverse("api:cases"), REGISTRATION, key="reg-1")
    assert first.status_code == 201
    again = post(client, reverse("api:cases"), REGISTRATION, key="reg-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert again["Location"] == first["Location"] == f"/api/v1/cases/{first.json()['number']}/"
    assert Case.objects.count() == 3
    # The same key with another body is refused; without a key, a POST is refused.
    other = post(client, reverse("api:cases"), {**REGISTRATION, "part": 2}, key="reg-1")
    assert other.status_code == 422
    assert other.json()["type"] == "urn:qorgau:problem:idempotency-key-reused"
    bare = client.post(reverse("api:cases"), REGISTRATION, content_type="application/json")
    assert bare.status_code == 400 and bare.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Case.objects.count() == 3


def test_keys_are_per_caller_and_a_refused_call_keeps_no_key(caller, api_world):
    one, two = caller("registrar", "KZ-79"), caller("registrar", "KZ-79", name="other")
    assert post(one, reverse("api:cases"), REGISTRATION, key="k").status_code == 201
    assert "Idempotent-Replayed" not in post(two, reverse("api:cases"), REGISTRATION, key="k")
    assert Case.objects.count() == 4
    bad = {**REGISTRATION, "article": "999"}
    assert post(one, reverse("api:cases"), bad, key="k2").status_code == 400
    assert not IdempotencyKey.objects.filter(key="k2").exists()


# --- ETag and If-Match ------------------------------------------------------------------------


def test_a_transition_needs_the_current_etag(caller, api_world):
    client = caller("investigator", "KZ-79")
    case = api_world["KZ-79"]["case"]
    url = reverse("api:transitions", args=[case.number])
    read = client.get(reverse("api:case", args=[case.number]))
    tag = read["ETag"]
    change = {"to_status": "suspended", "ground": "suspect_unknown", "reason": "не установлен"}
    missing = post(client, url, change)
    assert missing.status_code == 428
    assert missing.json()["type"] == "urn:qorgau:problem:precondition-required"
    done = post(client, url, change, HTTP_IF_MATCH=tag)
    assert done.status_code == 201, done.content
    assert done.json()["status"] == "suspended" and done["ETag"] != tag
    # A second writer that read the old version is refused: nothing overwritten.
    stale = post(client, url, {"to_status": "investigation"}, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["type"] == "urn:qorgau:problem:precondition-failed"
    case.refresh_from_db()
    assert case.status == "suspended"
    assert AuditEntry.objects.filter(
        action="case.status.change", username="api:investigator-KZ-79"
    ).exists()


def test_a_transition_the_lifecycle_refuses_is_a_409(caller, api_world):
    client = caller("investigator", "KZ-79")
    case = api_world["KZ-79"]["case"]
    refused = post(client, reverse("api:transitions", args=[case.number]),
                   {"to_status": "investigation"}, HTTP_IF_MATCH="*")  # fmt: skip
    assert refused.status_code == 409
    body = refused.json()
    assert body["type"] == "urn:qorgau:problem:conflict"
    assert body["errors"][0]["field"] == "status" and case.number in body["detail"]


def test_requalification_through_the_api(caller, api_world):
    client = caller("prosecutor", "KZ-79")
    case = api_world["KZ-79"]["case"]
    tag = client.get(reverse("api:case", args=[case.number]))["ETag"]
    done = post(client, reverse("api:requalifications", args=[case.number]),
                {"article": "125-1", "part": 1, "reason": "повторно"}, HTTP_IF_MATCH=tag)  # fmt: skip
    assert done.status_code == 201, done.content
    assert done.json()["article"] == "125-1" and len(done.json()["qualifications"]) == 2


# --- Campaigns, releases, docs ----------------------------------------------------------------


def test_an_akimat_reports_an_activitys_progress(caller, api_world):
    activity = api_world["KZ-79"]["activity"]
    client = caller("campaign", "KZ-79", name="akimat-79")
    done = post(client, reverse("api:activity_progress", args=[activity.pk]),
                {"status": "in_progress", "achieved_count": 3, "achieved_reach": 1200})  # fmt: skip
    assert done.status_code == 201, done.content
    assert done.json()["achieved_reach"] == 1200
    activity.refresh_from_db()
    assert activity.achieved_count == 3
    entry = AuditEntry.objects.filter(action="activity.update").latest("pk")
    assert entry.username == "api:akimat-79" and entry.region_code == "KZ-79"


def test_releases_are_public_and_the_docs_are_served_under_the_csp(db):
    client = Client()
    assert client.get(reverse("api:releases")).json() == []
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "<script>" not in html and "<style>" not in html
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    assert '<script src="/api/v1/docs/?script="></script>' in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


def test_the_schema_is_generated_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert text.startswith("openapi: 3.1.0")
    assert "/api/v1/cases/{number}/transitions" in text


def test_refusals_before_any_view_are_problems_too_under_api_only(caller, client):
    http = caller("registrar", "KZ-79")
    control = http.get(reverse("api:cases") + "?q=a%07b")
    assert control.status_code == 400 and control["Content-Type"] == "application/problem+json"
    assert control.json()["type"] == "urn:qorgau:problem:invalid"
    unknown = http.post("/api/v1/no-such-thing", {}, content_type="application/json")
    assert unknown.status_code == 404 and unknown.json()["type"] == "urn:qorgau:problem:not-found"
    # Elsewhere the site's own 400 page.
    page = client.get("/registry/cases/?q=a%07b")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_current_copy_is_answered_304_with_if_none_match(caller, api_world):
    client = caller("investigator", "KZ-79")
    url = reverse("api:case", args=[api_world["KZ-79"]["case"].number])
    tag = client.get(url)["ETag"]
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == tag and not unchanged.content
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_session_post_needs_the_csrf_token(login, api_world):
    user = make_user("registrar_session", "registrar", "KZ-79")
    browser = Client(enforce_csrf_checks=True)
    login(browser, user)
    refused = post(browser, reverse("api:cases"), REGISTRATION)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:qorgau:problem:forbidden"
    assert Case.objects.count() == 2
