"""Schemathesis against the API's own OpenAPI document, through the WSGI application: every
operation, called with generated input by a national administrator's key, answers without a
server error and as its document says (status codes, content types, bodies). Prints the number
of calls made."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qorgau.api import services
from qorgau.wsgi import application
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db

EXAMPLES = 50  # per operation: 18 operations, about 850 calls in 15-30 s
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def connection_kept():
    """Keep the test's database connection across the WSGI calls, as Django's test client does
    (its transaction would otherwise be closed at the end of each request on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_documented_without_server_errors(
    api_world, settings, connection_kept
):
    settings.QORGAU_API_RATE = 10**6
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis calls the WSGI app as localhost
    _client, key = services.create_client(SYSTEM, "schemathesis", "administrator")
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    calls = 0
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES, deadline=None, database=None,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def call(case):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            response = case.call(headers={"Authorization": f"Bearer {key}"})
            case.validate_response(response, checks=CHECKS)

        call()
    print(f"schemathesis: {operations} operations, {calls} generated calls, 0 failures")
    assert operations >= 18 and calls >= operations
