"""The registry "as known at instant T": which cases the system held at T, each with the
qualification and the status it had in the records then.

Every row says when the system learnt it, apart from the business dates the users give (and
imports may back-date): a case its ``created_at`` (set on insert, by the service or the bulk
import), a qualification or a status row its ``recorded_at``. History is rows, never
overwritten, so the state at T is a query:

- a case is known at T when ``created_at <= T``;
- its qualification at T is that of its latest qualification row recorded at or before T (by
  ``recorded_at``, then id) — the initial row when none is (a raw insert may give the case an
  earlier record time than its first row);
- its status at T likewise, from its status rows.

The region and the registration date of a case never change after registration (no service,
form or admin page changes them), and cases are not deleted (the admin refuses it): so they are
read as they are. A change of either would be a new kind of history row here first.

Caveat: a row's record time is when it was inserted, not when its transaction committed; a
figure read while a long import was being written, and recomputed later, counts the import's
rows the first time only if the import had committed (``letters.asof`` reports the difference).
"""

import datetime as dt

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from qorgau.reference.models import ArticlePart

from .models import Case, Qualification, StatusChange

History = type[Qualification] | type[StatusChange]


def _latest(model: History, column: str, at: dt.datetime) -> Subquery:
    rows = model.objects.filter(case=OuterRef("pk"), recorded_at__lte=at)
    return Subquery(rows.order_by("-recorded_at", "-id").values(column)[:1])


def _first(model: History, column: str) -> Subquery:
    rows = model.objects.filter(case=OuterRef("pk"))
    return Subquery(rows.order_by("recorded_at", "id").values(column)[:1])


def cases_known(at: dt.datetime, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases of ``cases`` (every case by default) the system held at ``at``, annotated
    with ``part_then`` (the id of their article part at ``at``) and ``status_then`` (their
    status at ``at``)."""
    qs = Case.objects.all() if cases is None else cases
    qs = qs.filter(created_at__lte=at).annotate(
        part_then=Coalesce(
            _latest(Qualification, "article_part_id", at), _first(Qualification, "article_part_id")
        ),
        status_then=Coalesce(
            _latest(StatusChange, "to_status", at), _first(StatusChange, "to_status"), F("status")
        ),
    )
    return qs


def with_articles(qs: QuerySet[Case], codes: tuple[str, ...]) -> QuerySet[Case]:
    """The cases of :func:`cases_known`'s ``qs`` qualified at that instant under one of the
    articles ``codes`` (all when empty)."""
    if not codes:
        return qs
    parts = ArticlePart.objects.filter(article__code__in=codes).values("id")
    return qs.filter(Q(part_then__in=parts))  # Q: the type plugin knows no annotation
