"""The one place that decides which status may follow which.

A case's status changes only through :func:`transition`, and a report's decision only through
:func:`decide`. Both ask the policy, check the tables below, lock the row, record the change as
a row, write one audit entry (``case.status.change``, ``report.decide``) and raise a
``core.errors`` error (a translated message, ``field="status"``) without changing anything when
the change is not allowed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import with_reason, write
from qorgau.core import privacy
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid, refuse
from qorgau.reference import rules

from . import actions, changes, trail
from .choices import CaseStatus, Decision, SuspensionGround, TerminationGround
from .limits import NOTE_MAX, REASON_MAX, too_long
from .models import Case, Report, StatusChange

S = CaseStatus

# status -> the statuses that may follow it
CASE_TRANSITIONS: dict[str, set[str]] = {
    S.INVESTIGATION: {S.SENT_TO_COURT, S.TERMINATED, S.SUSPENDED, S.JOINED},
    # Resumption: a suspended case is resumed; a termination is cancelled (by the prosecutor or
    # the investigator's superior); a case returned from court goes back to investigation.
    S.SUSPENDED: {S.INVESTIGATION},
    S.TERMINATED: {S.INVESTIGATION},
    S.SENT_TO_COURT: {S.INVESTIGATION},
    S.JOINED: set(),
}

REPORT_TRANSITIONS: dict[str, set[str]] = {
    Decision.PENDING: {Decision.REGISTERED, Decision.SENT_ELSEWHERE, Decision.NO_OFFENCE},
    # A refusal may be overturned by the prosecutor: the report is then registered as a case.
    Decision.NO_OFFENCE: {Decision.REGISTERED},
    Decision.SENT_ELSEWHERE: set(),
    Decision.REGISTERED: set(),
}


def allowed_next(status: str) -> list[str]:
    """The statuses a case in ``status`` may move to, in the order of CaseStatus."""
    return [s for s in S.values if s in CASE_TRANSITIONS.get(status, set())]


# status -> the grounds a change to it needs (one of them); other statuses take none.
GROUNDS: dict[str, type[TerminationGround] | type[SuspensionGround]] = {
    S.TERMINATED: TerminationGround,
    S.SUSPENDED: SuspensionGround,
}


def grounds_for(status: str) -> list[tuple[str, str]]:
    """(value, label) of the grounds of a change to ``status``; empty when it takes none."""
    grounds = GROUNDS.get(status)
    return [(value, str(label)) for value, label in grounds.choices if value] if grounds else []


# The statuses in which the investigation term runs (and may be extended): a suspension stops
# the clock but the term still matters, as the case will be resumed.
OPEN_STATUSES = (S.INVESTIGATION, S.SUSPENDED)


def term_running(status: str) -> bool:
    """Whether the investigation term matters for a case in ``status``."""
    return status in OPEN_STATUSES


def may_requalify(status: str) -> bool:
    """Whether a case in ``status`` may be requalified: only while the investigation is open
    (a case sent to court, terminated or joined is qualified as it was closed)."""
    return status in OPEN_STATUSES


def can_decide(report: Report, decision: str | None = None) -> bool:
    """Whether ``decision`` may follow the report's current decision; without ``decision``,
    whether any decision may still follow it."""
    following = REPORT_TRANSITIONS.get(report.decision, set())
    return bool(following) if decision is None else decision in following


def _refused(message: str) -> Conflict:
    """A change the lifecycle does not allow now (about the status)."""
    return Conflict(message, field="status")


def _wrong(message: str) -> Invalid:
    """Details of a change that are wrong whatever the state (about the status)."""
    return Invalid("status", message)


def check_transition(
    case: Case,
    to_status: str,
    *,
    ground: str = "",
    joined_to: Case | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Raise a ``core.errors`` error if ``case`` may not move to ``to_status`` with these
    details."""
    labels = dict(S.choices)
    if to_status not in labels:
        raise _wrong(_("Unknown status “%(status)s”.") % {"status": to_status})
    if to_status not in CASE_TRANSITIONS[case.status]:
        raise _refused(
            _("Case %(number)s is “%(from)s”; it cannot become “%(to)s”.")
            % {"number": case.number, "from": labels[case.status], "to": labels[to_status]}
        )
    if at is not None and at > timezone.now():
        raise _wrong(_("A status change cannot be dated in the future."))
    if at is not None and case.status_at and at < case.status_at:
        raise _refused(
            _("The change cannot be dated before the current status (%(date)s).")
            % {"date": timezone.localtime(case.status_at).strftime("%Y-%m-%d %H:%M")}
        )
    check_status_details(case, to_status, ground=ground, joined_to=joined_to)
    if to_status == S.INVESTIGATION and not reason.strip():
        raise _wrong(_("A resumption needs a reason."))


