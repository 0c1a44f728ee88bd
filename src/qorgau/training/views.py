"""Training pages: sessions and attendances per staff member (attendances / headcount) per
region and body, the coverage workbook, and the training officer's forms. Thin callers of
services."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core.actors import Actor
from qorgau.core.errors import QorgauError
from qorgau.core.forms import add_error

from . import services
from .forms import HeadcountForm, PeriodForm, SessionForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> tuple:
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data.get("date_from"), data.get("date_to")


@policy.requires("training.view")
def training_page(request):
    actor = Actor.of(request)
    period, date_from, date_to = _period(request)
    rows = services.coverage(actor, date_from, date_to)
    return render(request, "training/page.html", {
        "sessions": services.sessions_in(actor, date_from, date_to)[:200], "rows": rows,
        "regions": services.by_region(rows), "period": period,
        "query": request.GET.urlencode(), "can_edit": policy.can(actor, "training.edit"),
        "sums_note": services.SUMS_NOTE,
    })  # fmt: skip


@policy.requires("training.view")
def coverage_export(request):
    _form, date_from, date_to = _period(request)
    response = HttpResponse(
        services.export_coverage(Actor.of(request), date_from, date_to), content_type=XLSX
    )
    response["Content-Disposition"] = 'attachment; filename="training-coverage.xlsx"'
    return response


def _form_page(request, form_class, action, success, template):
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                action(Actor.of(request), **form.cleaned_data)
            except QorgauError as error:
                add_error(form, error)
            else:
                messages.success(request, success)
                return redirect("training:page")
        return render(request, template, {"form": form}, status=400)
    return render(request, template, {"form": form})


@policy.requires("training.edit")
def session_new(request):
    return _form_page(request, SessionForm, services.create_session,
                      _("The training session was entered."), "training/session_form.html")  # fmt: skip


@policy.requires("training.edit")
def headcount_new(request):
    return _form_page(request, HeadcountForm, services.record_headcount,
                      _("The headcount was recorded."), "training/headcount_form.html")  # fmt: skip
