"""Bulk upsert by ERDR number: create or update, through the services and the lifecycle, all or
nothing or row by row, with a result per row."""

import json
import tracemalloc

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.registry import upsert
from qorgau.registry.choices import CaseStatus
from qorgau.registry.models import Case, Change, StatusChange
from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db

ERDR_A, ERDR_B, ERDR_C = "261234567890001", "261234567890002", "261234567890003"


def row(erdr, **cells):
    base = {"article": "115-1", "part": "1", "region": "KZ-79",
            "registered_at": "2026-01-05T10:00:00+05:00", "status": "investigation",
            "erdr_number": erdr}  # fmt: skip
    return {**base, **cells}


def ndjson(*rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def results(result):
    return [(r.row, r.erdr_number, r.outcome) for r in result.rows()]


def test_new_numbers_create_cases_and_known_ones_update_through_the_lifecycle():
    with translation.override("en"):
        first = upsert.upsert(SYSTEM, ndjson(row(ERDR_A), row(ERDR_B)))
        assert first.committed and (first.created, first.errors) == (2, 0)
        numbers = {r.erdr_number: r.number for r in first.rows()}
        case_a = Case.objects.get(erdr_number=ERDR_A)
        assert case_a.number == numbers[ERDR_A]
        second = upsert.upsert(
            SYSTEM,
            ndjson(
                row(
                    ERDR_A,
                    status="suspended",
                    suspension_ground="suspect_unknown",
                    status_at="2026-01-07T10:00:00+05:00",
                ),
                row(ERDR_B),
                row(ERDR_C, article="125-1", part="2"),
            ),
        )
    assert results(second) == [(1, ERDR_A, "updated"), (2, ERDR_B, "unchanged"), (3, ERDR_C, "created")]  # fmt: skip
    case_a.refresh_from_db()
    # The case keeps its Qorgau number and its ERDR number; the status went through the lifecycle.
    assert (case_a.number, case_a.erdr_number) == (numbers[ERDR_A], ERDR_A)
    assert case_a.status == CaseStatus.SUSPENDED
    change = StatusChange.objects.filter(case=case_a).last()
    assert (change.from_status, change.to_status, change.ground) == ("investigation", "suspended", "suspect_unknown")  # fmt: skip


def test_an_illegal_transition_is_a_row_error_and_atomic_mode_writes_nothing():
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A, status="joined", joined_to="")), atomic=False)
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A, status="sent_to_court", status_at="2026-01-06T10:00:00+05:00")))  # fmt: skip
    before = (Case.objects.count(), Change.objects.count(), StatusChange.objects.count())
    with translation.override("en"):
        result = upsert.upsert(
            SYSTEM,
            ndjson(
                row(ERDR_B),
                row(
                    ERDR_A,
                    status="suspended",
                    suspension_ground="suspect_unknown",
                    status_at="2026-01-07T10:00:00+05:00",
                ),
            ),
        )
    assert not result.committed
    rows = list(result.rows())
    assert rows[0].outcome == "created"  # rolled back with the rest
    assert rows[1].outcome == "error" and rows[1].number == Case.objects.get(erdr_number=ERDR_A).number  # fmt: skip
    assert "cannot become" in rows[1].messages[0]["message"]
    assert (Case.objects.count(), Change.objects.count(), StatusChange.objects.count()) == before
    assert not Case.objects.filter(erdr_number=ERDR_B).exists()


def test_per_row_mode_keeps_the_good_rows():
    with translation.override("en"):
        result = upsert.upsert(
            SYSTEM, ndjson(row(ERDR_A), row(ERDR_B, region="KZ-99"), row(ERDR_C)), atomic=False
        )
    assert result.committed
    assert [r.outcome for r in result.rows()] == ["created", "error", "created"]
    assert set(Case.objects.values_list("erdr_number", flat=True)) == {ERDR_A, ERDR_C}


def test_a_case_keeps_its_number_and_registration():
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A)))
    case = Case.objects.get(erdr_number=ERDR_A)
    with translation.override("en"):
        result = upsert.upsert(
            SYSTEM, ndjson(row(ERDR_A, number="2026-79-999999", registered_at="2026-01-04T10:00:00+05:00"))
        )  # fmt: skip
    (only,) = result.rows()
    assert only.outcome == "error"
    assert {m["field"] for m in only.messages} == {"number", "registered_at"}
    assert Case.objects.get(pk=case.pk).number == case.number


