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
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Measure, django_setup, print_measures, scratch_database

TABLES = ["registry_case", "registry_qualification", "registry_statuschange", "registry_party"]


class PeakMemory:
    """The process's resident set, sampled in a thread while the block runs: the peak above
    what it was when the block began, in MB."""

    def __enter__(self) -> "PeakMemory":
        self.base = self.peak = _rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def mb(self) -> float:
        return (self.peak - self.base) / 2**20


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def prepare() -> None:
    """Migrate and load the reference data (the statistics' triggers are on, as migrated)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=io.StringIO())


def write_csv(path: Path, rows: int, seed: int = 13) -> None:
    """A valid import file of ``rows`` rows, no numbers (the system gives them)."""
    from qorgau.reference.models import Body, Region
    from qorgau.registry import csvio

    rng = random.Random(seed)
    regions = sorted(Region.objects.values_list("code", flat=True))
    bodies = {r: list(Body.objects.filter(region__code=r).values_list("code", flat=True))
              for r in regions}  # fmt: skip
    parts = [("115-1", "1")] * 6 + [("125-1", "1"), ("125-1", "2"), ("125-1", "3")]
    statuses = [("investigation", "", "")] * 5 + [
        ("sent_to_court", "", ""), ("terminated", "no_corpus_delicti", ""),
        ("terminated", "no_event", ""), ("suspended", "", "suspect_unknown"),
    ]  # fmt: skip
    sexes, bands = ["F", "F", "F", "M", "U"], ["14-17", "18-24", "25-34", "35-44", "45-54", "65+"]
    relations = ["spouse", "former_partner", "relative", "acquaintance", "stranger", ""]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(csvio.COLUMNS) + "\n")
        for i in range(rows):
            region = regions[i % len(regions)]
            article, part = parts[rng.randrange(len(parts))]
            status, tground, sground = statuses[rng.randrange(len(statuses))]
            day = 1 + rng.randrange(300)  # 2026-01-01 … 2026-10-27
            month_day = time.strftime("%m-%d", time.gmtime((day - 1 + 20454) * 86400))
            at = f"2026-{month_day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+05:00"
            status_at = "" if status == "investigation" else at  # changed when registered
            body = bodies[region][0] if bodies[region] and rng.random() < 0.5 else ""
            consent = rng.choice(["1", "0", ""])
            out.write(
                f",{article},{part},{region},{at},{status},{status_at},{tground},{sground},,"
                f"{body},{rng.choice(sexes)},{rng.choice(bands)},{rng.choice(relations)},0,"
                f"{consent},{261_500_000_000_000 + i}\n"
            )


def dump_tables(folder: Path) -> dict[str, tuple[Path, int]]:
    """The rows of the four tables as COPY text files, and how many."""
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


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")  # a scratch database


def raw_copy(dumped: dict[str, tuple[Path, int]]) -> None:
    """The baseline: COPY the dumped rows back into the same tables, in one transaction."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES:
            path, _count = dumped[table]
            with open(path, "rb") as source, cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)


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
    (migrated, :func:`prepare`d, no cases yet), with the statistics' triggers on (as migrated)
    and/or off (dropped: only on a scratch database)."""
    found: list[Measure] = []
    for on in triggers:
        found.append(Measure(f"— {stats_triggers(on)}", 0, 0))
        found += _measures(scale)
        empty_tables()
    stats_triggers(True)
    return found


def _measures(scale: int) -> list[Measure]:
    from django.core.management import call_command

    found: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="qorgau-io-") as folder_name:
        folder = Path(folder_name)
        source = folder / "cases.csv"
        start = time.perf_counter()
        write_csv(source, scale)
        print(f"CSV of {scale:,} rows written in {time.perf_counter() - start:.1f} s, "
              f"{source.stat().st_size / 2**20:.0f} MB", flush=True)  # fmt: skip

        with PeakMemory() as memory:
            start = time.perf_counter()
            call_command("import-cases", str(source), stdout=io.StringIO(), stderr=io.StringIO())
            imported = (time.perf_counter() - start) * 1000
        print(f"import: {imported / 1000:.1f} s, peak +{memory.mb:.0f} MB", flush=True)
        import_memory = memory.mb
        dumped = dump_tables(folder)
        empty_tables()
        start = time.perf_counter()
        raw_copy(dumped)
        copied = (time.perf_counter() - start) * 1000
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

        prepare()
        triggers = {"both": (True, False), "on": (True,), "off": (False,)}[args.triggers]
        found = measures(args.rows, triggers)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(",")[0]
            load = os.getloadavg()
        connection.close()
        print_measures(
            f"Case import and export, {version}, {os.cpu_count()} cores, "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
            found,
        )


if __name__ == "__main__":
    main()
