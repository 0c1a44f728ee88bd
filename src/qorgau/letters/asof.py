"""A produced reply's figures recomputed "as known at" the instant they were read
(docs/letters.md, "Figures as of an instant").

Every figure of a reply is kept with its block, its label, its value and the query that gave it
(``services._Figures``), and the version keeps the instant the figures were read
(``ReplyVersion.figures_as_of``, the line "Figures as of …" of the letter). Each figure is
recomputed from its query as the data stood then:

- case counts (the blocks ``figures_*`` and ``reference_*``): ``stats.asof`` — the cases
  recorded by then, each with its qualification then (``registry.asof``);
- the national media plan, the akimats' plans and the training sessions (``measures_*``): the
  rows' versions recorded by then (``letters.history``), counted by the letter's own functions
  (``services.media_figures``, ``services.training_figures``).

:func:`verify` compares them with the letter and returns the differences (none: the letter
holds exactly what the data said at that instant).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import write
from qorgau.campaigns.models import Activity, Plan, PlanKind
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict
from qorgau.stats import asof as stats_asof
from qorgau.stats.services import Filters
from qorgau.training.models import Session

from . import actions, history
from .models import ReplyVersion, RowVersion
from .services import media_figures, training_figures

RIGHT = "letters.draft"


@dataclass(frozen=True)
class Difference:
    """A figure of the letter whose recomputed value differs (``recomputed`` None: its block is
    not one this module knows how to recompute)."""

    block: str
    label: str
    letter: int
    recomputed: int | None


def rows_as_of(model: type[models.Model], at: dt.datetime) -> list[Any]:
    """The rows of ``model`` (a versioned one: ``history.VERSIONED``) as known at ``at``: each
    row's latest version recorded at or before ``at`` (none, or a deletion: not there then),
    as unsaved instances; a row never versioned (written around the signals) as it is now."""
    name = history.label(model)
    latest: dict[int, dict[str, Any] | None] = {}
    versions = RowVersion.objects.filter(model=name, recorded_at__lte=at)
    for object_id, data in versions.order_by("object_id", "recorded_at", "id").values_list(
        "object_id", "data"
    ):
        latest[object_id] = data
    rows = [history.rebuild(model, data) for data in latest.values() if data is not None]
    versioned = RowVersion.objects.filter(model=name).values("object_id")
    rows += list(model._default_manager.exclude(pk__in=versioned))
    return rows


def _in_scope(actor: Actor, action: str, region_id: int | None) -> bool:
    """Whether a row of ``region_id`` (None: national) is in ``actor``'s scope for ``action``,
    as ``policy.scoped_or_national`` selects the live rows."""
    scope = policy.scope_of(actor)
    if not policy.can(actor, action):
        return False
    return scope.national or region_id in (None, scope.region_id)


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _filters(query: dict[str, Any]) -> Filters:
    """The statistics filters a case figure's query describes (``Filters.describe``)."""
    articles, regions = query.get("articles"), query.get("regions")
    return Filters(
        articles=tuple(articles) if isinstance(articles, list) else (),
        date_from=_day(query.get("from")),
        date_to=_day(query.get("to")),
        regions=tuple(regions) if isinstance(regions, list) else (),
    )


def _media(query: dict[str, Any], label: str, at: dt.datetime) -> int | None:
    plan_id, day = query["plan"], _day(query["on"])
    assert day is not None
    activities = [a for a in rows_as_of(Activity, at) if a.plan_id == plan_id]
    return media_figures(activities, day).get(label)


def _local(actor: Actor, query: dict[str, Any], at: dt.datetime) -> int:
    day = _day(query["on"])
    assert day is not None
    return sum(
        1
        for plan in rows_as_of(Plan, at)
        if plan.kind == query.get("kind", PlanKind.AKIMAT)
        and plan.approved_on <= day
        and _in_scope(actor, "stats.view", plan.region_id)
    )


def _training(actor: Actor, query: dict[str, Any], label: str, at: dt.datetime) -> int | None:
    start, end = _day(query.get("from")), _day(query["to"])
    sessions = [
        s
        for s in rows_as_of(Session, at)
        if (start is None or s.held_on >= start)
        and end is not None
        and s.held_on <= end
        and _in_scope(actor, "training.view", s.region_id)
    ]
    return training_figures(sessions).get(label)


def recompute(actor: Actor, figure: dict[str, Any], at: dt.datetime) -> int | None:
    """The value of a letter's ``figure`` from its query, as known at ``at`` (None: a block
    not recomputed here)."""
    block, label, query = figure["block"], figure["label"], figure["query"]
    if block.startswith(("figures_", "reference_")):
        return stats_asof.case_count(actor, _filters(query), at)
    if block == "measures_media":
        return _media(query, label, at)
    if block == "measures_local":
        return _local(actor, query, at)
    if block == "measures_training":
        return _training(actor, query, label, at)
    return None


def verify(
    actor: Actor, version: ReplyVersion, *, at: dt.datetime | None = None
) -> list[Difference]:
    """Recompute every figure of ``version`` as known at its as-of instant (or at ``at``) and
    return those that differ from the letter. Refused (``Conflict``) for a version produced
    before the instant was kept. Audited as ``reply.verify`` with the count of differences."""
    policy.ensure(actor, RIGHT)
    moment = at or version.figures_as_of
    if moment is None:
        raise Conflict(
            _(
                "This version was produced before its figures' instant was kept: it cannot be recomputed."
            )
        )
    differences = []
    for figure in version.figures:
        value = recompute(actor, figure, moment)
        if value != figure["value"]:
            differences.append(Difference(figure["block"], figure["label"], figure["value"], value))
    details = {"version": version.number, "as_of": moment.isoformat(),
               "figures": len(version.figures), "differences": len(differences)}  # fmt: skip
    write(actor, actions.REPLY_VERIFY, version.inquiry, details=details)
    return differences
