"""Security review, findings 7, 8 and 12: a case import never holds the number sequences for
long, never makes numbering jump, keeps other registers' numbers apart, and answers every
malformed file with row and column errors in the user's language, never a traceback."""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from qorgau.audit.models import AuditEntry
from qorgau.core import importing
from qorgau.core.errors import Conflict
from qorgau.core.importing import ImportRejected
from qorgau.registry import csvio, numbering
from qorgau.registry.models import Case, CaseNumberSequence
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db

HEADER = "number,article,part,region,registered_at,status"
ERDR = "261500031000123"


def row(number="", region="KZ-79", when="2026-01-05T10:00:00+05:00", status="investigation"):
    return f"{number},115-1,1,{region},{when},{status}"


def csv_text(*rows, header=HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def rejected(data, lang="en") -> list[tuple[int, str]]:
    """Import ``data`` expecting a rejection; (row, column) of each error."""
    with translation.override(lang), pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, data)
    assert all(str(e) for e in info.value.errors)  # every error renders in the language
    return [(e.row, e.column) for e in info.value.errors]


def export_text() -> str:
    out = io.StringIO()
    csvio.export_cases(Case.objects.all(), out)
    return out.getvalue()


# --- Finding 8: numbers ---------------------------------------------------------------------


def test_imported_number_far_ahead_is_refused_and_the_next_web_case_stays_gapless(make_case):
    assert rejected(csv_text(row("2026-79-999999"))) == [(2, "number")]
    assert not Case.objects.exists()
    assert make_case().number == "2026-79-000001"


def test_numbers_given_in_a_file_must_continue_the_sequence_without_a_gap(make_case):
    make_case()  # 2026-79-000001
    assert rejected(csv_text(row("2026-79-000003"))) == [(2, "number")]
    # Given in any order, the next numbers are accepted; rows without one follow them.
    cases = csvio.import_cases(
        SYSTEM, csv_text(row("2026-79-000003"), row(), row("2026-79-000002"))
    )
    assert sorted(c.number for c in cases) == ["2026-79-000002", "2026-79-000003", "2026-79-000004"]
    assert make_case().number == "2026-79-000005"
    assert sorted(Case.objects.values_list("number_seq", flat=True)) == [1, 2, 3, 4, 5]


def test_sequence_never_passes_six_digits(make_case, shymkent):
    CaseNumberSequence.objects.create(region=shymkent, year=2026, last_value=numbering.MAX_SEQ)

    with pytest.raises(Conflict):
        make_case()
    assert rejected(csv_text(row())) == [(0, "number")]
    assert not Case.objects.exists()


def test_erdr_number_has_its_own_column_and_never_touches_the_sequence(make_case):
    header = HEADER + ",erdr_number"
    cases = csvio.import_cases(SYSTEM, csv_text(row() + f",{ERDR}", header=header))
    assert (cases[0].number, cases[0].erdr_number) == ("2026-79-000001", ERDR)
    assert make_case().number == "2026-79-000002"
    first = export_text()
    assert first.splitlines()[0].endswith(",erdr_number") and f",{ERDR}\n" in first
    Case.objects.all().delete()
    CaseNumberSequence.objects.all().delete()
    csvio.import_cases(SYSTEM, first)
    assert export_text() == first


def test_erdr_number_in_the_number_column_is_refused_with_a_pointer_to_its_column():
    with translation.override("en"), pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, csv_text(row(ERDR)))
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "number")]
    assert "erdr_number" in info.value.errors[0].reason


def test_erdr_numbers_are_fifteen_digits_and_unique(make_case):
    make_case(erdr_number=ERDR)
    header = HEADER + ",erdr_number"
    bad = csv_text(
        row() + ",12345",
        row() + f",{ERDR[:-1]}9",
        row() + f",{ERDR[:-1]}9",
        row() + f",{ERDR}",
        header=header,
    )
    assert sorted(rejected(bad)) == [(2, "erdr_number"), (4, "erdr_number"), (5, "erdr_number")]
    assert Case.objects.count() == 1


# --- Finding 12: malformed files ------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        (csv_text(row(), "x" * 200_000 + ",115-1,1,KZ-79,2026-01-05,investigation"), [(3, "")]),
        (csv_text(row(when="0001-01-01T02:00:00+05:00")), [(2, "registered_at")]),
        (csv_text(row(when="9999-12-31T23:59:59-12:00")), [(2, "registered_at")]),
        (csv_text(row(), header=HEADER + ",status"), [(1, "status")]),
        (csv_text(row(), row() + "\x00"), [(3, "")]),
        (csv_text(row(), row()).encode() + b"\xff\xfe,1\n", [(4, "")]),
        (b"\xef\xbb\xbf" + csv_text(row("\x00")).encode(), [(2, "")]),
    ],
    ids=[
        "cell over 128 KB",
        "year 1",
        "year 9999 past midnight",
        "duplicated column",
        "NUL character",
        "invalid UTF-8",
        "NUL after a byte-order mark",
    ],
)
def test_malformed_file_gives_row_errors_in_the_users_language_never_a_traceback(data, expected):
    assert rejected(data) == expected
    with translation.override("kk"), pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, data)
    assert "жол" in info.value.report() or "Файл" in info.value.report()
    assert not Case.objects.exists()


