"""The pages of a case CSV import in the browser (``registry.imports``): the upload form, the
job's page (its progress, then its outcome) and the job's status as JSON, which the page's
script (``registry/import-progress.mjs``) asks every second."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.access import policy
from qorgau.core import importing
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.core.filetypes import extension

from . import imports
from .choices import ImportStatus
from .models import ImportJob

# The errors listed on one page of a rejected file's outcome.
ERRORS_PER_PAGE = 100
# How much of a file's start is looked at before it is accepted for the import.
SNIFF_BYTES = 4096


class ImportForm(forms.Form):
    """One CSV file, refused at once when it is too large or not UTF-8 text."""

    file = forms.FileField(label=gettext_lazy("Cases file (CSV)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8 CSV in the format of the cases export, up to %(limit)d MB. A file with any "
            "bad row is rejected and nothing is imported."
        ) % {"limit": importing.MAX_FILE_BYTES // 2**20}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if error := importing.too_large(upload.size):
            raise forms.ValidationError(error.errors[0].reason)
        if extension(upload.name) != ".csv":
            raise forms.ValidationError(_("Choose a file ending in .csv."))
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        try:
            # A character cut at the end of the sample is not an error.
            head.decode("utf-8") if len(head) < SNIFF_BYTES else head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        if b"\x00" in head:
            raise forms.ValidationError(_("The file is not a text file."))
        return upload


def _state(job: ImportJob) -> dict:
    """The job's status (``imports.status``) and a sentence saying how far it is."""
    state = imports.status(job)
    if job.status == ImportStatus.QUEUED:
        text = _("Waiting for the background worker to start the import.")
    elif state["total"]:
        text = _("Rows checked: %(done)s of %(total)s.") % {
            "done": number_format(state["done"]),
            "total": number_format(state["total"]),
        }
    else:
        text = _("Reading the file.")
    return {**state, "text": text}


def _job_or_404(request: HttpRequest, pk) -> ImportJob:
    """The job if the user may follow it; else 404 (recorded by ``policy.requires``)."""
    job = imports.jobs_for(Actor.of(request)).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@policy.requires("case.create")
def case_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Never more than the limit read into memory (the form checked the size).
            data = upload.read(importing.MAX_FILE_BYTES + 1)
            job = imports.start_import(Actor.of(request), upload.name, data)
        except Invalid as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("registry:case_import_job", pk=job.pk)
    return render(
        request,
        "registry/case_import.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@policy.requires("case.create")
def case_import_job(request: HttpRequest, pk) -> HttpResponse:
    job = _job_or_404(request, pk)
    state = _state(job)
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/case_import_job.html",
        {"job": job, "state": state, "text": state["text"], "errors": errors,
         "status_url": reverse("registry:case_import_status", args=[job.pk])},
    )  # fmt: skip


@policy.requires("case.create")
def case_import_status(request: HttpRequest, pk) -> JsonResponse:
    return JsonResponse(_state(_job_or_404(request, pk)))
