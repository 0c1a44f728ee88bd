"""The plan workbook (format: docs/campaigns.md): its sheets and columns, reading and writing it.

Every row is checked by a form: the ``plan`` sheet (field, value pairs) by :class:`PlanForm`,
each row of ``organisations`` by :class:`OrganisationRow`, each row of ``activities`` by
:class:`ActivityRow`. A form's errors — a cell that is not what its column holds, and a rule
across cells (a period that ends before it begins, a done activity without its date) — become
:class:`~qorgau.core.importing.RowError` naming the sheet, the row and the column, all listed
together. :func:`read` raises ``ImportRejected`` with every error of the file, or returns what
the services write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qorgau.core import privacy
from qorgau.core.importing import ImportRejected, RowError, read_xlsx
from qorgau.core.limits import COUNT_MAX
from qorgau.core.tabular import XlsxBook
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
INDICATORS = ["count", "reach", "participants"]
COUNT_COLUMNS = [f"{side}_{name}" for name in INDICATORS for side in ("planned", "achieved")]
ACTIVITY_COLUMNS = [
    "title_kk", "title_ru", "kind", "topics", "audience", "regions", "responsible", "co_executors",
    "due_on", "status", "cancel_reason", "completed_on", "evidence", *COUNT_COLUMNS,
]  # fmt: skip
SHEETS = ["plan", "organisations", "activities"]
REQUIRED_SHEETS = ["plan", "activities"]
REQUIRED_ORG_COLUMNS = ORG_COLUMNS[:3]
REQUIRED_ACTIVITY_COLUMNS = ACTIVITY_COLUMNS[:10]
STORED_STATUSES = [s.value for s in Activity.STORED]


def cell(value: object) -> str:
    """A cell's value as the import compares it: text, dates as YYYY-MM-DD, 3.0 as "3"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def key(name: str) -> str:
    """An organisation's or plan's name as compared on import: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def whole_number(raw: str) -> int | None:
    """A cell as a whole number of 0 or more, or None. Only ASCII digits: ``str.isdigit`` also
    accepts superscripts such as "²", which ``int`` then refuses."""
    return int(raw) if raw.isascii() and raw.isdigit() else None


def duplicate_plan(values: Mapping[str, Any]) -> Plan | None:
    """The plan already in the system with the same title (Kazakh or Russian) and approval date
    in the same region, if there is one: re-importing a workbook must not make a second plan."""
    titles = {key(values["title_kk"]), key(values["title_ru"])} - {""}
    for plan in Plan.objects.filter(approved_on=values["approved_on"], region=values["region"]):
        if titles & {key(plan.title_kk), key(plan.title_ru)}:
            return plan
    return None


class Names:
    """What rows name: regions by ISO code, organisations by name (Kazakh or Russian, case and
    spacing ignored) — those already in the system and those the workbook adds."""

    def __init__(self, *, is_demo: bool) -> None:
        self.is_demo = is_demo
        self.regions = {r.code: r for r in Region.objects.all()}
        self.orgs: dict[str, Organisation] = {}
        self.new_orgs: list[Organisation] = []
        for org in Organisation.objects.order_by("pk"):
            self._know(org)

    def _know(self, org: Organisation) -> None:
        self.orgs.setdefault(key(org.name_kk), org)
        self.orgs.setdefault(key(org.name_ru), org)

    def organisation(self, name: str) -> Organisation | None:
        return self.orgs.get(key(name)) if name else None

    def add(self, values: Mapping[str, Any]) -> None:
        """An organisation of the ``organisations`` sheet: one already in the system (or earlier
        in the sheet) by either name is reused, not doubled."""
        if key(values["name_kk"]) in self.orgs or key(values["name_ru"]) in self.orgs:
            return
        org = Organisation(
            name_kk=" ".join(values["name_kk"].split()),
            name_ru=" ".join(values["name_ru"].split()),
            kind=values["kind"],
            region=values["region"],
            is_demo=self.is_demo,
        )
        self.new_orgs.append(org)
        self._know(org)


# --- Cells: one field per column ------------------------------------------------------------
# A field's error may name the value it refuses (``params={"cell": …}``) when that is not the
# whole cell (one unknown name of a list); else the error repeats the cell.


class Cell(forms.Field):
    """A cell as text ("" when empty or when the sheet lacks the column)."""

    default_error_messages = {"required": gettext_lazy("must not be empty")}

    def to_python(self, value: Any) -> Any:
        return "" if value is None else str(value)


class DateCell(Cell):
    def to_python(self, value: Any) -> dt.date | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("expected a date as YYYY-MM-DD")) from None


class OneOf(Cell):
    """One of ``values``; an empty cell is ``default``."""

    def __init__(self, values: Iterable[str], *, default: str = "", **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.values, self.default = list(values), default

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)) or self.default

    def validate(self, value: Any) -> None:
        if value not in self.values:
            raise ValidationError(
                _("expected one of: %(values)s") % {"values": ", ".join(self.values)}
            )


class TopicsCell(Cell):
    """One or more topics, separated by commas."""

    def to_python(self, value: Any) -> list[str]:
        return [t.strip() for t in str(super().to_python(value)).split(",") if t.strip()]

    def validate(self, value: Any) -> None:
        if not value or any(topic not in Topic.values for topic in value):
            raise ValidationError(
                _("expected one or more of: %(values)s") % {"values": ", ".join(Topic.values)}
            )


class RegionCell(Cell):
    """A region's ISO code (``many``: codes separated by commas); empty is none."""

    def __init__(self, regions: Mapping[str, Region], *, many: bool = False) -> None:
        super().__init__(required=False)
        self.regions, self.many = regions, many

    def clean(self, value: Any) -> Region | list[Region] | None:
        text = str(self.to_python(value))
        if self.many:
            codes = [code.strip() for code in text.split(",") if code.strip()]
        else:
            codes = [text] if text else []
        unknown = [code for code in codes if code not in self.regions]
        if unknown:
            raise ValidationError(
                _("unknown region code (expected e.g. KZ-79)"), params={"cell": ", ".join(unknown)}
            )
        found = [self.regions[code] for code in codes]
        return found if self.many else (found[0] if found else None)


