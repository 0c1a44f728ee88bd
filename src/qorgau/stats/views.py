"""The statistics dashboard and its exports: thin callers of ``services``, ``charts``, ``tables``."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.access import policy
from qorgau.audit import log
from qorgau.campaigns import services as campaigns
from qorgau.campaigns.models import DEFAULT_CAMPAIGN_DATE, DEFAULT_CAMPAIGN_NOTE
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.core.forms import add_error
from qorgau.core.tabular import CsvOptions
from qorgau.reference.models import Article, Region

from . import actions, charts, disclosure, intervals, rates, services, tables
from .international import export_cts

ATTRIBUTION = "© OpenStreetMap contributors, ODbL"


class StatsForm(forms.Form):
    articles = forms.ModelMultipleChoiceField(
        Article.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Articles"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    regions = forms.ModelMultipleChoiceField(
        Region.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Regions"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={"invalid_choice": gettext_lazy("Region outside your scope: %(value)s")},
    )  # fmt: skip
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), initial="week", required=False,
        choices=[("week", gettext_lazy("week")), ("month", gettext_lazy("month"))],
    )  # fmt: skip
    intervention = forms.DateField(
        label=gettext_lazy("Intervention date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=DEFAULT_CAMPAIGN_NOTE,
    )  # fmt: skip
    campaign_date = forms.ChoiceField(label=gettext_lazy("or a campaign date"), required=False)
    per = forms.TypedChoiceField(
        label=gettext_lazy("Rates per"), required=False, coerce=int, empty_value=None,
        choices=[(rates.PER_100K, gettext_lazy("100,000 people per year")),
                 (rates.PER_10K, gettext_lazy("10,000 people per year (legal statistics)"))],
    )  # fmt: skip
    overdispersion = forms.ChoiceField(
        label=gettext_lazy("Funnel limits"), required=False,
        choices=[("none", gettext_lazy("Poisson (no over-dispersion)")),
                 ("multiplicative", gettext_lazy("over-dispersion: multiplicative (Spiegelhalter)")),
                 ("additive", gettext_lazy("over-dispersion: additive random effects"))],
    )  # fmt: skip

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        # A region outside the actor's scope is a form error, not a silently empty figure.
        regions = cast(forms.ModelMultipleChoiceField, self.fields["regions"])
        regions.queryset = policy.regions_for(actor, "stats.view")
        campaign_date = cast(forms.ChoiceField, self.fields["campaign_date"])
        campaign_date.choices = [("", "—")] + [
            (d.isoformat(), label[:90]) for d, label in campaigns.intervention_dates(actor)
        ]

    def clean(self) -> dict[str, Any]:
        """The filters as the statistics accept them (dates in range, a period that does not
        end before it begins, articles and regions known and in scope), each refusal with the
        service's translated message next to the filter it is about."""
        data = super().clean() or {}
        for name in ("date_from", "date_to", "intervention"):
            try:
                services.check_date(data.get(name), name)
            except Invalid as error:
                add_error(self, error)
        if not self.errors:
            try:
                self.filters().check(self.actor)
            except Invalid as error:
                add_error(self, error)
        return data

    def intervention_date(self) -> dt.date | None:
        if not self.is_valid():
            return None
        if self.cleaned_data.get("intervention"):
            return self.cleaned_data["intervention"]
        if self.cleaned_data.get("campaign_date"):
            return dt.date.fromisoformat(self.cleaned_data["campaign_date"])
        return None

    def chosen_period(self) -> str:
        return (self.cleaned_data.get("period") if self.is_valid() else "") or "week"

    def options(self) -> dict[str, Any]:
        """The choices beyond the filters that some tables depend on (the exports use the
        same as the dashboard)."""
        valid = self.is_valid()
        overdispersion = (self.cleaned_data.get("overdispersion") if valid else "") or "none"
        return {
            "period": self.chosen_period(),
            "intervention": self.intervention_date() or DEFAULT_CAMPAIGN_DATE,
            "per": (self.cleaned_data.get("per") if valid else None) or rates.DEFAULT_PER,
            "overdispersion": overdispersion
            if overdispersion in intervals.OVERDISPERSION
            else "none",
        }

    def filters(self) -> services.Filters:
        """The chosen filters; the defaults for an empty (unbound) form. Call only on an
        unbound or valid form: an invalid one has no figures to show."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        articles = tuple(a.code for a in data.get("articles") or [])
        return services.Filters(
            articles,
            data.get("date_from") or services.in_force_since(articles),
            data.get("date_to"),
            tuple(r.code for r in data.get("regions") or []),
        )


def _label(region: Region) -> str:
    """Short name for a chart; cities marked, so Almaty city and Almaty Region differ."""
    return region.short_name + (" (" + _("city") + ")" if region.is_city else "")


def _form_errors(form: StatsForm) -> str:
    """The form's errors as plain lines (for an export asked with bad filters)."""
    return "\n".join(str(message) for messages in form.errors.values() for message in messages)


