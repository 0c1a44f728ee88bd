"""What every benchmark in bench/ shares: timing (median and 95th percentile), a scratch
PostgreSQL database, Django set up on it, and one way to print a measure beside its raw-SQL
baseline run in the same process (docs/scaling.md).

A benchmark module ``bench/<area>.py`` can be run alone (``python bench/<area>.py --help``) and
offers ``measures(scale: int) -> list[Measure]`` for ``bench/run.py``, which runs them side by
side in one process on one database."""

import contextlib
import io
import os
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


def timed(fn: Callable[[], object], runs: int, warmup: int = 1) -> tuple[float, float]:
    """Median and 95th percentile of ``fn``'s wall time in milliseconds, after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


@dataclass
class Measure:
    """One line of a benchmark's report: what was measured, its median and p95 (ms), the raw
    baseline's median (ms) measured in the same run, and a free note (counts, rows/s, goal)."""

    name: str
    median_ms: float
    p95_ms: float
    raw_median_ms: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times slower than the raw baseline (below 1: faster)."""
        if not self.raw_median_ms:
            return None
        return self.median_ms / self.raw_median_ms


def print_measures(title: str, measures: list[Measure]) -> None:
    """A plain table: name, median, p95, raw median, ratio to raw, note."""
    print(f"\n{title}")
    print(f"{'measure':44} {'median ms':>10} {'p95 ms':>9} {'raw ms':>9} {'÷ raw':>7}  note")
    for m in measures:
        raw = f"{m.raw_median_ms:.1f}" if m.raw_median_ms is not None else ""
        ratio = f"{m.ratio:.2f}" if m.ratio is not None else ""
        print(
            f"{m.name[:44]:44} {m.median_ms:>10.1f} {m.p95_ms:>9.1f} {raw:>9} {ratio:>7}  {m.note}"
        )


def django_setup(database_url: str) -> None:
    """Set Django up on ``database_url`` (before any model is imported)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qorgau.settings")
    import django

    django.setup()


@contextlib.contextmanager
def scratch_database(server_url: str, name: str, keep: bool = False) -> Iterator[str]:
    """Create database ``name`` on the server of ``server_url`` (a role that may CREATEDB),
    yield its URL, and drop it afterwards unless ``keep`` (also after a failure)."""
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(server_url)
    login = {"host": conf["HOST"] or "127.0.0.1", "port": conf["PORT"] or 5432,
             "user": conf["USER"], "password": conf["PASSWORD"] or None}  # fmt: skip
    with psycopg.connect(dbname=conf["NAME"], autocommit=True, **login) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
    finally:
        if not keep:
            with psycopg.connect(dbname=conf["NAME"], autocommit=True, **login) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_title(what: str) -> str:
    """``what``, the PostgreSQL server's version, the cores and the load average (one line)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    load = os.getloadavg()
    return (
        f"{what}, {version}, {os.cpu_count()} cores, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )


# --- The cases benchmarks (bench/io.py, bench/upsert.py): a scratch database with reference
# data, a file of cases, the peak memory, and the raw COPY of the rows an import wrote. --------

CASE_TABLES = ["registry_case", "registry_qualification", "registry_statuschange", "registry_party"]


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


def prepare_cases_database() -> None:
    """Migrate and load the reference data (the statistics' triggers are on, as migrated)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=io.StringIO())


def write_cases_csv(path: Path, rows: int, seed: int = 13) -> None:
    """A valid import file of ``rows`` rows (twenty regions, both articles, every status with
    its details, victims with and without consent, suspects), no Qorgau numbers (the system
    gives them), the ERDR number of row i being 261500000000000 + i."""
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


def dump_tables(folder: Path, tables: list[str]) -> dict[str, tuple[Path, int]]:
    """The rows of ``tables`` as COPY text files in ``folder``, and how many."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            path = folder / f"{table}.copy"
            with open(path, "wb") as out, cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
            found[table] = (path, cursor.fetchone()[0])
    return found


def empty_tables(tables: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # a scratch database


# The order the bulk import writes in on PostgreSQL (``bulk.write_all``): the cases' children
# first (their foreign keys are checked at the commit), then the cases, then the change feed.
# It matters: the statistics' trigger on the cases counts the parties already there, while
# parties copied after their cases make the parties' trigger recount the touched cases (with
# ``id NOT IN (new rows)``): for a million cases that ran over 12 minutes and was stopped.
COPY_ORDER = ["registry_qualification", "registry_statuschange", "registry_party",
              "registry_case", "registry_change"]  # fmt: skip


def raw_copy(dumped: dict[str, tuple[Path, int]]) -> float:
    """The baseline: ``COPY … FROM STDIN`` of the dumped rows back into the same tables (same
    indexes, constraints and triggers), in the bulk import's order (:data:`COPY_ORDER`), in
    one transaction; its wall time in ms."""
    from django.db import connection, transaction

    tables = sorted(dumped, key=lambda t: COPY_ORDER.index(t) if t in COPY_ORDER else 99)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            path, _count = dumped[table]
            with open(path, "rb") as source, cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
    return (time.perf_counter() - start) * 1000
