"""Import and export of cases as CSV (format: ``docs/cases-csv.md``).

An import is all-or-nothing: every row is checked, every problem is reported with its row,
column, value and reason, and nothing is written unless the whole file is clean. An export
followed by an import into an empty database and a second export gives the same file.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.core.importing import ImportRejected, RowError, read_csv_text, require_columns
from qorgau.reference.models import ArticlePart, Body, Region

from . import numbering, services
from .choices import (
    AgeBand,
    CaseStatus,
    PartyRole,
    Relationship,
    Sex,
    SuspensionGround,
    TerminationGround,
)
from .errors import RegistryError
from .models import Case, Party

COLUMNS = [
    "number",
    "article",
    "part",
    "region",
    "registered_at",
    "status",
    "status_at",
    "termination_ground",
    "suspension_ground",
    "joined_to",
    "investigating_body",
    "victim_sex",
    "victim_age_band",
    "relationship",
    "demo",
    "victim_consent",
]
REQUIRED = ["article", "part", "region", "registered_at", "status"]
TRUE, FALSE = "1", "0"


def format_datetime(value: dt.datetime | None) -> str:
    """ISO 8601 in Kazakhstan's local time with its offset, to the second."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def parse_datetime(raw: str) -> dt.datetime:
    """Parse ISO 8601 date-time; without an offset it is Kazakhstan's local time."""
    value = dt.datetime.fromisoformat(raw.replace(" ", "T", 1))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# --- Export ------------------------------------------------------------------------------


def _first(parties, role) -> Party | None:
    return next((p for p in parties if p.role == role), None)


def case_row(case: Case) -> dict[str, str]:
    """One case as a CSV row. Its first victim and first suspect stand for its parties.

    Purpose limitation: a victim's attributes leave the system in a case-level file only with
    the victim's recorded consent; without it the victim columns stay empty (aggregate
    statistics are computed inside the system and are not affected). The suspect's
    relationship to the victim is a fact about the victim too: it is written only when the
    case's victims are recorded and every one of them consented (a party does not say which
    victim the relationship is to)."""
    parties = list(case.parties.all())
    victims = [p for p in parties if p.role == PartyRole.VICTIM]
    victim = next((p for p in victims if p.consent_further_use), None)
    all_consented = bool(victims) and all(p.consent_further_use for p in victims)
    suspect = _first(parties, PartyRole.SUSPECT)
    return {
        "number": case.number,
        "article": case.article_part.article.code,
        "part": str(case.article_part.number),
        "region": case.region.code,
        "registered_at": format_datetime(case.registered_at),
        "status": case.status,
        "status_at": format_datetime(case.status_at),
        "termination_ground": case.termination_ground,
        "suspension_ground": case.suspension_ground,
        "joined_to": case.joined_to.number if case.joined_to_id else "",
        "investigating_body": case.investigating_body.code if case.investigating_body_id else "",
        "victim_sex": victim.sex if victim else "",
        "victim_age_band": victim.age_band if victim else "",
        "relationship": suspect.relationship if suspect and all_consented else "",
        "demo": TRUE if case.is_demo else FALSE,
        "victim_consent": TRUE if victim else "",
    }


def export_queryset(cases: QuerySet) -> QuerySet:
    """The cases in export order, with what each row needs fetched in a few queries."""
    return (
        cases.select_related("article_part__article", "region", "joined_to", "investigating_body")
        .prefetch_related("parties")
        .order_by("registered_at", "number")
    )