@policy.requires("stats.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = Actor.of(request)
    form = StatsForm(request.GET or None, actor=actor)
    if form.is_bound and not form.is_valid():
        # The errors, and no figures: figures for other filters than those asked would mislead.
        return render(request, "stats/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    options = form.options()
    period, intervention = options["period"], options["intervention"]
    unit = rates.Unit(options["per"])
    regions = services.by_region(actor, filters, unit)
    series = services.time_series(actor, filters, period)
    starts = [d for d, _n in series]
    markers = []
    for day, label in services.chart_markers(actor, filters, intervention):
        start = services.period_start(day, period)
        if start in starts:
            markers.append((starts.index(start), label))
    funnel = services.funnel(actor, filters, unit, options["overdispersion"])
    _effect_series, effect = services.campaign_effect(actor, filters, intervention, period)
    earlier = services.year_earlier(filters)
    verdicts = funnel.verdicts(regions)
    context = {
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "total": sum(r.count for r in regions),
        "reports_total": services.report_count(actor, filters),
        "year_earlier": services.case_count(actor, earlier) if earlier else None,
        "year_earlier_note": services.year_earlier_note(filters),
        "unit": unit,
        "cumulative": services.cumulative_since_in_force(actor, filters),
        "iccs": services.counts_by(actor, filters, "iccs"),
        "regions": regions,
        "series": series,
        "series_chart": (
            charts.line_chart(
                [(d.isoformat(), n) for d, n in series], markers, _("Cases per period")
            )
        ),
        "bars": (
            charts.bar_chart(
                [(_label(r.region), r.count, None, None) for r in regions], _("Cases by region")
            )
        ),
        "rate_bars": (
            charts.bar_chart(
                [
                    (_label(r.region), round(r.rate, 2), r.rate_low, r.rate_high)
                    for r in regions
                    if r.rate is not None
                ],
                _("Rate %(unit)s with 95%% interval") % {"unit": unit.label},
            )
        ),
        "map": (
            charts.verdict_map(
                verdicts,
                {key: str(label) for key, label in services.VERDICT_LABELS.items()},
                {
                    r.region.code: charts.shown(r.rate, ".2f") + " " + unit.label
                    for r in regions
                    if r.rate is not None
                },
                {r.region.code: r.region.name for r in regions},
                _("Regions compared with the national rate (funnel plot, 95%% limits)") % {},
                ATTRIBUTION,
            )
        ),
        "region_rows": [
            (r, verdicts[r.region.code], services.VERDICT_LABELS[verdicts[r.region.code]])
            for r in regions
        ],
        "funnel": funnel,
        "funnel_chart": (
            charts.funnel_plot(
                funnel.points,
                funnel.national_rate,
                _("Funnel plot"),
                funnel.limits_at,
                unit.label,
            )
        ),
        "funnel_sentences": funnel.sentences(),
        "effect": effect,
        "effect_text": services.effect_conclusion(effect, period),
        "intervention": intervention,
        "breakdowns": [
            (title, name, services.breakdown(actor, filters, name))
            for name, title in services.BREAKDOWN_TITLES.items()
        ],
        "report_breakdowns": [
            (title, name, services.breakdown(actor, filters, name))
            for name, title in services.REPORT_BREAKDOWN_TITLES.items()
        ],
        "threshold": disclosure.small_count_threshold(),
        "completeness": services.completeness(actor, filters),
        "completeness_note": services.completeness_note(actor, filters),
        "attribution": ATTRIBUTION,
        # The UN-CTS download (national figures): offered to who may take it, for last year.
        "cts_year": timezone.localdate().year - 1
        if policy.can(actor, "stats.international")
        else None,
    }
    log.write(actor, actions.VIEW, details={"filters": filters.describe()})
    return render(request, "stats/dashboard.html", context)


@policy.requires("stats.view")
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if name not in tables.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    actor = Actor.of(request)
    form = StatsForm(request.GET or None, actor=actor)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            _form_errors(form), status=400, content_type="text/plain; charset=utf-8"
        )
    filters, options = form.filters(), form.options()
    columns, rows = tables.build(name, actor, filters, **options)
    extra = tables.options_metadata(name, **options)
    if services.counted_by_quarter(actor, name):
        counted = services.whole_quarters(filters)
        from_ = counted.date_from.isoformat() if counted.date_from else ""
        extra += [("counted_from", from_), ("counted_to", counted.end.isoformat())]
    log.write(
        actor,
        actions.EXPORT,
        details={"table": name, "format": fmt, "filters": filters.describe()},
    )
    if fmt == "csv":
        csv_options = CsvOptions.of(request)
        header = csv_options.header(columns, tables.column_labels(options["per"]))
        text = tables.to_csv(name, filters, columns, rows, extra, header).decode("utf-8")
        response = HttpResponse(csv_options.text(text), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            tables.to_xlsx(name, filters, columns, rows, extra),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="qorgau-{name}.{fmt}"'
    return response


@policy.requires("stats.international")
def un_cts(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """UNODC's crime trends survey table of ``year`` (``international.export_cts``: national
    scope only, one ``stats.export`` entry); 400 with the reason for a year or format refused."""
    try:
        data = export_cts(Actor.of(request), year, fmt)
    except Invalid as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    if isinstance(data, str):
        text = CsvOptions.of(request).text(data)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="qorgau-un-cts-{year}.{fmt}"'
    return response
