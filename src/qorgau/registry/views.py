"""Staff pages of the registry: thin callers of ``services``, ``lifecycle`` and ``queries``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from qorgau.access import actions as access_actions
from qorgau.access import policy
from qorgau.audit.log import write
from qorgau.audit.reads import record_page
from qorgau.core import paging
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.core.forms import add_error
from qorgau.core.tabular import BOM, CsvOptions

from . import actions, card, casepage, csvio, filters, lifecycle, scoped, search, services, timeline
from .choices import CaseStatus, Decision, PartyRole
from .forms import (
    CONSENT_VALUES,
    CaseForm,
    CaseFromReportForm,
    DecisionForm,
    ExtensionForm,
    PartyForm,
    ReportForm,
    RequalifyForm,
    StatusForm,
)
from .models import Case, Report


def _allowed(case: Case) -> list[str]:
    """Labels of the statuses the case may move to, for the page."""
    return [str(CaseStatus(s).label) for s in lifecycle.allowed_next(case.status)]


CASE_COLUMNS = [
    (_lazy("Number"), "number"),
    (_lazy("Registered at"), "registered"),
    (_lazy("Region"), "region"),
    (_lazy("Qualification"), ""),
    (_lazy("Status"), "status"),
    (_lazy("Term ends"), "term"),
]
REPORT_COLUMNS = [
    (_lazy("Number"), "number"),
    (_lazy("Received at"), "received"),
    (_lazy("Channel"), ""),
    (_lazy("Region"), "region"),
    (_lazy("Article suggested"), ""),
    (_lazy("Decision"), "decision"),
]


def _list_page(request, template: str, action: str, found, spec, shown, **extra) -> HttpResponse:
    """A filtered list: its page, the column headers that sort it, one read entry naming
    the records shown; 400 (with each message next to its field) for an invalid filter."""
    fs, items = found
    pager = paging.paginate(items, request.GET)
    record_page(Actor.of(request), action, pager.page, filters.described(fs),
                [shown(item) for item in pager.page])  # fmt: skip
    context = {
        "filterset": fs,
        "page": pager.page,
        "pager": pager,
        "columns": paging.columns(request.GET, spec),
        "search_query": fs.data.get("q", ""),
        **extra,
    }
    return render(request, template, context, status=200 if fs.is_valid() else 400)


@policy.requires("case.search")
def case_list(request):
    """The cases of the user's scope, filtered (``registry/filters.py``), sortable, paginated;
    the filters and the numbers shown are audited."""
    fs, cases = filters.filtered_cases(Actor.of(request), request.GET)
    cases = cases.select_related("region", "article_part__article", "investigating_body")
    return _list_page(request, "registry/case_list.html", "case.search", (fs, cases),
                      CASE_COLUMNS, lambda c: c.number)  # fmt: skip


@policy.requires("case.view")
def case_detail(request, number):
    """One case with its qualification, status history, extensions, parties and reports."""
    related = ("region", "article_part__article", "investigating_body", "joined_to")
    case = scoped.get_case_or_404(
        request.user, number, queryset=Case.objects.select_related(*related)
    )
    write(Actor.of(request), access_actions.CASE_VIEW, case)
    context = {"case": case, "status_form": StatusForm(case=case), "allowed": _allowed(case)}
    return render(request, "registry/case_detail.html", {**context, **_actions(request, case)})


def _actions(request, case: Case) -> dict:
    """What the case page shows beside the case (``registry/casepage.py``): its reports, its
    story, its term, and the actions the policy and the lifecycle allow this user."""
    return casepage.context(request.user, case)


@policy.requires("case.change_status")
@require_POST
def case_status(request, number):
    """Change a case's status through the lifecycle module."""
    case = scoped.get_case_or_404(request.user, number, "case.change_status")
    form = StatusForm(request.POST, case=case)
    if form.is_valid():
        joined_to = None
        if form.cleaned_data["joined_to"]:
            joined_to = _case_typed(request, form.cleaned_data["joined_to"], "joined_to")
            if joined_to is None:
                form.add_error("joined_to", _("No case with this number."))
        if not form.errors:
            try:
                lifecycle.transition(
                    Actor.of(request),
                    case,
                    form.cleaned_data["to_status"],
                    reason=form.cleaned_data["reason"],
                    ground=form.cleaned_data["ground"],
                    joined_to=joined_to,
                )
            except (Invalid, Conflict) as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("The status was changed."))
                return redirect("registry:case_detail", number=case.number)
    _viewed(request, case)
    return render(
        request,
        "registry/case_detail.html",
        {
            "case": case,
            "status_form": form,
            "allowed": _allowed(case),
            **_actions(request, case),
        },
        status=400,
    )


