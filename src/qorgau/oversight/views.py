"""The prosecutor's control page: thin callers of ``deadlines`` and ``services``."""

import io

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qorgau.access import actions as access_actions
from qorgau.access import policy
from qorgau.audit.log import write
from qorgau.core import paging
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.core.forms import add_error
from qorgau.core.tabular import CsvOptions, CsvWriter, csv_response
from qorgau.registry import scoped
from qorgau.registry.choices import CaseStatus

from . import actions, deadlines, services
from .filters import ControlFilter
from .forms import ControlForm, ResultForm
from .models import ControlKind, ControlRecord

PER_PAGE = 50  # items per section of the page
SECTIONS = [
    ("late", gettext_lazy("Late")),
    ("due_soon", deadlines.DUE_SOON_TITLE),
    ("review", gettext_lazy("Awaiting review")),
]


def _filtered(request):
    """The filters of the request (``oversight/filters.py``), the control list they narrow
    (empty when a filter is invalid) and the filters as the audit trail names them."""
    filterset = ControlFilter(request.GET, user=request.user)
    filters = filterset.narrowing()
    control = deadlines.control_list(request.user).narrowed(filters)
    described = filters.describe() if filters is not None else {"invalid": True}
    return filterset, control, described


@policy.requires("oversight.view")
def control_page(request):
    """Late, due and doubtful items of the user's scope, narrowed by the filters, with counts
    per region and body; each section is paginated, most overdue first."""
    filterset, control, described = _filtered(request)
    query = request.GET.copy()
    sections, pages = [], {}
    for key, title in SECTIONS:
        pager = paging.paginate(getattr(control, key), query, param=f"{key}_page",
                                per_page=PER_PAGE, fragment=key)  # fmt: skip
        sections.append({"key": key, "title": title, "page": pager.page, "pager": pager})
        pages[key] = pager.page
    shown = deadlines.ControlList(
        late=list(pages["late"]), due_soon=list(pages["due_soon"]),
        review=list(pages["review"]), today=control.today,
    )  # fmt: skip
    # Who saw which records: the filters, the counts, the case numbers and report ids the
    # filtered list holds (``listed``) and those on the pages shown (``shown``).
    write(
        Actor.of(request),
        actions.CONTROL_LIST_VIEW,
        details={
            "filters": described,
            "late": len(control.late),
            "due_soon": len(control.due_soon),
            "review": len(control.review),
            "listed": control.listed(),
            "pages": {key: page.number for key, page in pages.items()},
            "shown": shown.listed(),
        },
    )
    export_query = query.copy()
    for key, _title in SECTIONS:
        export_query.pop(f"{key}_page", None)
    return render(
        request,
        "oversight/control.html",
        {
            "control": control,
            "due_soon_days": deadlines.DUE_SOON_DAYS,
            "filterset": filterset,
            "sections": sections,
            "export_query": export_query.urlencode(),
            "can_control": policy.can(request.user, "oversight.control"),
        },
        status=200 if filterset.is_valid() else 400,
    )


EXPORT_COLUMNS = ["category", "ref", "status", "region", "body", "due", "overdue_days", "controls"]
EXPORT_LABELS = {
    "category": gettext_lazy("Section"),
    "ref": gettext_lazy("Record"),
    "status": gettext_lazy("Status"),
    "region": gettext_lazy("Region"),
    "body": gettext_lazy("Body"),
    "due": gettext_lazy("Due"),
    "overdue_days": gettext_lazy("Days late"),
    "controls": gettext_lazy("Control"),
}


def _controls_text(item) -> str:
    parts = []
    for c in item.controls:
        text = f"{c.get_kind_display()}: {c.instruction}"
        if c.due_on:
            text += f" ({c.due_on.isoformat()})"
        if c.result:
            text += f" — {c.result}"
        parts.append(text)
    return "; ".join(parts)


@policy.requires("oversight.view")
def control_export(request):
    """The filtered control list as CSV, all sections in the page's order (docs/oversight.md)."""
    _form, control, described = _filtered(request)
    options = CsvOptions.of(request)
    out = io.StringIO()
    writer = CsvWriter(out)  # free text typed by users: never run as a formula
    writer.writerow(options.header(EXPORT_COLUMNS, EXPORT_LABELS))
    for item in control.all():
        status = (
            item.obj.get_status_display()
            if item.kind == "case"
            else item.obj.get_decision_display()
        )
        writer.writerow([
            item.category, item.ref, status, item.region.name,
            item.body.name if item.body else "", item.due_iso, item.overdue_days or "",
            _controls_text(item),
        ])  # fmt: skip
    write(
        Actor.of(request),
        actions.CONTROL_LIST_EXPORT,
        details={
            "format": "csv",
            "filters": described,
            "count": len(control.all()),
            "listed": control.listed(),
        },
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(out.getvalue(), f"qorgau-deadlines-{stamp}.csv", options)


@policy.requires("oversight.control")
def control_new(request):
    """Give an instruction on a case (``?case=NUMBER``) or a report (``?report=ID``)."""
    source = request.POST if request.method == "POST" else request.GET
    case = report = None
    if source.get("case"):
        case = scoped.get_case_or_404(request.user, source["case"], "oversight.control")
    elif source.get("report", "").isdigit():
        report = scoped.get_report_or_404(request.user, int(source["report"]), "oversight.control")
    else:
        raise Http404
    form = ControlForm(
        request.POST or None,
        initial={
            "kind": ControlKind.REVIEW
            if case and case.status == CaseStatus.TERMINATED
            else ControlKind.INSTRUCTION
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_control(Actor.of(request), case or report, **form.cleaned_data)
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The control record was saved."))
            return redirect("oversight:control")
    # The form shows the case (its number and status) or the report it is about.
    write(Actor.of(request), access_actions.CASE_VIEW if case else access_actions.REPORT_VIEW,
          case or report,
           details={"page": request.resolver_match.url_name})  # fmt: skip
    return render(
        request,
        "oversight/control_form.html",
        {"form": form, "case": case, "report": report},
        status=400 if request.method == "POST" else 200,
    )


@policy.requires("oversight.control")
@require_POST
def control_result(request, pk):
    """Record the result of a control record."""
    control = ControlRecord.objects.select_related("case", "report").filter(pk=pk).first()
    if control is None or not policy.in_scope(request.user, control):
        raise Http404
    form = ResultForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Write the result."))
    try:
        services.record_result(Actor.of(request), control, form.cleaned_data["result"])
    except (Invalid, Conflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The result was recorded."))
    return redirect("oversight:control")
