"""The control form shows every error at once, next to its field, keeps what was typed, and the
service refuses the same values (issue 12, item 5)."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from qorgau.core.errors import Invalid
from qorgau.oversight import services
from qorgau.oversight.models import ControlRecord
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db


def error_of(body: str, field: str) -> str:
    found = re.search(
        rf'<p class="govuk-error-message" id="id_{field}_error">(.*?)</p>', body, re.S
    )
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def test_a_control_with_two_wrong_values_shows_both_errors_and_keeps_the_typed_text(
    client, admin_user, login, make_case
):
    case = make_case()
    login(client, admin_user)
    client.cookies["django_language"] = "en"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("oversight:control_new"),
        {"case": case.number, "kind": "instruction", "instruction": "i" * 4001,
         "due_on": yesterday},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400
    assert "at most 4000 characters" in error_of(body, "instruction")
    assert "cannot be in the past" in error_of(body, "due_on")
    assert f'value="{yesterday}"' in body
    assert not ControlRecord.objects.exists()


def test_the_service_bounds_the_instruction_and_the_result(make_case):
    case = make_case()
    with translation.override("en"), pytest.raises(Invalid) as refused:
        services.add_control(SYSTEM, case, instruction="i" * 4001)
    assert refused.value.field == "instruction"
    control = services.add_control(SYSTEM, case, instruction="Check the term.")
    with translation.override("en"), pytest.raises(Invalid) as refused:
        services.record_result(SYSTEM, control, "r" * 4001)
    assert refused.value.field == "result" and "4,000" in str(refused.value)
    control.refresh_from_db()
    assert control.result == ""