def _case_typed(request, number: str, field: str) -> Case | None:
    """The case in the user's scope whose number was typed into a form's ``field``, or None.
    A number not found there (another region's or none at all) leaves one ``access.denied``
    entry naming the number asked, as a refused page does (:func:`policy.refused`): typing
    numbers is no unrecorded way to probe other regions. Neither the form's answer nor the
    entry tells whether the case exists."""
    number = number.strip()
    case = scoped.cases_for(request.user).filter(number=number).first()
    if case is None:
        policy.refused(request, "case.view", 404, {field: number})
    return case


def _viewed(request, shown: Case | Report, **details) -> None:
    """Record that a page other than the record's own showed it (a form on a case shows the
    case; a refused status change shows the case page again), naming the page by its URL."""
    action = access_actions.REPORT_VIEW if isinstance(shown, Report) else access_actions.CASE_VIEW
    write(Actor.of(request), action, shown,
          details={"page": request.resolver_match.url_name, **details})  # fmt: skip


def _form_page(request, template: str, form, context: dict):
    """Render a form page: 400 when a submitted form was refused (it keeps what was typed).
    The page shows its case or report (``context``): that look is audited."""
    party = context.get("party")
    _viewed(request, context.get("case") or context["report"],
            **({"party": party.pk} if party else {}))  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


@policy.requires("case.edit_parties")
def case_party(request, number):
    """Add a party to a case, or (``?party=ID``) correct one, e.g. record a victim's consent."""
    case = scoped.get_case_or_404(request.user, number, "case.edit_parties")
    party = None
    if "party" in request.GET:
        party_id = request.GET["party"]
        party = case.parties.filter(pk=party_id).first() if party_id.isdigit() else None
        if party is None:
            raise Http404
    initial = PartyForm.initial_for(party) if party else None
    form = PartyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = services.PartyData(
            role=form.cleaned_data["role"],
            sex=form.cleaned_data["sex"],
            age_band=form.cleaned_data["age_band"],
            relationship=form.cleaned_data["relationship"],
            consent_further_use=form.consent_value(),
        )
        try:
            if party is None:
                services.add_party(Actor.of(request), case, data)
            else:
                services.update_party(Actor.of(request), party, data)
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The party was saved."))
            return redirect("registry:case_detail", number=case.number)
    return _form_page(request, "registry/party_form.html", form, {"case": case, "party": party})


def _closed(request, case: Case, message: str):
    """The answer to a form the case's status no longer allows: back to the case, saying why.
    (A POST goes on to the service, which refuses it on the form.)"""
    messages.error(request, message)
    return redirect("registry:case_detail", number=case.number)


@policy.requires("case.requalify")
def case_requalify(request, number):
    """Change a case's qualification (the history keeps the previous one)."""
    case = scoped.get_case_or_404(
        request.user, number, "case.requalify",
        queryset=Case.objects.select_related("article_part__article"),
    )  # fmt: skip
    if request.method == "GET" and not lifecycle.may_requalify(case.status):
        message = _("The investigation is closed: the case can no longer be requalified.")
        return _closed(request, case, message)
    form = RequalifyForm(request.POST or None, initial={"article_part": case.article_part})
    if request.method == "POST" and form.is_valid():
        try:
            services.requalify(
                Actor.of(request),
                case,
                form.cleaned_data["article_part"],
                reason=form.cleaned_data["reason"],
            )
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The case was requalified."))
            return redirect("registry:case_detail", number=case.number)
    return _form_page(request, "registry/case_requalify.html", form, {"case": case})


