"""The prosecutor's control actions. Each is ``verb(actor, target, …)``: it asks the policy,
locks, changes, writes one audit entry (``oversight.actions``) or raises a ``core.errors``
error and changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import with_reason, write
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid, Problem, refuse
from qorgau.registry import trail
from qorgau.registry.limits import INSTRUCTION_MAX, RESULT_MAX, too_long
from qorgau.registry.models import Case, Report
from qorgau.registry.services import refuse_identifying

from . import actions
from .models import ControlKind, ControlRecord


def control_problems(
    *, instruction: str | None = None, due_on: dt.date | None = None
) -> list[Problem]:
    """Every problem of a control's values: an instruction (not empty, at most
    ``INSTRUCTION_MAX`` characters), a due date not in the past (Kazakhstan time)."""
    found: list[Problem] = []
    if instruction is not None:
        if not instruction.strip():
            found.append(("instruction", _("Write the instruction.")))
        found += too_long(instruction=(instruction, INSTRUCTION_MAX))
    if due_on is not None and due_on < timezone.localdate():
        found.append(("due_on", _("The due date cannot be in the past.")))
    return found


def add_control(
    actor: Actor,
    target: Case | Report,
    *,
    instruction: str,
    kind: str = ControlKind.INSTRUCTION,
    due_on: dt.date | None = None,
    reason: str | None = None,
) -> ControlRecord:
    """Give an instruction (or open a review) on a case or report of the actor's scope
    (``control.add``; the instruction's text is not kept in the trail: sensitive free text).
    Refused with ``NotAllowed`` (nothing written) for an actor without ``oversight.control``
    on the record."""
    policy.ensure(actor, "oversight.control", target)
    refuse(control_problems(instruction=instruction, due_on=due_on))
    refuse_identifying(instruction=instruction)
    case = target if isinstance(target, Case) else None
    report = target if isinstance(target, Report) else None
    with transaction.atomic():
        control = ControlRecord.objects.create(
            kind=kind, case=case, report=report, instruction=instruction.strip(), due_on=due_on,
            created_by=actor.user,
        )  # fmt: skip
        write(actor, actions.CONTROL_ADD, target, after=trail.created(control),
              details=with_reason({"control": control.pk}, reason))  # fmt: skip
    return control


def record_result(
    actor: Actor, control: ControlRecord, result: str, *, reason: str | None = None
) -> ControlRecord:
    """Record the result of a control (``control.result``); a result, once recorded, is not
    rewritten. Refused with ``NotAllowed`` for an actor without ``oversight.control`` on the
    controlled record."""
    policy.ensure(actor, "oversight.control", control)
    if not result.strip():
        raise Invalid("result", _("Write the result."))
    refuse(too_long(result=(result, RESULT_MAX)))
    refuse_identifying(result=result)
    with transaction.atomic():
        locked = ControlRecord.objects.select_for_update().get(pk=control.pk)
        if locked.result:
            raise Conflict(_("The result is already recorded."), field="result")
        before = trail.values(locked)
        locked.result, locked.result_at = result.strip(), timezone.now()
        locked.save(update_fields=["result", "result_at"])
        old, new = trail.changes(before, locked)
        write(actor, actions.CONTROL_RESULT, locked.case or locked.report, before=old, after=new,
              details=with_reason({"control": locked.pk}, reason))  # fmt: skip
    return locked
