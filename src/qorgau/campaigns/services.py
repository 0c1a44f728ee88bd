"""The campaign's queries and actions: plans and activities an actor may see, progress, the plan
workbook (import and export), coordinators' updates and evidence, the progress report.

Progress counts activities by their status on a day (``overdue`` derived from the due date),
per executor, per organisation kind and per region, with reach against plan. Every action takes
the acting :class:`~qorgau.core.actors.Actor` first, asks the policy, changes inside a
transaction, writes one audit entry (codes in ``campaigns/actions.py``) and refuses with a
``qorgau.core.errors`` error.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from qorgau.access import policy
from qorgau.audit import log
from qorgau.core import privacy
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid, NotAllowed
from qorgau.core.filetypes import TYPES, FileTypeMismatch, check_type, extension
from qorgau.core.importing import ImportRejected
from qorgau.core.limits import COUNT_MAX
from qorgau.core.tabular import XlsxBook
from qorgau.reference.models import Region

from . import actions, workbook
from .models import Activity, ActivityKind, ActivityStatus, Evidence, OrganisationKind, Plan
from .workbook import INDICATORS

STATUSES = [s.value for s in ActivityStatus]
# Each indicator with its unit. Summed over activities, none of them is a number of people: a
# person who saw three publications is three views, one at two events two attendances (the
# campaign records no person, so how many different people it reached is not known).
INDICATOR_LABELS = {
    "count": gettext_lazy("Publications or events"),
    "reach": gettext_lazy("Views or impressions"),
    "participants": gettext_lazy("Attendances at events (participant-sessions)"),
}
SUMS_NOTE = gettext_lazy(
    "Views and attendances are summed over activities: a person who saw several publications "
    "or attended several events is counted each time. They are not numbers of people; the "
    "campaign records no person, so how many different people were reached is not known."
)


# --- What an actor may see -----------------------------------------------------------------


def plans_for(who: Actor | Any) -> QuerySet[Plan]:
    """Plans ``who`` (an actor or a user) may see: national plans, and regional plans of their
    scope."""
    return policy.scoped_or_national(who, "campaigns.view", Plan.objects.all())


def plans_for_statistics(
    who: Actor | Any, *, regions: Collection[str] = (), approved_by: dt.date | None = None
) -> QuerySet[Plan]:
    """The plans whose dates and figures statistics and replies may use — the one place this
    selection is made: national plans and those of ``who``'s region for ``stats.view`` (every
    plan for a national scope, none without the right); with ``regions`` (ISO codes), only
    national plans and those of these regions; with ``approved_by``, only plans approved on or
    before that day."""
    plans = policy.scoped_or_national(who, "stats.view", Plan.objects.all())
    if regions:
        plans = plans.filter(Q(region__isnull=True) | Q(region__code__in=list(regions)))
    if approved_by is not None:
        plans = plans.filter(approved_on__lte=approved_by)
    return plans


def activities_for(who: Actor | Any, plan: Plan | None = None) -> QuerySet[Activity]:
    """Activities of the plans ``who`` may see (of ``plan`` alone, when given)."""
    qs = Activity.objects.filter(plan__in=plans_for(who))
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.select_related("plan", "responsible").prefetch_related("regions", "co_executors")


def activity_or_none(who: Actor | Any, pk: int) -> Activity | None:
    """The activity ``pk`` if ``who`` may see it (else None, never a hint that it exists)."""
    return activities_for(who).filter(pk=pk).first()


def evidence_or_none(who: Actor | Any, pk: int) -> Evidence | None:
    """An evidence item of an activity ``who`` may see (else None)."""
    return (
        Evidence.objects.filter(pk=pk, activity__plan__in=plans_for(who))
        .select_related("activity__plan__region")
        .first()
    )


def can_edit(who: Actor | Any, activity: Activity) -> bool:
    """Coordinators edit the activities of the plans of their scope: a regional coordinator
    those of their region's plans, a national one every plan."""
    return policy.can(who, "campaigns.edit", activity.plan)


