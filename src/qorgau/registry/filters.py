"""The filters of the case and report lists (django-filter), kept in the URL.

The GET parameter names are an interface: the home page's worklist links to the lists with
them and counts with :func:`filtered_cases` / :func:`filtered_reports`, the very code the lists
run, so a count and the list it links to always agree (docs/search.md lists the parameters).

An invalid value (an unknown region, a date ``to`` before its ``from``, a word where a choice
is expected) is an error next to its field and the page answers 400: a filter is never
silently dropped, which would show a full list, nor silently empty."""

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qorgau.access import policy
from qorgau.reference import rules
from qorgau.reference.models import Article, Region

from . import scoped, search
from .choices import CaseStatus, Decision
from .models import Case, Report

# Parameters of older links that still mean something: ``number`` (the case list's search
# field until issue 12) is read as ``q``.
ALIASES = {"number": "q"}
TERM_DUE, TERM_PASSED = "due", "passed"


class DateInput(forms.DateInput):
    input_type = "date"


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in Kazakhstan: the lists' dates are the reader's days,
    not UTC ones (a case registered at 23:30 in Almaty is on that day)."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


class ListForm(forms.Form):
    """The form of a list's filters: a ``…_to`` date before its ``…_from`` is an error next
    to the ``…_to`` field."""

    date_pairs: tuple[tuple[str, str], ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in self.date_pairs:
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, _("The end date must be the same as or after the start date."))
        return data


class CaseListForm(ListForm):
    date_pairs = (("registered_from", "registered_to"),)


class ReportListForm(ListForm):
    date_pairs = (("received_from", "received_to"),)


def _date_filter(label, field: str, *, end: bool) -> django_filters.DateFilter:
    """A filter on the Kazakhstan day of ``field``: from its first instant, or (``end``)
    until the first instant of the next day."""

    def apply(queryset: QuerySet, _name: str, value: dt.date) -> QuerySet:
        if end:
            return queryset.filter(**{f"{field}__lt": day_start(value + dt.timedelta(days=1))})
        return queryset.filter(**{f"{field}__gte": day_start(value)})

    return django_filters.DateFilter(label=label, method=apply, widget=DateInput)


def _text_filter(label, hint) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label=label,
        method="filter_q",
        max_length=search.MAX_QUERY,
        help_text=hint,
    )


def _region_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.none(),  # the actor's regions, set by the FilterSet
        to_field_name="code",
        empty_label=_("all regions"),
    )


def _sort_filter(*fields: tuple[str, str]) -> django_filters.OrderingFilter:
    """The ``sort`` parameter: (model field, name in the URL) pairs; ``-name`` descending."""
    return django_filters.OrderingFilter(fields=fields, widget=forms.HiddenInput)


class ScopedFilterSet(django_filters.FilterSet):
    """A list's FilterSet for one actor: the regions offered are those of the actor's scope
    (another region's code is not a valid choice)."""

    scope_action = ""

    def __init__(self, data: QueryDict | None, queryset: QuerySet, *, actor: policy.Who) -> None:
        super().__init__(data, queryset)
        self.filters["region"].queryset = policy.regions_for(actor, self.scope_action)