class OrganisationCell(Cell):
    """An organisation by name (``many``: names separated by semicolons, none is fine); the
    name must be in the system or in the ``organisations`` sheet."""

    def __init__(self, names: Names, *, many: bool = False) -> None:
        super().__init__(required=False)
        self.names, self.many = names, many

    def clean(self, value: Any) -> Organisation | list[Organisation] | None:
        text = str(self.to_python(value))
        wanted = [n.strip() for n in text.split(";") if n.strip()] if self.many else [text]
        found = {name: self.names.organisation(name) for name in wanted}
        unknown = [name for name, org in found.items() if org is None]
        if unknown:
            message = _("unknown organisation (add it to the organisations sheet)")
            raise ValidationError([ValidationError(message, params={"cell": n}) for n in unknown])
        orgs = [org for org in found.values() if org is not None]
        return orgs if self.many else orgs[0]


class CountCell(Cell):
    """A whole number of 0 or more, up to ``COUNT_MAX``; empty is 0."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)) or "0"

    def clean(self, value: Any) -> int:
        raw = self.to_python(value)
        number = whole_number(raw)
        if number is None:
            raise ValidationError(_("expected a whole number (0 or more)"))
        if number > COUNT_MAX:
            raise ValidationError(_("the number is larger than %(max)d") % {"max": COUNT_MAX})
        return number


# --- Rows: one form per row -----------------------------------------------------------------


class RowForm(forms.Form):
    """A row of a sheet checked as a form. Its errors become RowErrors naming the sheet, the
    row and the column (:meth:`row_errors`)."""

    sheet = ""
    row = 0  # the sheet row of a form made of one row
    rows: Mapping[str, int] = MappingProxyType({})  # or each column's own row (the plan sheet)

    def row_of(self, column: str) -> int:
        return self.rows.get(column, self.row)

    def error_at(self, column: str, reason: str, value: str | None = None) -> RowError:
        """The error ``reason`` about ``column`` of this row (repeating its cell)."""
        shown = (self.data.get(column) or "") if value is None else value
        return RowError(self.row_of(column), f"{self.sheet}:{column}", str(shown), reason)

    def row_errors(self) -> list[RowError]:
        found = []
        for column, problems in self.errors.as_data().items():
            for problem in problems:
                value = (problem.params or {}).get("cell")
                found.append(self.error_at(column, str(problem.message), value))
        return found


class PlanForm(RowForm):
    """The ``plan`` sheet: a field name in column A, its value in column B."""

    sheet = "plan"
    title_kk = Cell()
    title_ru = Cell()
    kind = OneOf(PlanKind.values)
    approved_on = DateCell()
    period_from = DateCell()
    period_to = DateCell()

    def __init__(self, data: dict[str, str], rows: dict[str, int], names: Names) -> None:
        super().__init__(data)
        self.rows = rows
        self.fields["approved_by"] = OrganisationCell(names)
        self.fields["lead"] = OrganisationCell(names)
        self.fields["region"] = RegionCell(names.regions)
        self.order_fields(PLAN_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("the period ends before it begins"))
        if data.get("kind") == PlanKind.AKIMAT and not self.data.get("region"):
            self.add_error("region", _("an akimat's plan needs its region"))
        complete = data.get("approved_on") and data.get("title_kk") and data.get("title_ru")
        if complete and duplicate_plan({"region": None, **data}) is not None:
            self.add_error("title_kk", duplicate_message())
        return data

    def period(self) -> tuple[dt.date, dt.date] | None:
        """The plan's period, when both its dates are valid and in order."""
        start, end = self.cleaned_data.get("period_from"), self.cleaned_data.get("period_to")
        return (start, end) if start and end else None

    def values(self) -> dict[str, Any]:
        """The plan's fields as ``Plan`` takes them (of a valid form)."""
        return {name: self.cleaned_data.get(name) for name in PLAN_FIELDS}


