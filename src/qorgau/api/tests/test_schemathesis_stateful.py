"""Schemathesis' stateful run over the OpenAPI links of the API's own document (api/schema.py),
through the WSGI application, with a national administrator's key: scenarios of calls in which
each answer feeds the next call by a link (a registered case to its page, its status change and
its requalification with the ETag just read; a list to its first record; an activity to its
progress). Every call answers without a server error and as the document says; every operation
a link leads to is called by a link at least once. Prints the number of links, scenarios, calls
and calls made by a link (by link and status)."""

import datetime as dt
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from qorgau.api import services
from qorgau.api.schema import LINKS
from qorgau.reference.models import ArticlePart
from qorgau.registry.choices import CaseStatus
from qorgau.registry.models import Case
from qorgau.stats import releases
from qorgau.wsgi import application
from tests.fixtures import SYSTEM, local

from .test_schemathesis import CHECKS, connection_kept  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

# Scenarios (Hypothesis examples) of up to STEPS calls each: about 900 calls in 10-35 s. A longer
# hunt: QORGAU_STATEFUL_SCENARIOS=1000.
SCENARIOS = int(os.environ.get("QORGAU_STATEFUL_SCENARIOS", "60"))
STEPS = 15


def _document() -> dict:
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _links(document: dict) -> dict[tuple[str, str, str], dict]:
    """(source operation id, status, link name): the link, for every link of the document."""
    return {
        (operation["operationId"], status, name): link
        for methods in document["paths"].values()
        for operation in methods.values()
        for status, response in operation.get("responses", {}).items()
        for name, link in response.get("links", {}).items()
    }


def test_live_schema_links_a_registered_case_to_its_page_and_its_changes():
    links = _links(_document())
    assert links[("cases_create", "201", "CaseDetail")] == {
        "operationId": "cases_retrieve",
        "parameters": {"number": "$response.body#/number"},
        "description": "The case, by the number in this answer.",
    }
    transition = links[("cases_create", "201", "CaseTransition")]
    assert transition["operationId"] == "cases_transitions_create"
    assert transition["parameters"] == {
        "number": "$response.body#/number",
        "If-Match": "$response.header.ETag",
    }
    assert transition["requestBody"] == {"to_status": "$response.body#/allowed_next/0"}
    assert links[("reports_list", "200", "ReportDetail")]["parameters"] == {
        "id": "$response.body#/results/0/id"
    }
    assert links[("activities_list", "200", "ActivityProgress")]["operationId"] == (
        "campaigns_activities_progress_create"
    )
    assert len(links) == sum(len(by_name) for by_name in LINKS.values())


def _plausible_bodies(api_world) -> dict[str, st.SearchStrategy[dict]]:
    """By operation: bodies the API can accept (real regions, articles and parts, a status a
    change may name), so that scenarios reach registered cases, their changes and an activity's
    progress, not only the answers to malformed input."""
    parts = list(ArticlePart.objects.values_list("article__code", "number").order_by("pk")[:40])
    return {
        "POST /api/v1/cases/": st.fixed_dictionaries({
            "region": st.sampled_from(list(api_world)),
            "article": st.just(api_world["KZ-79"]["case"].article_part.article.code),
            "part": st.just(api_world["KZ-79"]["case"].article_part.number),
            "registered_at": st.just("2026-01-10T09:30:00+05:00"),
        }),
        "POST /api/v1/cases/{number}/transitions": st.fixed_dictionaries({
            "to_status": st.sampled_from(list(CaseStatus.values)),
            "reason": st.just("Stateful run"),
        }),
        "POST /api/v1/cases/{number}/requalifications": st.sampled_from(parts).map(
            lambda part: {"article": part[0], "part": part[1], "reason": "Stateful run"}
        ),
        "POST /api/v1/campaigns/activities/{id}/progress": st.fixed_dictionaries({
            "status": st.sampled_from(["planned", "in_progress"]),
            "achieved_count": st.integers(0, 10),
        }),
    }  # fmt: skip


def _diverged(exc: BaseException) -> bool:
    """Whether Hypothesis stopped because the same choices drew differently the second time (its
    ``Flaky`` errors, or the assertion its data tree makes), not because a check failed."""
    if isinstance(exc, Flaky):
        return True
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return (
        isinstance(exc, AssertionError)
        and frame is not None
        and frame.tb_frame.f_globals.get("__name__", "").startswith("hypothesis.internal")
    )


@dataclass
class Tally:
    """What the stateful run did: scenarios, calls by operation, calls made by a link (by link
    and answer status), failed checks, and Hypothesis runs."""

    scenarios: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    followed: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    runs: int = 0