def _check_ground(case: Case, to_status: str, ground: str) -> None:
    """The ground of a change (about the field ``ground``): one of the status's own."""
    if to_status == S.TERMINATED:
        if ground not in TerminationGround.values or not ground:
            raise Invalid("ground", _("A termination needs a ground."))
        if ground == TerminationGround.RECONCILIATION and not case.article.reconciliation_allowed:
            raise Invalid(
                "ground",
                _("Reconciliation does not end a case under article %(article)s.")
                % {"article": case.article.code},
            )
    elif to_status == S.SUSPENDED:
        if ground not in SuspensionGround.values or not ground:
            raise Invalid("ground", _("A suspension needs a ground."))
    elif ground:
        raise Invalid("ground", _("A ground is given only for a termination or a suspension."))


def _check_joining(case: Case, to_status: str, joined_to: Case | None) -> None:
    if to_status != S.JOINED:
        if joined_to is not None:
            raise _wrong(_("Only a joining names another case."))
        return
    if joined_to is None:
        raise _wrong(_("Name the case this one is joined to."))
    if joined_to.pk == case.pk:
        raise _wrong(_("A case cannot be joined to itself."))
    if joined_to.status == S.JOINED:
        raise _refused(
            _("Case %(number)s is itself joined to another case.") % {"number": joined_to.number}
        )
    if case.pk and case.joined_cases.exists():
        # Joining would make a chain (the cases joined to this one would point at a case
        # that is itself joined): join those cases to the new one instead.
        raise _refused(
            _("Other cases are joined to case %(number)s; it cannot be joined itself.")
            % {"number": case.number}
        )


def check_status_details(
    case: Case, to_status: str, *, ground: str = "", joined_to: Case | None = None
) -> None:
    """Raise a ``core.errors`` error unless the details a status needs are given (a ground for
    a termination or suspension, the absorbing case for a joining) and no others."""
    _check_ground(case, to_status, ground)
    _check_joining(case, to_status, joined_to)


def _lock_for_change(case: Case, joined_to: Case | None) -> tuple[Case, Case | None]:
    """Lock ``case`` (and the absorbing case) and read them as they are now."""
    if joined_to is not None:
        # Lock both cases in one order, so two joinings cannot cross (A→B and B→A), and
        # check the absorbing case as it is now, not as it was read.
        list(Case.objects.select_for_update().filter(pk__in=[case.pk, joined_to.pk]).order_by("pk"))
        joined_to = Case.objects.get(pk=joined_to.pk)
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("article_part__article")
        .get(pk=case.pk)
    )
    return locked, joined_to


def transition(
    actor: Actor,
    case: Case,
    to_status: str,
    *,
    reason: str | None = None,
    ground: str = "",
    joined_to: Case | None = None,
    at: dt.datetime | None = None,
) -> StatusChange:
    """Move ``case`` to ``to_status`` and record who, when, from, to and why
    (``case.status.change``).

    Locks the case row, re-reads its status (another user may have changed it meanwhile),
    checks the rules and writes the case, the StatusChange and the audit entry, or nothing.
    The ``reason`` is the change's own (kept on the StatusChange, "" when none is given).
    """
    reason = reason or ""
    policy.ensure(actor, "case.change_status", case)
    if joined_to is not None:
        policy.ensure(actor, "case.view", joined_to)
    refuse(too_long(reason=(reason, REASON_MAX)))
    if found := privacy.problem(reason=reason):
        raise Invalid(found[1], found[0])
    with transaction.atomic():
        locked, joined_to = _lock_for_change(case, joined_to)
        at = at or timezone.now()
        check_transition(
            locked, to_status, ground=ground, joined_to=joined_to, reason=reason, at=at
        )
        before = trail.values(locked)
        change = StatusChange.objects.create(
            case=locked, from_status=locked.status, to_status=to_status, changed_at=at,
            changed_by=actor.user, reason=reason, ground=ground,
        )  # fmt: skip
        _set_status(locked, to_status, at, ground, joined_to)
        # A suspension stops the investigation clock and a resumption starts it again: the
        # term's end is recomputed (by the legal rules) with the change just recorded.
        locked.term_ends_on = rules.case_term_end(locked)
        locked.save(update_fields=list(_STATUS_FIELDS))
        old, new = trail.changes(before, locked)
        write(actor, actions.CASE_STATUS_CHANGE, locked, before=old, after=new,
              details={"reason": trail.named(reason), "status_change": change.pk})  # fmt: skip
        changes.record(locked, actions.CASE_STATUS_CHANGE)
    for field in _STATUS_FIELDS:
        setattr(case, field, getattr(locked, field))
    return change


