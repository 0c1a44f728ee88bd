"""Training coverage (participants trained against headcount, per region and body) and the
training officer's actions: entering a session and a headcount."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qorgau.access import policy
from qorgau.audit.log import record, snapshot
from qorgau.core.limits import COUNT_MAX
from qorgau.core.tabular import XlsxBook
from qorgau.reference.models import Region

from .models import BodyKind, Headcount, Session, TrainingFormat, TrainingTopic


class TrainingError(Exception):
    """An action was refused; nothing was changed. ``field`` names the input it is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def sessions_for(user) -> QuerySet:
    return policy.scoped(user, "training.view", Session.objects.select_related("region"))


def sessions_in(user, date_from=None, date_to=None) -> QuerySet:
    """The sessions the user may see held in the period: from ``date_from`` (open when None)
    to ``date_to`` (today when None)."""
    sessions = sessions_for(user).filter(held_on__lte=date_to or timezone.localdate())
    if date_from:
        sessions = sessions.filter(held_on__gte=date_from)
    return sessions


def latest_headcounts(user, day: dt.date) -> dict:
    """Per (region id, body): the latest headcount dated on or before ``day`` (never a sum over
    dates — each row is the staff on its date)."""
    heads: dict = {}
    rows = policy.scoped(user, "training.view", Headcount.objects.filter(as_of__lte=day))
    for head in rows.order_by("as_of", "pk"):
        heads[(head.region_id, head.body)] = head
    return heads


def coverage(user, date_from=None, date_to=None) -> list[dict]:
    """Per region and body: participants of the sessions of the period (a person at two
    sessions counts twice — the sessions record numbers, not people), the latest headcount on or
    before the end of the period (today when open), and their ratio. A body without a headcount
    keeps its row (``headcount`` and ``coverage`` None) but is left out of the region totals."""
    day = date_to or timezone.localdate()
    trained: dict = defaultdict(int)
    for session in sessions_in(user, date_from, date_to):
        trained[(session.region_id, session.body)] += session.total
    heads = latest_headcounts(user, day)
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


def by_region(rows: list[dict]) -> list[dict]:
    """The coverage rows summed over the bodies that have a headcount, per region; participants
    of bodies without one are reported apart (``uncounted``), never added to the ratio."""
    totals: dict = {}
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


def _check_region(user, region: Region | None) -> None:
    if region is None:
        raise TrainingError(_("Choose the region."), "region")
    if not policy.can(user, "training.edit", region):
        raise TrainingError(_("This region is outside your scope."), "region")


def create_session(
    user, *, held_on: dt.date, body: str, region: Region, topics: list[str], format: str,
    participants: dict[str, int], unit: str = "",
) -> Session:  # fmt: skip
    """Enter a training session held in the user's scope, with participants by position."""
    _check_region(user, region)
    if held_on > timezone.localdate():
        raise TrainingError(_("A session cannot be entered before it is held."), "held_on")
    if body not in BodyKind.values:
        raise TrainingError(_("Choose the body."), "body")
    if format not in TrainingFormat.values:
        raise TrainingError(_("Choose the format."), "format")
    if not topics or any(t not in TrainingTopic.values for t in topics):
        raise TrainingError(_("Choose one or more topics."), "topics")
    clean = {}
    for position, number in participants.items():
        if not str(position).strip() or not isinstance(number, int) or number < 0:
            raise TrainingError(
                _("Each position needs a name and a whole number (0 or more)."), "participants"
            )
        clean[str(position).strip()] = number
    if sum(clean.values()) > COUNT_MAX:
        raise TrainingError(
            _("The number is larger than %(max)d.") % {"max": COUNT_MAX}, "participants"
        )
    if sum(clean.values()) == 0:
        raise TrainingError(_("Enter the number of participants."), "participants")
    with transaction.atomic():
        session = Session.objects.create(
            held_on=held_on, body=body, unit=unit.strip(), region=region, topics=list(topics),
            format=format, participants=clean,
        )  # fmt: skip
        record("training.session.create", session, after=snapshot(session), user=user)
    return session


def record_headcount(
    user, *, body: str, region: Region, as_of: dt.date, headcount: int, source: str
) -> Headcount:
    """Record the staff of a body in a region on a date; a second figure for the same body,
    region and date corrects the first (the audit keeps both)."""
    _check_region(user, region)
    if body not in BodyKind.values:
        raise TrainingError(_("Choose the body."), "body")
    if headcount is None or headcount <= 0:
        raise TrainingError(_("The headcount must be a whole number above 0."), "headcount")
    if headcount > COUNT_MAX:
        raise TrainingError(
            _("The number is larger than %(max)d.") % {"max": COUNT_MAX}, "headcount"
        )
    if not source.strip():
        raise TrainingError(_("Name the source of the figure."), "source")
    with transaction.atomic():
        existing = (
            Headcount.objects.select_for_update()
            .filter(body=body, region=region, as_of=as_of)
            .first()
        )
        before = snapshot(existing) if existing else None
        head = existing or Headcount(body=body, region=region, as_of=as_of)
        head.headcount, head.source = headcount, source.strip()
        head.save()
        action = "training.headcount.update" if existing else "training.headcount.create"
        record(action, head, before=before, after=snapshot(head), user=user)
    return head


def export_coverage(user, date_from=None, date_to=None) -> bytes:
    """The coverage report as a workbook: by region, by body, and the sessions, with headers in
    the active language. Refused (``policy.NotAllowed``) without ``training.view``; audited as
    ``training.export`` with the period."""
    policy.ensure(user, "training.view")
    rows = coverage(user, date_from, date_to)
    record(
        "training.export",
        details={"from": str(date_from or ""), "to": str(date_to or ""), "format": "xlsx"},
        user=user,
    )
    book = XlsxBook()
    sheet = book.sheet("regions")
    sheet.append([_("Region"), _("Trained"), _("Headcount"), _("Coverage"),
                  _("Participants of bodies without a headcount")])  # fmt: skip
    for total in by_region(rows):
        sheet.append([total["region"].name, total["trained"], total["headcount"],
                      total["coverage"], total["uncounted"]])  # fmt: skip
    bodies = book.sheet("bodies")
    bodies.append([_("Region"), _("Body"), _("Trained"), _("Headcount"), _("As of"), _("Coverage")])
    for row in rows:
        bodies.append([
            row["region"].name, str(row["body_label"]), row["trained"], row["headcount"],
            row["as_of"].isoformat() if row["as_of"] else None, row["coverage"],
        ])  # fmt: skip
    sessions = book.sheet("sessions")
    sessions.append([_("Date"), _("Body"), pgettext("organisation", "Unit"), _("Region"), _("Topics"), _("Format"),
                     _("Participants")])  # fmt: skip
    for session in sessions_in(user, date_from, date_to):
        sessions.append([
            session.held_on.isoformat(), str(session.get_body_display()), session.unit,
            session.region.name, ", ".join(session.topic_labels),
            str(session.get_format_display()), session.total,
        ])  # fmt: skip
    return book.save()
