"""Campaign progress and the plan workbook (import and export).

Progress counts activities by their status on a day (``overdue`` derived from the due date),
per executor, per organisation kind and per region, with reach against plan.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qorgau.access import policy
from qorgau.audit.log import record, snapshot
from qorgau.core import privacy
from qorgau.core.filetypes import TYPES, FileTypeMismatch, check_type, extension
from qorgau.core.importing import ImportRejected, RowError, read_xlsx
from qorgau.core.limits import COUNT_MAX
from qorgau.core.tabular import XlsxBook
from qorgau.reference.models import Region

from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Evidence,
    Organisation,
    OrganisationKind,
    Plan,
    PlanKind,
    Topic,
)

STATUSES = [s.value for s in ActivityStatus]
INDICATORS = ["count", "reach", "participants"]


def plans_for(user) -> QuerySet:
    """Plans the user may see: national plans, and regional plans of their scope."""
    return policy.scoped_or_national(user, "campaigns.view", Plan.objects.all())


def activities_for(user, plan: Plan | None = None) -> QuerySet:
    qs = Activity.objects.filter(plan__in=plans_for(user))
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.select_related("plan", "responsible").prefetch_related("regions", "co_executors")


def _tally(rows: dict, key, status: str) -> None:
    rows.setdefault(key, Counter())[status] += 1


def progress(activities, day: dt.date | None = None) -> dict:
    """Status counts per executor, organisation kind and region; reach totals; overdue lists."""
    day = day or timezone.localdate()
    by_executor, by_kind, by_region = {}, {}, {}
    totals = {f"{side}_{name}": 0 for side in ("planned", "achieved") for name in INDICATORS}
    overdue: dict = defaultdict(list)
    status_counts = Counter()
    for activity in activities:
        status = activity.status_on(day)
        status_counts[status] += 1
        _tally(by_executor, activity.responsible, status)
        _tally(by_kind, activity.responsible.kind, status)
        regions = list(activity.regions.all()) or [None]  # None: the whole country
        for region in regions:
            _tally(by_region, region, status)
        if status == ActivityStatus.OVERDUE:
            overdue[activity.responsible].append(activity)
        if status != ActivityStatus.CANCELLED:
            for name in INDICATORS:
                totals[f"planned_{name}"] += getattr(activity, f"planned_{name}")
                totals[f"achieved_{name}"] += getattr(activity, f"achieved_{name}")
    order = lambda item: (-sum(item[1].values()), str(item[0]))  # noqa: E731
    return {
        "day": day,
        "status_counts": status_counts,
        "status_list": [
            (ActivityStatus(k).label, status_counts[k]) for k in STATUSES if status_counts[k]
        ],
        "by_executor": sorted(by_executor.items(), key=order),
        "by_kind": sorted(((OrganisationKind(k), c) for k, c in by_kind.items()), key=order),
        "by_region": sorted(by_region.items(), key=lambda item: item[0].order if item[0] else 0),
        "totals": totals,
        "overdue": sorted(overdue.items(), key=lambda item: str(item[0])),
    }


# --- The plan workbook -------------------------------------------------------------------

PLAN_FIELDS = [
    "title_kk",
    "title_ru",
    "kind",
    "approved_on",
    "approved_by",
    "lead",
    "period_from",
    "period_to",
    "region",
]
ORG_COLUMNS = ["name_kk", "name_ru", "kind", "region"]
ACTIVITY_COLUMNS = [
    "title_kk", "title_ru", "kind", "topics", "audience", "regions", "responsible", "co_executors",
    "due_on", "status", "cancel_reason", "completed_on", "evidence",
    "planned_count", "achieved_count", "planned_reach", "achieved_reach",
    "planned_participants", "achieved_participants",
]  # fmt: skip
SHEETS = {"plan": "plan", "organisations": "organisations", "activities": "activities"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(raw, sheet, row, column, errors, required=True):
    if not raw:
        if required:
            errors.append(RowError(row, f"{sheet}:{column}", "", _("must not be empty")))
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(RowError(row, f"{sheet}:{column}", raw, _("expected a date as YYYY-MM-DD")))
        return None


def _rows(values: list[tuple]) -> tuple[list[str], list[tuple[int, dict]]]:
    if not values:
        return [], []
    header = [_cell(v) for v in values[0]]
    rows = []
    for number, raw in enumerate(values[1:], start=2):
        cells = [_cell(v) for v in raw]
        if any(cells):
            rows.append((number, dict(zip(header, cells, strict=False))))
    return header, rows


def _key(name: str) -> str:
    """An organisation's or plan's name as compared on import: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def _whole_number(raw: str) -> int | None:
    """A cell as a whole number of 0 or more, or None. Only ASCII digits: ``str.isdigit`` also
    accepts superscripts such as "²", which ``int`` then refuses."""
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _duplicate_plan(plan_data: dict) -> Plan | None:
    """The plan already in the system with the same title (Kazakh or Russian) and approval date
    in the same region, if there is one: re-importing a workbook must not make a second plan."""
    titles = {_key(plan_data["title_kk"]), _key(plan_data["title_ru"])} - {""}
    for plan in Plan.objects.filter(
        approved_on=plan_data["approved_on"], region=plan_data["region"]
    ):
        if titles & {_key(plan.title_kk), _key(plan.title_ru)}:
            return plan
    return None