def test_an_error_repeats_at_most_a_short_part_of_a_long_value():
    with pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, csv_text(row(when="x" * 100_000)))
    assert len(info.value.report()) < 500


def test_file_over_the_row_or_size_limit_is_refused_before_anything_is_written(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(importing, "MAX_DATA_ROWS", 3)
    assert rejected(csv_text(row(), row(), row(), row())) == [(5, "")]
    assert len(csvio.import_cases(SYSTEM, csv_text(row(), row(), row()))) == 3
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 2**20)
    big = tmp_path / "big.csv"
    big.write_bytes(csv_text(row()).encode() + b" " * 2**20)
    assert rejected(big.read_bytes()) == [(0, "")]
    # The command reads its file as it goes: its own, larger limits (docs/cases-csv.md).
    monkeypatch.setattr(csvio, "COMMAND_MAX_BYTES", 2**20)
    with pytest.raises(CommandError) as info:
        call_command("import-cases", str(big), lang="en")
    assert "larger than 1 MB" in str(info.value)
    monkeypatch.setattr(csvio, "COMMAND_MAX_ROWS", 2)
    many = tmp_path / "many.csv"
    many.write_text(csv_text(row(), row(), row()), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import-cases", str(many), lang="en")
    assert "more than 2 rows" in str(info.value)
    assert Case.objects.count() == 3


# --- Finding 7: the import's audit and numbers are written at its end -----------------------


def test_import_writes_its_audit_entries_with_final_numbers_and_no_placeholder(make_case):
    make_case()
    before = AuditEntry.objects.count()
    data = csv_text(row(), row(region="KZ-71"), row("2026-79-000002"), row(region="KZ-71"))
    cases = csvio.import_cases(SYSTEM, data)
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.region_code) for e in entries] == [
        ("case.import", "KZ-71"),
        ("case.import", "KZ-79"),
    ]
    listed = sorted(c["number"] for e in entries for c in e.details["cases"])
    assert listed == sorted(c.number for c in cases) == [
        "2026-71-000001", "2026-71-000002", "2026-79-000002", "2026-79-000003"]  # fmt: skip
    assert set(Case.objects.values_list("number", flat=True)) == {*listed, "2026-79-000001"}
    assert not AuditEntry.objects.filter(object_repr__startswith="imp-").exists()
    assert entries[1].details["cases"][0]["values"]["region"] == "KZ-79"


# --- Finding 7 on PostgreSQL: a registration does not wait for an import --------------------

IMPORT_ROWS = 3000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registration_does_not_wait_for_a_running_import(make_case, monkeypatch, on_postgres):
    from django.db import connections

    from qorgau.registry import bulk

    regions = ["KZ-79", "KZ-71"]
    data = csv_text(*(row(region=regions[i % 2]) for i in range(IMPORT_ROWS)))
    started, registered, outcome = threading.Event(), threading.Event(), {}

    def progress(stage, done, total):
        # The import holds at its 200th row checked until the registration below is done.
        if stage == bulk.CHECK and done >= 200 and not started.is_set():
            started.set()
            assert registered.wait(120)

    lock_taken = []
    lock = numbering.lock_sequences

    def timed_lock(pairs):
        lock_taken.append(time.monotonic())
        return lock(pairs)

    monkeypatch.setattr(numbering, "lock_sequences", timed_lock)

    def run_import():
        try:
            outcome["cases"] = csvio.import_cases(SYSTEM, data, progress=progress)
            outcome["done"] = time.monotonic()
        finally:
            connections.close_all()

    worker = threading.Thread(target=run_import)
    worker.start()
    assert started.wait(120)
    start = time.monotonic()
    web = make_case(region="KZ-79")
    waited = time.monotonic() - start
    assert worker.is_alive()  # the import was still running
    registered.set()
    worker.join(600)
    assert waited < 1.0
    assert len(outcome["cases"]) == IMPORT_ROWS
    window = outcome["done"] - lock_taken[0]
    assert window < 1.0, window
    assert web.number == "2026-79-000001"
    for code in regions:
        seqs = sorted(Case.objects.filter(region__code=code).values_list("number_seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
    assert Case.objects.filter(number__startswith="imp-").count() == 0
    assert connection.vendor == "postgresql"