def export_cases(cases: QuerySet, out: io.TextIOBase, seen: list | None = None) -> int:
    """Write ``cases`` as CSV to ``out``; returns the number of rows. The numbers written are
    appended to ``seen`` when given (for the audit trail)."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for case in export_queryset(cases).iterator(chunk_size=2000):
        writer.writerow(case_row(case))
        if seen is not None:
            seen.append(case.number)
        count += 1
    return count


# --- Import ------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    """A row whose cells are valid on their own; references to other rows are checked later."""

    row: int
    number: str
    article_part: ArticlePart
    region: Region
    registered_at: dt.datetime
    status: str
    status_at: dt.datetime | None
    ground: str
    joined_to: str
    body: Body | None
    parties: list = field(default_factory=list)
    is_demo: bool = False
    raw: dict = field(default_factory=dict)


def _choice(row, number, column, allowed, errors, *, blank_ok=True):
    value = (row.get(column) or "").strip()
    if value == "" and blank_ok:
        return ""
    if value not in allowed:
        errors.append(
            RowError(
                number,
                column,
                value,
                _("expected one of: %(values)s") % {"values": ", ".join(v for v in allowed if v)},
            )
        )
        return None
    return value


def _parse_row(row: dict, number: int, lookups: dict) -> tuple[ParsedRow | None, list[RowError]]:
    errors: list[RowError] = []
    if "__extra__" in row:
        errors.append(
            RowError(number, "", ",".join(row["__extra__"]), _("more cells than columns"))
        )

    def cell(column):
        return (row.get(column) or "").strip()

    for column in REQUIRED:
        if not cell(column):
            errors.append(RowError(number, column, "", _("must not be empty")))
    article_code, part_raw, region_code = cell("article"), cell("part"), cell("region")
    part = None
    if article_code and article_code not in lookups["articles"]:
        errors.append(RowError(number, "article", article_code, _("unknown article")))
    elif article_code and part_raw:
        part = lookups["parts"].get((article_code, part_raw))
        if part is None:
            errors.append(
                RowError(
                    number,
                    "part",
                    part_raw,
                    _("article %(article)s has no such part") % {"article": article_code},
                )
            )
    region = lookups["regions"].get(region_code)
    if region_code and region is None:
        errors.append(
            RowError(number, "region", region_code, _("unknown region code (expected e.g. KZ-79)"))
        )

    def when(column):
        raw = cell(column)
        if not raw:
            return None
        try:
            return parse_datetime(raw)
        except ValueError:
            errors.append(
                RowError(
                    number, column, raw, _("expected a date-time as YYYY-MM-DDTHH:MM:SS+05:00")
                )
            )
            return None

    registered_at, status_at = when("registered_at"), when("status_at")
    status = (
        _choice(row, number, "status", CaseStatus.values, errors, blank_ok=False)
        if cell("status")
        else None
    )
    termination = _choice(row, number, "termination_ground", TerminationGround.values, errors)
    suspension = _choice(row, number, "suspension_ground", SuspensionGround.values, errors)
    if termination and status != CaseStatus.TERMINATED:
        errors.append(
            RowError(
                number,
                "termination_ground",
                termination,
                _("a termination ground is given only with the status “terminated”"),
            )
        )
    if suspension and status != CaseStatus.SUSPENDED:
        errors.append(
            RowError(
                number,
                "suspension_ground",
                suspension,
                _("a suspension ground is given only with the status “suspended”"),
            )
        )
    body = None
    if cell("investigating_body"):
        body = lookups["bodies"].get(cell("investigating_body"))
        if body is None:
            errors.append(
                RowError(
                    number, "investigating_body", cell("investigating_body"), _("unknown body code")
                )
            )
    victim_sex = _choice(row, number, "victim_sex", Sex.values, errors)
    victim_age = _choice(row, number, "victim_age_band", AgeBand.values, errors)
    relationship = _choice(row, number, "relationship", Relationship.values, errors)
    demo = _choice(row, number, "demo", [TRUE, FALSE], errors)
    consent = _choice(row, number, "victim_consent", [TRUE, FALSE], errors)
    if errors:
        return None, errors
    parties = []
    if victim_sex or victim_age:
        parties.append(
            services.PartyData(
                role=PartyRole.VICTIM,
                sex=victim_sex or Sex.UNKNOWN,
                age_band=victim_age or AgeBand.UNKNOWN,
                consent_further_use={TRUE: True, FALSE: False}.get(consent),
            )
        )
    if relationship:
        parties.append(services.PartyData(role=PartyRole.SUSPECT, relationship=relationship))
    return ParsedRow(
        row=number,
        number=cell("number"),
        article_part=part,
        region=region,
        registered_at=registered_at,
        status=status,
        status_at=status_at,
        ground=termination or suspension or "",
        joined_to=cell("joined_to"),
        body=body,
        parties=parties,
        is_demo=demo == TRUE,
        raw=row,
    ), []


def _lookups() -> dict:
    parts = {}
    articles = set()
    for part in ArticlePart.objects.select_related("article"):
        articles.add(part.article.code)
        parts[(part.article.code, str(part.number))] = part
    return {
        "articles": articles,
        "parts": parts,
        "regions": {r.code: r for r in Region.objects.all()},
        "bodies": {b.code: b for b in Body.objects.all()},
    }


def import_cases(data: bytes | str, *, user=None, is_demo: bool | None = None) -> list[Case]:
    """Import cases from CSV text, all or nothing. Raises ImportRejected with every error.

    ``is_demo`` overrides the file's ``demo`` column when given.
    """
    header, rows = read_csv_text(data)
    errors = require_columns(header, REQUIRED)
    unknown = [c for c in header if c not in COLUMNS]
    errors += [RowError(1, c, c, _("unknown column")) for c in unknown]
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "", "", _("the file has no rows"))])
    lookups = _lookups()
    parsed: list[ParsedRow] = []
    seen_numbers: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        item, row_errors = _parse_row(row, number, lookups)
        errors += row_errors
        if item is None:
            continue
        if item.number:
            if item.number in seen_numbers:
                errors.append(
                    RowError(
                        number,
                        "number",
                        item.number,
                        _("the same number is in row %(row)d") % {"row": seen_numbers[item.number]},
                    )
                )
            seen_numbers[item.number] = number
        parsed.append(item)
    # The rows whose cells are valid are tried too (and rolled back), so the report lists the
    # rule errors of the whole file, not only its cell errors.

    # Rows that join a case to another come last, so the absorbing case exists by then.
    parsed.sort(key=lambda item: item.status == CaseStatus.JOINED)
    created: list[Case] = []
    with transaction.atomic():
        numbering.lock_sequences(
            {(item.region, timezone.localtime(item.registered_at).year) for item in parsed}
        )
        by_number: dict[str, Case] = {}
        for item in parsed:
            joined_to = None
            if item.joined_to:
                joined_to = (
                    by_number.get(item.joined_to)
                    or Case.objects.filter(number=item.joined_to).first()
                )
                if joined_to is None:
                    errors.append(
                        RowError(item.row, "joined_to", item.joined_to, _("no such case"))
                    )
                    continue
            try:
                with transaction.atomic():
                    case = services.register_case(
                        user=user,
                        region=item.region,
                        article_part=item.article_part,
                        registered_at=item.registered_at,
                        investigating_body=item.body,
                        parties=item.parties,
                        number=item.number,
                        is_demo=item.is_demo if is_demo is None else is_demo,
                        status=item.status,
                        status_at=item.status_at,
                        ground=item.ground,
                        joined_to=joined_to,
                    )
            except RegistryError as exc:
                column = exc.field or "status"
                errors.append(RowError(item.row, column, item.raw.get(column, ""), str(exc)))
                continue
            by_number[case.number] = case
            created.append(case)
        if errors:
            errors.sort(key=lambda e: e.row)
            transaction.set_rollback(True)
    if errors:
        raise ImportRejected(errors)
    return created