def _duplicate_error(plan_values: dict) -> RowError:
    number, value = plan_values.get("title_kk", (0, ""))
    return RowError(number, "plan:title_kk", value, _(
        "a plan with this title and approval date is already in the system; "
        "a workbook is imported once"
    ))  # fmt: skip


def import_plan(data: bytes, *, is_demo: bool = False, user=None) -> Plan:
    """Import a plan workbook (format: docs/campaigns.md), all or nothing. Raises ImportRejected
    with every error (sheet:column in the column field).

    Organisations are matched by name (Kazakh or Russian, case and spacing ignored): a row of
    the ``organisations`` sheet naming one already in the system reuses it. A plan with the same
    title and approval date as one already imported (in the same region) is refused."""
    book = read_xlsx(data, list(SHEETS))  # within the documented limits, or ImportRejected
    errors: list[RowError] = []
    for sheet in ("plan", "activities"):
        if sheet not in book:
            errors.append(RowError(0, sheet, "", _("required sheet is missing")))
    if errors:
        raise ImportRejected(errors)
    regions = {r.code: r for r in Region.objects.all()}
    orgs = {}
    for org in Organisation.objects.order_by("pk"):
        orgs.setdefault(_key(org.name_kk), org)
        orgs.setdefault(_key(org.name_ru), org)
    new_orgs = []
    if "organisations" in book:
        header, rows = _rows(book["organisations"])
        errors += [
            RowError(1, f"organisations:{c}", "", _("required column is missing"))
            for c in ORG_COLUMNS[:3]
            if c not in header
        ]
        for number, row in rows:
            if not row.get("name_kk") or not row.get("name_ru"):
                errors.append(
                    RowError(
                        number,
                        "organisations:name_kk",
                        row.get("name_kk", ""),
                        _("both names are required"),
                    )
                )
                continue
            if row.get("kind") not in OrganisationKind.values:
                errors.append(
                    RowError(
                        number,
                        "organisations:kind",
                        row.get("kind", ""),
                        _("expected one of: %(values)s")
                        % {"values": ", ".join(OrganisationKind.values)},
                    )
                )
                continue
            if row.get("region") and row["region"] not in regions:
                errors.append(
                    RowError(
                        number,
                        "organisations:region",
                        row["region"],
                        _("unknown region code (expected e.g. KZ-79)"),
                    )
                )
                continue
            if _key(row["name_kk"]) in orgs or _key(row["name_ru"]) in orgs:
                continue  # already in the system (or earlier in the sheet): reused, not doubled
            org = Organisation(
                name_kk=" ".join(row["name_kk"].split()),
                name_ru=" ".join(row["name_ru"].split()),
                kind=row["kind"],
                region=regions.get(row.get("region", "")),
                is_demo=is_demo,
            )
            new_orgs.append(org)
            orgs.setdefault(_key(org.name_kk), org)
            orgs.setdefault(_key(org.name_ru), org)

    def organisation(name, sheet, row, column):
        org = orgs.get(_key(name)) if name else None
        if org is None:
            errors.append(
                RowError(
                    row,
                    f"{sheet}:{column}",
                    name,
                    _("unknown organisation (add it to the organisations sheet)"),
                )
            )
        return org

    plan_values = {}
    for number, raw in enumerate(book["plan"], start=1):
        if raw and raw[0]:
            plan_values[_cell(raw[0])] = (number, _cell(raw[1]) if len(raw) > 1 else "")
    plan_data = {}
    for field in PLAN_FIELDS:
        number, value = plan_values.get(field, (0, ""))
        if field in ("approved_on", "period_from", "period_to"):
            plan_data[field] = _date(value, "plan", number, field, errors)
        elif field in ("approved_by", "lead"):
            plan_data[field] = organisation(value, "plan", number, field)
        elif field == "region":
            if value and value not in regions:
                errors.append(
                    RowError(
                        number, "plan:region", value, _("unknown region code (expected e.g. KZ-79)")
                    )
                )
            plan_data[field] = regions.get(value)
        elif field == "kind":
            if value not in PlanKind.values:
                errors.append(
                    RowError(
                        number,
                        "plan:kind",
                        value,
                        _("expected one of: %(values)s") % {"values": ", ".join(PlanKind.values)},
                    )
                )
            plan_data[field] = value
        else:
            if not value:
                errors.append(RowError(number, f"plan:{field}", "", _("must not be empty")))
            plan_data[field] = value
    period_from, period_to = plan_data["period_from"], plan_data["period_to"]
    if period_from and period_to and period_from > period_to:
        number, value = plan_values.get("period_to", (0, ""))
        errors.append(
            RowError(number, "plan:period_to", value, _("the period ends before it begins"))
        )
        period_from = period_to = None  # no due date can be checked against it
    if plan_data["kind"] == PlanKind.AKIMAT and not plan_values.get("region", (0, ""))[1]:
        number, _value = plan_values.get("region", (0, ""))
        errors.append(RowError(number, "plan:region", "", _("an akimat's plan needs its region")))
    complete = plan_data["approved_on"] and plan_data["title_kk"] and plan_data["title_ru"]
    if complete and _duplicate_plan(plan_data) is not None:
        errors.append(_duplicate_error(plan_values))

    header, rows = _rows(book["activities"])
    errors += [
        RowError(1, f"activities:{c}", "", _("required column is missing"))
        for c in ACTIVITY_COLUMNS[:10]
        if c not in header
    ]
    if not rows:
        errors.append(RowError(2, "activities", "", _("the file has no rows")))
    parsed = []
    for number, row in rows:
        before = len(errors)
        item = {"row": number}
        for column in ("title_kk", "title_ru"):
            if not row.get(column):
                errors.append(RowError(number, f"activities:{column}", "", _("must not be empty")))
            item[column] = row.get(column, "")
        if row.get("kind") not in ActivityKind.values:
            errors.append(
                RowError(
                    number,
                    "activities:kind",
                    row.get("kind", ""),
                    _("expected one of: %(values)s") % {"values": ", ".join(ActivityKind.values)},
                )
            )
        item["kind"] = row.get("kind")
        topics = [t.strip() for t in row.get("topics", "").split(",") if t.strip()]
        bad_topics = [t for t in topics if t not in Topic.values]
        if bad_topics or not topics:
            errors.append(
                RowError(
                    number,
                    "activities:topics",
                    row.get("topics", ""),
                    _("expected one or more of: %(values)s") % {"values": ", ".join(Topic.values)},
                )
            )
        item["topics"] = topics
        codes = [c.strip() for c in row.get("regions", "").split(",") if c.strip()]
        unknown = [c for c in codes if c not in regions]
        if unknown:
            errors.append(
                RowError(
                    number,
                    "activities:regions",
                    ", ".join(unknown),
                    _("unknown region code (expected e.g. KZ-79)"),
                )
            )
        item["regions"] = [regions[c] for c in codes if c in regions]
        item["responsible"] = organisation(
            row.get("responsible", ""), "activities", number, "responsible"
        )
        item["co_executors"] = [
            organisation(n.strip(), "activities", number, "co_executors")
            for n in row.get("co_executors", "").split(";")
            if n.strip()
        ]
        item["due_on"] = _date(row.get("due_on", ""), "activities", number, "due_on", errors)
        if item["due_on"] and period_from and not period_from <= item["due_on"] <= period_to:
            errors.append(
                RowError(
                    number,
                    "activities:due_on",
                    row["due_on"],
                    _("the due date is outside the plan's period (%(start)s – %(end)s)")
                    % {"start": period_from.isoformat(), "end": period_to.isoformat()},
                )
            )
        item["completed_on"] = _date(
            row.get("completed_on", ""),
            "activities",
            number,
            "completed_on",
            errors,
            required=False,
        )
        status = row.get("status") or ActivityStatus.PLANNED
        if status not in [s.value for s in Activity.STORED]:
            errors.append(
                RowError(
                    number,
                    "activities:status",
                    status,
                    _("expected one of: %(values)s")
                    % {"values": ", ".join(s.value for s in Activity.STORED)},
                )
            )
        if status == ActivityStatus.CANCELLED and not row.get("cancel_reason"):
            errors.append(
                RowError(
                    number,
                    "activities:cancel_reason",
                    "",
                    _("a cancelled activity needs its reason"),
                )
            )
        if status == ActivityStatus.DONE and not item["completed_on"]:
            errors.append(
                RowError(
                    number,
                    "activities:completed_on",
                    "",
                    _("a done activity needs its completion date"),
                )
            )
        item.update(
            stored_status=status,
            cancel_reason=row.get("cancel_reason", ""),
            audience=row.get("audience", ""),
            evidence=row.get("evidence", ""),
        )
        for side in ("planned", "achieved"):
            for name in INDICATORS:
                column = f"{side}_{name}"
                raw = row.get(column, "") or "0"
                value = _whole_number(raw)
                if value is None:
                    errors.append(
                        RowError(
                            number,
                            f"activities:{column}",
                            raw,
                            _("expected a whole number (0 or more)"),
                        )
                    )
                elif value > COUNT_MAX:
                    errors.append(
                        RowError(
                            number,
                            f"activities:{column}",
                            raw,
                            _("the number is larger than %(max)d") % {"max": COUNT_MAX},
                        )
                    )
                item[column] = value or 0
        if len(errors) == before:
            parsed.append(item)
    # A regional coordinator imports only their own region's plans (a national plan has no
    # region and is for a national scope).
    if (
        user is not None
        and not errors
        and not policy.can(user, "campaigns.edit", Plan(region=plan_data["region"]))
    ):
        number, value = plan_values.get("region", (0, ""))
        errors.append(RowError(number, "plan:region", value, _("this plan is outside your region")))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.column.split(":")[0], e.row)))
    with transaction.atomic():
        if _duplicate_plan(plan_data) is not None:  # imported meanwhile by someone else
            raise ImportRejected([_duplicate_error(plan_values)])
        for org in new_orgs:
            if org.pk is None:
                org.save()
        plan = Plan.objects.create(is_demo=is_demo, **plan_data)
        for item in parsed:
            regions_, co = item.pop("regions"), item.pop("co_executors")
            item.pop("row")
            activity = Activity.objects.create(plan=plan, **item)
            activity.regions.set(regions_)
            activity.co_executors.set(co)
        record(
            "campaigns.plan.import", plan, after=snapshot(plan), user=user,
            details={"activities": len(parsed), "organisations_created": len(new_orgs)},
            region_code=plan.region.code if plan.region_id else "",
        )  # fmt: skip
    return plan