def _ensure_visible(actor: Actor, plan: Plan | None) -> None:
    """Refuse (``NotAllowed``) an actor without ``campaigns.view``, or ``plan`` when it is not
    one the actor may see (:func:`plans_for`: national plans and their region's)."""
    policy.ensure(actor, "campaigns.view")
    if plan is not None and not plans_for(actor).filter(pk=plan.pk).exists():
        raise NotAllowed(_("You are not allowed to do this."))


def _region_code(plan: Plan) -> str:
    return plan.region.code if plan.region_id and plan.region else ""


def intervention_dates(who: Actor | Any) -> list[tuple[dt.date, str]]:
    """Campaign dates that the statistics' effect analysis can use: approvals of the plans
    ``who`` may use for statistics (:func:`plans_for_statistics`) and completed activities of
    those plans."""
    plans = plans_for_statistics(who)
    dates = [(p.approved_on, f"{p.approved_on} — {p.title}") for p in plans]
    done = Activity.objects.filter(
        plan__in=plans, stored_status=ActivityStatus.DONE, completed_on__isnull=False
    )
    dates += [(a.completed_on, f"{a.completed_on} — {a.title}") for a in done if a.completed_on]
    return sorted(set(dates))


# --- Progress -------------------------------------------------------------------------------


def _tally(rows: dict[Any, Counter[str]], key: Any, status: str) -> None:
    rows.setdefault(key, Counter())[status] += 1


def _by_count(item: tuple[Any, Counter[str]]) -> tuple[int, str]:
    return -sum(item[1].values()), str(item[0])


def progress(activities: Iterable[Activity], day: dt.date | None = None) -> dict[str, Any]:
    """Status counts per executor, organisation kind and region; reach totals; overdue lists."""
    day = day or timezone.localdate()
    by_executor: dict[Any, Counter[str]] = {}
    by_kind: dict[Any, Counter[str]] = {}
    by_region: dict[Any, Counter[str]] = {}
    totals = {f"{side}_{name}": 0 for side in ("planned", "achieved") for name in INDICATORS}
    overdue: defaultdict[Any, list[Activity]] = defaultdict(list)
    status_counts: Counter[str] = Counter()
    by_channel: dict[str, Counter[str]] = {}
    for activity in activities:
        status = activity.status_on(day)
        status_counts[status] += 1
        _tally(by_executor, activity.responsible, status)
        _tally(by_kind, activity.responsible.kind, status)
        regions: list[Region | None] = [*activity.regions.all()] or [None]  # None: the country
        for region in regions:
            _tally(by_region, region, status)
        if status == ActivityStatus.OVERDUE:
            overdue[activity.responsible].append(activity)
        if status != ActivityStatus.CANCELLED:
            channel = by_channel.setdefault(activity.kind, Counter())
            channel["activities"] += 1
            for name in INDICATORS:
                for side in ("planned", "achieved"):
                    value = getattr(activity, f"{side}_{name}")
                    totals[f"{side}_{name}"] += value
                    channel[f"{side}_{name}"] += value
    return {
        "day": day,
        "status_counts": status_counts,
        "status_list": [
            (ActivityStatus(k).label, status_counts[k]) for k in STATUSES if status_counts[k]
        ],
        "by_executor": sorted(by_executor.items(), key=_by_count),
        "by_kind": sorted(((OrganisationKind(k), c) for k, c in by_kind.items()), key=_by_count),
        "by_region": sorted(by_region.items(), key=lambda item: item[0].order if item[0] else 0),
        "totals": totals,
        "by_channel": _channels(by_channel),
        "sums_note": SUMS_NOTE,
        "overdue": sorted(overdue.items(), key=lambda item: str(item[0])),
    }


def _channels(by_channel: dict[str, Counter[str]]) -> list[tuple[Any, Counter[str]]]:
    """The indicators per channel (the activity's kind: publication, broadcast, lecture …), in
    the order of the choices, each with its label (translated when shown); cancelled activities
    left out."""
    return [(kind.label, by_channel[kind.value]) for kind in ActivityKind if kind in by_channel]


# --- The plan workbook ---------------------------------------------------------------------


