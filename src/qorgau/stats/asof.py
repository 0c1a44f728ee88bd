"""Case counts "as known at instant T" (docs/stats.md, "As-of figures").

The statistics' aggregate tables are kept exact by triggers, as the registry is *now*; a
figure as it was known at an earlier instant comes from the base tables instead, by their
record times (``registry.asof``): the cases recorded at or before T, each with its
qualification at T. The filters mean what they mean for :func:`.services.cases` — the
articles, the local days of registration, the regions, the actor's scope — so that a count
read live at T and the same count recomputed later as of T are equal. Meant for the few
thousand cases of a letter's figures, not for national tables (no aggregate helps here).
"""

import datetime as dt
from dataclasses import replace

from django.db.models import Count, QuerySet

from qorgau.access import policy
from qorgau.access.policy import Who
from qorgau.registry import asof
from qorgau.registry.models import Case

from .services import Filters, _filtered, regions_in_scope


def cases(actor: Who, filters: Filters, at: dt.datetime) -> QuerySet[Case]:
    """The cases counted for ``filters`` as known at ``at``, within the actor's scope."""
    qs = asof.cases_known(at, policy.scoped(actor, "stats.view", Case.objects.all()))
    qs = _filtered(
        qs, replace(filters, articles=()), "article_part__article__code", "registered_at"
    )
    return asof.with_articles(qs, filters.articles)


def case_count(actor: Who, filters: Filters, at: dt.datetime) -> int:
    """How many cases :func:`cases` counts."""
    return cases(actor, filters, at).count()


def by_region(actor: Who, filters: Filters, at: dt.datetime) -> dict[str, int]:
    """The count of every region in the actor's scope (and the filters'), by region code, as
    known at ``at``: regions without a case have 0."""
    counted = dict(
        cases(actor, filters, at)
        .order_by()
        .values_list("region__code")
        .annotate(n=Count("id"))
        .values_list("region__code", "n")
    )
    return {r.code: counted.get(r.code, 0) for r in regions_in_scope(actor, filters)}