def _ensure_visible(user, plan: Plan | None) -> None:
    """Refuse (``policy.NotAllowed``) a user without ``campaigns.view``, or ``plan`` when it is
    not one the user may see (:func:`plans_for`: national plans and their region's)."""
    policy.ensure(user, "campaigns.view")
    if plan is not None and not plans_for(user).filter(pk=plan.pk).exists():
        raise policy.NotAllowed(_("You are not allowed to do this."))


def export_plan(user, plan: Plan) -> bytes:
    """The plan as a workbook in the import format (with each activity's derived status too).
    Refused (``policy.NotAllowed``) unless the user may see the plan; audited as
    ``campaigns.plan.export``."""
    _ensure_visible(user, plan)
    book = XlsxBook()
    sheet = book.sheet("plan")
    for field in PLAN_FIELDS:
        value = getattr(plan, field)
        if isinstance(value, Organisation):
            value = value.name_kk
        elif isinstance(value, Region):
            value = value.code
        sheet.append([field, value.isoformat() if isinstance(value, dt.date) else value or ""])
    activities = plan.activities.prefetch_related("regions", "co_executors").select_related(
        "responsible"
    )
    # The sheets are written in order (write-only workbook): the organisations the plan uses
    # are gathered first, so that their sheet comes before the activities, as in the template.
    used = {plan.approved_by, plan.lead}
    for activity in activities:
        used.add(activity.responsible)
        used.update(activity.co_executors.all())
    orgs = book.sheet("organisations")
    orgs.append(ORG_COLUMNS)
    for org in sorted(used, key=lambda o: o.name_kk):
        orgs.append([org.name_kk, org.name_ru, org.kind, org.region.code if org.region_id else ""])
    sheet = book.sheet("activities")
    sheet.append([*ACTIVITY_COLUMNS, "status_today"])
    for activity in activities:
        sheet.append([
            activity.title_kk, activity.title_ru, activity.kind, ", ".join(activity.topics), activity.audience,
            ", ".join(r.code for r in activity.regions.all()), activity.responsible.name_kk,
            "; ".join(o.name_kk for o in activity.co_executors.all()), activity.due_on.isoformat(),
            activity.stored_status, activity.cancel_reason, activity.completed_on.isoformat() if activity.completed_on else "",
            activity.evidence, activity.planned_count, activity.achieved_count, activity.planned_reach,
            activity.achieved_reach, activity.planned_participants, activity.achieved_participants, activity.status,
        ])  # fmt: skip
    data = book.save()
    record(
        "campaigns.plan.export", plan, user=user,
        details={"activities": len(activities), "format": "xlsx"},
        region_code=plan.region.code if plan.region_id else "",
    )  # fmt: skip
    return data


