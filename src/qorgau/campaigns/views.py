"""Campaign pages: plans, progress, activities with their evidence, the workbook import and
the exports. Thin callers of services."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from qorgau.access import policy
from qorgau.core.actors import Actor
from qorgau.core.errors import QorgauError
from qorgau.core.forms import add_error
from qorgau.core.importing import XLSX_MAX_BYTES, ImportRejected

from . import services, template_workbook
from .forms import ActivityUpdateForm, EvidenceForm, UploadForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Evidence is never rendered by the browser, whatever its bytes hold: sandboxed (no script, no
# same origin) should it ever be opened in a tab. (``True``: a directive without values, which
# Django takes and django-stubs does not type.)
SANDBOXED: dict[str, Any] = {"default-src": [CSP.NONE], "sandbox": True}


def _plan_or_404(actor, pk):
    plan = services.plans_for(actor).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def _activity_or_404(actor, pk):
    activity = services.activity_or_none(actor, pk)
    if activity is None:
        raise Http404
    return activity


@policy.requires("campaigns.view")
def progress_page(request):
    """Execution of every plan of the user's scope."""
    actor = Actor.of(request)
    activities = services.activities_for(actor)
    return render(request, "campaigns/progress.html", {
        "plans": services.plans_for(actor), "progress": services.progress(activities),
        "activities": activities, "can_edit": policy.can(actor, "campaigns.edit"),
    })  # fmt: skip


@policy.requires("campaigns.view")
def progress_export(request):
    """The progress report of the user's scope (``?plan=<id>``: of one plan) as XLSX."""
    actor, plan = Actor.of(request), None
    if request.GET.get("plan"):
        if not request.GET["plan"].isdecimal():
            raise Http404
        plan = _plan_or_404(actor, int(request.GET["plan"]))
    data = services.export_progress(actor, plan)
    response = HttpResponse(data, content_type=XLSX)
    name = f"progress-plan-{plan.pk}.xlsx" if plan else "progress.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@policy.requires("campaigns.view")
def plan_detail(request, pk):
    actor = Actor.of(request)
    plan = _plan_or_404(actor, pk)
    activities = services.activities_for(actor, plan)
    return render(
        request,
        "campaigns/plan.html",
        {"plan": plan, "progress": services.progress(activities), "activities": activities},
    )


@policy.requires("campaigns.view")
def plan_export(request, pk):
    actor = Actor.of(request)
    plan = _plan_or_404(actor, pk)
    response = HttpResponse(services.export_plan(actor, plan), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.xlsx"'
    return response


def _activity_page(request, activity, update_form=None, evidence_form=None, status=200):
    editable = services.can_edit(Actor.of(request), activity)
    if editable:
        update_form = update_form or ActivityUpdateForm(
            initial=ActivityUpdateForm.initial_for(activity)
        )
        evidence_form = evidence_form or EvidenceForm()
    return render(request, "campaigns/activity.html", {
        "activity": activity, "evidence": activity.evidence_items.all(), "can_edit": editable,
        "update_form": update_form, "evidence_form": evidence_form,
        "legacy_links": [line for line in activity.evidence.splitlines() if line.strip()],
    }, status=status)  # fmt: skip


@policy.requires("campaigns.view")
def activity_detail(request, pk):
    return _activity_page(request, _activity_or_404(Actor.of(request), pk))


@policy.requires("campaigns.edit")
@require_POST
def activity_update(request, pk):
    actor = Actor.of(request)
    activity = _activity_or_404(actor, pk)
    policy.ensure(actor, "campaigns.edit", activity.plan)  # 403 before any form work
    form = ActivityUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.update_activity(actor, activity, **form.cleaned_data)
        except QorgauError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The activity was updated."))
            return redirect("campaigns:activity", pk=activity.pk)
    return _activity_page(request, activity, update_form=form, status=400)


@policy.requires("campaigns.edit")
@require_POST
def evidence_add(request, pk):
    actor = Actor.of(request)
    activity = _activity_or_404(actor, pk)
    policy.ensure(actor, "campaigns.edit", activity.plan)  # 403 before any form work
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(actor, activity, **form.cleaned_data)
        except QorgauError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The evidence was added."))
            return redirect("campaigns:activity", pk=activity.pk)
    return _activity_page(request, activity, evidence_form=form, status=400)


@policy.requires("campaigns.view")
@csp_override(SANDBOXED)
def evidence_file(request, pk):
    """An evidence file, to a user who may see its activity; always as a download."""
    actor = Actor.of(request)
    evidence = services.evidence_or_none(actor, pk)
    if evidence is None or not evidence.file:
        raise Http404
    try:
        handle = services.open_evidence(actor, evidence)  # written to the trail
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name,
        content_type=services.evidence_content_type(evidence),
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"  # a download, not sniffed
    return response


@policy.requires("campaigns.edit")
def plan_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            # Never more than the limit read into memory: a larger file is refused as too large.
            data = form.cleaned_data["file"].read(XLSX_MAX_BYTES + 1)
            plan = services.import_plan(Actor.of(request), data)
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
