"""Import and export of cases as CSV (format: ``docs/cases-csv.md``).

An import is all-or-nothing: every row is checked, every problem is reported with its row,
column, value and reason, and nothing is written unless the whole file is clean. An export
followed by an import into an empty database and a second export gives the same file.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.audit import context
from qorgau.audit.log import record
from qorgau.core.importing import ImportRejected, RowError, read_csv_text, require_columns
from qorgau.core.tabular import DictCsvWriter
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
from .models import Case, CaseNumberSequence, Party

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
    "erdr_number",
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
        "erdr_number": case.erdr_number,
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
    writer = DictCsvWriter(out, COLUMNS)
    writer.writeheader()
    count = 0
    for case in export_queryset(cases).iterator(chunk_size=2000):
        writer.writerow(case_row(case))
        if seen is not None:
            seen.append(case.number)
        count += 1
    return count


# --- Import ------------------------------------------------------------------------------

# Date-times are read between these years (Python's own range is 1–9999, and a time zone
# conversion at either end overflows); the rules then refuse what is before the article's entry
# into force or in the future.
YEARS = (1900, 9998)
# Cases per ``registry.case.import`` audit entry.
AUDIT_BATCH = 2000


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
    erdr_number: str = ""
    raw: dict = field(default_factory=dict)
    # Set while the file is numbered: (region, year), the position the file gave, the number.
    year: int = 0
    given: int | None = None
    placeholder: str = ""


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


def _number_error(number: int, value: str) -> RowError:
    if numbering.ERDR_RE.match(value):
        reason = _("an ERDR number goes in the column “erdr_number”")
    else:
        reason = _("expected a number of this register, YYYY-RR-NNNNNN, or nothing")
    return RowError(number, "number", value, reason)


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
            value = parse_datetime(raw)
            if not YEARS[0] <= value.year <= YEARS[1]:
                raise OverflowError
            timezone.localtime(value)
            return value
        except ValueError:
            reason = _("expected a date-time as YYYY-MM-DDTHH:MM:SS+05:00")
        except OverflowError:
            reason = _("the date is out of range (years %(first)d to %(last)d)") % {
                "first": YEARS[0],
                "last": YEARS[1],
            }
        errors.append(RowError(number, column, raw, reason))
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
    case_number, erdr_number = cell("number"), cell("erdr_number")
    given = None
    if case_number and not numbering.NUMBER_RE.match(case_number):
        errors.append(_number_error(number, case_number))
    elif case_number and region and registered_at:
        try:
            given = numbering.check_given(
                case_number, region, timezone.localtime(registered_at).year
            )
        except RegistryError as exc:
            errors.append(RowError(number, "number", case_number, str(exc)))
    if erdr_number:
        try:
            numbering.check_erdr_number(erdr_number)
        except RegistryError as exc:
            errors.append(RowError(number, "erdr_number", erdr_number, str(exc)))
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
        number=case_number,
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
        erdr_number=erdr_number,
        raw=row,
        year=timezone.localtime(registered_at).year,
        given=given,
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


def _duplicates(parsed: list[ParsedRow], column: str) -> list[RowError]:
    """Errors for each row whose value in ``column`` an earlier row already has."""
    errors, first = [], {}
    for item in parsed:
        value = getattr(item, column)
        if value and value in first:
            errors.append(
                RowError(
                    item.row,
                    column,
                    value,
                    _("the same number is in row %(row)d") % {"row": first[value]},
                )
            )
        first.setdefault(value, item.row)
    return errors


@dataclass
class _Block:
    """The rows of one (region, year) sequence: those the file gave a number, and how many
    rows have none."""

    region: Region
    year: int
    given: list[ParsedRow] = field(default_factory=list)
    blank: int = 0


def _plan_numbers(parsed: list[ParsedRow], token: str) -> dict[tuple[int, int], _Block]:
    """Group the rows by sequence and give each its placeholder number."""
    blocks: dict[tuple[int, int], _Block] = {}
    for item in parsed:
        block = blocks.setdefault(
            (item.region.pk, item.year), _Block(region=item.region, year=item.year)
        )
        if item.given is not None:
            block.given.append(item)
        else:
            block.blank += 1
        item.placeholder = numbering.placeholder(
            token, item.region, item.year, given=item.given, ordinal=block.blank
        )
    return blocks


def _sequence_errors(blocks: dict, last_values: dict[tuple[int, int], int]) -> list[RowError]:
    """Errors for the numbers given in the file that do not continue their sequence: the
    numbers a file gives to a (region, year) must be the next ones, without a gap."""
    errors = []
    for key, block in blocks.items():
        last = last_values.get(key, 0)
        first, end = last + 1, last + len(block.given)
        for item in block.given:
            if not first <= item.given <= end:
                errors.append(
                    RowError(
                        item.row,
                        "number",
                        item.number,
                        _(
                            "the numbers given for this region and year must continue its "
                            "sequence without a gap: %(first)s to %(last)s"
                        )
                        % {
                            "first": numbering.format_number(block.year, block.region, first),
                            "last": numbering.format_number(block.year, block.region, end),
                        },
                    )
                )
    return errors


def _last_values(blocks: dict) -> dict[tuple[int, int], int]:
    """The sequences' last positions as they are now (no lock: a check before the real one)."""
    values = {}
    for key, block in blocks.items():
        values[key] = (
            CaseNumberSequence.objects.filter(region=block.region, year=block.year)
            .values_list("last_value", flat=True)
            .first()
            or 0
        )
    return values


