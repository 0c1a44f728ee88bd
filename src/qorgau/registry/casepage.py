"""What the case page (and its printed card) shows beside the case itself: its reports, its
story, its term with the days left, and which of its actions it offers — only those the
policy (``access.policy``) and the lifecycle (``registry.lifecycle``, ``reference.rules``)
allow, so that no button leads to a refusal."""

from typing import Any

from django.utils import timezone
from django.utils.translation import ngettext

from qorgau.access import policy
from qorgau.reference import rules

from . import lifecycle, timeline
from .choices import CaseStatus
from .models import Case

# The colour of each status's tag (GOV.UK Frontend's tag modifiers).
STATUS_TAGS: dict[str, str] = {
    CaseStatus.INVESTIGATION: "govuk-tag--blue",
    CaseStatus.SUSPENDED: "govuk-tag--yellow",
    CaseStatus.SENT_TO_COURT: "govuk-tag--green",
    CaseStatus.TERMINATED: "govuk-tag--grey",
    CaseStatus.JOINED: "govuk-tag--grey",
}


def may_extend(case: Case) -> bool:
    """Whether the case's term may still be extended: the term runs (the lifecycle) and has
    not reached the longest term the law allows (``reference.rules.case_term_limit``)."""
    if not lifecycle.term_running(case.status) or case.term_ends_on is None:
        return False
    limit = rules.case_term_limit(case)
    return limit is None or case.term_ends_on < limit


def term(case: Case) -> dict[str, Any]:
    """The days left of the term, or how long it is overdue, while the term runs."""
    if case.term_ends_on is None or not lifecycle.term_running(case.status):
        return {"term_note": "", "term_overdue": False}
    days = (case.term_ends_on - timezone.localdate()).days
    if days < 0:
        note = ngettext("overdue by %(days)s day", "overdue by %(days)s days", -days)
        return {"term_note": note % {"days": -days}, "term_overdue": True}
    note = ngettext("%(days)s day left", "%(days)s days left", days)
    return {"term_note": note % {"days": days}, "term_overdue": False}


def facts(case: Case) -> dict[str, Any]:
    """The case's facts the page and the card both show, beyond its fields."""
    return {"status_tag": STATUS_TAGS.get(case.status, ""), **term(case)}


def offers(user: Any, case: Case) -> dict[str, bool]:
    """Which of the case's actions the page offers ``user``."""
    return {
        "can_edit_parties": policy.can(user, "case.edit_parties", case),
        "can_requalify": lifecycle.may_requalify(case.status)
        and policy.can(user, "case.requalify", case),
        "can_extend": may_extend(case) and policy.can(user, "case.extend", case),
        "can_change_status": bool(lifecycle.allowed_next(case.status))
        and policy.can(user, "case.change_status", case),
        "can_view_reports": policy.can(user, "report.view", case),
    }


def context(user: Any, case: Case) -> dict[str, Any]:
    """Everything the case page shows beside the case and its status form."""
    offered = offers(user, case)
    reports = list(case.reports.order_by("received_at")) if offered["can_view_reports"] else []
    return {**offered, **facts(case), "reports": reports, "events": timeline.story(case, user)}
