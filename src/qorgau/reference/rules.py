"""Deadlines computed from the :class:`DeadlineRule` table: the one owner of legal terms.

Every term the system checks is computed here, from the rules as data
(:class:`~qorgau.reference.models.DeadlineRule`). The registry keeps a case's current end
(``Case.term_ends_on``) in step by calling :func:`case_term_end` whenever something it depends
on changes (qualification, extension, status), and again for the open cases when an
administrator edits a rule (``registry.receivers``); the oversight app reads the ends.

The functions that take a case read it by duck typing (this floor does not import the
registry): its article part's category, its registration, its extensions (``extended_at``,
``amount``, ``unit``) and its status changes (``changed_at``, ``stops_clock``: a suspension).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import DeadlineRule, RuleKind, TermUnit

if TYPE_CHECKING:
    from django.db.models import Model

    from qorgau.registry.models import Case, StatusChange, TermExtension

RULES_FILE = Path(__file__).resolve().parent / "data" / "deadline_rules.json"

# The "due soon" window of the control list and of the case list's ``term=due`` filter: the
# pages' horizon, not a legal term. Set here, the one place, because both the registry (its case
# filter) and the oversight app (``oversight.deadlines.DUE_SOON_DAYS``) read it.
DUE_SOON_DAYS = 7


class RuleSet:
    """The deadline rules, read from the database once: a page or a command that asks for many
    terms builds one and passes it on (one query instead of one per item)."""

    def __init__(self, rules: Iterable[DeadlineRule] | None = None) -> None:
        rows = DeadlineRule.objects.all() if rules is None else rules
        self._rules = {(r.kind, r.category): r for r in rows}

    def get(self, kind: str, category: str = "") -> DeadlineRule | None:
        """The rule of ``kind`` for ``category``, else the one for every category, else None."""
        return self._rules.get((kind, category)) or self._rules.get((kind, ""))


def _rule(kind: str, category: str = "", ruleset: RuleSet | None = None) -> DeadlineRule | None:
    return (ruleset or RuleSet(DeadlineRule.objects.filter(kind=kind))).get(kind, category)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clamped to the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def add_term(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """``start`` plus a term in hours, days or calendar months."""
    if unit == TermUnit.HOURS:
        return start + dt.timedelta(hours=amount)
    if unit == TermUnit.DAYS:
        return start + dt.timedelta(days=amount)
    local = timezone.localtime(start)
    return local.replace(
        **{f: getattr(add_months(local.date(), amount), f) for f in ("year", "month", "day")}
    )


def add_to_date(day: dt.date, amount: int, unit: str) -> dt.date:
    """``day`` plus a length in days or calendar months (the unit of a term extension)."""
    if unit == TermUnit.MONTHS:
        return add_months(day, amount)
    if unit == TermUnit.DAYS:
        return day + dt.timedelta(days=amount)
    raise ValueError(f"a term on dates is counted in days or months, not {unit!r}")


def investigation_term_end(
    category: str, registered_at: dt.datetime, *, ruleset: RuleSet | None = None
) -> dt.date | None:
    """The last day of the investigation term of a case of ``category`` registered at
    ``registered_at``, before any extension or suspension; None when no rule is set."""
    rule = _rule(RuleKind.INVESTIGATION_TERM, category, ruleset)
    if rule is None:
        return None
    return timezone.localtime(add_term(registered_at, rule.amount, rule.unit)).date()


def suspended_periods(
    status_changes: Iterable[StatusChange],
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The closed periods (from, to) a case spent suspended, read from its status changes in
    order. A suspension still running has no end yet: its days are added at the resumption."""
    periods: list[tuple[dt.datetime, dt.datetime]] = []
    since: dt.datetime | None = None
    for change in sorted(status_changes, key=lambda c: (c.changed_at, c.pk or 0)):
        if change.stops_clock and since is None:
            since = change.changed_at
        elif not change.stops_clock and since is not None:
            periods.append((since, change.changed_at))
            since = None
    return periods