def _final_number(item: ParsedRow, block: _Block, last: int) -> tuple[int, str]:
    # As numbering.number_staged gives it: given positions kept, the others after them.
    seq = (
        item.given
        if item.given is not None
        else last + len(block.given) + int(item.placeholder[-6:])
    )
    return seq, numbering.format_number(block.year, block.region, seq)


def _audit_rows(created: list[tuple[ParsedRow, Case]]) -> list[dict]:
    """What the audit keeps of each imported case: its id, its row in the file and the row's
    non-empty cells; the number is added once it is given (:func:`_write_audit`). Built before
    the sequences are locked, so that the locked moment stays short."""
    return [
        {
            "id": case.pk,
            "number": "",
            "row": item.row,
            "values": {c: v for c in COLUMNS if (v := (item.raw.get(c) or "").strip())},
        }
        for item, case in created
    ]


def _write_audit(created: list[tuple[ParsedRow, Case]], rows: list[dict], token: str, user):
    """One ``registry.case.import`` entry per region and batch of cases, listing each case
    with its number and the values it was imported with (they stand for the entries of every
    record the import created)."""
    by_region: dict[Region, list] = {}
    for (item, case), row in zip(created, rows, strict=True):
        row["number"] = case.number
        by_region.setdefault(item.region, []).append(row)
    for region, cases in sorted(by_region.items(), key=lambda pair: pair[0].code):
        for start in range(0, len(cases), AUDIT_BATCH):
            batch = cases[start : start + AUDIT_BATCH]
            record(
                "registry.case.import",
                user=user,
                region_code=region.code,
                details={"import": token, "count": len(batch), "cases": batch},
            )


def _register(item: ParsedRow, by_number: dict, errors: list, *, user, is_demo) -> Case | None:
    """Register one row's case with its placeholder number; None and an error when refused.
    No savepoint per row: a refused row may leave part of its case, but a file with any
    refused row is rolled back whole."""
    joined_to = None
    if item.joined_to:
        joined_to = (
            by_number.get(item.joined_to) or Case.objects.filter(number=item.joined_to).first()
        )
        if joined_to is None:
            errors.append(RowError(item.row, "joined_to", item.joined_to, _("no such case")))
            return None
    try:
        return services.register_case(
            user=user,
            region=item.region,
            article_part=item.article_part,
            registered_at=item.registered_at,
            investigating_body=item.body,
            parties=item.parties,
            number=item.placeholder,
            erdr_number=item.erdr_number,
            is_demo=item.is_demo if is_demo is None else is_demo,
            status=item.status,
            status_at=item.status_at,
            ground=item.ground,
            joined_to=joined_to,
        )
    except RegistryError as exc:
        column = exc.field or "status"
        errors.append(RowError(item.row, column, item.raw.get(column, ""), str(exc)))
        return None


def import_cases(data: bytes | str, *, user=None, is_demo: bool | None = None) -> list[Case]:
    """Import cases from CSV text, all or nothing. Raises ImportRejected with every error.

    ``is_demo`` overrides the file's ``demo`` column when given.

    The cases are registered one by one through ``services.register_case`` with placeholder
    numbers and without any sequence lock; only at the end, in the same transaction, are the
    sequences they need locked (in a fixed order), the numbers given in one statement per
    sequence, and the audit entries written — so a registration elsewhere waits for that
    moment, never for the whole file.
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
    for number, row in enumerate(rows, start=2):
        item, row_errors = _parse_row(row, number, lookups)
        errors += row_errors
        if item is not None:
            parsed.append(item)
    duplicates = _duplicates(parsed, "number") + _duplicates(parsed, "erdr_number")
    errors += duplicates
    repeated = {e.row for e in duplicates}
    parsed = [item for item in parsed if item.row not in repeated]
    token = numbering.import_token()
    blocks = _plan_numbers(parsed, token)
    errors += _sequence_errors(blocks, _last_values(blocks))
    # The rows whose cells are valid are tried too (and rolled back), so the report lists the
    # rule errors of the whole file, not only its cell errors.

    # Rows that join a case to another come last, so the absorbing case exists by then.
    parsed.sort(key=lambda item: item.status == CaseStatus.JOINED)
    created: list[tuple[ParsedRow, Case]] = []
    with transaction.atomic():
        by_number: dict[str, Case] = {}
        with context.entries_replaced():
            for item in parsed:
                case = _register(item, by_number, errors, user=user, is_demo=is_demo)
                if case is not None:
                    by_number[item.number] = case
                    created.append((item, case))
        if not errors:
            # The short end: lock, number, audit, commit. PostgreSQL checks the foreign keys
            # of every row written at the commit; check them now, before the locks are taken.
            if connection.vendor == "postgresql":
                connection.check_constraints()
            audit_rows = _audit_rows(created)
            locked = numbering.lock_sequences({(b.region, b.year) for b in blocks.values()})
            last = {key: sequence.last_value for key, sequence in locked.items()}
            errors += _sequence_errors(blocks, last)
        if errors:
            errors.sort(key=lambda e: e.row)
            raise ImportRejected(errors)
        try:
            for key, block in blocks.items():
                numbering.number_staged(
                    token, block.region, block.year, locked[key], len(block.given), block.blank
                )
        except RegistryError as exc:
            raise ImportRejected([RowError(0, "number", "", str(exc))]) from None
        for item, case in created:
            key = (item.region.pk, item.year)
            case.number_seq, case.number = _final_number(item, blocks[key], last[key])
            case.number_year = item.year
        _write_audit(created, audit_rows, token, user)
    return [case for _item, case in created]
