"""The registry's records an actor may see: thin helpers over the policy's rule
(``access.policy.scoped`` / ``get_or_404``), which owns it; the registry names its models."""

from typing import Any

from django.db.models import QuerySet

from qorgau.access import policy

from .models import Case, Report


def cases_for(actor: Any, action: str = "case.view") -> QuerySet[Case]:
    """The cases ``actor`` (an Actor or a user) may ``action``."""
    return policy.scoped(actor, action, Case.objects.all())


def reports_for(actor: Any, action: str = "report.view") -> QuerySet[Report]:
    """The reports ``actor`` may ``action``."""
    return policy.scoped(actor, action, Report.objects.all())


def get_case_or_404(
    actor: Any, number: str, action: str = "case.view", queryset: QuerySet[Case] | None = None
) -> Case:
    """The case with ``number`` if ``actor`` may ``action`` it; else 404, never a hint."""
    base = queryset if queryset is not None else Case.objects.all()
    return policy.get_or_404(actor, action, base, number=number)


def get_report_or_404(
    actor: Any, pk: int, action: str = "report.view", queryset: QuerySet[Report] | None = None
) -> Report:
    """The report ``pk`` if ``actor`` may ``action`` it; else 404."""
    base = queryset if queryset is not None else Report.objects.all()
    return policy.get_or_404(actor, action, base, pk=pk)