def intervention_dates(user) -> list[tuple[dt.date, str]]:
    """Campaign dates that the statistics' effect analysis can use: approvals of the plans the
    user may see for the statistics (national plans, and those of their region) and completed
    activities of those plans."""
    plans = policy.scoped_or_national(user, "stats.view", Plan.objects.all())
    dates = [(p.approved_on, f"{p.approved_on} — {p.title}") for p in plans]
    dates += [
        (a.completed_on, f"{a.completed_on} — {a.title}")
        for a in Activity.objects.filter(
            plan__in=plans, stored_status=ActivityStatus.DONE, completed_on__isnull=False
        )
    ]
    return sorted(set(dates))


# --- Coordinators' actions: an activity's status, its indicators, its evidence -------------


class CampaignError(Exception):
    """An action on the campaign was refused; nothing was changed. ``field`` names the input
    the error is about, when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def activity_or_none(user, pk) -> Activity | None:
    """The activity ``pk`` if the user may see it (else None, never a hint that it exists)."""
    return activities_for(user).filter(pk=pk).first()


def can_edit(user, activity: Activity) -> bool:
    """Coordinators edit the activities of the plans of their scope: a regional coordinator
    those of their region's plans, a national one every plan."""
    return policy.can(user, "campaigns.edit", activity.plan)


