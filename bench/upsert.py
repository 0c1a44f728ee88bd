"""Benchmark of the bulk upsert by ERDR number (issue 16, item 5; docs/cases-csv.md, "Upsert by
ERDR number").

On a scratch PostgreSQL database (migrated, ``qorgau load-reference``, the statistics'
triggers on as migrated), it

1. writes an NDJSON file of --rows rows (``common.write_cases_csv``'s rows, every one with an
   ERDR number, turned into NDJSON: the CSV's columns, empty cells left out);
2. times ``registry.upsert.upsert`` of it, all or nothing, on the empty database (every row
   creates a case), with its peak memory (resident set sampled every 50 ms);
3. times the same file again (every row "unchanged": each row read, checked and compared),
   against its baseline: a raw ``COPY`` of the file's compared cells into a temporary table
   and one query joining it to the cases to count the rows that differ;
4. times a file of --updates rows of it whose status moves on (investigation → suspended,
   through ``lifecycle.transition`` row by row);
5. dumps the rows step 2 wrote (cases, qualifications, status rows, parties and the change
   feed), empties those tables and times the baseline of step 2: a raw ``COPY`` of those rows
   back (same indexes, constraints and triggers).

Each measure is run once: median = p95 = that run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/upsert.py --rows 100000
"""

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

TABLES = [*common.CASE_TABLES, "registry_change"]
# The cells an upsert compares with a recorded case, and the SQL that counts the rows differing.
COMPARED = ["erdr_number", "article", "part", "region", "registered_at", "status",
            "termination_ground", "suspension_ground", "investigating_body"]  # fmt: skip
DIFFERING = """
SELECT count(*) FROM upsert_input i
JOIN registry_case c ON c.erdr_number = i.erdr_number AND c.erdr_number <> ''
JOIN reference_articlepart ap ON ap.id = c.article_part_id
JOIN reference_article a ON a.id = ap.article_id
JOIN reference_region r ON r.id = c.region_id
LEFT JOIN reference_body b ON b.id = c.investigating_body_id
WHERE a.code <> i.article OR ap.number::text <> i.part OR r.code <> i.region
   OR c.registered_at <> i.registered_at::timestamptz OR c.status <> i.status
   OR c.termination_ground <> i.termination_ground OR c.suspension_ground <> i.suspension_ground
   OR (i.investigating_body <> '' AND b.code IS DISTINCT FROM i.investigating_body)
"""


def write_ndjson(path: Path, rows: int) -> None:
    """``rows`` NDJSON lines: the rows of the cases CSV generator, empty cells left out."""
    with tempfile.TemporaryDirectory(prefix="qorgau-upsert-") as folder:
        source = Path(folder) / "cases.csv"
        common.write_cases_csv(source, rows)
        with open(source, encoding="utf-8", newline="") as text, open(path, "w", encoding="utf-8") as out:  # fmt: skip
            for record in csv.DictReader(text):
                out.write(json.dumps({k: v for k, v in record.items() if v}) + "\n")


def write_updates(source: Path, path: Path, count: int) -> int:
    """The first ``count`` rows under investigation of ``source``, suspended a day later."""
    written = 0
    with open(source, encoding="utf-8") as text, open(path, "w", encoding="utf-8") as out:
        for line in text:
            record = json.loads(line)
            if record["status"] != "investigation":
                continue
            at = record["registered_at"]
            record |= {"status": "suspended", "suspension_ground": "suspect_unknown",
                       "status_at": at}  # fmt: skip
            out.write(json.dumps(record) + "\n")
            written += 1
            if written == count:
                break
    return written


def raw_compare(path: Path) -> tuple[float, int]:
    """The baseline of the unchanged pass: the file's compared cells COPYed into a temporary
    table (each line read as JSON on the way) and one query counting the rows that differ
    from their case; (wall time in ms, rows differing). Rolled back."""
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        columns = ", ".join(f"{c} text" for c in COMPARED)
        cursor.execute(f"CREATE TEMPORARY TABLE upsert_input ({columns}) ON COMMIT DROP")
        with (
            open(path, encoding="utf-8") as text,
            cursor.cursor.copy("COPY upsert_input FROM STDIN") as copy,
        ):
            for line in text:
                record = json.loads(line)
                copy.write_row([record.get(c, "") for c in COMPARED])
        cursor.execute(DIFFERING)
        differing = cursor.fetchone()[0]
        elapsed = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)
    return elapsed, differing


