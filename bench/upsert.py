"""Benchmark of the bulk upsert by ERDR number (issue 16, item 5; docs/cases-csv.md, "Upsert by
ERDR number").

On a scratch PostgreSQL database (migrated, ``qorgau load-reference``, the statistics'
triggers on as migrated), it

1. writes an NDJSON file of --rows rows (``bench/io.py``'s generator, every row with an ERDR
   number, turned into NDJSON: the CSV's columns, empty cells left out);
2. times ``registry.upsert.upsert`` of it, all or nothing, on the empty database (every row
   creates a case), with its peak memory (resident set sampled every 50 ms);
3. times the same file again (every row "unchanged": each row read and compared);
4. times a file of --updates rows of it whose status moves on (investigation → suspended,
   through ``lifecycle.transition`` row by row);
5. dumps the rows step 2 wrote (cases, qualifications, status rows, parties and the change
   feed), empties those tables and times the baseline: a raw ``COPY`` of those rows back.

Each measure is run once: median = p95 = that run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/upsert.py --rows 100000
"""

import argparse
import csv
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Measure, django_setup, print_measures, scratch_database

_spec = importlib.util.spec_from_file_location("bench_io", Path(__file__).with_name("io.py"))
assert _spec is not None and _spec.loader is not None
bench_io = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_io)

TABLES = [*bench_io.TABLES, "registry_change"]


def write_ndjson(path: Path, rows: int) -> None:
    """``rows`` NDJSON lines: the rows of bench/io.py's CSV generator, empty cells left out."""
    with tempfile.TemporaryDirectory(prefix="qorgau-upsert-") as folder:
        source = Path(folder) / "cases.csv"
        bench_io.write_csv(source, rows)
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


def dump_tables(folder: Path) -> dict[str, tuple[Path, int]]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            path = folder / f"{table}.copy"
            with open(path, "wb") as out, cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
            found[table] = (path, cursor.fetchone()[0])
    return found


def raw_copy(dumped: dict[str, tuple[Path, int]]) -> None:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")  # a scratch database
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES:
            path, _count = dumped[table]
            with open(path, "rb") as source, cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
    return (time.perf_counter() - start) * 1000


def _run(path: Path) -> tuple[float, float, object]:
    from qorgau.core.actors import Actor
    from qorgau.registry import upsert

    with bench_io.PeakMemory() as memory, open(path, "rb") as stream:
        start = time.perf_counter()
        result = upsert.upsert(Actor.system("bench-upsert"), stream, fmt="ndjson", atomic=True)
        elapsed = (time.perf_counter() - start) * 1000
    result.close()
    return elapsed, memory.mb, result


def measures(scale: int, updates: int) -> list[Measure]:
    found: list[Measure] = []
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
        dumped = dump_tables(folder)

        same_ms, same_mb, result = _run(source)
        print(f"upsert (unchanged): {same_ms / 1000:.1f} s, peak +{same_mb:.0f} MB, "
              f"unchanged {result.unchanged:,}, errors {result.errors:,}", flush=True)  # fmt: skip

        moved = folder / "updates.ndjson"
        count = write_updates(source, moved, updates)
        update_ms, update_mb, result = _run(moved)
        print(f"upsert (status updates): {update_ms / 1000:.1f} s, peak +{update_mb:.0f} MB, "
              f"updated {result.updated:,}, errors {result.errors:,}", flush=True)  # fmt: skip

        copied = raw_copy(dumped)
        rows = sum(n for _path, n in dumped.values())
        print(f"raw COPY of the rows the create wrote: {copied / 1000:.1f} s", flush=True)
        found.append(Measure(
            f"upsert {scale:,} new rows (NDJSON)", created_ms, created_ms, copied,
            f"{scale / created_ms * 1000:,.0f} rows/s (≥ 20,000), peak +{created_mb:.0f} MB "
            f"(≤ 300 MB); raw COPY of its {rows:,} table rows",
        ))  # fmt: skip
        found.append(Measure(
            f"upsert {scale:,} unchanged rows", same_ms, same_ms, None,
            f"{scale / same_ms * 1000:,.0f} rows/s, peak +{same_mb:.0f} MB",
        ))  # fmt: skip
        found.append(Measure(
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
    with scratch_database(url, f"qorgau_upsert_bench_{os.getpid()}", keep=args.keep) as scratch:
        django_setup(scratch)
        from django.db import connection

        bench_io.prepare()
        found = measures(args.rows, args.updates)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(",")[0]
        load = os.getloadavg()
        connection.close()
        print_measures(
            f"Bulk upsert by ERDR number, {version}, {os.cpu_count()} cores, "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
            found,
        )


if __name__ == "__main__":
    main()
