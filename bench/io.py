"""Benchmark of the case import and export (issue 13, item 4; docs/cases-csv.md, "Speed").

On a scratch PostgreSQL database (migrated, ``qorgau load-reference``), with the statistics'
triggers on as migrated, it

1. writes a valid CSV of --rows rows in the import format (twenty regions, both articles,
   every status with its details, victims with and without consent, suspects, ERDR numbers);
2. times ``qorgau import-cases`` of it in this process (``call_command``), with its peak memory
   (the process's resident set sampled every 50 ms, above what it was before);
3. dumps the rows the import wrote in its four tables (cases, qualifications, status rows,
   parties), empties them, and times the baseline: a raw ``COPY … FROM STDIN`` of those very
   rows into the same tables (same indexes, constraints and triggers), in one transaction;
4. times ``qorgau export-cases -o FILE`` in this process, with its peak memory, against the
   baseline: one ``COPY (SELECT …) TO STDOUT`` giving the same bytes (checked equal).

Each measure is run once (a million rows take tens of seconds): median = p95 = that run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/io.py --rows 100000
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    CASE_TABLES,
    Measure,
    PeakMemory,
    django_setup,
    dump_tables,
    empty_tables,
    prepare_cases_database,
    print_measures,
    raw_copy,
    scratch_database,
    server_title,
    write_cases_csv,
)

TABLES = CASE_TABLES


def raw_export(path: Path) -> None:
    """The baseline: one COPY (SELECT …) TO STDOUT giving the export's bytes, to a file."""
    from django.db import connection, transaction

    from qorgau.registry import csvio
    from qorgau.registry.models import Case

    with open(path, "wb") as out:
        out.write((",".join(csvio.COLUMNS) + "\n").encode())
        select = csvio._COPY_SELECT.format(
            where="", case='"registry_case"', part='"reference_articlepart"',
            article='"reference_article"', region='"reference_region"',
            body='"reference_body"', party='"registry_party"',
        )  # fmt: skip
        assert Case._meta.db_table == "registry_case"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', 'Asia/Almaty', true)")
            with cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                for data in copy:
                    out.write(data)
            cursor.execute("SELECT set_config('TimeZone', 'UTC', true)")


def stats_triggers(on: bool) -> str:
    """Create or drop the statistics' triggers (``stats.aggregates``) on the scratch database;
    returns the label of the state."""
    from django.db import connection

    from qorgau.stats import aggregates

    with connection.cursor() as cursor:
        for sql in aggregates.postgresql_drop():
            cursor.execute(sql)
        if on:
            for sql in aggregates.postgresql_triggers():
                cursor.execute(sql)
    return "stats triggers on" if on else "stats triggers off"


def measures(scale: int, triggers: tuple[bool, ...] = (True,)) -> list[Measure]:
    """The import and export measures at ``scale`` rows on the database Django is set up on
    (migrated, with the reference data, no cases yet), with the statistics' triggers on (as
    migrated) and/or off (dropped: only on a scratch database)."""
    found: list[Measure] = []
    for on in triggers:
        found.append(Measure(f"— {stats_triggers(on)}", 0, 0))
        found += _measures(scale)
        empty_tables(TABLES)
    stats_triggers(True)
    return found


def _measures(scale: int) -> list[Measure]:
    from django.core.management import call_command

    found: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="qorgau-io-") as folder_name:
        folder = Path(folder_name)
        source = folder / "cases.csv"
        start = time.perf_counter()
        write_cases_csv(source, scale)
        print(f"CSV of {scale:,} rows written in {time.perf_counter() - start:.1f} s, "
              f"{source.stat().st_size / 2**20:.0f} MB", flush=True)  # fmt: skip

        with PeakMemory() as memory:
            start = time.perf_counter()
            call_command("import-cases", str(source), stdout=io.StringIO(), stderr=io.StringIO())
            imported = (time.perf_counter() - start) * 1000
        print(f"import: {imported / 1000:.1f} s, peak +{memory.mb:.0f} MB", flush=True)
        import_memory = memory.mb
        dumped = dump_tables(folder, TABLES)
        empty_tables(TABLES)
        copied = raw_copy(dumped)
        print(f"raw COPY of the same rows: {copied / 1000:.1f} s", flush=True)
        rows = sum(count for _path, count in dumped.values())
        found.append(Measure(
            f"import-cases {scale:,} rows", imported, imported, copied,
            f"{scale / imported * 1000:,.0f} rows/s (≥ 50,000), "
            f"{copied / imported:.0%} of raw COPY speed (≥ 50%), peak +{import_memory:.0f} MB; "
            f"{rows:,} table rows",
        ))  # fmt: skip

        exported = folder / "export.csv"
        with PeakMemory() as memory:
            start = time.perf_counter()
            call_command("export-cases", "-o", str(exported), stdout=io.StringIO())
            export_ms = (time.perf_counter() - start) * 1000
        baseline = folder / "baseline.csv"
        start = time.perf_counter()
        raw_export(baseline)
        raw_ms = (time.perf_counter() - start) * 1000
        same = exported.read_bytes() == baseline.read_bytes()
        found.append(Measure(
            f"export-cases {scale:,} rows to a file", export_ms, export_ms, raw_ms,
            f"≤ 30 s at 1M; peak +{memory.mb:.0f} MB (≤ 200 MB); same bytes as the COPY: {same}",
        ))  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument(
        "--triggers", choices=["both", "on", "off"], default="on",
        help="with the statistics' triggers (default), without them, or both",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server and a role that may create databases")
    with scratch_database(url, f"qorgau_io_bench_{os.getpid()}", keep=args.keep) as scratch:
        django_setup(scratch)
        from django.db import connection

        prepare_cases_database()
        triggers = {"both": (True, False), "on": (True,), "off": (False,)}[args.triggers]
        found = measures(args.rows, triggers)
        title = server_title("Case import and export")
        connection.close()
        print_measures(title, found)


if __name__ == "__main__":
    main()