def duplicate_message() -> str:
    return _(
        "a plan with this title and approval date is already in the system; "
        "a workbook is imported once"
    )


class OrganisationRow(RowForm):
    sheet = "organisations"
    name_kk = Cell(required=False)
    name_ru = Cell(required=False)
    kind = OneOf(OrganisationKind.values)

    def __init__(self, data: dict[str, str], row: int, names: Names) -> None:
        super().__init__(data)
        self.row = row
        self.fields["region"] = RegionCell(names.regions)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.data.get("name_kk") or not self.data.get("name_ru"):
            self.add_error("name_kk", _("both names are required"))
        return data


class ActivityRow(RowForm):
    sheet = "activities"
    title_kk = Cell()
    title_ru = Cell()
    kind = OneOf(ActivityKind.values)
    topics = TopicsCell()
    audience = Cell(required=False)
    due_on = DateCell()
    status = OneOf(STORED_STATUSES, default=ActivityStatus.PLANNED)
    cancel_reason = Cell(required=False, validators=[privacy.validate])
    completed_on = DateCell(required=False)
    evidence = Cell(required=False)
    planned_count = CountCell()
    achieved_count = CountCell()
    planned_reach = CountCell()
    achieved_reach = CountCell()
    planned_participants = CountCell()
    achieved_participants = CountCell()

    def __init__(
        self, data: dict[str, str], row: int, names: Names, period: tuple[dt.date, dt.date] | None
    ) -> None:
        super().__init__(data)
        self.row, self.period = row, period
        self.fields["regions"] = RegionCell(names.regions, many=True)
        self.fields["responsible"] = OrganisationCell(names)
        self.fields["co_executors"] = OrganisationCell(names, many=True)
        self.order_fields(ACTIVITY_COLUMNS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        due = data.get("due_on")
        if due and self.period and not self.period[0] <= due <= self.period[1]:
            start, end = self.period
            self.add_error("due_on", _(
                "the due date is outside the plan's period (%(start)s – %(end)s)"
            ) % {"start": start.isoformat(), "end": end.isoformat()})  # fmt: skip
        if data.get("status") == ActivityStatus.CANCELLED and not self.data.get("cancel_reason"):
            self.add_error("cancel_reason", _("a cancelled activity needs its reason"))
        if data.get("status") == ActivityStatus.DONE and not data.get("completed_on"):
            done = ValidationError(
                _("a done activity needs its completion date"), params={"cell": ""}
            )
            self.add_error("completed_on", done)
        return data

    def values(self) -> dict[str, Any]:
        """The activity's fields as ``Activity`` takes them, without the many-to-many ones."""
        data = self.cleaned_data
        fields = [c for c in ACTIVITY_COLUMNS if c not in ("regions", "co_executors", "status")]
        return {"stored_status": data["status"], **{name: data[name] for name in fields}}


# --- Reading ------------------------------------------------------------------------------


@dataclass
class CheckedPlan:
    """A workbook read and checked, ready to be written: the plan, its activities, and the
    organisations its ``organisations`` sheet adds (not yet saved)."""

    plan: PlanForm
    activities: list[ActivityRow]
    new_orgs: list[Organisation]


def _rows(values: list[tuple[Any, ...]]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the non-empty rows (numbered as the spreadsheet shows them) of a sheet."""
    if not values:
        return [], []
    header = [cell(v) for v in values[0]]
    rows = []
    for number, raw in enumerate(values[1:], start=2):
        cells = [cell(v) for v in raw]
        if any(cells):
            rows.append((number, dict(zip(header, cells, strict=False))))
    return header, rows


def _missing_columns(sheet: str, header: list[str], required: list[str]) -> list[RowError]:
    return [
        RowError(1, f"{sheet}:{column}", "", _("required column is missing"))
        for column in required
        if column not in header
    ]


def _read_organisations(values: list[tuple[Any, ...]] | None, names: Names) -> list[RowError]:
    """Check the ``organisations`` sheet (optional) and add its organisations to ``names``."""
    if values is None:
        return []
    header, rows = _rows(values)
    errors = _missing_columns("organisations", header, REQUIRED_ORG_COLUMNS)
    for number, cells in rows:
        form = OrganisationRow(cells, number, names)
        if form.is_valid():
            names.add(form.cleaned_data)
        errors += form.row_errors()
    return errors


def _read_plan(values: list[tuple[Any, ...]], names: Names) -> PlanForm:
    cells: dict[str, str] = {}
    rows: dict[str, int] = {}
    for number, raw in enumerate(values, start=1):
        if raw and raw[0]:
            name = cell(raw[0])
            cells[name], rows[name] = (cell(raw[1]) if len(raw) > 1 else ""), number
    form = PlanForm(cells, rows, names)
    form.is_valid()
    return form


def _read_activities(
    values: list[tuple[Any, ...]], names: Names, plan: PlanForm
) -> tuple[list[ActivityRow], list[RowError]]:
    header, rows = _rows(values)
    errors = _missing_columns("activities", header, REQUIRED_ACTIVITY_COLUMNS)
    if not rows:
        errors.append(RowError(2, "activities", "", _("the file has no rows")))
    forms_ = [ActivityRow(cells, number, names, plan.period()) for number, cells in rows]
    for form in forms_:
        form.is_valid()
        errors += form.row_errors()
    return forms_, errors


def read(data: bytes, *, is_demo: bool = False) -> CheckedPlan:
    """Read and check a plan workbook. Raises ``ImportRejected`` with every error of the file
    (sheet:column in each error's column), sorted by sheet and row."""
    book = read_xlsx(data, SHEETS)  # within the documented limits, or ImportRejected
    missing = [
        RowError(0, sheet, "", _("required sheet is missing"))
        for sheet in REQUIRED_SHEETS
        if sheet not in book
    ]
    if missing:
        raise ImportRejected(missing)
    names = Names(is_demo=is_demo)
    errors = _read_organisations(book.get("organisations"), names)
    plan = _read_plan(book["plan"], names)
    errors += plan.row_errors()
    activities, more = _read_activities(book["activities"], names, plan)
    errors += more
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.column.split(":")[0], e.row)))
    return CheckedPlan(plan, activities, names.new_orgs)


