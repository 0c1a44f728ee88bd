"""The audit trail's pages: search and export (administrators and prosecutors, within their
scope). They stand on the access floor because the policy decides who reads which entries and
which records the reader may open; the trail itself (``qorgau.audit``) is the floor below,
written by every service, and ``audit.words`` says each entry in words.

Filters (django-filter, kept in the URL): ``username``, ``action`` (a declared code), ``record_type``
(a model label such as ``registry.case``) with ``record`` (a case number or a record id),
``region`` (ISO code), ``date_from``/``date_to`` (Kazakhstan dates, inclusive). A filter that
does not validate (an unknown action, reversed dates) is a 400 with its message next to the
field, never a silently empty or full list."""

import datetime as dt
import io
import json
from typing import Any

import django_filters as df
from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from qorgau.audit import actions as audit_actions
from qorgau.audit import log, words
from qorgau.audit.models import AuditEntry
from qorgau.audit.reads import record_page
from qorgau.core.actors import Actor
from qorgau.core.tabular import CsvOptions, CsvWriter, csv_response

from . import policy

EXPORT_COLUMNS = ["at", "username", "source", "action", "object_type", "object_id", "object_repr",
                  "region_code", "before", "after", "details"]  # fmt: skip
EXPORT_LABELS = {
    "at": _("Time"),
    "username": _("User"),
    "source": _("Source"),
    "action": _("Action"),
    "object_type": _("Record type"),
    "object_id": _("Record id"),
    "object_repr": _("Record"),
    "region_code": _("Region"),
    "before": _("Before"),
    "after": _("After"),
    "details": _("Details"),
}
PER_PAGE = 50

# Records the trail links to: the page that shows one, its URL parameters, the right to open it.
_LINKS: dict[str, tuple[str, str, str]] = {
    "registry.case": ("registry:case_detail", "case.view", "number"),
    "registry.report": ("registry:report_detail", "report.view", "pk"),
}


class TrailForm(forms.Form):
    """The filters' form: the end date may not come before the start date."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error(
                "date_to", _("The end date must be the same as or after the start date.")
            )
        return data


def _record_types() -> list[tuple[str, str]]:
    """The kinds of record the trail names: the system's own models and its users."""
    found = [
        (m._meta.label_lower, str(m._meta.verbose_name).capitalize())
        for m in apps.get_models()
        if m.__module__.startswith("qorgau.") and m is not AuditEntry
    ]
    found.append(("auth.user", str(apps.get_model("auth.user")._meta.verbose_name).capitalize()))
    return sorted(found, key=lambda pair: pair[1])


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Kazakhstan time (the trail's dates are the reader's days)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ActionField(df.fields.ChoiceField):
    """A declared action code, or a family of them by its prefix ending in a dot (``case.``:
    every action on cases), as the trail's search and scripts of its export always took."""

    def valid_value(self, value) -> bool:
        text = str(value)
        if text.endswith(".") and any(code.startswith(text) for code in audit_actions.declared()):
            return True
        return bool(super().valid_value(value))


class ActionFilter(df.ChoiceFilter):
    field_class = ActionField