def test_requalification_goes_through_the_service_and_the_feed_has_the_new_article():
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A)))
    start = Change.objects.order_by("-id").values_list("id", flat=True).first()
    result = upsert.upsert(SYSTEM, ndjson(row(ERDR_A, article="125-1", part="1")))
    assert result.updated == 1
    case = Case.objects.get(erdr_number=ERDR_A)
    assert case.qualifications.count() == 2
    feed = list(Change.objects.filter(id__gt=start))
    assert [c.object_id for c in feed] == [case.pk]
    assert feed[0].data["article"] == "125-1"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (json.dumps(row(ERDR_A, region='=HYPERLINK("http://x")')), "formula"),
        (json.dumps(row(ERDR_A)).replace("KZ-79", "KZ-\\u000079"), "NUL"),
        (json.dumps(row(ERDR_A)).replace(f'"{ERDR_A}"', "1" * 5000), "string"),
        (json.dumps(row(ERDR_A)).replace(f'"{ERDR_A}"', "1e999"), "string"),
        (json.dumps(row(ERDR_A)).replace(f'"{ERDR_A}"', "NaN"), "JSON object"),
        (json.dumps(row("12345678901234567890")), "15 digits"),
        ("[1, 2]", "JSON object"),
        (json.dumps({**row(ERDR_A), "name": "x"}), "unknown column"),
        (json.dumps(row("")), "needs the ERDR number"),
    ],
)
def test_bad_cells_are_refused_clearly(line, reason):
    with translation.override("en"):
        result = upsert.upsert(SYSTEM, line + "\n", atomic=False)
    (only,) = result.rows()
    assert only.outcome == "error"
    text = " ".join(m["message"] for m in only.messages)
    assert reason.lower() in text.lower() or reason in text, text
    assert not Case.objects.exists()


def test_a_nul_byte_and_bad_utf8_in_the_raw_input_are_row_errors():
    good = json.dumps(row(ERDR_A)).encode()
    data = b'{"a": "\x00"}\n' + b"\xff\xfe\n" + good + b"\n"
    with translation.override("en"):
        result = upsert.upsert(SYSTEM, data, atomic=False)
    assert [(r.row, r.outcome) for r in result.rows()] == [(1, "error"), (2, "error"), (3, "created")]  # fmt: skip
    messages = [m["message"] for r in result.rows() for m in r.messages]
    assert "NUL" in messages[0] and "UTF-8" in messages[1]


def test_csv_input_with_the_documented_columns():
    text = (
        "erdr_number,article,part,region,registered_at,status\n"
        f"{ERDR_A},115-1,1,KZ-79,2026-01-05T10:00:00+05:00,investigation\n"
        f"{ERDR_B},115-1,1,KZ-79,2026-01-05T10:00:00+05:00,=cmd|' /C calc'!A0\n"
    )
    with translation.override("en"):
        result = upsert.upsert(SYSTEM, text, fmt="csv", atomic=False)
    got = list(result.rows())
    assert [(r.row, r.outcome) for r in got] == [(2, "created"), (3, "error")]
    assert "formula" in got[1].messages[0]["message"]


def test_a_streamed_generator_is_read_in_bounded_memory():
    count = 3000

    def lines():
        for i in range(count):
            # Every row refused by the region (cheap) so that the test measures the reading.
            yield json.dumps(row(f"26{i:013d}", region="KZ-99")) + "\n"

    tracemalloc.start()
    result = upsert.upsert(SYSTEM, lines(), atomic=False)
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.errors == count
    # A batch of rows and the lookups, not the input: well under what 3,000 rows and their
    # results would take held together (several MB).
    assert peak < 4 * 1024 * 1024, peak


