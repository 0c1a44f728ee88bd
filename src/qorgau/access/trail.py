"""The audit trail's pages: search and export (administrators and prosecutors, within their
scope). They stand on the access floor because the policy decides who reads which entries; the
trail itself (``qorgau.audit``) is the floor below, written by every service."""

import io
import json

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.audit import actions as audit_actions
from qorgau.audit import log
from qorgau.audit.models import AuditEntry
from qorgau.audit.reads import record_page
from qorgau.core.actors import Actor
from qorgau.core.tabular import CsvWriter

from . import policy

EXPORT_COLUMNS = ["at", "username", "source", "action", "object_type", "object_id", "object_repr",
                  "region_code", "before", "after", "details"]  # fmt: skip


class AuditSearchForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False)
    action = forms.CharField(label=_("Action"), required=False, help_text=_("e.g. case.view"))
    object = forms.CharField(label=_("Record (case number or id)"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def entries_for(user, params: dict):
    """Audit entries ``user`` may see, filtered. A regional user sees entries about records of
    their region; a national one sees all."""
    entries = policy.scoped_by_code(user, "audit.view", AuditEntry.objects.all())
    if params.get("username"):
        entries = entries.filter(username=params["username"])
    if params.get("action"):
        entries = entries.filter(action__startswith=params["action"])
    if params.get("object"):
        entries = entries.filter(object_repr=params["object"]) | entries.filter(
            object_id=params["object"]
        )
    if params.get("date_from"):
        entries = entries.filter(at__date__gte=params["date_from"])
    if params.get("date_to"):
        entries = entries.filter(at__date__lte=params["date_to"])
    return entries.order_by("-at", "-id")


def _params(request) -> tuple[AuditSearchForm, dict]:
    form = AuditSearchForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@policy.requires("audit.view")
def audit_list(request):
    form, params = _params(request)
    page = Paginator(entries_for(request.user, params), 100).get_page(request.GET.get("page"))
    filters = {k: str(v) for k, v in params.items() if v}
    record_page(Actor.of(request), audit_actions.AUDIT_SEARCH, page, filters, [e.pk for e in page])
    return render(request, "audit/list.html", {"form": form, "page": page})


@policy.requires("audit.view")
def audit_export(request):
    """The filtered trail as CSV (JSON cells for before/after/details)."""
    _form, params = _params(request)
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for entry in entries_for(request.user, params).iterator():
        row = [getattr(entry, c) for c in EXPORT_COLUMNS]
        row[0] = timezone.localtime(entry.at).isoformat()
        row[8:] = [json.dumps(v, ensure_ascii=False) if v is not None else "" for v in row[8:]]
        writer.writerow(row)
        count += 1
    log.write(
        Actor.of(request),
        audit_actions.AUDIT_EXPORT,
        details={"filters": {k: str(v) for k, v in params.items() if v}, "count": count},
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="qorgau-audit.csv"'
    return response
