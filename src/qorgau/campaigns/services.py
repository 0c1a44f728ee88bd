"""Campaign progress and the plan workbook (import and export).

Progress counts activities by their status on a day (``overdue`` derived from the due date),
per executor, per organisation kind and per region, with reach against plan.
"""

import datetime as dt
import io
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core.importing import ImportRejected, RowError
from qorgau.reference.models import Region

from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
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


def _rows(sheet) -> tuple[list[str], list[tuple[int, dict]]]:
    values = list(sheet.iter_rows(values_only=True))
    if not values:
        return [], []
    header = [_cell(v) for v in values[0]]
    rows = []
    for number, raw in enumerate(values[1:], start=2):
        cells = [_cell(v) for v in raw]
        if any(cells):
            rows.append((number, dict(zip(header, cells, strict=False))))
    return header, rows


def import_plan(data: bytes, *, is_demo: bool = False, user=None) -> Plan:
    """Import a plan workbook (format: docs/campaigns.md), all or nothing. Raises ImportRejected
    with every error (sheet:column in the column field)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportRejected([RowError(0, "", "", _("the file is not an XLSX workbook"))]) from None
    errors: list[RowError] = []
    for sheet in ("plan", "activities"):
        if sheet not in book.sheetnames:
            errors.append(RowError(0, sheet, "", _("required sheet is missing")))
    if errors:
        raise ImportRejected(errors)
    regions = {r.code: r for r in Region.objects.all()}
    orgs = {}
    for org in Organisation.objects.all():
        orgs[org.name_kk.casefold()] = org
        orgs[org.name_ru.casefold()] = org
    new_orgs = []
    if "organisations" in book.sheetnames:
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
            org = Organisation(
                name_kk=row["name_kk"],
                name_ru=row["name_ru"],
                kind=row["kind"],
                region=regions.get(row.get("region", "")),
                is_demo=is_demo,
            )
            new_orgs.append(org)
            orgs.setdefault(org.name_kk.casefold(), org)
            orgs.setdefault(org.name_ru.casefold(), org)

    def organisation(name, sheet, row, column):
        org = orgs.get(name.casefold()) if name else None
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
    for number, raw in enumerate(book["plan"].iter_rows(values_only=True), start=1):
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
                if not raw.isdigit():
                    errors.append(
                        RowError(
                            number,
                            f"activities:{column}",
                            raw,
                            _("expected a whole number (0 or more)"),
                        )
                    )
                    raw = "0"
                item[column] = int(raw)
        if len(errors) == before:
            parsed.append(item)
    if user is not None and not errors:
        # A regional coordinator imports only their own region's plans.
        scope = policy.scope_of(user)
        if not scope.national and (
            plan_data["region"] is None or plan_data["region"].pk != scope.region_id
        ):
            number, value = plan_values.get("region", (0, ""))
            errors.append(
                RowError(number, "plan:region", value, _("this plan is outside your region"))
            )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.column.split(":")[0], e.row)))
    with transaction.atomic():
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
    return plan


def export_plan(plan: Plan) -> bytes:
    """The plan as a workbook in the import format (with each activity's derived status too)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "plan"
    for field in PLAN_FIELDS:
        value = getattr(plan, field)
        if isinstance(value, Organisation):
            value = value.name_kk
        elif isinstance(value, Region):
            value = value.code
        sheet.append([field, value.isoformat() if isinstance(value, dt.date) else value or ""])
    orgs = book.create_sheet("organisations")
    orgs.append(ORG_COLUMNS)
    activities = book.create_sheet("activities")
    activities.append([*ACTIVITY_COLUMNS, "status_today"])
    used = {plan.approved_by, plan.lead}
    for activity in plan.activities.prefetch_related("regions", "co_executors").select_related(
        "responsible"
    ):
        used.add(activity.responsible)
        used.update(activity.co_executors.all())
        activities.append([
            activity.title_kk, activity.title_ru, activity.kind, ", ".join(activity.topics), activity.audience,
            ", ".join(r.code for r in activity.regions.all()), activity.responsible.name_kk,
            "; ".join(o.name_kk for o in activity.co_executors.all()), activity.due_on.isoformat(),
            activity.stored_status, activity.cancel_reason, activity.completed_on.isoformat() if activity.completed_on else "",
            activity.evidence, activity.planned_count, activity.achieved_count, activity.planned_reach,
            activity.achieved_reach, activity.planned_participants, activity.achieved_participants, activity.status,
        ])  # fmt: skip
    for org in sorted(used, key=lambda o: o.name_kk):
        orgs.append([org.name_kk, org.name_ru, org.kind, org.region.code if org.region_id else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def intervention_dates() -> list[tuple[dt.date, str]]:
    """Campaign dates that the statistics' effect analysis can use: plan approvals and
    completed activities."""
    dates = [(p.approved_on, f"{p.approved_on} — {p.title}") for p in Plan.objects.all()]
    dates += [
        (a.completed_on, f"{a.completed_on} — {a.title}")
        for a in Activity.objects.filter(
            stored_status=ActivityStatus.DONE, completed_on__isnull=False
        )
    ]
    return sorted(set(dates))