class TrailFilter(df.FilterSet):
    username = df.CharFilter(label=_("User"), method="by_username")
    action = ActionFilter(label=_("Action"), method="by_action", empty_label=_("Any action"))
    record_type = df.ChoiceFilter(
        label=_("Record type"), method="by_record_type", empty_label=_("Any record")
    )
    record = df.CharFilter(
        label=_("Record"), method="by_record", help_text=_("A case number or a record id")
    )
    region = df.ChoiceFilter(label=_("Region"), method="by_region", empty_label=_("Any region"))
    date_from = df.DateFilter(label=_("From"), method="by_date_from")
    date_to = df.DateFilter(label=_("To"), method="by_date_to")

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = TrailForm

    def __init__(self, data, queryset, *, user) -> None:
        super().__init__(data, queryset)
        f = self.form.fields
        labels = audit_actions.declared()
        # (each select's first option, "Any …", is the filter's empty_label)
        f["action"].choices = sorted(
            ((code, str(text)) for code, text in labels.items()), key=lambda pair: pair[1]
        )
        family = (data or {}).get("action", "")
        if f["action"].valid_value(family) and family.endswith("."):  # a family, as chosen
            f["action"].choices = [(family, f"{family}…"), *f["action"].choices]
        f["record_type"].choices = _record_types()
        regions = policy.regions_for(user, "audit.view")
        f["region"].choices = [(r.code, r.name) for r in regions]
        for name in ("date_from", "date_to"):
            f[name].widget = forms.DateInput(attrs={"type": "date"})

    def by_username(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(username__iexact=value.strip())

    def by_action(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(action=value)

    def by_record_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if self.form.cleaned_data.get("record"):
            return queryset  # by_record narrows to the type and the record together
        return queryset.filter(object_type=value)

    def by_record(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Entries about one record: by its number (cases) or its id, of the chosen type."""
        value = value.strip()
        kind = self.form.cleaned_data.get("record_type") or ""
        model = words.model_of(kind) if kind else None
        ids = [value]
        numbered = [model] if model is not None else [apps.get_model("registry.case")]
        for m in numbered:
            if any(f.name == "number" for f in m._meta.concrete_fields):
                ids += [str(pk) for pk in m._default_manager.filter(number=value).values_list(
                    "pk", flat=True)]  # fmt: skip
        about = Q(object_id__in=ids) | Q(object_repr=value)
        if kind:
            about &= Q(object_type=kind)
        return queryset.filter(about)

    def by_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(region_code=value)

    def by_date_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(at__gte=_start_of(value))

    def by_date_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(at__lt=_start_of(value + dt.timedelta(days=1)))


def _filtered(request) -> TrailFilter:
    """The entries the user may see (a regional user: those of their region), filtered."""
    mine = policy.scoped_by_code(request.user, "audit.view", AuditEntry.objects.all())
    data = request.GET
    if "object" in data and "record" not in data:  # the record's old name, in saved links
        data = data.copy()
        data["record"] = data.pop("object")[-1]
    return TrailFilter(data, mine.order_by("-at", "-id"), user=request.user)


def _chosen(trail: TrailFilter) -> dict[str, str]:
    return {k: str(v) for k, v in trail.form.cleaned_data.items() if v}


def _linker(user) -> words.Linker:
    def link(obj: models.Model) -> str | None:
        found = _LINKS.get(obj._meta.label_lower)
        if found is None or not policy.can(user, found[1], obj):
            return None
        page, _right, key = found
        return reverse(page, kwargs={key: getattr(obj, key)})

    return link


@policy.requires("audit.view")
def audit_list(request):
    trail = _filtered(request)
    if not trail.is_valid():
        return render(request, "audit/list.html", {"filter": trail}, status=400)
    page = Paginator(trail.qs, PER_PAGE).get_page(request.GET.get("page"))
    record_page(Actor.of(request), audit_actions.AUDIT_SEARCH, page, _chosen(trail),
                [e.pk for e in page])  # fmt: skip
    context = {
        "filter": trail,
        "listed": True,
        "page": page,
        "entries": words.describe(page.object_list, _linker(request.user)),
        "elided": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
    return render(request, "audit/list.html", context)


def _local_times(value: Any) -> Any:
    """``value`` (a before/after/details JSON value) with every time in Kazakhstan time
    (``2026-12-01T23:30:00+05:00``, the same instant as the stored UTC text)."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        moment = parse_datetime(value)
        if moment is not None and timezone.is_aware(moment):
            return timezone.localtime(moment).isoformat()
        return value
    if isinstance(value, dict):
        return {key: _local_times(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_local_times(item) for item in value]
    return value


@policy.requires("audit.view")
def audit_export(request):
    """The filtered trail as CSV (JSON cells for before/after/details); times +05:00."""
    trail = _filtered(request)
    if not trail.is_valid():
        errors = "; ".join(str(m) for messages in trail.form.errors.values() for m in messages)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    options = CsvOptions.of(request)
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(options.header(EXPORT_COLUMNS, EXPORT_LABELS))
    count = 0
    for entry in trail.qs.iterator():
        row = [getattr(entry, c) for c in EXPORT_COLUMNS]
        row[0] = timezone.localtime(entry.at).isoformat()
        row[8:] = [
            json.dumps(_local_times(v), ensure_ascii=False) if v is not None else ""
            for v in row[8:]
        ]
        writer.writerow(row)
        count += 1
    log.write(
        Actor.of(request),
        audit_actions.AUDIT_EXPORT,
        details={"filters": _chosen(trail), "count": count},
    )
    return csv_response(out.getvalue(), "qorgau-audit.csv", options)
