"""Every scale measure of issue 13, side by side in one run, on one scratch PostgreSQL database
(docs/scaling.md): each line its median and 95th percentile and its ratio to the raw-SQL
baseline measured in the same run.

In this order, on a database created for the run (migrated, the Criminal Code's articles):
1. command start-up (``bench/startup.py``: ``--help`` of the slow commands, against
   ``python -c "import django"``);
2. case import and export of ``--cases`` rows (``bench/io.py``: ``import-cases`` against a raw
   ``COPY`` of the same rows, ``export-cases`` against ``COPY … TO STDOUT`` of the same bytes);
3. ``qorgau synth --cases N`` (five reports a case), timed;
4. the statistics (``bench/stats.py``: each measure against the raw ``GROUP BY`` giving the same
   counts, asserted equal; the dashboard's default view);
5. the search box (``bench/search.py``: partial numbers and summary words);
6. registration under load (``bench/registration.py``: ``--seconds`` per measure, 16 clients,
   the service and raw INSERTs; over HTTP with gunicorn unless ``--no-http``), last, because it
   adds cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/run.py --cases 100000
    … --cases 1000 --runs 2 --seconds 1 --no-http   # the smoke run CI makes (tests/test_bench.py)

The scratch database is dropped at the end (``--keep`` keeps it). Benchmarks are not timed unit
tests: nothing here fails on a slow machine; it fails only when a result is wrong (a statistic
that differs from its raw count, an export whose bytes differ, a gap in the numbers).
"""

# The subprocess runs this checkout's own command: S603 does not apply.
# ruff: noqa: S603

import argparse
import importlib.util
import io as _io
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import Measure, django_setup, print_measures, scratch_database  # noqa: E402


def _bench(name: str):
    """``bench/<name>.py`` as a module (``io`` would otherwise be the standard library's)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synth(url: str, cases: int) -> Measure:
    """``qorgau synth --cases N`` in its own process (as an operator runs it), timed once."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qorgau", "synth", "--cases", str(cases), "--lang", "en"],
        env=env, check=True, cwd=HERE.parent, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    took = (time.perf_counter() - start) * 1000
    return Measure(f"qorgau synth --cases {cases:,}", took, took, None, "≤ 3 min at 1M")


def search_measures(runs: int) -> list[Measure]:
    """The search box's queries (bench/search.py) against their naive raw SQL."""
    from django.db import connection

    search = _bench("search")
    with connection.cursor() as cursor:
        rows = search.bench(search.QUERIES_PG, runs, lambda text: search.raw_search(cursor, text))
    found = []
    for what, text, cases, reports, median, p95, ratio in rows:
        raw = median / float(ratio) if ratio else None
        found.append(Measure(f"search: {what}", median, p95, raw,
                             f"'{text}': {cases} cases, {reports} reports (≤ 200 ms)"))  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases (default 100,000)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each query")
    parser.add_argument("--seconds", type=float, default=10, help="each registration measure")
    parser.add_argument("--no-http", action="store_true", help="no gunicorn measures")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server and a role that may create databases")
    results: list[tuple[str, list[Measure]]] = []
    startup = _bench("startup")
    results.append(("start-up", startup.measures(0, runs=max(2, min(args.runs, 5)),
                                                 only=["stats", "letter"])))  # fmt: skip
    with scratch_database(server, f"qorgau_bench_run_{os.getpid()}", keep=args.keep) as url:
        django_setup(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("load-reference", "--all-articles", verbosity=0, stdout=_io.StringIO())
        results.append((f"import and export, {args.cases:,} rows",
                        _bench("io").measures(args.cases)))  # fmt: skip
        from django.db import connection

        with connection.cursor() as cursor:  # the imported cases are gone: so are their numbers
            cursor.execute("TRUNCATE registry_casenumbersequence")
        results.append(("national data set", [synth(url, args.cases)]))
        stats = _bench("stats")
        stats._raw("ANALYZE")
        results.append(
            (f"statistics at {args.cases:,} cases", stats.measures(args.cases, args.runs))
        )
        results.append((f"search at {args.cases:,} cases", search_measures(args.runs)))
        registration = _bench("registration")
        results.append(("registration, 16 clients",
                        registration.measures(int(args.seconds) or 1, http=not args.no_http,
                                              triggers=(True,))))  # fmt: skip
    for title, measures in results:
        print_measures(title, measures)


if __name__ == "__main__":
    main()
