"""Staff pages for replies: inquiries, the editable draft, the preview and the versions."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qorgau.access import policy
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.core.forms import add_error

from . import lifecycle, sections, services
from . import render as renderer
from .forms import InquiryForm, SectionsForm, StatusForm
from .models import Inquiry, ReplyDraft

BLOCK_TITLES = {
    "address": gettext_lazy("Address"), "outgoing": gettext_lazy("Outgoing number"),
    "addressee": gettext_lazy("Addressee"), "inquiry_ref": gettext_lazy("Reference to the inquiry"),
    "salutation": gettext_lazy("Salutation"), "intro": gettext_lazy("Introduction"),
    **{s.key: s.title for s in sections.SECTIONS},
    "figures_as_of": gettext_lazy("Figures as of"),
    "signature": gettext_lazy("Signature"), "executor": gettext_lazy("Executor"),
}  # fmt: skip
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


class PeriodForm(forms.Form):
    period_end = forms.DateField(label=gettext_lazy("Count the current year up to"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip


@policy.requires("letters.draft")
def inquiry_list(request):
    return render(
        request, "letters/list.html", {"inquiries": Inquiry.objects.prefetch_related("articles")}
    )


@policy.requires("letters.draft")
def inquiry_detail(request, pk):
    inquiry = get_object_or_404(Inquiry, pk=pk)
    return render(request, "letters/detail.html", _detail_context(inquiry, StatusForm()))


def _detail_context(inquiry: Inquiry, status_form: StatusForm) -> dict:
    next_statuses = lifecycle.allowed_next(inquiry.status)
    status_form.offer(next_statuses)
    drafts = {d.lang: d for d in inquiry.drafts.all()}
    return {
        "inquiry": inquiry, "drafts": drafts, "versions": inquiry.versions.defer("content"),
        "period_form": PeriodForm(), "langs": services.LANGS, "status_form": status_form,
        "next_statuses": next_statuses, "may_edit": lifecycle.may_edit(inquiry.status),
    }  # fmt: skip


def _form_page(request, template: str, form, context: dict):
    """Render a form page: 400 when a submitted form was refused (it keeps what was typed)."""
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


@policy.requires("letters.draft")
def inquiry_new(request):
    """Register an inquiry received from Parliament."""
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = services.register_inquiry(Actor.of(request), **form.cleaned_data)
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(
                request, _("Inquiry № %(number)s was registered.") % {"number": inquiry.number}
            )
            return redirect("letters:detail", pk=inquiry.pk)
    return _form_page(request, "letters/inquiry_form.html", form, {"inquiry": None})


@policy.requires("letters.draft")
def inquiry_edit(request, pk):
    """Correct an inquiry's details (not once its reply was sent)."""
    inquiry = get_object_or_404(Inquiry, pk=pk)
    form = InquiryForm(request.POST or None, initial=InquiryForm.initial_for(inquiry))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_inquiry(Actor.of(request), inquiry, **form.cleaned_data)
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The inquiry was saved."))
            return redirect("letters:detail", pk=inquiry.pk)
    return _form_page(request, "letters/inquiry_form.html", form, {"inquiry": inquiry})


@policy.requires("letters.draft")
@require_POST
def inquiry_status(request, pk):
    """Move an inquiry to its next status (received → drafting → sent)."""
    inquiry = get_object_or_404(Inquiry, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_inquiry_status(
                Actor.of(request), inquiry, form.cleaned_data["status"],
                sent_on=form.cleaned_data["sent_on"],
            )  # fmt: skip
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("letters:detail", pk=inquiry.pk)
    return render(request, "letters/detail.html", _detail_context(inquiry, form), status=400)


@policy.requires("letters.draft")
@require_POST
def draft_generate(request, pk, lang):
    inquiry = get_object_or_404(Inquiry, pk=pk)
    form = PeriodForm(request.POST)
    period_end = form.cleaned_data["period_end"] if form.is_valid() else None
    try:
        services.regenerate_reply(Actor.of(request), inquiry, lang, period_end=period_end)
    except (Invalid, Conflict) as exc:
        messages.error(request, str(exc))
        return redirect("letters:detail", pk=pk)
    return redirect("letters:draft", pk=pk, lang=lang)


@policy.requires("letters.draft")
def draft_edit(request, pk, lang):
    draft = get_object_or_404(
        ReplyDraft.objects.select_related("inquiry"), inquiry_id=pk, lang=lang
    )
    sections_form = SectionsForm(None, choice=sections.choice(draft.inquiry))
    status = 200
    if request.method == "POST" and "choose-sections" in request.POST:
        sections_form = SectionsForm(request.POST, choice=sections.choice(draft.inquiry))
        if sections_form.is_valid():
            try:
                services.choose_sections(Actor.of(request), draft.inquiry, sections_form.rows())
            except (Invalid, Conflict) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The sections were saved; the draft was made again."))
            return redirect("letters:draft", pk=pk, lang=lang)
        status = 400
    elif request.method == "POST":
        actor = Actor.of(request)
        texts = {key[6:]: value for key, value in request.POST.items() if key.startswith("block-")}
        services.edit_reply(actor, draft, texts)
        fmt = request.POST.get("produce")
        if fmt:
            try:
                version = services.produce_reply(actor, draft, fmt)
            except (Invalid, Conflict) as exc:
                messages.error(request, str(exc))
                return redirect("letters:draft", pk=pk, lang=lang)
            edited = services.figure_mismatches(draft)
            messages.success(request, _("Version %(n)d was produced.") % {"n": version.number})
            if edited:
                # Produced all the same; the draft page warns until the numbers match again.
                return redirect("letters:draft", pk=pk, lang=lang)
            return redirect("letters:detail", pk=pk)
        messages.success(request, _("The draft was saved."))
        return redirect("letters:draft", pk=pk, lang=lang)
    blocks = [{**b, "title": _block_title(b["key"])} for b in draft.blocks]
    edited = services.figure_mismatches(draft)
    return render(request, "letters/draft.html", {
        "draft": draft, "blocks": blocks, "paragraphs": renderer.paragraphs(draft),
        "figures_warning": _mismatch_warning(edited) if edited else "",
        "sections_form": sections_form,
    }, status=status)  # fmt: skip


def _block_title(key: str) -> str:
    return str(BLOCK_TITLES.get(key, key.replace("reference_", _("Reference paragraph") + " ")))


def _mismatch_warning(keys: list[str]) -> str:
    return _(
        "The numbers in these blocks no longer match the figures taken from the data: "
        "%(blocks)s. Check them before the reply is signed."
    ) % {"blocks": "; ".join(str(_block_title(k)) for k in keys)}


@policy.requires("letters.draft")
def version_download(request, pk, number):
    version = services.version_for_download(Actor.of(request), pk, number)
    if version is None:
        raise Http404
    response = HttpResponse(bytes(version.content), content_type=MIME[version.format])
    stamp = timezone.localdate().isoformat()  # the Kazakhstan date, not the server's
    response["Content-Disposition"] = (
        f'attachment; filename="reply-{version.inquiry.pk}-v{number}-{version.lang}-{stamp}.{version.format}"'
    )
    return response