def import_plan(
    actor: Actor, data: bytes, *, is_demo: bool = False, reason: str | None = None
) -> Plan:
    """Import a plan workbook (format: docs/campaigns.md), all or nothing. Raises
    ``ImportRejected`` (an ``Invalid``) with every error of the file, each naming its
    sheet:column and row (``campaigns.workbook``).

    Organisations are matched by name (Kazakh or Russian, case and spacing ignored): a row of
    the ``organisations`` sheet naming one already in the system reuses it. A plan with the same
    title and approval date as one already imported (in the same region) is refused. A regional
    coordinator imports only their own region's plans (a national plan is for a national
    scope). Audited as ``plan.import``."""
    policy.ensure(actor, "campaigns.edit")
    book = workbook.read(data, is_demo=is_demo)
    values = book.plan.values()
    if not policy.can(actor, "campaigns.edit", Plan(region=values["region"])):
        raise ImportRejected([book.plan.error_at("region", _("this plan is outside your region"))])
    with transaction.atomic():
        if workbook.duplicate_plan(values) is not None:  # imported meanwhile by someone else
            raise ImportRejected([book.plan.error_at("title_kk", workbook.duplicate_message())])
        for org in book.new_orgs:
            org.save()
        plan = Plan.objects.create(is_demo=is_demo, **values)
        for row in book.activities:
            activity = Activity.objects.create(plan=plan, **row.values())
            activity.regions.set(row.cleaned_data["regions"])
            activity.co_executors.set(row.cleaned_data["co_executors"])
        # Written last: on PostgreSQL the entry's chain lock is held until the commit.
        log.write(
            actor, actions.PLAN_IMPORT, plan, after=log.snapshot(plan),
            details={"activities": len(book.activities), "organisations_created": len(book.new_orgs),
                     **({"reason": reason} if reason else {})},
            region_code=_region_code(plan),
        )  # fmt: skip
    return plan


def export_plan(actor: Actor, plan: Plan) -> bytes:
    """The plan as a workbook in the import format (with each activity's derived status too).
    Refused (``NotAllowed``) unless the actor may see the plan; audited as ``plan.export``."""
    _ensure_visible(actor, plan)
    activities = list(
        plan.activities.prefetch_related("regions", "co_executors").select_related("responsible")
    )
    data = workbook.write(plan, activities)
    log.write(
        actor, actions.PLAN_EXPORT, plan, details={"activities": len(activities), "format": "xlsx"},
        region_code=_region_code(plan),
    )  # fmt: skip
    return data


# --- Coordinators' actions: an activity's status, its indicators, its evidence -------------

ACHIEVED = [f"achieved_{name}" for name in INDICATORS]
EDITABLE = ["stored_status", "cancel_reason", "completed_on", *ACHIEVED]


def _check_update(
    status: str, cancel_reason: str, completed_on: dt.date | None, achieved: dict[str, int]
) -> None:
    """Refuse (``Invalid``, naming the field) an update the activity may not take."""
    if status not in [s.value for s in Activity.STORED]:
        raise Invalid("status", _("Choose the status."))
    if status == ActivityStatus.CANCELLED and not cancel_reason:
        raise Invalid("cancel_reason", _("A cancelled activity needs its reason."))
    if found := privacy.problem(cancel_reason=cancel_reason):
        raise Invalid(found[1], found[0])
    if status == ActivityStatus.DONE:
        if completed_on is None:
            raise Invalid("completed_on", _("A done activity needs its completion date."))
        if completed_on > timezone.localdate():
            raise Invalid("completed_on", _("The completion date cannot be in the future."))
    for name, value in achieved.items():
        if not isinstance(value, int) or value < 0:
            raise Invalid(name, _("Enter a whole number (0 or more)."))
        if value > COUNT_MAX:
            raise Invalid(name, _("The number is larger than %(max)d.") % {"max": COUNT_MAX})


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def update_activity(
    actor: Actor, activity: Activity, *, status: str, cancel_reason: str = "",
    completed_on: dt.date | None = None, achieved_count: int = 0, achieved_reach: int = 0,
    achieved_participants: int = 0, reason: str | None = None,
) -> Activity:  # fmt: skip
    """Set an activity's status (planned, in progress, done with its date, cancelled with its
    reason) and its achieved indicators. ``overdue`` is not set: it follows from the due date.
    Audited as ``activity.update`` with the changed fields (none changed: no entry)."""
    policy.ensure(actor, "campaigns.edit", activity.plan)
    cancel_reason = cancel_reason.strip()
    achieved = {
        "achieved_count": achieved_count,
        "achieved_reach": achieved_reach,
        "achieved_participants": achieved_participants,
    }
    _check_update(status, cancel_reason, completed_on, achieved)
    with transaction.atomic():
        locked = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("plan__region")
            .get(pk=activity.pk)
        )
        before = {f: getattr(locked, f) for f in EDITABLE}
        locked.stored_status = status
        locked.cancel_reason = cancel_reason if status == ActivityStatus.CANCELLED else ""
        locked.completed_on = completed_on if status == ActivityStatus.DONE else None
        for name, value in achieved.items():
            setattr(locked, name, value)
        after = {f: getattr(locked, f) for f in EDITABLE}
        changed = [f for f in EDITABLE if before[f] != after[f]]
        if changed:
            locked.save(update_fields=changed)
            log.write(
                actor, actions.ACTIVITY_UPDATE, locked,
                before=privacy.redact(Activity, {f: _json(before[f]) for f in changed}),
                after=privacy.redact(Activity, {f: _json(after[f]) for f in changed}),
                details={"reason": reason} if reason else None,
                region_code=_region_code(locked.plan),
            )  # fmt: skip
    return locked


