"""The prosecutor's control actions."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core import privacy
from qorgau.registry.errors import RegistryError

from .models import ControlKind, ControlRecord


def add_control(user, *, case=None, report=None, kind=ControlKind.INSTRUCTION, instruction: str,
                due_on: dt.date | None = None) -> ControlRecord:  # fmt: skip
    """Give an instruction (or open a review) on a case or report of the user's scope. Refused
    with ``policy.NotAllowed`` (nothing written) for a user without ``oversight.control`` on
    the record. Audited by the change log as ``oversight.controlrecord.create`` (the
    instruction's text is not kept: sensitive free text)."""
    target = case or report
    if (case is None) == (report is None):
        raise RegistryError(_("A control record is about one case or one report."))
    policy.ensure(user, "oversight.control", target)
    if not instruction.strip():
        raise RegistryError(_("Write the instruction."), "instruction")
    if found := privacy.problem(instruction=instruction):
        raise RegistryError(*found)
    if due_on is not None and due_on < timezone.localdate():
        raise RegistryError(_("The due date cannot be in the past."), "due_on")
    return ControlRecord.objects.create(
        kind=kind, case=case, report=report, instruction=instruction.strip(), due_on=due_on,
        created_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip


def record_result(user, control: ControlRecord, result: str) -> ControlRecord:
    """Record the result of a control; a result, once recorded, is not rewritten. Refused with
    ``policy.NotAllowed`` for a user without ``oversight.control`` on the controlled record;
    audited as ``oversight.controlrecord.update`` (the result's text is not kept)."""
    policy.ensure(user, "oversight.control", control)
    if not result.strip():
        raise RegistryError(_("Write the result."), "result")
    if found := privacy.problem(result=result):
        raise RegistryError(*found)
    with transaction.atomic():
        locked = ControlRecord.objects.select_for_update().get(pk=control.pk)
        if locked.result:
            raise RegistryError(_("The result is already recorded."))
        locked.result, locked.result_at = result.strip(), timezone.now()
        locked.save(update_fields=["result", "result_at"])
    return locked