def _run(path: Path) -> tuple[float, float, object]:
    from qorgau.core.actors import Actor
    from qorgau.registry import upsert

    with common.PeakMemory() as memory, open(path, "rb") as stream:
        start = time.perf_counter()
        result = upsert.upsert(Actor.system("bench-upsert"), stream, fmt="ndjson", atomic=True)
        elapsed = (time.perf_counter() - start) * 1000
    result.close()
    return elapsed, memory.mb, result


def measures(scale: int, updates: int) -> list[common.Measure]:
    found: list[common.Measure] = []
    with tempfile.TemporaryDirectory(prefix="qorgau-upsert-") as folder_name:
        folder = Path(folder_name)
        source = folder / "cases.ndjson"
        start = time.perf_counter()
        write_ndjson(source, scale)
        print(f"NDJSON of {scale:,} rows written in {time.perf_counter() - start:.1f} s, "
              f"{source.stat().st_size / 2**20:.0f} MB", flush=True)  # fmt: skip

        created_ms, created_mb, result = _run(source)
        print(f"upsert (create): {created_ms / 1000:.1f} s, peak +{created_mb:.0f} MB, "
              f"created {result.created:,}, errors {result.errors:,}", flush=True)  # fmt: skip
        assert result.committed and result.created == scale, (result.created, result.errors)
        dumped = common.dump_tables(folder, TABLES)

        same_ms, same_mb, result = _run(source)
        print(f"upsert (unchanged): {same_ms / 1000:.1f} s, peak +{same_mb:.0f} MB, "
              f"unchanged {result.unchanged:,}, errors {result.errors:,}", flush=True)  # fmt: skip
        assert result.unchanged == scale, (result.unchanged, result.errors)
        compare_ms, differing = raw_compare(source)
        print(f"raw COPY and compare: {compare_ms / 1000:.1f} s, {differing:,} rows differ",
              flush=True)  # fmt: skip

        moved = folder / "updates.ndjson"
        count = write_updates(source, moved, updates)
        update_ms, update_mb, result = _run(moved)
        print(f"upsert (status updates): {update_ms / 1000:.1f} s, peak +{update_mb:.0f} MB, "
              f"updated {result.updated:,}, errors {result.errors:,}", flush=True)  # fmt: skip

        common.empty_tables(TABLES)
        copied = common.raw_copy(dumped)
        rows = sum(n for _path, n in dumped.values())
        print(f"raw COPY of the rows the create wrote: {copied / 1000:.1f} s", flush=True)
        found.append(common.Measure(
            f"upsert {scale:,} new rows (NDJSON)", created_ms, created_ms, copied,
            f"{scale / created_ms * 1000:,.0f} rows/s (≥ 20,000), peak +{created_mb:.0f} MB "
            f"(≤ 300 MB); raw COPY of its {rows:,} table rows",
        ))  # fmt: skip
        found.append(common.Measure(
            f"upsert {scale:,} unchanged rows", same_ms, same_ms, compare_ms,
            f"{scale / same_ms * 1000:,.0f} rows/s, peak +{same_mb:.0f} MB; raw COPY of the "
            f"compared cells and one join ({differing:,} differ)",
        ))  # fmt: skip
        found.append(common.Measure(
            f"upsert {count:,} status changes", update_ms, update_ms, None,
            f"{count / update_ms * 1000:,.0f} rows/s (lifecycle.transition per row), "
            f"peak +{update_mb:.0f} MB",
        ))  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--updates", type=int, default=1000, help="status changes, default 1,000")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server and a role that may create databases")
    with common.scratch_database(
        url, f"qorgau_upsert_bench_{os.getpid()}", keep=args.keep
    ) as scratch:
        common.django_setup(scratch)
        from django.db import connection

        common.prepare_cases_database()
        found = measures(args.rows, args.updates)
        title = common.server_title("Bulk upsert by ERDR number")
        connection.close()
        common.print_measures(title, found)


if __name__ == "__main__":
    main()
