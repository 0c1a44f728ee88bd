"""The public page: no login, no cookie, no script but the exit shortcut, nothing sent
anywhere. Pages are cached: a campaign's spike is served from memory.

Also the bare domain's entrance and, behind it, the staff home page: the top floor that shows
figures of the registry with the links the policy allows."""

import io
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, cache_page
from django.views.defaults import page_not_found

from qorgau.access import navigation, policy
from qorgau.audit.log import write
from qorgau.core.actors import Actor
from qorgau.core.tabular import CsvOptions, CsvWriter, csv_response
from qorgau.reference.models import Article, Region
from qorgau.registry import queries
from qorgau.stats import releases
from qorgau.stats.models import Release

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


def published_table(release: Release | None = None):
    """A published release's table (the latest release by default; None when none is
    published yet): counts by region and article of its reference period, frozen when it was
    published and protected by the disclosure policy (counts from 1 to the threshold shown as
    "<N" with N = threshold + 1, further cells "*" so the totals cannot reveal them)."""
    release = release or releases.latest()
    if release is None:
        return None
    articles = {a.code: a for a in Article.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    columns = [articles[code] for code in release.articles if code in articles]
    lines = [
        {
            "region": regions[code],
            "cells": [release.cells[a.code][code] for a in columns],
            "rates": [release.rates.get(a.code, {}).get(code) for a in columns],
        }
        for code in release.regions
        if code in regions
    ]
    return {
        "release": release,
        "start": release.period_start,
        "end": release.period_end,
        "articles": columns,
        "rows": lines,
        "totals": [release.totals[a.code] for a in columns],
        "total_rates": [release.rates.get(a.code, {}).get("") for a in columns],
        "threshold": release.threshold,
        "revisions": releases.revisions(release),
        "regions": regions,
    }


def _release_or_404(number: int) -> Release:
    release = releases.find(number)
    if release is None:
        raise Http404
    return release


def _context(table) -> dict:
    return {"menu": _menu(), "table": table, "calendar": releases.months()}


@public_page
def statistics(request):
    return render(request, "portal/statistics.html", _context(published_table()))


@public_page
def release(request, number: int):
    return render(
        request, "portal/statistics.html", _context(published_table(_release_or_404(number)))
    )


@public_page
def release_archive(request):
    items = releases.archive()
    standing = {r.pk for r in items} - {r.revises_id for r in items if r.revises_id}
    return render(
        request,
        "portal/releases.html",
        {"menu": _menu(), "releases": items, "standing": standing, "calendar": releases.months()},
    )


def _csv(request, table, name: str):
    options = CsvOptions.of(request)
    out = io.StringIO()
    writer = CsvWriter(out)
    articles = table["articles"] if table else list(Article.objects.all())
    # The header is the first row; the period of the data is in the last two columns of every
    # row, so the file reads as one plain table (docs/portal.md).
    codes = ["region", "name", *[a.code for a in articles], *CSV_PERIOD]
    labels = {
        "region": _("Region code"),
        "name": _("Region"),
        "period_start": _("From"),
        "period_end": _("To"),
        **{a.code: _("Article %(code)s") % {"code": a.code} for a in articles},
    }
    writer.writerow(options.header(codes, labels))
    if table:
        period = [table["start"].isoformat(), table["end"].isoformat()]
        for row in table["rows"]:
            writer.writerow([row["region"].code, row["region"].name, *row["cells"], *period])
        writer.writerow(["total", "", *table["totals"], *period])
    response = csv_response(out.getvalue(), name, options)
    if table:
        response["X-Qorgau-Release"] = str(table["release"].number)
    return response


@public_page
def statistics_csv(request):
    """The latest release as CSV (an empty table, the header only, before the first)."""
    return _csv(request, published_table(), "qorgau-statistics.csv")


@public_page
def release_csv(request, number: int):
    table = published_table(_release_or_404(number))
    return _csv(request, table, f"qorgau-statistics-release-{number}.csv")


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
