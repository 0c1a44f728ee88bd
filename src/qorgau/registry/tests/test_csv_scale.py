"""Case import and export at national scale (issue 13, item 4): the export streams the very
bytes the row writer defines, its audit entry identifies what it wrote; the import is all or
nothing however late the bad row, keeps its memory bounded, and shows its progress. Run on
SQLite and on PostgreSQL (where the export is one COPY and the import COPYs its rows)."""

import csv
import hashlib
import io
import tracemalloc

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from qorgau.audit.models import AuditEntry
from qorgau.core.importing import ImportRejected
from qorgau.core.tabular import DictCsvWriter
from qorgau.registry import bulk, csvio, lifecycle
from qorgau.registry.models import Case, CaseNumberSequence
from qorgau.registry.services import PartyData
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db

HEADER = "number,article,part,region,registered_at,status,victim_sex,victim_age_band,erdr_number"


def rows(count: int, start: int = 0) -> list[str]:
    regions = ["KZ-79", "KZ-71", "KZ-75"]
    return [
        f",115-1,1,{regions[i % 3]},2026-01-{1 + i % 28:02d}T{i % 24:02d}:15:00+05:00,"
        f"investigation,F,25-34,{261500000000000 + start + i}"
        for i in range(count)
    ]


def text(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def reference_export(cases) -> str:
    """The export as the row writer defines it (``csvio.case_row`` row by row)."""
    out = io.StringIO()
    writer = DictCsvWriter(out, csvio.COLUMNS)
    writer.writerow(dict(zip(csvio.COLUMNS, csvio.COLUMNS, strict=True)))
    for case in csvio.export_queryset(cases):
        writer.writerow(csvio.case_row(case))
    return out.getvalue()


def varied_cases(make_case):
    """Cases with every kind of cell: parties with and without consent, grounds, a joining,
    a body, an ERDR number, demonstration data, several regions."""
    csvio.import_cases(SYSTEM, text(*rows(5)))
    header = ",".join(csvio.COLUMNS)
    csvio.import_cases(SYSTEM, f"""{header}
,125-1,2,KZ-61,2026-01-06T11:00:00+05:00,terminated,2026-02-01T09:00:00+05:00,no_corpus_delicti,,,,M,14-17,relative,0,1,
,115-1,1,KZ-71,2026-01-07 12:00,suspended,2026-02-02T09:00:00+05:00,,suspect_hiding,,POL-71,,,,1,,
""")  # fmt: skip
    a = make_case(region="KZ-79", parties=[PartyData(role="victim", consent_further_use=True),
                                           PartyData(role="victim", consent_further_use=True),
                                           PartyData(role="suspect", relationship="spouse")])  # fmt: skip
    b = make_case(region="KZ-79", parties=[PartyData(role="victim", consent_further_use=False),
                                           PartyData(role="victim", consent_further_use=True),
                                           PartyData(role="suspect", relationship="relative")])  # fmt: skip
    c = make_case(region="KZ-71", parties=[PartyData(role="suspect", relationship="stranger")])
    lifecycle.transition(SYSTEM, c, "joined", joined_to=a)
    Case.objects.filter(pk=b.pk).update(is_demo=True)
    return a, b, c


def test_export_streams_the_bytes_the_row_writer_defines(make_case):
    varied_cases(make_case)
    for cases in (Case.objects.all(), Case.objects.filter(region__code="KZ-79")):
        pieces = list(csvio.export_text(cases))
        assert "".join(pieces) == reference_export(cases)
    # On PostgreSQL that is one COPY (the data above needs nothing the COPY cannot write).
    assert csvio._copy_possible(Case.objects.all()) == (connection.vendor == "postgresql")


def test_export_writes_rows_as_it_reads_them_not_all_at_the_end(make_case, monkeypatch):
    csvio.import_cases(SYSTEM, text(*rows(30)))
    monkeypatch.setattr(csvio, "EXPORT_CHUNK", 10)
    digest = csvio.ExportDigest()
    pieces = csvio.export_text(Case.objects.all(), digest=digest)
    assert next(pieces).startswith("number,") and digest.count == 0  # the header, nothing read
    assert next(pieces).count("\n") == 10
    assert digest.count == 10  # twenty rows not read yet
    assert sum(p.count("\n") for p in pieces) == 20 and digest.count == 30


def test_a_large_exports_entry_names_the_set_by_count_ends_and_digest(monkeypatch, tmp_path):
    csvio.import_cases(SYSTEM, text(*rows(12)))
    out = tmp_path / "cases.csv"
    call_command("export-cases", "-o", str(out))
    small = AuditEntry.objects.filter(action="case.export").latest("id").details
    numbers = [line.split(",")[0] for line in out.read_text().splitlines()[1:]]
    assert small["numbers"] == numbers and small["count"] == 12
    monkeypatch.setattr(csvio, "EXPORT_LISTED_MAX", 5)
    stdout = io.StringIO()
    call_command("export-cases", stdout=stdout)
    assert stdout.getvalue() == out.read_text()
    large = AuditEntry.objects.filter(action="case.export").latest("id").details
    assert "numbers" not in large
    assert (large["count"], large["first"], large["last"]) == (12, numbers[0], numbers[-1])
    assert (
        large["sha256"] == hashlib.sha256("".join(n + "\n" for n in numbers).encode()).hexdigest()
    )


def test_a_bad_row_late_in_a_file_rejects_it_and_nothing_is_written(make_case):
    make_case(region="KZ-79")
    before = (
        Case.objects.count(),
        list(CaseNumberSequence.objects.order_by("pk").values_list("region_id", "year", "last_value")),
        AuditEntry.objects.count(),
    )  # fmt: skip
    late = ",115-1,1,KZ-79,2026-01-05T10:00:00+05:00,joined,,,"  # a joining names no case
    with translation.override("en"), pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, text(*rows(3000), late))
    assert [(e.row, e.column) for e in info.value.errors] == [(3002, "status")]
    assert "Name the case this one is joined to." in str(info.value.errors[0])
    after = (
        Case.objects.count(),
        list(CaseNumberSequence.objects.order_by("pk").values_list("region_id", "year", "last_value")),
        AuditEntry.objects.count(),
    )  # fmt: skip
    assert after == before


