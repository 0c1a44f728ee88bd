"""Case numbers: ``YYYY-RR-NNNNNN`` (year of registration, the region's ISO numeric code, the
position in that region's sequence for the year), e.g. ``2026-79-000023``.

Numbers are unique and without gaps per region and year, also under concurrent registration:
the sequence row is locked (its ``UPDATE``) inside the transaction that creates the case, so a
rolled-back registration gives its number back and two registrations never read the same value.
Registrations of one region and year queue on that row until the one before commits, so the
lock is taken last: a new case is saved with a provisional number (:func:`provisional`), its
other rows are written, and only then :func:`number_new_case` takes the next position and
writes it on the case in one statement, just before the audit entry and the commit
(docs/registry.md, "Registration under load").

A number given from outside (an import) must be the next of its sequence: the sequence never
jumps. Numbers of other registers (the ERDR) are kept in ``Case.erdr_number`` and never touch
a sequence.

An import registers its cases with placeholder numbers (:func:`placeholder`), without any
sequence lock, and gives them their numbers at the end of its transaction
(:func:`number_staged`): the sequences are locked only for a few statements, however long the
file.
"""

from __future__ import annotations

import re
import uuid

from django.db import models, transaction
from django.db.models.functions import Cast, Concat, LPad, Substr
from django.utils.translation import gettext as _

from qorgau.core.errors import Conflict, Invalid
from qorgau.reference.models import Region

from .models import Case, CaseNumberSequence

# Any number kept by the system (its own or another register's): it appears in addresses.
VALID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
NUMBER_RE = re.compile(r"^(?P<year>\d{4})-(?P<region>\d{2})-(?P<seq>\d{6})$")
# The last position a sequence can give: the number has six digits.
MAX_SEQ = 999_999
# A number of the Unified Register of Pre-trial Investigations (ERDR): 15 digits (assumed from
# numbers quoted in public court and press documents; the format is not published).
ERDR_RE = re.compile(r"^\d{15}$")


def format_number(year: int, region: Region, seq: int) -> str:
    """The number string of position ``seq`` in ``region``'s sequence for ``year``."""
    return f"{year:04d}-{region.code.removeprefix('KZ-')}-{seq:06d}"


def parse_number(number: str) -> tuple[int, str, int] | None:
    """(year, region ISO code, seq) of a number in the system's format, else None."""
    match = NUMBER_RE.match(number)
    if not match:
        return None
    return int(match["year"]), f"KZ-{match['region']}", int(match["seq"])


def check_given(number: str, region: Region, year: int) -> int | None:
    """The position of a supplied ``number`` in the system's format, checked to belong to
    ``region`` and ``year``; None for a number of another format. Raises :class:`Invalid`."""
    parsed = parse_number(number)
    if parsed is None:
        return None
    number_year, number_region, seq = parsed
    if number_region != region.code or number_year != year:
        raise Invalid(
            "number",
            _("Number %(number)s belongs to another region or year.") % {"number": number},
        )
    return seq


def check_erdr_number(value: str) -> None:
    """Raise :class:`Invalid` unless ``value`` is an ERDR number (15 digits)."""
    if not ERDR_RE.match(value):
        raise Invalid(
            "erdr_number",
            _("An ERDR number has 15 digits (got “%(number)s”).") % {"number": value},
        )


def _sequence_full(region: Region, year: int) -> Conflict:
    return Conflict(
        _("The case numbers of %(region)s for %(year)d are used up (%(max)d).")
        % {"region": region.code, "year": year, "max": MAX_SEQ},
        field="number",
    )


def _locked_sequence(region: Region, year: int) -> CaseNumberSequence:
    # Create the row if it is missing without failing when a concurrent transaction creates it
    # first (ON CONFLICT DO NOTHING), then lock it.
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(region=region, year=year)], ignore_conflicts=True
    )
    return CaseNumberSequence.objects.select_for_update().get(region=region, year=year)


def lock_sequences(pairs: set[tuple[Region, int]]) -> dict[tuple[int, int], CaseNumberSequence]:
    """Lock several (region, year) sequences in one fixed order, so that two imports touching
    the same regions cannot deadlock by locking them in opposite orders. Returns the locked
    rows by (region id, year)."""
    return {
        (region.pk, year): _locked_sequence(region, year)
        for region, year in sorted(pairs, key=lambda pair: (pair[0].code, pair[1]))
    }


# A new case's number until :func:`number_new_case` gives it its own: unique, never in the
# system's format (``NUMBER_RE``), never seen outside its transaction.
_PROVISIONAL = "new-{token}"


def provisional() -> str:
    """A unique stand-in number for a case saved before it is numbered."""
    return _PROVISIONAL.format(token=uuid.uuid4().hex)


# Move the (region, year) sequence on by one unless it is full; no row: missing or full.
_ADVANCE = """
UPDATE registry_casenumbersequence SET last_value = last_value + 1
WHERE region_id = %s AND year = %s AND last_value < %s
RETURNING last_value
"""
# PostgreSQL: the same, and the position and the number written on the case, in one statement
# (one round trip under the lock). SQLite has no UPDATE in a WITH clause: two statements there.
_ADVANCE_AND_NUMBER = """
WITH taken AS (
    UPDATE registry_casenumbersequence SET last_value = last_value + 1
    WHERE region_id = %s AND year = %s AND last_value < %s
    RETURNING last_value
)
UPDATE registry_case
SET number = %s || lpad(taken.last_value::text, 6, '0'),
    number_year = %s, number_seq = taken.last_value
FROM taken WHERE registry_case.id = %s
RETURNING taken.last_value
"""


