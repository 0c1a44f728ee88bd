"""What every benchmark in bench/ shares: timing (median and 95th percentile), a scratch
PostgreSQL database, Django set up on it, and one way to print a measure beside its raw-SQL
baseline run in the same process (docs/scaling.md).

A benchmark module ``bench/<area>.py`` can be run alone (``python bench/<area>.py --help``) and
offers ``measures(scale: int) -> list[Measure]`` for ``bench/run.py``, which runs them side by
side in one process on one database."""

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass


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