def test_one_audit_entry_per_atomic_upsert_and_the_regional_scope_holds():
    registrar = Actor.person(make_user("registrar_shymkent", "registrar", "KZ-79"))
    before = AuditEntry.objects.count()
    result = upsert.upsert(registrar, ndjson(row(ERDR_A), row(ERDR_B)))
    assert result.created == 2
    entries = list(AuditEntry.objects.order_by("id")[before:])
    # The new cases are written by the bulk import (its one ``case.import`` entry per region),
    # then one ``case.upsert`` entry for the request.
    assert [e.action for e in entries] == ["case.import", "case.upsert"]
    assert entries[0].details["count"] == 2
    assert entries[1].details["created"] == 2
    with translation.override("en"):
        refused = upsert.upsert(registrar, ndjson(row(ERDR_C, region="KZ-71")))
    assert refused.errors == 1 and not refused.committed
    assert not Case.objects.filter(erdr_number=ERDR_C).exists()


def test_the_command_upserts_ndjson(tmp_path):
    path = tmp_path / "cases.ndjson"
    path.write_text(ndjson(row(ERDR_A), row(ERDR_B)), encoding="utf-8")
    call_command("import-cases", str(path), "--upsert", "--format", "ndjson", "--lang", "en")
    assert Case.objects.filter(erdr_number__in=[ERDR_A, ERDR_B]).count() == 2
    path.write_text(ndjson(row(ERDR_A, status="joined")), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import-cases", str(path), "--upsert", "--format", "ndjson", "--lang", "en")


def test_unknown_format_is_refused():
    from qorgau.core.errors import Invalid

    with pytest.raises(Invalid):
        upsert.upsert(SYSTEM, "", fmt="xml")


def test_an_actor_who_may_not_register_cases_is_refused_before_anything_is_read():
    from qorgau.core.errors import NotAllowed

    investigator = Actor.person(make_user("investigator_shymkent", "investigator", "KZ-79"))
    with pytest.raises(NotAllowed):
        upsert.upsert(investigator, ndjson(row(ERDR_A)))
    assert not Case.objects.exists()


# --- Set-based comparison of recorded cases ---------------------------------------------------


def _suspended(erdr):
    return row(erdr, status="suspended", suspension_ground="suspect_unknown",
               status_at="2026-01-07T10:00:00+05:00")  # fmt: skip


@pytest.mark.parametrize("atomic", [True, False])
def test_a_batch_mixing_unchanged_changed_new_and_bad_rows_keeps_each_outcome_in_order(atomic):
    erdrs = [f"2612345678{i:05d}" for i in range(6)]
    upsert.upsert(SYSTEM, ndjson(*(row(e) for e in erdrs[:4])))
    with translation.override("en"):
        result = upsert.upsert(
            SYSTEM,
            ndjson(
                row(erdrs[0]),  # unchanged
                _suspended(erdrs[1]),  # a transition
                row(erdrs[4]),  # new
                row(erdrs[2], article="125-1", part="1"),  # a requalification
                row(erdrs[3], victim_sex="X"),  # equal, but a cell the import refuses
                row(erdrs[0], number="2026-79-999999"),  # repeats row 1
                row(erdrs[5], region="KZ-99"),  # new, refused
            ),
            atomic=atomic,
        )
    got = [(r.row, r.erdr_number, r.outcome) for r in result.rows()]
    outcomes = ["unchanged", "updated", "created", "updated", "error", "error", "error"]
    assert [g[2] for g in got] == outcomes
    assert [g[0] for g in got] == [1, 2, 3, 4, 5, 6, 7]
    rows = list(result.rows())
    assert rows[0].number == Case.objects.get(erdr_number=erdrs[0]).number
    assert rows[4].messages[0]["field"] == "victim_sex"
    assert rows[5].messages == [{"field": "erdr_number", "message": "the same number is in row 1"}]
    assert (result.unchanged, result.updated, result.created, result.errors) == (1, 2, 1, 3)
    assert result.committed is not atomic  # atomic: the errors rolled it all back
    case = Case.objects.get(erdr_number=erdrs[1])
    assert case.status == (CaseStatus.INVESTIGATION if atomic else CaseStatus.SUSPENDED)


def test_a_repeated_recorded_number_is_an_error_and_is_not_applied_twice():
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A)))
    with translation.override("en"):
        result = upsert.upsert(SYSTEM, ndjson(row(ERDR_A), _suspended(ERDR_A)), atomic=False)
    assert [(r.row, r.outcome) for r in result.rows()] == [(1, "unchanged"), (2, "error")]
    assert list(result.rows())[1].messages[0]["message"] == "the same number is in row 1"
    assert Case.objects.get(erdr_number=ERDR_A).status == CaseStatus.INVESTIGATION