def _advance(case: Case, region: Region, year: int) -> int | None:
    connection = transaction.get_connection()
    prefix = format_number(year, region, 0)[:-6]  # "YYYY-RR-"
    params: list[object] = [region.pk, year, MAX_SEQ]
    if connection.vendor == "postgresql":
        params += [prefix, year, case.pk]
    sql = _ADVANCE_AND_NUMBER if connection.vendor == "postgresql" else _ADVANCE
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    seq = int(row[0])
    if connection.vendor != "postgresql":
        Case.objects.filter(pk=case.pk).update(
            number=format_number(year, region, seq), number_year=year, number_seq=seq
        )
    return seq


def number_new_case(case: Case, region: Region, year: int) -> None:
    """Give ``case`` — saved in this transaction with a :func:`provisional` number — the next
    number of ``region`` in ``year``, on the row and on the object. Takes the sequence's lock,
    held until the commit: call it as late as possible, after every other row of the
    registration and before the first audit entry of the transaction (the trail's lock is
    always taken after a sequence's, never before, so the two cannot deadlock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_new_case() must be called inside transaction.atomic()")
    seq = _advance(case, region, year)
    if seq is None:
        # The region's first case of the year (no sequence row yet), or the sequence is full.
        # ON CONFLICT DO NOTHING: a concurrent transaction may be creating the same row.
        CaseNumberSequence.objects.bulk_create(
            [CaseNumberSequence(region=region, year=year)], ignore_conflicts=True
        )
        seq = _advance(case, region, year)
    if seq is None:
        raise _sequence_full(region, year)
    case.number, case.number_year, case.number_seq = format_number(year, region, seq), year, seq


def claim_number(region: Region, year: int, seq: int) -> None:
    """Take a number in the system's format supplied from outside: it must be the next of its
    sequence, or the sequence would jump and leave a gap. Raises :class:`Conflict` otherwise."""
    sequence = _locked_sequence(region, year)
    if seq != sequence.last_value + 1:
        raise Conflict(
            _("Number %(number)s is not the next of its sequence; the next is %(next)s.")
            % {
                "number": format_number(year, region, seq),
                "next": format_number(year, region, sequence.last_value + 1),
            },
            field="number",
        )
    sequence.last_value = seq
    sequence.save(update_fields=["last_value"])


# --- Numbers of an import, given at the end of its transaction ------------------------------

# imp-<token>-<RR>-<YYYY>-<kind><NNNNNN>: kind "x" holds the position the file gave, "n" the
# row's place among the rows without a number.
_STAGED = "imp-{token}-{region}-{year}-{kind}{value:06d}"
_VALUE_AT = len("imp-") + 12 + len("-RR-YYYY-k") + 1  # first character of the six digits


def import_token() -> str:
    """A token unique to one import, part of its placeholder numbers."""
    return uuid.uuid4().hex[:12]


def placeholder(token: str, region: Region, year: int, *, given: int | None, ordinal: int) -> str:
    """The placeholder number of an imported case until :func:`number_staged` numbers it:
    ``given`` is the position its file gave (a number in the system's format), else None and
    ``ordinal`` its place among the rows of (region, year) without a number (1, 2, …)."""
    kind, value = ("x", given) if given is not None else ("n", ordinal)
    code = region.code.removeprefix("KZ-")
    return _STAGED.format(token=token, region=code, year=year, kind=kind, value=value)


def number_staged(
    token: str, region: Region, year: int, sequence: CaseNumberSequence, given: int, blank: int
) -> None:
    """Number the cases an import registered with placeholders in (region, year), inside the
    import's transaction and under the lock of ``sequence`` (:func:`lock_sequences`): the
    ``given`` cases keep the positions the file gave (checked by the caller to be the next
    ones), the ``blank`` others follow them in the file's order. Two UPDATE statements,
    whatever the number of cases; the sequence moves on by ``given + blank``."""
    last = sequence.last_value
    if last + given + blank > MAX_SEQ:
        raise _sequence_full(region, year)
    code = region.code.removeprefix("KZ-")
    prefix, staged = f"{year:04d}-{code}-", f"imp-{token}-{code}-{year}-"
    position = Cast(Substr("number", _VALUE_AT), models.IntegerField())
    Case.objects.filter(region=region, number__startswith=staged + "x").update(
        number_year=year,
        number_seq=position,
        number=Concat(models.Value(prefix), Substr("number", _VALUE_AT)),
    )
    seq = position + (last + given)
    Case.objects.filter(region=region, number__startswith=staged + "n").update(
        number_year=year,
        number_seq=seq,
        number=Concat(
            models.Value(prefix),
            LPad(Cast(seq, models.CharField()), 6, models.Value("0")),
            output_field=models.CharField(),
        ),
    )
    sequence.last_value = last + given + blank
    sequence.save(update_fields=["last_value"])
