"""Campaign pages: plans, progress, the workbook import and export. Thin callers of services."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.access import policy
from qorgau.core.importing import ImportRejected

from . import services, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Plan workbook (XLSX)"))


def _plan_or_404(user, pk):
    plan = services.plans_for(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


@policy.requires("campaigns.view")
def progress_page(request):
    """Execution of every plan of the user's scope."""
    activities = services.activities_for(request.user)
    return render(request, "campaigns/progress.html", {
        "plans": services.plans_for(request.user), "progress": services.progress(activities),
        "activities": activities, "can_edit": policy.can(request.user, "campaigns.edit"),
    })  # fmt: skip


@policy.requires("campaigns.view")
def plan_detail(request, pk):
    plan = _plan_or_404(request.user, pk)
    activities = services.activities_for(request.user, plan)
    return render(
        request,
        "campaigns/plan.html",
        {"plan": plan, "progress": services.progress(activities), "activities": activities},
    )


@policy.requires("campaigns.view")
def plan_export(request, pk):
    plan = _plan_or_404(request.user, pk)
    response = HttpResponse(services.export_plan(plan), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.xlsx"'
    return response


@policy.requires("campaigns.edit")
def plan_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.import_plan(form.cleaned_data["file"].read(), user=request.user)
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The plan was imported: %(n)d activities.") % {"n": plan.activities.count()},
            )
            return redirect("campaigns:plan", pk=plan.pk)
    return render(
        request,
        "campaigns/import.html",
        {"form": form, "errors": errors},
        status=400 if errors else 200,
    )


@policy.requires("campaigns.view")
def template_download(request):
    response = HttpResponse(template_workbook.build(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="qorgau-plan-template.xlsx"'
    return response
