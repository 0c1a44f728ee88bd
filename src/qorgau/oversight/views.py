"""The prosecutor's control page: thin callers of ``deadlines`` and ``services``."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qorgau.access import policy
from qorgau.audit.log import record
from qorgau.registry.errors import RegistryError

from . import deadlines, services
from .models import ControlKind, ControlRecord


class ControlForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ControlKind.choices)
    instruction = forms.CharField(
        label=gettext_lazy("Instruction"), widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ResultForm(forms.Form):
    result = forms.CharField(label=gettext_lazy("Result"), widget=forms.Textarea(attrs={"rows": 2}))


@policy.requires("oversight.view")
def control_page(request):
    """Late, due and doubtful items of the user's scope, with counts per region and body."""
    control = deadlines.control_list(request.user)
    # Who saw which records: the counts, and the case numbers and report ids listed.
    record(
        "oversight.view",
        details={
            "late": len(control.late),
            "due_soon": len(control.due_soon),
            "review": len(control.review),
            "listed": control.listed(),
        },
    )
    return render(
        request,
        "oversight/control.html",
        {"control": control, "can_control": policy.can(request.user, "oversight.control")},
    )


@policy.requires("oversight.control")
def control_new(request):
    """Give an instruction on a case (``?case=NUMBER``) or a report (``?report=ID``)."""
    source = request.POST if request.method == "POST" else request.GET
    case = report = None
    if source.get("case"):
        case = policy.get_case_or_404(request.user, source["case"], "oversight.control")
    elif source.get("report", "").isdigit():
        report = policy.get_report_or_404(request.user, int(source["report"]), "oversight.control")
    else:
        raise Http404
    form = ControlForm(
        request.POST or None,
        initial={
            "kind": ControlKind.REVIEW
            if case and case.status == "terminated"
            else ControlKind.INSTRUCTION
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_control(request.user, case=case, report=report, **form.cleaned_data)
        except RegistryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("The control record was saved."))
            return redirect("oversight:control")
    return render(
        request, "oversight/control_form.html", {"form": form, "case": case, "report": report}
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
        services.record_result(request.user, control, form.cleaned_data["result"])
    except RegistryError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The result was recorded."))
    return redirect("oversight:control")
