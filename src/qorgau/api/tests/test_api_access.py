"""Every API endpoint, for every role and scope, answers as the access rules say: the API's
own URL × role table, written apart from ``access.policy`` like the pages' one
(access/tests/test_access.py). A regional client gets only its region; another region's record
is a 404, never a hint."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from qorgau.access.tests.test_access import all_patterns
from qorgau.audit.models import AuditEntry
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db

ROLES = ["registrar", "investigator", "prosecutor", "analyst", "campaign", "training",
         "administrator"]  # fmt: skip
CASE_WORK = {"registrar", "investigator", "prosecutor", "administrator"}
CHANGE = {"investigator", "prosecutor", "administrator"}
STATS = {"registrar", "investigator", "prosecutor", "analyst", "administrator"}
CAMPAIGNS = {"campaign", "analyst", "prosecutor", "administrator"}
EVERYONE = set(ROLES)

# (url name, method) -> (roles allowed, the kind of record in the URL)
TABLE = {
    ("api:cases", "get"): (CASE_WORK, None),
    ("api:cases", "post"): ({"registrar", "administrator"}, None),
    ("api:cases_bulk", "post"): ({"registrar", "administrator"}, None),
    ("api:changes", "get"): (CASE_WORK, None),
    ("api:case", "get"): (CASE_WORK, "case"),
    ("api:transitions", "post"): (CHANGE, "case"),
    ("api:requalifications", "post"): (CHANGE, "case"),
    ("api:reports", "get"): (CASE_WORK, None),
    ("api:report", "get"): (CASE_WORK, "report"),
    ("api:stats_counts", "get"): (STATS, "by"),
    ("api:stats_series", "get"): (STATS, None),
    ("api:activities", "get"): (CAMPAIGNS, None),
    ("api:activity_progress", "post"): ({"campaign", "administrator"}, "activity"),
    ("api:regions", "get"): (EVERYONE, None),
    ("api:articles", "get"): (EVERYONE, None),
    ("api:bodies", "get"): (EVERYONE, None),
    ("api:webhook_deliveries", "get"): (EVERYONE, None),
}
PUBLIC = {"api:releases", "api:release", "api:schema", "api:docs", "api:not_found"}
# An allowed POST with an empty body: the body is invalid.
OK = {"get": 200, "post": 400}
# Where an allowed call answers otherwise: the bulk upload takes NDJSON or CSV, not JSON.
ALLOWED_STATUS = {("api:cases_bulk", "post"): 415}


def url_for(name: str, kind: str | None, objects: dict) -> str:
    if kind == "case":
        return reverse(name, args=[objects["case"].number])
    if kind == "report":
        return reverse(name, args=[objects["report"].pk])
    if kind == "activity":
        return reverse(name, args=[objects["activity"].pk])
    if kind == "by":
        return reverse(name) + "?by=region"
    return reverse(name)


def send(client: Client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return client.post(url, {}, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()), HTTP_IF_MATCH="*")  # fmt: skip


def test_every_api_url_is_in_the_table_and_has_a_rule():
    names = set()
    for route, name, callback in all_patterns():
        if not route.startswith("api/"):
            continue
        names.add(name)
        assert getattr(callback, "qorgau_action", None), f"{route} has no access rule"
        if name in PUBLIC:
            assert callback.qorgau_action == "public", route
    assert names == {name for name, _method in TABLE} | PUBLIC


@pytest.mark.parametrize("scope", ["national", "KZ-79"])
@pytest.mark.parametrize("role", ROLES)
def test_api_answers_for_role_and_scope(caller, api_world, role, scope):
    client = caller(role, None if scope == "national" else scope)
    for (name, method), (allowed, kind) in TABLE.items():
        own = url_for(name, kind, api_world["KZ-79"])
        other = url_for(name, kind, api_world["KZ-71"])
        response = send(client, method, own)
        if role not in allowed:
            assert response.status_code == 403, (name, method, role, scope)
            assert response["Content-Type"] == "application/problem+json"
            continue
        expected = ALLOWED_STATUS.get((name, method), OK[method])
        assert response.status_code == expected, (name, method, role, scope, response.content)
        if kind in ("case", "report", "activity"):
            expected = OK[method] if scope == "national" else 404
            assert send(client, method, other).status_code == expected, (name, role, scope)


def test_anonymous_caller_gets_401_problems_everywhere_but_the_public_urls(api_world):
    client = Client()
    for (name, method), (_allowed, kind) in TABLE.items():
        response = send(client, method, url_for(name, kind, api_world["KZ-79"]))
        assert response.status_code == 401, (name, method)
        assert response.json()["type"] == "urn:qorgau:problem:not-authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(reverse("api:releases")).status_code == 200
    assert client.get(reverse("api:release", args=[1])).status_code == 404
    assert client.get(reverse("api:schema")).status_code == 200


def test_regional_client_lists_only_its_regions_records(caller, api_world):
    client = caller("prosecutor", "KZ-79")
    cases = client.get(reverse("api:cases")).json()["results"]
    assert [c["number"] for c in cases] == [api_world["KZ-79"]["case"].number]
    assert {c["region"] for c in cases} == {"KZ-79"}
    reports = client.get(reverse("api:reports")).json()["results"]
    assert [r["id"] for r in reports] == [api_world["KZ-79"]["report"].pk]
    # Asking for another region by filter is refused, not answered empty.
    refused = client.get(reverse("api:cases") + "?region=KZ-71")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "region"
    national = caller("prosecutor").get(reverse("api:cases")).json()["results"]
    assert len(national) == 2
    activities = caller("campaign", "KZ-79").get(reverse("api:activities")).json()["results"]
    assert [a["id"] for a in activities] == [api_world["KZ-79"]["activity"].pk]


def test_regional_analyst_statistics_stay_in_its_region(caller, api_world):
    client = caller("analyst", "KZ-79")
    assert client.get(reverse("api:stats_counts") + "?by=region&regions=KZ-71").status_code == 400
    rows = client.get(reverse("api:stats_counts") + "?by=region").json()["rows"]
    assert {row["key"] for row in rows} <= {"KZ-79"}


def test_probing_another_regions_case_leaves_a_denial_entry(caller, api_world):
    client = caller("registrar", "KZ-79", name="erdr-shymkent")
    other = api_world["KZ-71"]["case"].number
    assert client.get(reverse("api:case", args=[other])).status_code == 404
    entry = AuditEntry.objects.filter(action="access.denied").latest("pk")
    assert entry.username == "api:erdr-shymkent"
    assert entry.details["status"] == 404 and entry.details["ref"] == {"number": other}


def test_staff_may_use_their_session(client, login, api_world):
    user = make_user("investigator_api", "investigator", "KZ-79")
    login(client, user)
    response = client.get(reverse("api:cases"))
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["results"]] == [api_world["KZ-79"]["case"].number]
    entry = AuditEntry.objects.filter(action="case.search").latest("pk")
    assert entry.username == "investigator_api" and entry.region_code == "KZ-79"
