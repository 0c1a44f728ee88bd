"""The public page: no login, no cookie, no script but the exit shortcut, nothing sent
anywhere. Pages are cached: a campaign's spike is served from memory.

Also the bare domain's entrance and, behind it, the staff home page: the top floor that shows
figures of the registry with the links the policy allows."""

import datetime as dt
import io
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, cache_page
from django.views.defaults import page_not_found

from qorgau.access import navigation, policy
from qorgau.audit.log import write
from qorgau.core.actors import Actor
from qorgau.core.tabular import CsvOptions, CsvWriter, csv_response
from qorgau.reference.models import Article, Region
from qorgau.registry import queries
from qorgau.stats import disclosure
from qorgau.stats import services as stats

from . import actions, markup, worklists
from .context import home_in
from .models import ContactKind, HelpContact, Page

CACHE_SECONDS = 300
CSV_PERIOD = ["period_start", "period_end"]


def public_page(view):
    """Open to all, cached, and telling the browser to send no referrer anywhere."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    cached = cache_page(CACHE_SECONDS)(cache_control(public=True, max_age=CACHE_SECONDS)(wrapper))
    return policy.public(cached)


def _menu():
    return list(Page.objects.only("slug", "title_kk", "title_ru", "title_en"))


@public_page
def home(request):
    return render(request, "portal/home.html", {"menu": _menu(), "articles": Article.objects.all()})


@public_page
def page(request, slug):
    item = Page.objects.filter(slug=slug).first()
    if item is None:
        raise Http404
    article = {"stalking": "115-1", "coercion": "125-1"}.get(slug)
    parts = Article.objects.get(code=article).parts.all() if article else []
    return render(
        request,
        "portal/page.html",
        {"menu": _menu(), "page": item, "body": markup.render(item.body), "parts": parts},
    )


@public_page
def help_directory(request):
    regions = list(Region.objects.all())
    code = request.GET.get("region", "")
    region = next((r for r in regions if r.code == code), None)
    contacts = HelpContact.objects.filter(region__isnull=True)
    local = HelpContact.objects.filter(region=region) if region else HelpContact.objects.none()
    return render(request, "portal/help.html", {
        "menu": _menu(), "regions": regions, "region": region, "national": contacts, "local": local,
        "kinds": dict(ContactKind.choices),
    })  # fmt: skip


@public_page
def self_check(request):
    return render(request, "portal/self_check.html", {"menu": _menu()})


def published_table(day: dt.date | None = None):
    """Counts by region and article since 1 January of the current year, protected: counts from
    1 to the threshold shown as "<N" with N = threshold + 1 ("<4" with the default threshold
    3), further cells hidden so the totals cannot reveal them."""
    day = day or timezone.localdate()
    threshold = disclosure.small_count_threshold()
    start = dt.date(day.year, 1, 1)
    articles = list(Article.objects.all())
    columns = {}
    for article in articles:
        # The national figures, counted by the system (every region) and then protected.
        rows = stats.by_region(Actor.system("portal"), stats.Filters((article.code,), start, day))
        columns[article.code] = {row.region.code: row.count for row in rows}
    regions = list(Region.objects.all())
    table, totals = {}, {}
    for article in articles:
        counts = [columns[article.code][r.code] for r in regions]
        cells, total = disclosure.suppress_with_total(counts, threshold)
        table[article.code] = dict(zip([r.code for r in regions], cells, strict=True))
        totals[article.code] = total
    lines = [{"region": r, "cells": [table[a.code][r.code] for a in articles]} for r in regions]
    return {
        "start": start,
        "end": day,
        "articles": articles,
        "rows": lines,
        "totals": [totals[a.code] for a in articles],
        "threshold": threshold,
    }


@public_page
def statistics(request):
    return render(request, "portal/statistics.html", {"menu": _menu(), "table": published_table()})


@public_page
def statistics_csv(request):
    table = published_table()
    options = CsvOptions.of(request)
    out = io.StringIO()
    writer = CsvWriter(out)
    # The header is the first row; the period of the data is in the last two columns of every
    # row, so the file reads as one plain table (docs/portal.md).
    period = [table["start"].isoformat(), table["end"].isoformat()]
    codes = ["region", "name", *[a.code for a in table["articles"]], *CSV_PERIOD]
    labels = {
        "region": _("Region code"),
        "name": _("Region"),
        "period_start": _("From"),
        "period_end": _("To"),
        **{a.code: _("Article %(code)s") % {"code": a.code} for a in table["articles"]},
    }
    writer.writerow(options.header(codes, labels))
    for row in table["rows"]:
        writer.writerow([row["region"].code, row["region"].name, *row["cells"], *period])
    writer.writerow(["total", "", *table["totals"], *period])
    return csv_response(out.getvalue(), "qorgau-statistics.csv", options)


@policy.requires("home.view")
def staff_home(request):
    """The staff home page: the user's worklist (docs/worklists.md) — counts that link to the
    lists they count, the oldest items first — and links to what the user's role allows. It
    names reports and cases, so it leaves one read entry naming them."""
    actor = Actor.of(request)
    sections = worklists.worklist(request.user)
    write(actor, actions.WORKLIST_VIEW, details={
        "counts": {c.key: c.count for s in sections for c in s.counts},
        "shown": worklists.shown_records(sections),
    })  # fmt: skip
    demo = policy.scoped(request.user, "home.view", queries.all_cases()).filter(is_demo=True)
    return render(request, "core/home.html", {
        "sections": sections, "demo": demo.exists(),
        "shortcuts": navigation.links(request.user, navigation.SHORTCUTS),
    })  # fmt: skip


def entrance(request):
    """The bare domain: a member of staff who is logged in gets the staff home; anyone else the
    public page in Kazakh, at once and without a login form, so that no cookie is set."""
    if request.user.is_authenticated:
        return staff_home(request)
    response = redirect(home_in(settings.LANGUAGE_CODE))
    response["Referrer-Policy"] = "no-referrer"
    return response


# For the access rules the address is the staff home (a logged-in user without the right is
# refused there); an anonymous visitor is only redirected to the public page.
entrance.qorgau_action = staff_home.qorgau_action  # type: ignore[attr-defined]


def not_found(request, exception=None):
    """The 404 page. Under a public address (/kk/, /ru/, /en/) it is a public page, with the
    exit button and no referrer; elsewhere Django's own 404 page."""
    lang = translation.get_language_from_path(request.path_info)
    if not lang:
        return page_not_found(request, exception)
    request.portal_not_found = True  # the context's language links lead home
    with translation.override(lang):
        html = loader.render_to_string("portal/404.html", {"menu": _menu()}, request=request)
    response = HttpResponseNotFound(html)
    response["Referrer-Policy"] = "no-referrer"
    return response
