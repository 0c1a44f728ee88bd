"""Read-side queries of the registry used by pages and commands."""

from django.db.models import QuerySet

from .models import Case, Report


def all_cases() -> QuerySet:
    return Case.objects.all()


def all_reports() -> QuerySet:
    return Report.objects.all()