def test_a_repeated_erdr_number_far_apart_is_found_and_named(make_case):
    lines = rows(2500)
    lines.append(lines[3])  # row 5 again, as row 2502
    with translation.override("en"), pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, text(*lines))
    assert [(e.row, e.column, e.reason) for e in info.value.errors] == [
        (2502, "erdr_number", "the same number is in row 5")
    ]
    assert not Case.objects.exists()


def test_an_import_is_numbered_gapless_and_audited_by_ranges_and_digest():
    data = text(*rows(1500))
    cases = csvio.import_cases(SYSTEM, data)
    assert len(cases) == 1500 and {c.region.code for c in cases[:3]} == {"KZ-79", "KZ-71", "KZ-75"}
    for code in ("KZ-79", "KZ-71", "KZ-75"):
        seqs = sorted(Case.objects.filter(region__code=code).values_list("number_seq", flat=True))
        assert seqs == list(range(1, 501))
        assert CaseNumberSequence.objects.get(region__code=code, year=2026).last_value == 500
    entries = AuditEntry.objects.filter(action="case.import").order_by("id")
    assert [e.region_code for e in entries] == ["KZ-71", "KZ-75", "KZ-79"]  # one per region
    details = entries[2].details
    assert details["count"] == 500 and "cases" not in details  # above the listing limit
    assert details["ranges"] == [
        {"year": 2026, "count": 500, "first": "2026-79-000001", "last": "2026-79-000500"}
    ]
    assert details["file_sha256"] == hashlib.sha256(data.encode()).hexdigest()


def test_the_import_holds_a_batch_of_rows_in_memory_not_the_file(monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 200)
    monkeypatch.setattr(bulk, "WRITE_BATCH", 200)

    def peak(count: int, start: int) -> int:
        data = text(*rows(count, start)).encode()
        tracemalloc.start()
        try:
            csvio.import_cases(SYSTEM, data)
            return tracemalloc.get_traced_memory()[1] - len(data)
        finally:
            tracemalloc.stop()

    small = peak(1500, 0)
    large = peak(6000, 10_000)
    assert Case.objects.count() == 7500
    assert large < 1.5 * small, (small, large)


def test_the_command_shows_its_progress_and_reports_every_error(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(text(*rows(40)), encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import-cases", str(good), lang="en", stdout=stdout, stderr=stderr)
    assert stdout.getvalue().strip() == "Cases imported: 40."
    assert "checking rows (40/40" in stderr.getvalue()
    assert "saving cases (40/40" in stderr.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(text(*rows(3, 100), ",115-1,9,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,"))
    with pytest.raises(CommandError) as info:
        call_command("import-cases", str(bad), lang="en", stderr=io.StringIO())
    assert "row 5, column “part”, value “9”: article 115-1 has no such part" in str(info.value)
    assert Case.objects.count() == 40


def test_the_statistics_aggregates_stay_exact_after_a_bulk_import(make_case):
    make_case(region="KZ-79")
    csvio.import_cases(SYSTEM, text(*rows(300)))
    out = io.StringIO()
    call_command("stats-verify", stdout=out)  # the triggers kept them while COPY/INSERT wrote
    assert out.getvalue().strip().endswith("0 differences")


def test_the_fast_check_reads_a_valid_row_as_the_schema_does():
    header = csvio.COLUMNS
    valid = [
        "2026-79-000001,115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,,,POL-79,F,25-34,former_partner,0,1,261500031000123",
        ",125-1,2,KZ-61,2026-01-06 11:00,terminated,2026-02-01T09:00:00+05:00,no_corpus_delicti,,,,M,14-17,relative,1,0,",
        " ,115-1,1, KZ-71 ,2026-01-07T12:00:00+06:00,suspended,2026-02-02T09:00:00,,suspect_hiding,,,,,stranger,,,",
        ",125-1,3,KZ-75,2026-03-01T00:30:00+05:00,sent_to_court,2026-03-02T00:00:00+05:00,,,,,U,,,,,",
    ]  # fmt: skip
    checker = bulk._Checker(SYSTEM, csvio._schema(), header, len(valid), None, None)
    for line in valid:
        cells = next(csv.reader([line]))
        fast = checker._fast(cells, 2)
        assert fast is not None and fast == checker._slow(cells, 2), line
    assert checker.errors == []
    # A row the fast check does not accept goes to the schema, which says why.
    future = next(csv.reader([",115-1,1,KZ-79,2099-01-05T10:00:00+05:00,investigation" + "," * 11]))
    assert checker._fast(future, 3) is None and checker._slow(future, 3) is None
    assert [(e[0], e[2].column) for e in checker.errors] == [(3, "registered_at")]


def test_data_the_copy_could_not_write_identically_goes_the_python_way(make_case):
    a, _b, _c = varied_cases(make_case)
    Case.objects.filter(pk=a.pk).update(number="=HYPERLINK(1)")  # not through the services
    assert not csvio._copy_possible(Case.objects.all())
    exported = "".join(csvio.export_text(Case.objects.all()))
    assert exported == reference_export(Case.objects.all())
    assert "'=HYPERLINK(1)" in exported  # the formula guard of core.tabular
