"""Case numbers: ``YYYY-RR-NNNNNN`` (year of registration, the region's ISO numeric code, the
position in that region's sequence for the year), e.g. ``2026-79-000023``.

Numbers are unique and without gaps per region and year, also under concurrent registration:
the sequence row is locked (``SELECT … FOR UPDATE``) inside the transaction that creates the
case, so a rolled-back registration gives its number back and two registrations never read the
same value.
"""

import re

from django.db import transaction

from qorgau.reference.models import Region

from .models import CaseNumberSequence

# Any number kept by the system (its own or another register's): it appears in addresses.
VALID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
NUMBER_RE = re.compile(r"^(?P<year>\d{4})-(?P<region>\d{2})-(?P<seq>\d{6})$")


def format_number(year: int, region: Region, seq: int) -> str:
    """The number string of position ``seq`` in ``region``'s sequence for ``year``."""
    return f"{year:04d}-{region.code.removeprefix('KZ-')}-{seq:06d}"


def parse_number(number: str) -> tuple[int, str, int] | None:
    """(year, region ISO code, seq) of a number in the system's format, else None."""
    match = NUMBER_RE.match(number)
    if not match:
        return None
    return int(match["year"]), f"KZ-{match['region']}", int(match["seq"])


def _locked_sequence(region: Region, year: int) -> CaseNumberSequence:
    # Create the row if it is missing without failing when a concurrent transaction creates it
    # first (ON CONFLICT DO NOTHING), then lock it.
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(region=region, year=year)], ignore_conflicts=True
    )
    return CaseNumberSequence.objects.select_for_update().get(region=region, year=year)


def lock_sequences(pairs: set[tuple[Region, int]]) -> None:
    """Lock several (region, year) sequences in one fixed order, so that two imports touching
    the same regions cannot deadlock by locking them in opposite orders."""
    for region, year in sorted(pairs, key=lambda pair: (pair[0].code, pair[1])):
        _locked_sequence(region, year)


def next_number(region: Region, year: int) -> tuple[str, int]:
    """Take the next number of ``region`` in ``year``. Must run inside the transaction that
    saves the case, so the lock is held until the case is committed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must be called inside transaction.atomic()")
    sequence = _locked_sequence(region, year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return format_number(year, region, sequence.last_value), sequence.last_value


def claim_number(region: Region, year: int, seq: int) -> None:
    """Record that an imported number in the system's format is taken, so that numbers given
    later continue after it (the sequence never goes back)."""
    sequence = _locked_sequence(region, year)
    if seq > sequence.last_value:
        sequence.last_value = seq
        sequence.save(update_fields=["last_value"])