def case_term_end(
    case: Case,
    *,
    extensions: Iterable[TermExtension] | None = None,
    status_changes: Iterable[StatusChange] | None = None,
    ruleset: RuleSet | None = None,
) -> dt.date | None:
    """The last day of ``case``'s investigation term, as the rules say now:

    - the term of the category (misdemeanour or crime) of the case's **current** qualification,
      counted from its registration;
    - then, in the order they happened, each recorded extension adds its length, and each closed
      suspension adds the days the case was suspended (a suspension stops the clock, the
      resumption starts it again);
    - None when no rule covers the category.

    ``extensions`` and ``status_changes`` default to the case's recorded rows; a service passes
    them to compute the end with a row it is about to write (or, for a new case, with none).
    """
    end = investigation_term_end(
        case.article_part.article.category, case.registered_at, ruleset=ruleset
    )
    if end is None:
        return None
    if extensions is None:
        extensions = case.extensions.all() if case.pk else []
    if status_changes is None:
        status_changes = case.status_changes.all() if case.pk else []
    events = [(e.extended_at, e.amount, e.unit) for e in extensions]
    events += _suspensions(status_changes)
    for _at, amount, unit in sorted(events, key=lambda event: event[0]):
        end = add_to_date(end, amount, unit)
    return end


def _suspensions(status_changes: Iterable[StatusChange]) -> list[tuple[dt.datetime, int, str]]:
    """Each closed suspension as a lengthening of the term: (resumed at, days, "days")."""
    events: list[tuple[dt.datetime, int, str]] = []
    for since, until in suspended_periods(status_changes):
        days = (timezone.localtime(until).date() - timezone.localtime(since).date()).days
        events.append((until, days, TermUnit.DAYS))
    return events


def case_term_limit(
    case: Case,
    *,
    status_changes: Iterable[StatusChange] | None = None,
    ruleset: RuleSet | None = None,
) -> dt.date | None:
    """The last day ``case``'s investigation term may reach with every extension: the rule's
    longest term (``max_amount``) from the registration, plus the days of each closed
    suspension (a suspension stops the clock); None when the rule sets no maximum."""
    rule = _rule(RuleKind.INVESTIGATION_TERM, case.article_part.article.category, ruleset)
    if rule is None or rule.max_amount is None:
        return None
    end = timezone.localtime(add_term(case.registered_at, rule.max_amount, rule.unit)).date()
    if status_changes is None:
        status_changes = case.status_changes.all() if case.pk else []
    for _at, days, unit in _suspensions(status_changes):
        end = add_to_date(end, days, unit)
    return end


def report_decision_due(
    received_at: dt.datetime, *, ruleset: RuleSet | None = None
) -> dt.datetime | None:
    """When the decision on a report received at ``received_at`` is due; None without a rule."""
    rule = _rule(RuleKind.REPORT_DECISION, "", ruleset)
    if rule is None:
        return None
    return add_term(received_at, rule.amount, rule.unit)


def report_overdue_before(
    now: dt.datetime, *, ruleset: RuleSet | None = None
) -> dt.datetime | None:
    """The receipt time before which a report still undecided at ``now`` is past its decision
    deadline (:func:`report_decision_due` read backwards, for a list's filter); None without a
    rule."""
    rule = _rule(RuleKind.REPORT_DECISION, "", ruleset)
    if rule is None:
        return None
    return add_term(now, -rule.amount, rule.unit)


def load_rules(
    DeadlineRule: type[Model], path: Path | None = None, *, fill: tuple[str, ...] = ()
) -> int:
    """Create the rules of ``deadline_rules.json`` that are missing (an administrator's later
    edits are kept); returns the number of rules in the file. Used by the migrations, with the
    model as it was then: the file's keys the model does not have yet are left out. The fields
    in ``fill`` (added by a later migration) are set from the file on existing rules where they
    are still empty."""
    rules: list[dict[str, Any]] = json.loads((path or RULES_FILE).read_text(encoding="utf-8"))[
        "rules"
    ]
    known = {f.name for f in DeadlineRule._meta.get_fields()}
    for rule in rules:
        rule = {key: value for key, value in rule.items() if key in known}
        existing, created = DeadlineRule._default_manager.get_or_create(
            kind=rule.pop("kind"), category=rule.pop("category"), defaults=rule
        )
        empty = [f for f in fill if f in rule and getattr(existing, f) in (None, "")]
        if not created and empty:
            for name in empty:
                setattr(existing, name, rule[name])
            existing.save(update_fields=empty)
    return len(rules)