# --- Writing ------------------------------------------------------------------------------


def _plan_cell(value: object) -> object:
    if isinstance(value, Organisation):
        return value.name_kk
    if isinstance(value, Region):
        return value.code
    return value.isoformat() if isinstance(value, dt.date) else value or ""


def _activity_cells(activity: Activity) -> list[object]:
    completed = activity.completed_on.isoformat() if activity.completed_on else ""
    return [
        activity.title_kk, activity.title_ru, activity.kind, ", ".join(activity.topics),
        activity.audience, ", ".join(r.code for r in activity.regions.all()),
        activity.responsible.name_kk, "; ".join(o.name_kk for o in activity.co_executors.all()),
        activity.due_on.isoformat(), activity.stored_status, activity.cancel_reason, completed,
        activity.evidence, activity.planned_count, activity.achieved_count,
        activity.planned_reach, activity.achieved_reach, activity.planned_participants,
        activity.achieved_participants, activity.status,
    ]  # fmt: skip


def write(plan: Plan, activities: list[Activity]) -> bytes:
    """``plan`` as a workbook in the import format (with each activity's derived status too)."""
    book = XlsxBook()
    sheet = book.sheet("plan")
    for field in PLAN_FIELDS:
        sheet.append([field, _plan_cell(getattr(plan, field))])
    # The sheets are written in order (write-only workbook): the organisations the plan uses
    # are gathered first, so that their sheet comes before the activities, as in the template.
    used = {plan.approved_by, plan.lead}
    for activity in activities:
        used.add(activity.responsible)
        used.update(activity.co_executors.all())
    orgs = book.sheet("organisations")
    orgs.append(ORG_COLUMNS)
    for org in sorted(used, key=lambda o: o.name_kk):
        orgs.append([org.name_kk, org.name_ru, org.kind, org.region.code if org.region else ""])
    sheet = book.sheet("activities")
    sheet.append([*ACTIVITY_COLUMNS, "status_today"])
    for activity in activities:
        sheet.append(_activity_cells(activity))
    return book.save()
