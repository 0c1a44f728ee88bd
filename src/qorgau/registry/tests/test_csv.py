"""CSV import and export of cases: all or nothing, every error named, exact round trip."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from qorgau.core.importing import ImportRejected
from qorgau.registry import csvio
from qorgau.registry.models import Case, CaseNumberSequence, Party, StatusChange
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db

HEADER = ",".join(csvio.COLUMNS)
GOOD = f"""{HEADER}
,115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,,,POL-79,F,25-34,former_partner,0
,125-1,2,KZ-61,2026-01-06T11:00:00+05:00,terminated,2026-02-01T09:00:00+05:00,no_corpus_delicti,,,,F,14-17,relative,0
2026-71-000001,115-1,1,KZ-71,2026-01-07 12:00,suspended,2026-02-02T09:00:00+05:00,,suspect_hiding,,,,,,1
"""


def export_text() -> str:
    out = io.StringIO()
    csvio.export_cases(Case.objects.all(), out)
    return out.getvalue()


def test_good_file_imports_with_numbers_given_where_empty():
    cases = csvio.import_cases(SYSTEM, GOOD)
    assert sorted(c.number for c in cases) == ["2026-61-000001", "2026-71-000001", "2026-79-000001"]
    terminated = Case.objects.get(region__code="KZ-61")
    assert (
        terminated.status == "terminated" and terminated.termination_ground == "no_corpus_delicti"
    )
    assert terminated.article_part.number == 2
    victim = terminated.parties.get(role="victim")
    assert victim.is_minor and victim.age_band == "14-17"
    assert terminated.parties.get(role="suspect").relationship == "relative"


def test_export_import_export_gives_the_same_file(make_case):
    from qorgau.registry import lifecycle

    csvio.import_cases(SYSTEM, GOOD)
    absorbing = Case.objects.get(region__code="KZ-79")
    joined = make_case(region="KZ-79")
    lifecycle.transition(SYSTEM, joined, "joined", joined_to=absorbing)
    first = export_text()
    Party.objects.all().delete()
    StatusChange.objects.all().delete()
    Case.objects.update(joined_to=None)
    Case.objects.all().delete()
    CaseNumberSequence.objects.all().delete()  # an empty database: numbers must continue them
    csvio.import_cases(SYSTEM, first)
    second = export_text()
    assert second == first
    assert first.count("\n") == 5  # header + 4 cases


def test_one_bad_row_rejects_the_file_names_it_and_writes_nothing():
    bad = GOOD + ",115-1,9,KZ-79,2026-01-08T10:00:00+05:00,investigation,,,,,,,,,0\n"
    with translation.override("en"), pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, bad)
    assert [(e.row, e.column, e.value) for e in info.value.errors] == [(5, "part", "9")]
    with translation.override("en"):
        assert "row 5" in info.value.report()
    with translation.override("kk"):
        assert "5" in info.value.report() and "жол" in info.value.report()
    assert not Case.objects.exists()


def test_every_error_of_the_file_is_listed_with_row_column_value_reason():
    bad = (
        f"{HEADER}\n"
        ",115-2,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,,,,,,,0\n"
        ",115-1,1,KZ-00,yesterday,closed,,,,,,X,,enemy,0\n"
        "2026-79-000001,115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,,,,,,,0\n"
        "2026-79-000001,115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,,,,,,,0\n"
    )
    with translation.override("en"), pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, bad)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {
        (2, "article"),
        (3, "region"), (3, "registered_at"), (3, "status"), (3, "victim_sex"), (3, "relationship"),
        (5, "number"),
    }  # fmt: skip
    assert all(e.reason for e in info.value.errors)
    assert not Case.objects.exists()


def test_domain_errors_found_while_writing_also_reject_the_whole_file():
    # Row 3 is valid cell by cell but terminates a 115-1 case by reconciliation, which the
    # lifecycle refuses; row 2 must not stay written.
    bad = (
        f"{HEADER}\n"
        ",115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,,,,,,,0\n"
        ",115-1,1,KZ-79,2026-01-05T10:00:00+05:00,terminated,2026-01-20T10:00:00+05:00,reconciliation,,,,,,,0\n"
        ",125-1,1,KZ-79,2025-09-01T10:00:00+05:00,investigation,,,,,,,,,0\n"
    )
    with pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, bad)
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "status"), (4, "registered_at")]
    assert not Case.objects.exists()
    # Nothing taken from the sequence either: the next number is still the first.
    assert csvio.import_cases(SYSTEM, GOOD)[0].number.endswith("000001")


def test_missing_column_and_non_utf8_are_refused():
    with pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, "number,article\n,115-1\n")
    assert {e.column for e in info.value.errors} >= {"part", "region", "registered_at", "status"}
    with pytest.raises(ImportRejected):
        csvio.import_cases(SYSTEM, b"article,part\n" + "Шымкент".encode("cp1251"))


def test_cli_import_reports_errors_in_the_chosen_language(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        GOOD + ",115-1,9,KZ-79,2026-01-08T10:00:00+05:00,investigation,,,,,,,,,0\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        call_command("import-cases", str(path), lang="ru")
    assert "5" in str(info.value) and "part" in str(info.value)
    assert not Case.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("import-cases", str(good), lang="en", stdout=io.StringIO())
    assert Case.objects.count() == 3
    out = tmp_path / "out.csv"
    call_command("export-cases", "-o", str(out))
    assert out.read_text(encoding="utf-8") == export_text()


def test_case_level_export_leaves_out_victims_without_consent(make_case):
    from qorgau.registry.services import PartyData

    consenting = make_case(
        parties=[PartyData(role="victim", sex="F", age_band="18-24", consent_further_use=True)]
    )
    refusing = make_case(
        parties=[PartyData(role="victim", sex="F", age_band="14-17", consent_further_use=False)]
    )
    unasked = make_case(parties=[PartyData(role="victim", sex="M", age_band="25-34")])
    rows = {r["number"]: r for r in __import__("csv").DictReader(io.StringIO(export_text()))}
    assert (rows[consenting.number]["victim_sex"], rows[consenting.number]["victim_consent"]) == (
        "F",
        "1",
    )
    for case in (refusing, unasked):
        assert rows[case.number]["victim_sex"] == rows[case.number]["victim_age_band"] == ""
    # Aggregate counts inside the system are unaffected.
    assert Party.objects.filter(role="victim").count() == 3


def test_grounds_must_match_the_status_and_numbers_must_be_address_safe():
    bad = (
        f"{HEADER}\n"
        ",115-1,1,KZ-79,2026-01-05T10:00:00+05:00,suspended,2026-01-06T10:00:00+05:00,other,,,,,,,0\n"
        "ERDR/2026/1,115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,,,,,,,,,0\n"
        ",115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation,2099-01-01T10:00:00+05:00,,,,,,,,0\n"
    )
    with pytest.raises(ImportRejected) as info:
        csvio.import_cases(SYSTEM, bad)
    found = {(e.row, e.column) for e in info.value.errors}
    assert (2, "termination_ground") in found
    assert (3, "number") in found and (4, "status") in found
    assert not Case.objects.exists()