@policy.requires("case.extend")
def case_extend(request, number):
    """Record an authorised extension of a case's investigation term."""
    case = scoped.get_case_or_404(request.user, number, "case.extend")
    if request.method == "GET" and not casepage.may_extend(case):
        message = _("The investigation term of this case can no longer be extended.")
        return _closed(request, case, message)
    form = ExtensionForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.extend_term(
                Actor.of(request),
                case,
                amount=data["amount"],
                unit=data["unit"],
                authorised_by=data["authorised_by"],
                reason=data["reason"],
            )
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The extension was recorded."))
            return redirect("registry:case_detail", number=case.number)
    return _form_page(request, "registry/case_extend.html", form, {"case": case})


@policy.requires("case.view")
def case_card(request, number):
    """The case card as PDF (``registry/card.py``): the page's facts, parties and story, with
    who printed it and when; the print is audited (``case.card.print``)."""
    related = ("region", "article_part__article", "investigating_body", "joined_to")
    case = scoped.get_case_or_404(
        request.user, number, queryset=Case.objects.select_related(*related)
    )
    write(Actor.of(request), actions.CASE_CARD_PRINT, case, details={"format": "pdf"})
    html = card.to_html(case, timeline.story(case, request.user), casepage.facts(case),
                        printed_by=request.user.get_username(), printed_at=timezone.now())  # fmt: skip
    response = HttpResponse(card.to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="qorgau-case-{case.number}.pdf"'
    return response


@policy.requires("case.create")
def case_new(request):
    """Register a case in a region of the user's scope; the system gives its number."""
    form = CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.register_case(
                Actor.of(request),
                data["region"],
                article_part=data["article_part"],
                registered_at=data["registered_at"],
                investigating_body=data["investigating_body"],
                parties=[
                    services.PartyData(
                        role=PartyRole.VICTIM,
                        sex=data["victim_sex"],
                        age_band=data["victim_age_band"],
                        consent_further_use=CONSENT_VALUES[data.get("victim_consent") or ""],
                    ),
                    services.PartyData(
                        role=PartyRole.SUSPECT,
                        sex=data["suspect_sex"],
                        relationship=data["relationship"],
                    ),
                ],
            )
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(
                request, _("Case %(number)s was registered.") % {"number": case.number}
            )
            return redirect("registry:case_detail", number=case.number)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/case_form.html", {"form": form}, status=status)


def csv_streaming_response(pieces, filename: str, options: CsvOptions) -> StreamingHttpResponse:
    """A CSV download sent as its pieces come (``core.tabular.csv_response``'s headers and byte
    order mark option): an export of a million cases is never held whole in memory."""

    def content():
        if options.bom:
            yield BOM.encode()
        for text in pieces:
            yield text.encode()

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@policy.requires("case.export")
def case_export(request):
    """Download the cases of the user's scope as CSV (format: docs/cases-csv.md; the header
    and byte order mark options: docs/exports.md)."""
    options = CsvOptions.of(request)
    header = options.header(csvio.COLUMNS, csvio.COLUMN_LABELS)
    cases = scoped.cases_for(request.user, "case.export")
    # The entry is written before the rows are streamed; the rows are those it names.
    digest, highest = csvio.numbers_digest(cases)
    write(Actor.of(request), actions.CASE_EXPORT, details={"format": "csv", **digest.details()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = csvio.export_text(cases.filter(pk__lte=highest), header)
    return csv_streaming_response(rows, f"qorgau-cases-{stamp}.csv", options)


@policy.requires("report.view")
def report_list(request):
    """The reports of the user's scope, filtered (``registry/filters.py``), sortable,
    paginated; the filters and the reports shown are audited."""
    fs, reports = filters.filtered_reports(Actor.of(request), request.GET)
    reports = reports.select_related("region", "receiving_body", "suggested_article")
    return _list_page(request, "registry/report_list.html", "report.search", (fs, reports),
                      REPORT_COLUMNS, lambda r: r.pk,
                      can_create=policy.can(request.user, "report.create"))  # fmt: skip


@policy.requires("case.search")
def search_page(request):
    """The search box of every staff page: cases and reports of the user's scope found by
    number, part of a number or words of a report's summary (``registry/search.py``). A whole
    case number (or a whole ERDR number of one case) opens the case. One read entry names
    what the page showed."""
    actor = Actor.of(request)
    text = request.GET.get("q", "").strip()[: search.MAX_QUERY]
    asked = {"q": text} if text else {}
    exact = search.exact_case(scoped.cases_for(actor, "case.search"), text)
    if exact is not None:
        write(actor, access_actions.CASE_SEARCH, details={
            "filters": asked, "page": "search", "results": 1, "shown": [exact.number],
        })  # fmt: skip
        return redirect("registry:case_detail", number=exact.number)
    found = search.find(actor, text)
    write(actor, access_actions.CASE_SEARCH, details={
        "filters": asked,
        "page": "search",
        "results": found.case_count + found.report_count,
        "shown": [c.number for c in found.cases],
        "reports_shown": [r.pk for r in found.reports],
    })  # fmt: skip
    return render(request, "registry/search.html", {
        "found": found,
        "search_query": text,
        "list_query": paging.query(QueryDict(), q=text) if text else "",
    })  # fmt: skip


@policy.requires("report.create")
def report_new(request):
    """Enter a report received by a body of the user's scope."""
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.create_report(Actor.of(request), **form.cleaned_data)
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The report was entered."))
            return redirect("registry:report_detail", pk=report.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/report_form.html", {"form": form}, status=status)


@policy.requires("case.create")
def report_register(request, pk):
    """Register a case from a report: the report's decision becomes "registered as a case"
    and the report is linked to the new case (through the lifecycle, which refuses a report
    whose decision cannot change)."""
    report = scoped.get_report_or_404(
        request.user, pk, "report.decide",
        queryset=Report.objects.select_related("region", "suggested_article"),
    )  # fmt: skip
    initial = {"registered_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = CaseFromReportForm(
        request.POST or None, report=report, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.register_case(
                Actor.of(request),
                report.region,
                article_part=data["article_part"],
                registered_at=data["registered_at"],
                investigating_body=data["investigating_body"],
                reports=[report],
            )
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(
                request, _("Case %(number)s was registered.") % {"number": case.number}
            )
            return redirect("registry:case_detail", number=case.number)
    return _form_page(request, "registry/report_register.html", form, {"report": report})


@policy.requires("report.view")
def report_detail(request, pk):
    """One report and the decision on it."""
    report = scoped.get_report_or_404(
        request.user, pk, queryset=Report.objects.select_related("region", "receiving_body")
    )
    write(Actor.of(request), access_actions.REPORT_VIEW, report)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and not policy.can(request.user, "report.decide", report):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.decide(
                Actor.of(request),
                report,
                form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except (Invalid, Conflict) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("registry:report_detail", pk=report.pk)
    may_decide = policy.can(request.user, "report.decide", report)
    context = {
        "report": report,
        "form": form,
        "may_decide": may_decide,
        # The cases opened from it that the user may open (the same scope as the report's).
        "cases": scoped.cases_for(request.user).filter(reports=report).order_by("registered_at"),
        "can_register": may_decide
        and policy.can(request.user, "case.create")
        and lifecycle.can_decide(report, Decision.REGISTERED),
        "decision_open": lifecycle.can_decide(report),
    }
    # A decision that was refused (or a form with errors) shows the page again: 400.
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/report_detail.html", context, status=status)
