"""Deadlines computed from the :class:`DeadlineRule` table: the one owner of legal terms."""

import calendar
import datetime as dt

from django.utils import timezone

from .models import DeadlineRule, RuleKind, TermUnit


def _rule(kind: str, category: str = "") -> DeadlineRule | None:
    rules = {r.category: r for r in DeadlineRule.objects.filter(kind=kind)}
    return rules.get(category) or rules.get("")


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


def investigation_term_end(category: str, registered_at: dt.datetime) -> dt.date | None:
    """The last day of the investigation term of a case of ``category`` registered at
    ``registered_at``, before any extension; None when no rule is set."""
    rule = _rule(RuleKind.INVESTIGATION_TERM, category)
    if rule is None:
        return None
    return timezone.localtime(add_term(registered_at, rule.amount, rule.unit)).date()


def report_decision_due(received_at: dt.datetime) -> dt.datetime | None:
    """When the decision on a report received at ``received_at`` is due; None without a rule."""
    rule = _rule(RuleKind.REPORT_DECISION)
    if rule is None:
        return None
    return add_term(received_at, rule.amount, rule.unit)


def load_rules(DeadlineRule, path=None) -> int:
    """Create the rules of ``deadline_rules.json`` that are missing (an administrator's later
    edits are kept); returns the number of rules in the file. Used by the migration."""
    import json
    from pathlib import Path

    path = path or Path(__file__).resolve().parent / "data" / "deadline_rules.json"
    rules = json.loads(Path(path).read_text(encoding="utf-8"))["rules"]
    for rule in rules:
        rule = dict(rule)
        DeadlineRule.objects.get_or_create(
            kind=rule.pop("kind"), category=rule.pop("category"), defaults=rule
        )
    return len(rules)