_STATUS_FIELDS = (
    "status",
    "status_at",
    "termination_ground",
    "suspension_ground",
    "joined_to",
    "term_ends_on",
)


def _set_status(
    case: Case, status: str, at: dt.datetime, ground: str, joined_to: Case | None
) -> None:
    case.status, case.status_at = status, at
    case.termination_ground = ground if status == S.TERMINATED else ""
    case.suspension_ground = ground if status == S.SUSPENDED else ""
    case.joined_to = joined_to if status == S.JOINED else None


def initial_status_problem(
    status: str,
    *,
    ground: str,
    article: Any,
    joined: tuple[str, str] | None,
    at: dt.datetime,
    registered_at: dt.datetime,
    now: dt.datetime,
) -> str:
    """Why :func:`record_initial_status` would refuse a case's first status, or "": the same
    rules for a row of a bulk import that is not a saved case yet (``article``: its article;
    ``joined``: the number and status of the case it is joined to, None if none)."""
    if status == S.TERMINATED:
        if not ground:
            return _("A termination needs a ground.")
        if ground == TerminationGround.RECONCILIATION and not article.reconciliation_allowed:
            return _("Reconciliation does not end a case under article %(article)s.") % {
                "article": article.code
            }
    elif status == S.SUSPENDED and not ground:
        return _("A suspension needs a ground.")
    if status != S.JOINED and joined is not None:
        return _("Only a joining names another case.")
    if status == S.JOINED:
        if joined is None:
            return _("Name the case this one is joined to.")
        number, target_status = joined
        if target_status == S.JOINED:
            return _("Case %(number)s is itself joined to another case.") % {"number": number}
    if at < registered_at:
        return _("The status cannot be dated before the registration.")
    if at > now:
        return _("A status change cannot be dated in the future.")
    return ""


def record_initial_status(
    actor: Actor,
    case: Case,
    *,
    at: dt.datetime,
    status: str = S.INVESTIGATION,
    ground: str = "",
    joined_to: Case | None = None,
    reason: str = "",
) -> StatusChange:
    """Record the first status of a newly registered case (part of ``services.register_case``
    and its one audit entry, so none of its own).

    A new registration starts "under investigation". A case imported from another register
    arrives with its current status (its earlier history is not in the file), which must still
    carry the details that status needs.
    """
    if status not in S.values:
        raise _wrong(_("Unknown status “%(status)s”.") % {"status": status})
    check_status_details(case, status, ground=ground, joined_to=joined_to)
    if at < case.registered_at:
        raise _wrong(_("The status cannot be dated before the registration."))
    if at > timezone.now():
        raise _wrong(_("A status change cannot be dated in the future."))
    change = StatusChange.objects.create(
        case=case,
        from_status="",
        to_status=status,
        changed_at=at,
        changed_by=actor.user,
        reason=reason,  # empty: shown as "registration" in the reader's language
        ground=ground,
    )
    _set_status(case, status, at, ground, joined_to)
    case.save(update_fields=list(_STATUS_FIELDS[:-1]))
    return change


def decide(
    actor: Actor,
    report: Report,
    decision: str,
    *,
    at: dt.datetime | None = None,
    note: str = "",
    reason: str | None = None,
) -> Report:
    """Record the decision taken on a report (``report.decide``); the same rules-table check
    as for cases. ``note`` is the decision's own (where the report was sent); ``reason``, why
    the actor decided, goes into the audit entry."""
    policy.ensure(actor, "report.decide", report)
    refuse(too_long(note=(note, NOTE_MAX)))
    if found := privacy.problem(note=note):
        raise Invalid(found[1], found[0])
    labels = dict(Decision.choices)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not can_decide(locked, decision):
            raise Conflict(
                _("The report's decision is “%(from)s”; it cannot become “%(to)s”.")
                % {"from": labels[locked.decision], "to": labels.get(decision, decision)},
                field="decision",
            )
        at = at or timezone.now()
        if at < locked.received_at:
            raise Invalid(
                "decision", _("A decision cannot be dated before the report was received.")
            )
        if decision == Decision.SENT_ELSEWHERE and not note.strip():
            raise Invalid("note", _("Name the body the report was sent to."))
        before = trail.values(locked)
        locked.decision, locked.decided_at, locked.decided_by = decision, at, actor.user
        locked.decision_note = note
        locked.save(update_fields=["decision", "decided_at", "decided_by", "decision_note"])
        old, new = trail.changes(before, locked)
        write(actor, actions.REPORT_DECIDE, locked, before=old, after=new,
              details=with_reason(None, reason))  # fmt: skip
        changes.record(locked, actions.REPORT_DECIDE)
    report.decision, report.decided_at, report.decided_by = locked.decision, at, actor.user
    report.decision_note = note
    return report
