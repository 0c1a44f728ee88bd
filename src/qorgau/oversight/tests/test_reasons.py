"""A reason given with a control action (``verb(…, *, reason=…)``) lands in its one entry."""

import pytest

from qorgau.audit.models import AuditEntry
from qorgau.oversight import services
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db


def test_a_given_reason_lands_in_the_one_entry_of_each_control_action(make_case):
    case = make_case()
    control = services.add_control(SYSTEM, case, instruction="Question the witnesses.",
                                   reason="term runs out soon")  # fmt: skip
    services.record_result(SYSTEM, control, "Done.", reason="report of the investigator")
    [added] = AuditEntry.objects.filter(action="control.add")
    [result] = AuditEntry.objects.filter(action="control.result")
    assert added.details == {"control": control.pk, "reason": "term runs out soon"}
    assert result.details == {"control": control.pk, "reason": "report of the investigator"}


def test_without_a_reason_the_details_stay_as_they_were(make_case):
    control = services.add_control(SYSTEM, make_case(), instruction="Question the witnesses.")
    [added] = AuditEntry.objects.filter(action="control.add")
    assert added.details == {"control": control.pk}