def _workflow(schema: Any, key: str, tally: Tally) -> Any:
    """The schema's state machine, calling with ``key`` and the checks, counting into ``tally``."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            tally.scenarios += 1

        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            return {"headers": {"Authorization": f"Bearer {key}"}}

        def step(self, input):  # type: ignore[no-untyped-def]
            tally.calls[input.case.operation.label] += 1
            output = super().step(input)
            # A call made by a link: its path parameters (or, with none, some value) taken from
            # the previous answer, not generated (schemathesis sometimes generates one instead).
            if input.transition is not None:
                applied = {(str(loc.value), name) for loc, name in input.applied_parameters}
                path = {("path", name) for name in input.case.path_parameters or {}}
                if (path and path <= applied) or (not path and applied):
                    tally.followed[(input.transition.id, output.response.status_code)] += 1
            return output

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            try:
                case.validate_response(response, checks=CHECKS, recorder=self.recorder)
            except Exception as exc:
                tally.failures.append(f"{case.operation.label}: {exc}")
                raise

    return Workflow


def _run(workflow: Any, tally: Tally) -> None:
    """Run SCENARIOS scenarios of up to STEPS calls. When Hypothesis stops a run because the
    same choices met a database that earlier scenarios changed (another answer, another bundle
    filled) and no check failed, carry on with the scenarios left, as Schemathesis' own runner
    does (at most 5 runs, one more per 100 scenarios)."""
    while tally.scenarios < SCENARIOS and tally.runs < 5 + SCENARIOS // 100:
        tally.runs += 1
        try:
            workflow.run(
                settings=hypothesis_settings(
                    max_examples=SCENARIOS - tally.scenarios,
                    stateful_step_count=STEPS,
                    deadline=None,
                    database=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
            )
            return
        except Exception as exc:
            if tally.failures:  # reported as found, not as whatever Hypothesis said after them
                pytest.fail("\n".join(tally.failures[:10]), pytrace=False)
            if not _diverged(exc):
                raise


def test_stateful_run_follows_the_links_without_server_errors_or_schema_violations(
    api_world,
    settings,
    connection_kept,  # noqa: F811  (the fixture imported above)
):
    settings.QORGAU_API_RATE = 10**6
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis calls the WSGI app as localhost
    _client, key = services.create_client(SYSTEM, "schemathesis-stateful", "administrator")
    plausible = _plausible_bodies(api_world)
    january = releases.period_containing(dt.date(2026, 1, 1))  # a release for the list to link
    day = releases.publication_day(january)
    releases.publish(SYSTEM, january, now=local(day.year, day.month, day.day, 9, 0))

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    # Only the document's own links: no links inferred by schemathesis.
    schema.config.phases.stateful.inference.algorithms = []

    @schema.hook("flatmap_body")
    def half_plausible(context, body):  # type: ignore[no-untyped-def]
        """Half the bodies as generated, half that the API can accept."""
        label = context.operation.label if context.operation is not None else ""
        if label not in plausible:
            return st.just(body)
        return st.one_of(st.just(body), plausible[label])

    @schema.hook("flatmap_headers")
    def half_fresh_keys(context, headers):  # type: ignore[no-untyped-def]
        """Half the POSTs with a fresh Idempotency-Key, half with the generated one."""
        if not headers or "Idempotency-Key" not in headers:
            return st.just(headers)
        return st.one_of(
            st.just(headers), st.uuids().map(lambda key: {**headers, "Idempotency-Key": str(key)})
        )

    links = _links(schema.raw_schema)
    tally = Tally()
    started = time.monotonic()
    _run(_workflow(schema, key, tally), tally)
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis stateful: {len(links)} links, {tally.scenarios} scenarios, "
        f"{tally.calls.total()} calls, {tally.followed.total()} made by a link, "
        f"{Case.objects.count() - len(api_world)} cases registered, "
        f"{len(tally.failures)} failures, {tally.runs} run(s), {elapsed:.1f} s"
    )
    for (transition, status), count in sorted(tally.followed.items()):
        print(f"{count:5}  {transition}: {status}")
    reached = {transition.rsplit(" -> ", 1)[1] for transition, _status in tally.followed}
    targets = {schema.find_operation_by_id(link["operationId"]).label for link in links.values()}
    assert not tally.failures
    assert tally.scenarios >= SCENARIOS
    assert tally.followed.total() > 0
    assert reached == targets  # every operation a link leads to was called by a link