class CaseFilter(ScopedFilterSet):
    """The case list's filters (parameter names: docs/search.md)."""

    scope_action = "case.search"

    q = _text_filter(_("Case or ERDR number"), _("All or part of it, e.g. 000222 or 79-000222."))
    region = _region_filter()
    article = django_filters.ModelChoiceFilter(
        label=_("Article"),
        field_name="article_part__article",
        queryset=Article.objects.all(),
        to_field_name="code",
        empty_label=_("all articles"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CaseStatus.choices, empty_label=_("all statuses")
    )
    registered_from = _date_filter(_("Registered from"), "registered_at", end=False)
    registered_to = _date_filter(_("Registered to"), "registered_at", end=True)
    term = django_filters.ChoiceFilter(
        label=_("Investigation term"),
        choices=[
            (TERM_DUE, pgettext_lazy("term", "ends soon")),
            (TERM_PASSED, pgettext_lazy("term", "has passed")),
        ],
        empty_label=pgettext_lazy("term", "any"),
        method="filter_term",
    )
    sort = _sort_filter(
        ("number", "number"),
        ("registered_at", "registered"),
        ("region__code", "region"),
        ("status", "status"),
        ("term_ends_on", "term"),
    )

    class Meta:
        model = Case
        fields: list[str] = []
        form = CaseListForm

    def filter_q(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return search.cases_matching(queryset, value)

    def filter_term(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        """Open cases whose term ends within the due-soon window (today included) or has
        passed, by the Kazakhstan day: the control list's own split."""
        today = timezone.localdate()
        open_cases = queryset.filter(status=CaseStatus.INVESTIGATION)
        if value == TERM_PASSED:
            return open_cases.filter(term_ends_on__lt=today)
        horizon = today + dt.timedelta(days=rules.DUE_SOON_DAYS)
        return open_cases.filter(term_ends_on__gte=today, term_ends_on__lte=horizon)


class ReportFilter(ScopedFilterSet):
    """The report list's filters (parameter names: docs/search.md)."""

    scope_action = "report.view"

    q = _text_filter(
        _("Report number or words"), _("Words of the summary find the reports holding all of them.")
    )
    region = _region_filter()
    decision = django_filters.ChoiceFilter(
        label=_("Decision"), choices=Decision.choices, empty_label=_("all decisions")
    )
    received_from = _date_filter(_("Received from"), "received_at", end=False)
    received_to = _date_filter(_("Received to"), "received_at", end=True)
    overdue = django_filters.ChoiceFilter(
        label=_("Decision deadline"),
        choices=[("1", _("passed without a decision"))],
        empty_label=pgettext_lazy("term", "any"),
        method="filter_overdue",
    )
    sort = _sort_filter(
        ("pk", "number"),
        ("received_at", "received"),
        ("region__code", "region"),
        ("decision", "decision"),
    )

    class Meta:
        model = Report
        fields: list[str] = []
        form = ReportListForm

    def filter_q(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return search.reports_matching(queryset, value)

    def filter_overdue(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        """Reports still awaiting a decision after its deadline (reference/rules.py)."""
        cutoff = rules.report_overdue_before(timezone.now())
        if cutoff is None:
            return queryset.none()
        return queryset.filter(decision=Decision.PENDING, received_at__lt=cutoff)


def _params(params: QueryDict | dict[str, str]) -> QueryDict:
    """``params`` as a QueryDict, old parameter names read as their new ones."""
    data = QueryDict(mutable=True)
    if isinstance(params, QueryDict):
        for key, values in params.lists():
            data.setlist(key, values)
    else:
        for key, typed in params.items():
            data[key] = str(typed)
    for old, new in ALIASES.items():
        value = data.get(old)
        if value and not data.get(new):
            data[new] = str(value)
        data.pop(old, None)
    return data


def _run(fs: django_filters.FilterSet, default_order: tuple[str, ...]):
    """The FilterSet's queryset, or none when a filter is invalid (the page says which)."""
    if not fs.is_valid():
        return fs, fs.queryset.none()
    queryset = fs.qs
    if not fs.form.cleaned_data.get("sort"):
        queryset = queryset.order_by(*default_order)
    else:
        queryset = queryset.order_by(*queryset.query.order_by, "-pk")
    return fs, queryset


def filtered_cases(
    actor: policy.Who, params: QueryDict | dict[str, str]
) -> tuple[CaseFilter, QuerySet[Case]]:
    """The case list's filters read from ``params`` and the cases of ``actor``'s scope they
    select, in the list's order (newest first unless ``sort`` says otherwise)."""
    fs = CaseFilter(_params(params), scoped.cases_for(actor, "case.search"), actor=actor)
    return _run(fs, ("-registered_at", "-number"))


def filtered_reports(
    actor: policy.Who, params: QueryDict | dict[str, str]
) -> tuple[ReportFilter, QuerySet[Report]]:
    """The report list's filters read from ``params`` and the reports of ``actor``'s scope
    they select, newest first unless ``sort`` says otherwise."""
    fs = ReportFilter(_params(params), scoped.reports_for(actor, "report.view"), actor=actor)
    return _run(fs, ("-received_at", "-pk"))


def described(fs: django_filters.FilterSet) -> dict[str, str]:
    """The filters as typed, for the audit trail (empty ones left out)."""
    return {key: value for key, value in fs.data.items() if value and key != "page"}
