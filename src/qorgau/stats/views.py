"""The statistics dashboard and its exports: thin callers of ``services``, ``charts``, ``tables``."""

import datetime as dt

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.access import policy
from qorgau.audit.log import record
from qorgau.reference.models import Article, Region

from . import charts, services, tables

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
        help_text=gettext_lazy("Default: the media plan of 30 January 2026."),
    )  # fmt: skip
    campaign_date = forms.ChoiceField(label=gettext_lazy("or a campaign date"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        from qorgau.campaigns.services import intervention_dates

        # A region outside the user's scope is a form error, not a silently empty figure.
        self.fields["regions"].queryset = policy.regions_for(user, "stats.view")
        self.fields["campaign_date"].choices = [("", "—")] + [
            (d.isoformat(), label[:90]) for d, label in intervention_dates(user)
        ]

    def clean(self):
        """The filters as the statistics accept them (dates in range, a period that does not
        end before it begins), with the service's translated message."""
        data = super().clean()
        for name in ("date_from", "date_to", "intervention"):
            try:
                services.check_date(data.get(name))
            except services.StatsError as exc:
                self.add_error(name, str(exc))
        if not self.errors:
            try:
                self.filters().check(self.user)
            except services.StatsError as exc:
                raise forms.ValidationError(str(exc)) from None
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

    def options(self) -> dict:
        """The choices beyond the filters that some tables depend on (the exports use the
        same as the dashboard)."""
        return {
            "period": self.chosen_period(),
            "intervention": self.intervention_date() or services.CAMPAIGN_DEFAULT,
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


def _label(region) -> str:
    """Short name for a chart; cities marked, so Almaty city and Almaty Region differ."""
    return region.short_name + (" (" + _("city") + ")" if region.kind == "city" else "")


def _form_errors(form: StatsForm) -> str:
    """The form's errors as plain lines (for an export asked with bad filters)."""
    return "\n".join(str(message) for messages in form.errors.values() for message in messages)


@policy.requires("stats.view")
def dashboard(request):
    form = StatsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        # The errors, and no figures: figures for other filters than those asked would mislead.
        return render(request, "stats/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    options = form.options()
    period, intervention = options["period"], options["intervention"]
    user = request.user
    regions = services.by_region(user, filters)
    series = services.time_series(user, filters, period)
    starts = [d for d, _n in series]
    markers = []
    for day, label in services.chart_markers(user, filters, intervention):
        start = services.period_start(day, period)
        if start in starts:
            markers.append((starts.index(start), label))
    funnel = services.funnel(user, filters)
    _effect_series, effect = services.campaign_effect(user, filters, intervention, period)
    earlier = services.year_earlier(filters)
    context = {
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "total": sum(r.count for r in regions),
        "reports_total": services.reports(user, filters).count(),
        "year_earlier": services.cases(user, earlier).count(),
        "cumulative": services.cumulative_since_in_force(user, filters),
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
                _("Rate per 100,000 with 95%% interval") % {},
            )
        ),
        "map": (
            charts.choropleth(
                {r.region.code: r.rate for r in regions},
                {r.region.code: r.region.name for r in regions},
                _("Rate per 100,000 by region"),
                ATTRIBUTION,
            )
        ),
        "funnel": funnel,
        "funnel_chart": (charts.funnel_plot(funnel.points, funnel.national_rate, _("Funnel plot"))),
        "funnel_sentences": [
            services.funnel_sentence(p, funnel.national_rate) for p in funnel.points if p.outside
        ],
        "effect": effect,
        "effect_text": services.effect_conclusion(effect, period),
        "intervention": intervention,
        "breakdowns": [
            (title, name, services.breakdown(user, filters, name))
            for name, title in services.BREAKDOWN_TITLES.items()
        ],
        "report_breakdowns": [
            (title, name, services.breakdown(user, filters, name))
            for name, title in services.REPORT_BREAKDOWN_TITLES.items()
        ],
        "threshold": services.small_count_threshold(),
        "completeness": services.completeness(user, filters),
        "completeness_note": services.completeness_note(user, filters),
        "attribution": ATTRIBUTION,
    }
    record("stats.view", details={"filters": filters.describe()})
    return render(request, "stats/dashboard.html", context)


@policy.requires("stats.view")
def export(request, name, fmt):
    if name not in tables.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    form = StatsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            _form_errors(form), status=400, content_type="text/plain; charset=utf-8"
        )
    filters, options = form.filters(), form.options()
    columns, rows = tables.build(name, request.user, filters, **options)
    extra = tables.options_metadata(name, **options)
    if services.counted_by_quarter(request.user, name):
        counted = services.whole_quarters(filters)
        from_ = counted.date_from.isoformat() if counted.date_from else ""
        extra += [("counted_from", from_), ("counted_to", counted.end.isoformat())]
    record("stats.export", details={"table": name, "format": fmt, "filters": filters.describe()})
    if fmt == "csv":
        response = HttpResponse(
            tables.to_csv(name, filters, columns, rows, extra),
            content_type="text/csv; charset=utf-8",
        )
    else:
        response = HttpResponse(
            tables.to_xlsx(name, filters, columns, rows, extra),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="qorgau-{name}.{fmt}"'
    return response
