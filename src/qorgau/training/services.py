"""Training coverage (attendances at sessions against headcount, per region and body) and the
training officer's actions: entering a session and a headcount.

A session records how many took part, by position, not who: summed over sessions that is a
number of attendances (participant-sessions), never of people, and "coverage" is attendances
per staff member (above 1 when staff attend more than once), not the share of staff trained.

Every action takes the acting :class:`~qorgau.core.actors.Actor` first, asks the policy,
changes inside a transaction, writes one audit entry (codes in ``training/actions.py``) and
refuses with a ``qorgau.core.errors`` error naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from qorgau.access import policy
from qorgau.audit import log
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.core.limits import COUNT_MAX
from qorgau.core.tabular import XlsxBook
from qorgau.reference.models import BodyKind, Region

from . import actions
from .models import Headcount, Session, TrainingFormat, TrainingTopic

Key = tuple[int, str]  # (region id, body)
# What the sums are: sessions record numbers of participants, not people (module docstring).
ATTENDANCES = gettext_lazy("Attendances (participant-sessions)")
PER_STAFF = gettext_lazy("Attendances per staff member")
SUMS_NOTE = gettext_lazy(
    "Sessions record how many took part, not who: a person at two sessions counts twice. "
    "The figures are attendances, not people, and how many different staff were trained is "
    "not known; attendances per staff member above 1 mean that some attended more than once."
)


def sessions_for(who: Actor | Any) -> QuerySet[Session]:
    """The sessions ``who`` (an actor or a user) may see: of their region, or all (national)."""
    return policy.scoped(who, "training.view", Session.objects.select_related("region"))


def sessions_in(
    who: Actor | Any, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Session]:
    """The sessions ``who`` may see held in the period: from ``date_from`` (open when None)
    to ``date_to`` (today when None)."""
    sessions = sessions_for(who).filter(held_on__lte=date_to or timezone.localdate())
    if date_from:
        sessions = sessions.filter(held_on__gte=date_from)
    return sessions


def latest_headcounts(who: Actor | Any, day: dt.date) -> dict[Key, Headcount]:
    """Per (region id, body): the latest headcount dated on or before ``day`` (never a sum over
    dates — each row is the staff on its date)."""
    heads: dict[Key, Headcount] = {}
    rows = policy.scoped(who, "training.view", Headcount.objects.filter(as_of__lte=day))
    for head in rows.order_by("as_of", "pk"):
        heads[(head.region_id, head.body)] = head
    return heads


def coverage(
    who: Actor | Any, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[dict[str, Any]]:
    """Per region and body: participants of the sessions of the period (a person at two
    sessions counts twice — the sessions record numbers, not people), the latest headcount on or
    before the end of the period (today when open), and their ratio. A body without a headcount
    keeps its row (``headcount`` and ``coverage`` None) but is left out of the region totals."""
    day = date_to or timezone.localdate()
    trained: defaultdict[Key, int] = defaultdict(int)
    for session in sessions_in(who, date_from, date_to):
        trained[(session.region_id, session.body)] += session.total
    heads = latest_headcounts(who, day)
    regions = {r.pk: r for r in Region.objects.all()}
    labels = dict(BodyKind.choices)
    rows = []
    for key in sorted(set(trained) | set(heads), key=lambda k: (regions[k[0]].order, k[1])):
        head = heads.get(key)
        count = trained.get(key, 0)
        rows.append({
            "region": regions[key[0]], "body": key[1], "body_label": labels.get(key[1], key[1]),
            "trained": count, "headcount": head.headcount if head else None,
            "as_of": head.as_of if head else None,
            "coverage": round(count / head.headcount, 3) if head and head.headcount else None,
        })  # fmt: skip
    return rows


def by_region(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The coverage rows summed over the bodies that have a headcount, per region; participants
    of bodies without one are reported apart (``uncounted``), never added to the ratio."""
    totals: dict[Region, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(row["region"], {
            "region": row["region"], "trained": 0, "headcount": 0, "uncounted": 0, "complete": True,
        })  # fmt: skip
        if row["headcount"] is None:
            total["complete"] = False
            total["uncounted"] += row["trained"]
        else:
            total["trained"] += row["trained"]
            total["headcount"] += row["headcount"]
    for total in totals.values():
        total["coverage"] = (
            round(total["trained"] / total["headcount"], 3) if total["headcount"] else None
        )
    return list(totals.values())


def _check_region(actor: Actor, region: Region | None) -> Region:
    """Refuse an actor without ``training.edit`` (``NotAllowed``), or a region outside their
    scope (``Invalid``, the region field)."""
    policy.ensure(actor, "training.edit")
    if region is None:
        raise Invalid("region", _("Choose the region."))
    if not policy.can(actor, "training.edit", region):
        raise Invalid("region", _("This region is outside your scope."))
    return region


def _check_participants(participants: dict[str, int]) -> dict[str, int]:
    """The participants by position (names trimmed); refused unless each is a whole number and
    together they are more than 0 and at most ``COUNT_MAX``."""
    clean: dict[str, int] = {}
    for position, number in participants.items():
        if not str(position).strip() or not isinstance(number, int) or number < 0:
            raise Invalid(
                "participants", _("Each position needs a name and a whole number (0 or more).")
            )
        clean[str(position).strip()] = number
    if sum(clean.values()) > COUNT_MAX:
        raise Invalid("participants", _("The number is larger than %(max)d.") % {"max": COUNT_MAX})
    if sum(clean.values()) == 0:
        raise Invalid("participants", _("Enter the number of participants."))
    return clean


def create_session(
    actor: Actor, *, held_on: dt.date, body: str, region: Region | None, topics: list[str],
    format: str, participants: dict[str, int], unit: str = "", reason: str | None = None,
) -> Session:  # fmt: skip
    """Enter a training session held in the actor's scope, with participants by position.
    Audited as ``training.session.create``."""
    region = _check_region(actor, region)
    if held_on > timezone.localdate():
        raise Invalid("held_on", _("A session cannot be entered before it is held."))
    if body not in BodyKind.values:
        raise Invalid("body", _("Choose the body."))
    if format not in TrainingFormat.values:
        raise Invalid("format", _("Choose the format."))
    if not topics or any(t not in TrainingTopic.values for t in topics):
        raise Invalid("topics", _("Choose one or more topics."))
    clean = _check_participants(participants)
    with transaction.atomic():
        session = Session.objects.create(
            held_on=held_on, body=body, unit=unit.strip(), region=region, topics=list(topics),
            format=format, participants=clean,
        )  # fmt: skip
        log.write(
            actor, actions.SESSION_CREATE, session, after=log.snapshot(session),
            details={"reason": reason} if reason else None,
        )  # fmt: skip
    return session


def record_headcount(
    actor: Actor, *, body: str, region: Region | None, as_of: dt.date, headcount: int,
    source: str, reason: str | None = None,
) -> Headcount:  # fmt: skip
    """Record the staff of a body in a region on a date; a second figure for the same body,
    region and date corrects the first (the audit keeps both: ``training.headcount.create``,
    then ``training.headcount.update`` with the figure before)."""
    region = _check_region(actor, region)
    if body not in BodyKind.values:
        raise Invalid("body", _("Choose the body."))
    if headcount is None or headcount <= 0:
        raise Invalid("headcount", _("The headcount must be a whole number above 0."))
    if headcount > COUNT_MAX:
        raise Invalid("headcount", _("The number is larger than %(max)d.") % {"max": COUNT_MAX})
    if not source.strip():
        raise Invalid("source", _("Name the source of the figure."))
    with transaction.atomic():
        existing = (
            Headcount.objects.select_for_update()
            .filter(body=body, region=region, as_of=as_of)
            .first()
        )
        before = log.snapshot(existing) if existing else None
        head = existing or Headcount(body=body, region=region, as_of=as_of)
        head.headcount, head.source = headcount, source.strip()
        head.save()
        action = actions.HEADCOUNT_UPDATE if existing else actions.HEADCOUNT_CREATE
        log.write(
            actor, action, head, before=before, after=log.snapshot(head),
            details={"reason": reason} if reason else None,
        )  # fmt: skip
    return head


def export_coverage(
    actor: Actor, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> bytes:
    """The coverage report as a workbook: by region, by body, and the sessions, with headers in
    the active language. Refused (``NotAllowed``) without ``training.view``; audited as
    ``training.export`` with the period."""
    policy.ensure(actor, "training.view")
    rows = coverage(actor, date_from, date_to)
    log.write(
        actor, actions.COVERAGE_EXPORT,
        details={"from": str(date_from or ""), "to": str(date_to or ""), "format": "xlsx"},
    )  # fmt: skip
    book = XlsxBook()
    sheet = book.sheet("regions")
    sheet.append([_("Region"), str(ATTENDANCES), _("Headcount"), str(PER_STAFF),
                  _("Attendances of bodies without a headcount")])  # fmt: skip
    for total in by_region(rows):
        sheet.append([total["region"].name, total["trained"], total["headcount"],
                      total["coverage"], total["uncounted"]])  # fmt: skip
    bodies = book.sheet("bodies")
    bodies.append([_("Region"), _("Body"), str(ATTENDANCES), _("Headcount"), _("As of"),
                   str(PER_STAFF)])  # fmt: skip
    for row in rows:
        bodies.append([
            row["region"].name, str(row["body_label"]), row["trained"], row["headcount"],
            row["as_of"].isoformat() if row["as_of"] else None, row["coverage"],
        ])  # fmt: skip
    sessions = book.sheet("sessions")
    sessions.append([_("Date"), _("Body"), pgettext("organisation", "Unit"), _("Region"), _("Topics"), _("Format"),
                     _("Participants")])  # fmt: skip
    for session in sessions_in(actor, date_from, date_to):
        sessions.append([
            session.held_on.isoformat(), str(session.get_body_display()), session.unit,
            session.region.name, ", ".join(session.topic_labels),
            str(session.get_format_display()), session.total,
        ])  # fmt: skip
    return book.save()
