"""What is waiting on whom: the registry's and the control list's items a person must act on,
as the home page's worklist and the notifications count them.

Every count here is the number of records the page it links to lists for the same filters:
reports and cases are counted by the registry's list filters with the link's own query
(:func:`reports`, :func:`cases`: ``registry.filters``), control items by the control list narrowed
as its page narrows it (:func:`control_counts`). Nothing here restates a rule: the 24-hour
clock is ``reference.rules.report_decision_due``, the window ``deadlines.DUE_SOON_DAYS``.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from qorgau.reference import rules
from qorgau.registry import filters
from qorgau.registry.choices import Decision
from qorgau.registry.models import Case, Report

from . import deadlines

# The query of each list the worklist links to (the list's own GET parameters).
PENDING = {"decision": Decision.PENDING.value}
PENDING_OVERDUE = {"decision": Decision.PENDING.value, "overdue": "1"}
TERM_DUE = {"term": "due"}
TERM_PASSED = {"term": "passed"}
# The control page's filters (``oversight:control?kind=…``), in the page's order.
CONTROL_KINDS = [
    deadlines.FilterKind.LATE_REPORT,
    deadlines.FilterKind.OVERDUE_CASE,
    deadlines.FilterKind.DUE_SOON,
    deadlines.FilterKind.REVIEW,
]
OLDEST_SHOWN = 10  # reports and cases listed on the home page under their counts


def reports(actor: Any, params: dict[str, str]) -> QuerySet[Report]:
    """The reports the report list shows ``actor`` for ``params`` (``decision``, ``overdue``):
    the list's own filters (``registry.filters``), at the present moment."""
    return filters.filtered_reports(actor, params)[1]


def cases(actor: Any, params: dict[str, str]) -> QuerySet[Case]:
    """The cases the case list shows ``actor`` for ``params`` (``term``: ``due`` — under
    investigation, the term ending today or within ``DUE_SOON_DAYS`` days; ``passed`` — ended
    before today): the list's own filters, on today's Kazakhstan date."""
    return filters.filtered_cases(actor, params)[1]


@dataclass
class Clock:
    """A pending report's 24-hour clock at ``now``: when its decision is due, and how long is
    left (negative: overdue by)."""

    report: Report
    due: dt.datetime | None
    left: dt.timedelta | None

    @property
    def overdue(self) -> bool:
        return self.left is not None and self.left < dt.timedelta(0)


def oldest_pending(actor: Any, now: dt.datetime | None = None) -> list[Clock]:
    """The reports awaiting a decision, oldest first (at most ``OLDEST_SHOWN``), each with its
    clock."""
    now = now or timezone.now()
    ruleset = rules.RuleSet()
    shown = reports(actor, PENDING).select_related("region").order_by("received_at", "pk")
    out = []
    for report in shown[:OLDEST_SHOWN]:
        due = rules.report_decision_due(report.received_at, ruleset=ruleset)
        out.append(Clock(report, due, None if due is None else due - now))
    return out


def soonest_terms(actor: Any, params: dict[str, str]) -> list[Case]:
    """The cases of ``params`` (``TERM_DUE`` or ``TERM_PASSED``) whose term ends (ended) first."""
    found = cases(actor, params).select_related("region", "article_part__article")
    return list(found.order_by("term_ends_on", "number")[:OLDEST_SHOWN])


def control_counts(user: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """Per filter kind of the control page: the number of items the page lists for
    ``?kind=<kind>`` (the user's scope, no other filter)."""
    control = deadlines.control_list(user, now)
    return {
        str(kind): len(control.narrowed(deadlines.Filters(kind=kind)).all())
        for kind in CONTROL_KINDS
    }