def test_a_repeated_new_number_names_the_inputs_row():
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A)))
    with translation.override("en"):
        # Row 2 is the first new row (the bulk import's row 2 as well); row 4 repeats it.
        result = upsert.upsert(SYSTEM, ndjson(row(ERDR_A), row(ERDR_B), row(ERDR_C), row(ERDR_B)))
    assert [r.outcome for r in result.rows()] == ["unchanged", "created", "created", "error"]
    assert list(result.rows())[3].messages[0]["message"] == "the same number is in row 2"


def test_a_joined_case_named_again_is_unchanged():
    first = upsert.upsert(SYSTEM, ndjson(row(ERDR_A)))
    target = next(first.rows()).number
    joined = row(ERDR_B, status="joined", joined_to=target, status_at="2026-01-06T10:00:00+05:00")
    assert upsert.upsert(SYSTEM, ndjson(joined)).created == 1
    again = upsert.upsert(SYSTEM, ndjson(row(ERDR_A), joined))
    assert [r.outcome for r in again.rows()] == ["unchanged", "unchanged"]


@pytest.mark.parametrize("count", [3, 120])
def test_unchanged_rows_cost_no_query_each(count, django_assert_max_num_queries):
    lines = ndjson(*(row(f"2612345670{i:05d}", region=("KZ-79", "KZ-71")[i % 2],
                         victim_sex="F", status="suspended", suspension_ground="suspect_unknown",
                         status_at="2026-01-07T10:00:00+05:00")
                     for i in range(count)))  # fmt: skip
    assert upsert.upsert(SYSTEM, lines).created == count
    # The same bound for 3 rows and for 120: a batch's queries, none per row.
    with django_assert_max_num_queries(15):  # 13 when written
        result = upsert.upsert(SYSTEM, lines)
    assert (result.unchanged, result.errors) == (count, 0)


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"registered_at": ""}, "registered_at"),
        ({"registered_at": "2026-13-05T10:00:00+05:00"}, "registered_at"),
        ({"status": "closed"}, "status"),
        ({"demo": "yes"}, "demo"),
        ({"suspension_ground": "suspect_unknown"}, "suspension_ground"),
    ],
)
def test_a_recorded_case_with_an_unreadable_cell_gets_the_readers_message(cells, field):
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A)))
    with translation.override("en"):
        result = upsert.upsert(SYSTEM, ndjson(row(ERDR_A, **cells)))
    (only,) = result.rows()
    assert only.outcome == "error" and field in {m["field"] for m in only.messages}


@pytest.mark.parametrize("atomic", [True, False])
def test_padded_cells_are_read_as_the_bulk_import_reads_them(atomic):
    """A cell with a leading tab or trailing space (not a formula once stripped) is created
    alike in both modes (the spool once wrote the writer's guarding quote into it)."""
    result = upsert.upsert(SYSTEM, ndjson(row(ERDR_A, part="\t1", article="115-1 ")), atomic=atomic)
    assert (result.created, result.errors) == (1, 0), list(result.rows())
    assert Case.objects.get(erdr_number=ERDR_A).article_part.number == 1


@pytest.mark.parametrize("atomic", [True, False])
def test_another_regions_case_is_neither_compared_nor_named(atomic):
    upsert.upsert(SYSTEM, ndjson(row(ERDR_A, region="KZ-71")))
    hidden = Case.objects.get(erdr_number=ERDR_A)
    registrar = Actor.person(make_user("registrar_shymkent", "registrar", "KZ-79"))
    with translation.override("en"):
        exact = upsert.upsert(registrar, ndjson(row(ERDR_A, region="KZ-71")), atomic=atomic)
        changed = upsert.upsert(
            registrar, ndjson(row(ERDR_A, region="KZ-71", status="suspended")), atomic=atomic
        )
    for result in (exact, changed):
        (only,) = result.rows()
        assert (only.outcome, only.number) == ("error", "")
        assert only.messages == [{"field": "erdr_number",
                                  "message": "The ERDR number is recorded for a case outside "
                                             "your scope."}]  # fmt: skip
    hidden.refresh_from_db()
    assert hidden.status == CaseStatus.INVESTIGATION