ACHIEVED = [f"achieved_{name}" for name in INDICATORS]
EDITABLE = ["stored_status", "cancel_reason", "completed_on", *ACHIEVED]


def update_activity(
    user, activity: Activity, *, status: str, cancel_reason: str = "",
    completed_on: dt.date | None = None, achieved_count: int = 0, achieved_reach: int = 0,
    achieved_participants: int = 0,
) -> Activity:  # fmt: skip
    """Set an activity's status (planned, in progress, done with its date, cancelled with its
    reason) and its achieved indicators. ``overdue`` is not set: it follows from the due date."""
    policy.ensure(user, "campaigns.edit", activity.plan)
    if status not in [s.value for s in Activity.STORED]:
        raise CampaignError(_("Choose the status."), "status")
    cancel_reason = cancel_reason.strip()
    if status == ActivityStatus.CANCELLED and not cancel_reason:
        raise CampaignError(_("A cancelled activity needs its reason."), "cancel_reason")
    if found := privacy.problem(cancel_reason=cancel_reason):
        raise CampaignError(*found)
    if status == ActivityStatus.DONE:
        if completed_on is None:
            raise CampaignError(_("A done activity needs its completion date."), "completed_on")
        if completed_on > timezone.localdate():
            raise CampaignError(_("The completion date cannot be in the future."), "completed_on")
    achieved = {
        "achieved_count": achieved_count,
        "achieved_reach": achieved_reach,
        "achieved_participants": achieved_participants,
    }
    for name, value in achieved.items():
        if not isinstance(value, int) or value < 0:
            raise CampaignError(_("Enter a whole number (0 or more)."), name)
        if value > COUNT_MAX:
            raise CampaignError(_("The number is larger than %(max)d.") % {"max": COUNT_MAX}, name)
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
            record(
                "campaigns.activity.update", locked, user=user,
                before=privacy.redact(Activity, {f: _json(before[f]) for f in changed}),
                after=privacy.redact(Activity, {f: _json(after[f]) for f in changed}),
                region_code=_region_code(locked),
            )  # fmt: skip
    return locked


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _region_code(activity: Activity) -> str:
    return activity.plan.region.code if activity.plan.region_id else ""