# Evidence files: what a coordinator attaches (reports, photos, scans). The size keeps the
# server's disk and the upload time sane; the types are the documents such proof comes in.
# Their content is checked against the type the name declares (qorgau.core.filetypes).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def _check_url(url: str) -> None:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise Invalid("url", _("Enter a link starting with http:// or https://.")) from None


def _check_file(file: File[Any], name: str) -> None:
    """Refuse a file of a type not accepted, too large, or not of the type its name declares
    (libmagic, and the structure of that type); an Office document with macros."""
    if TYPES.get(extension(name)) is None:
        raise Invalid("file", _("This file type is not accepted (accepted: %(types)s).") % {
            "types": ", ".join(sorted(TYPES))
        })  # fmt: skip
    if file.size is not None and file.size > EVIDENCE_MAX_BYTES:
        raise Invalid("file", _("The file is larger than %(mb)d MB.") % {
            "mb": EVIDENCE_MAX_BYTES // 2**20
        })  # fmt: skip
    try:
        check_type(file, extension(name))
    except FileTypeMismatch as exc:
        if exc.macros:
            raise Invalid("file", _("Office documents with macros are not accepted.")) from None
        raise Invalid("file", _("The file's content does not match its type.")) from None


def add_evidence(
    actor: Actor, activity: Activity, *, url: str = "", file: File[Any] | None = None,
    note: str = "", reason: str | None = None,
) -> Evidence:  # fmt: skip
    """Attach a link (http or https) or a file (PDF, image, Office document up to
    ``EVIDENCE_MAX_BYTES``) to an activity. A file must really be of the type its name declares
    (libmagic, and the structure of that type: see ``qorgau.core.filetypes``); an Office
    document with macros is refused. Audited as ``evidence.add`` (on the activity)."""
    policy.ensure(actor, "campaigns.edit", activity.plan)
    url = url.strip()
    if bool(url) == bool(file):
        raise Invalid("url", _("Give either a link or a file."))
    if url:
        _check_url(url)
    original = ""
    if file is not None:
        original = (file.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
        _check_file(file, original)
    if found := privacy.problem(note=note, file=original):
        raise Invalid(found[1], found[0])
    with transaction.atomic():
        evidence = Evidence(
            activity=activity, url=url, original_name=original, note=note.strip()[:300],
            added_by=actor.user if getattr(actor.user, "pk", None) else None,
        )  # fmt: skip
        if file is not None:
            # A name of our own: the user's file name is kept for display only.
            evidence.file.save(f"{uuid.uuid4().hex}{extension(original)}", file, save=False)
        evidence.save()
        log.write(
            actor, actions.EVIDENCE_ADD, activity,
            after={"evidence": evidence.pk, "url": url, "file": privacy.redacted(original),
                   "note": privacy.redacted(evidence.note)},
            details={"reason": reason} if reason else None,
            region_code=_region_code(activity.plan),
        )  # fmt: skip
    return evidence


def evidence_content_type(evidence: Evidence) -> str:
    return TYPES.get(extension(evidence.original_name), "application/octet-stream")


def open_evidence(actor: Actor, evidence: Evidence) -> IO[bytes]:
    """The stored file of ``evidence``, opened for reading (``FileNotFoundError`` when it is
    gone). Refused (``NotAllowed``) unless the actor may see its plan; audited as
    ``evidence.download``."""
    _ensure_visible(actor, evidence.activity.plan)
    handle: IO[bytes] = evidence.file.open("rb")
    log.write(
        actor, actions.EVIDENCE_DOWNLOAD, evidence, details={"activity": evidence.activity_id},
        region_code=_region_code(evidence.activity.plan),
    )  # fmt: skip
    return handle


# --- The progress report as a workbook ----------------------------------------------------


def _counts(statuses: list[ActivityStatus]) -> Callable[[Counter[str]], list[int]]:
    def counts(c: Counter[str]) -> list[int]:
        return [c.get(k.value, 0) for k in statuses] + [sum(c.values())]

    return counts


def _progress_book(report: dict[str, Any]) -> bytes:
    """The sheets of the progress report: by executor, by kind, by region, overdue, reach."""
    statuses = [ActivityStatus(k) for k in STATUSES]
    counts = _counts(statuses)
    head = [str(k.label) for k in statuses] + [_("Total")]
    book = XlsxBook()
    sheet = book.sheet("executors")
    sheet.append([_("Executor"), _("Kind"), *head])
    for org, c in report["by_executor"]:
        sheet.append([org.name, str(org.get_kind_display()), *counts(c)])
    kinds = book.sheet("kinds")
    kinds.append([_("Kind"), *head])
    for kind, c in report["by_kind"]:
        kinds.append([str(kind.label), *counts(c)])
    regions = book.sheet("regions")
    regions.append([_("Region"), *head])
    for region, c in report["by_region"]:
        regions.append([region.name if region else _("Whole country"), *counts(c)])
    overdue = book.sheet("overdue")
    overdue.append([_("Executor"), _("Activity"), _("Due"), pgettext("campaign", "Plan")])
    for org, items in report["overdue"]:
        for activity in items:
            overdue.append(
                [org.name, activity.title, activity.due_on.isoformat(), activity.plan.title]
            )
    reach = book.sheet("reach")
    reach.append(["", _("Planned"), _("Achieved")])
    for name in INDICATORS:
        totals = report["totals"]
        label = str(INDICATOR_LABELS[name])
        reach.append([label, totals[f"planned_{name}"], totals[f"achieved_{name}"]])
    reach.append([])
    reach.append([str(SUMS_NOTE)])
    channels = book.sheet("channels")
    channels.append([pgettext("campaign", "Channel"), _("Activities")] + [
        f"{INDICATOR_LABELS[name]}: {label}"
        for name in INDICATORS for label in (_("Planned"), _("Achieved"))
    ])  # fmt: skip
    for label, c in report["by_channel"]:
        channels.append([str(label), c["activities"]] + [
            c[f"{side}_{name}"] for name in INDICATORS for side in ("planned", "achieved")
        ])  # fmt: skip
    return book.save()


def export_progress(actor: Actor, plan: Plan | None = None, *, day: dt.date | None = None) -> bytes:
    """The progress report of the plans the actor may see (of ``plan`` alone, when given) as a
    workbook: by executor, by organisation kind, by region (each with every status), the
    overdue list and reach against plan. Headers in the active language. Refused
    (``NotAllowed``) without ``campaigns.view`` or for a plan the actor may not see; audited as
    ``campaign.progress.export``."""
    _ensure_visible(actor, plan)
    report = progress(activities_for(actor, plan), day)
    data = _progress_book(report)
    log.write(
        actor, actions.PROGRESS_EXPORT,
        details={"plan": plan.pk if plan else None, "day": report["day"].isoformat(),
                 "activities": sum(report["status_counts"].values()), "format": "xlsx"},
        region_code=_region_code(plan) if plan is not None else "",
    )  # fmt: skip
    return data