# Evidence files: what a coordinator attaches (reports, photos, scans). The size keeps the
# server's disk and the upload time sane; the types are the documents such proof comes in.
# Their content is checked against the type the name declares (qorgau.core.filetypes).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def add_evidence(user, activity: Activity, *, url: str = "", file=None, note: str = "") -> Evidence:
    """Attach a link (http or https) or a file (PDF, image, Office document up to
    ``EVIDENCE_MAX_BYTES``) to an activity. A file must really be of the type its name declares
    (libmagic, and the structure of that type: see ``qorgau.core.filetypes``); an Office
    document with macros is refused."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    policy.ensure(user, "campaigns.edit", activity.plan)
    url = url.strip()
    if bool(url) == bool(file):
        raise CampaignError(_("Give either a link or a file."), "url")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise CampaignError(
                _("Enter a link starting with http:// or https://."), "url"
            ) from None
    original = ""
    if file is not None:
        original = file.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
        kind = TYPES.get(extension(original))
        if kind is None:
            raise CampaignError(
                _("This file type is not accepted (accepted: %(types)s).")
                % {"types": ", ".join(sorted(TYPES))},
                "file",
            )
        if file.size > EVIDENCE_MAX_BYTES:
            raise CampaignError(
                _("The file is larger than %(mb)d MB.") % {"mb": EVIDENCE_MAX_BYTES // 2**20},
                "file",
            )
        try:
            check_type(file, extension(original))
        except FileTypeMismatch as exc:
            if exc.macros:
                raise CampaignError(
                    _("Office documents with macros are not accepted."), "file"
                ) from None
            raise CampaignError(_("The file's content does not match its type."), "file") from None
    import uuid

    if found := privacy.problem(note=note, file=original):
        raise CampaignError(*found)
    with transaction.atomic():
        evidence = Evidence(
            activity=activity, url=url, original_name=original, note=note.strip()[:300],
            added_by=user if getattr(user, "pk", None) else None,
        )  # fmt: skip
        if file is not None:
            # A name of our own: the user's file name is kept for display only.
            evidence.file.save(f"{uuid.uuid4().hex}{extension(original)}", file, save=False)
        evidence.save()
        record(
            "campaigns.evidence.add", activity, user=user,
            after={"evidence": evidence.pk, "url": url, "file": privacy.redacted(original),
                   "note": privacy.redacted(evidence.note)},
            region_code=_region_code(activity),
        )  # fmt: skip
    return evidence


def evidence_or_none(user, pk) -> Evidence | None:
    """An evidence item of an activity the user may see (else None)."""
    return (
        Evidence.objects.filter(pk=pk, activity__plan__in=plans_for(user))
        .select_related("activity")
        .first()
    )


def evidence_content_type(evidence: Evidence) -> str:
    return TYPES.get(extension(evidence.original_name), "application/octet-stream")


# --- The progress report as a workbook ----------------------------------------------------


def export_progress(user, plan: Plan | None = None, day: dt.date | None = None) -> bytes:
    """The progress report of the plans the user may see (of ``plan`` alone, when given) as a
    workbook: by executor, by organisation kind, by region (each with every status), the
    overdue list and reach against plan. Headers in the active language. Refused
    (``policy.NotAllowed``) without ``campaigns.view`` or for a plan the user may not see;
    audited as ``campaigns.progress.export``."""
    _ensure_visible(user, plan)
    activities = activities_for(user, plan)
    report = progress(activities, day)
    statuses = [ActivityStatus(k) for k in STATUSES]
    counts = lambda c: [c.get(k.value, 0) for k in statuses] + [sum(c.values())]  # noqa: E731
    book = XlsxBook()
    sheet = book.sheet("executors")
    head = [str(k.label) for k in statuses] + [_("Total")]
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
    labels = {
        "count": _("Publications or events"),
        "reach": _("Reach / views"),
        "participants": _("Participants"),
    }
    for name in INDICATORS:
        totals = report["totals"]
        reach.append([labels[name], totals[f"planned_{name}"], totals[f"achieved_{name}"]])
    data = book.save()
    record(
        "campaigns.progress.export", user=user,
        details={"plan": plan.pk if plan else None, "day": report["day"].isoformat(),
                 "activities": sum(report["status_counts"].values()), "format": "xlsx"},
        region_code=plan.region.code if plan is not None and plan.region_id else "",
    )  # fmt: skip
    return data
