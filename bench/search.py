"""Scale benchmark of the search (registry/search.py; docs/search.md).

PostgreSQL (the default): with DATABASE_URL naming a server and a role that may create
databases, it creates a scratch database, migrates it, bulk-loads --cases cases and --reports
reports with summaries by INSERT … SELECT generate_series (valid numbers: YYYY-RR-SSSSSS,
15-digit ERDR numbers), ANALYZEs, then times the search function the page calls
(``search.find``) for a part of a case number, a part of an ERDR number and summary words:
median and 95th percentile over --runs runs, and each against a raw SQL query of the same
meaning run in the same process (the ratio shows what the ORM and the scoping cost). The
scratch database is dropped at the end, also after a failure.

SQLite (--sqlite): a scratch SQLite file, migrated and loaded with the demo data (load-demo),
then the same timings on the demo's own numbers and words.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --sqlite
"""

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup, timed

QUERIES_PG = [
    # (what, text typed)
    ("part of a case number", "000222"),
    ("region and sequence", "79-000222"),
    ("part of an ERDR number", "00000123456"),
    ("one summary word", "телефон"),
    ("two summary words", "кража телефона"),
    ("a rare word (one report)", "адрес12345"),
    ("a word found nowhere", "нетакогослова"),
]


# --- PostgreSQL ------------------------------------------------------------------------------

WORDS = (  # noqa: SIM905 (a list literal of 60 words would be 60 lines)
    "кража телефона соседка побои муж жена ребенок угроза избиение дом двор улица вечером "
    "ночью магазин деньги карта банк мошенничество звонок сообщение интернет сосед ссора "
    "пьяный нож травма больница свидетель полиция заявление ұрлық телефон көрші ұрып-соғу "
    "күйеуі әйелі бала қорқыту үй аула көше кешке түнде дүкен ақша карта банк алаяқтық "
    "қоңырау хабарлама интернет жанжал пышақ жарақат аурухана куә полиция арыз"
).split()


def pg_load(cursor, cases: int, reports: int) -> None:
    """Bulk rows by generate_series: numbers unique per (year, region, sequence)."""
    cursor.execute("SELECT id, code FROM reference_region ORDER BY code")
    regions = cursor.fetchall()
    cursor.execute("SELECT min(id), max(id) FROM reference_articlepart")
    part_lo, part_hi = cursor.fetchone()
    cursor.execute("SELECT region_id, min(id) FROM reference_body GROUP BY region_id")
    bodies = dict(cursor.fetchall())
    n_regions = len(regions)
    region_ids = [r[0] for r in regions]
    region_nums = [r[1].split("-")[1] for r in regions]
    body_ids = [bodies.get(r) for r in region_ids]
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute("SET synchronous_commit = off")
    # The search indexes are built once after the load (faster than row by row).
    cursor.execute("DROP INDEX IF EXISTS registry_case_number_trgm")
    cursor.execute("DROP INDEX IF EXISTS registry_case_erdr_trgm")
    cursor.execute("DROP INDEX IF EXISTS registry_report_summary_fts")
    cursor.execute("DROP INDEX IF EXISTS registry_case_registered_desc")
    cursor.execute("DROP INDEX IF EXISTS registry_report_received_desc")
    cursor.execute(
        """
        INSERT INTO registry_case (number, number_year, number_seq, erdr_number, registered_at,
            region_id, investigating_body_id, article_part_id, status, status_at,
            termination_ground, suspension_ground, term_ends_on, is_demo, created_at)
        SELECT
            y || '-' || (%(nums)s::text[])[1 + i %% %(n)s] || '-' || lpad(s::text, 6, '0'),
            y, s,
            '26' || lpad(i::text, 13, '0'),
            make_date(y, 1 + i %% 12, 1 + i %% 28) + time '10:00' - interval '5 hours',
            (%(ids)s::int[])[1 + i %% %(n)s],
            (%(bodies)s::int[])[1 + i %% %(n)s],
            %(part_lo)s + i %% (%(part_hi)s - %(part_lo)s + 1),
            'investigation',
            make_date(y, 1 + i %% 12, 1 + i %% 28) + time '10:00' - interval '5 hours',
            '', '', make_date(y, 1 + i %% 12, 1 + i %% 28) + 60, false, now()
        FROM (
            SELECT i, 2015 + (i / %(n)s) %% 12 AS y, i / (%(n)s * 12) + 1 AS s
            FROM generate_series(0, %(count)s - 1) AS i
        ) AS g
        """,
        {"nums": region_nums, "n": n_regions, "ids": region_ids, "bodies": body_ids,
         "part_lo": part_lo, "part_hi": part_hi, "count": cases},
    )  # fmt: skip
    cursor.execute(
        """
        INSERT INTO registry_report (received_at, channel, receiving_body_id, region_id,
            summary, decision, decision_note, is_demo, created_at)
        SELECT
            timestamptz '2015-01-01 05:00+00' + (i %% 4000) * interval '1 day'
                + (i %% 24) * interval '1 hour',
            'phone',
            (%(bodies)s::int[])[1 + i %% %(n)s],
            (%(ids)s::int[])[1 + i %% %(n)s],
            w[1 + (i * 7) %% nw] || ' ' || w[1 + (i * 13 + 5) %% nw] || ', ' ||
                w[1 + (i * 31 + 11) %% nw] || ' ' || w[1 + (i * 17 + 3) %% nw] || ' ' ||
                'адрес' || (i %% 50000) || ' ' || w[1 + (i * 3 + 1) %% nw],
            CASE WHEN i %% 10 = 0 THEN 'pending' ELSE 'no_offence' END,
            '', false, now()
        FROM generate_series(0, %(count)s - 1) AS i,
             (SELECT %(words)s::text[] AS w, cardinality(%(words)s::text[]) AS nw) AS v
        """,
        {"bodies": body_ids, "ids": region_ids, "n": n_regions, "count": reports,
         "words": WORDS},
    )  # fmt: skip
    indexes = importlib.import_module("qorgau.registry.migrations.0005_search_indexes")
    for statement in indexes.FORWARD:
        cursor.execute(statement)
    cursor.execute("ANALYZE registry_case")
    cursor.execute("ANALYZE registry_report")


RAW_CASES = """
    SELECT count(*) FROM (SELECT 1 FROM registry_case
    WHERE number LIKE %(like)s OR erdr_number LIKE %(erdr)s LIMIT 1001) AS found
"""
RAW_CASES_PAGE = """
    SELECT id, number FROM registry_case WHERE number LIKE %(like)s OR erdr_number LIKE %(erdr)s
    ORDER BY registered_at DESC, id DESC LIMIT 20
"""
RAW_REPORTS = """
    SELECT count(*) FROM (SELECT 1 FROM registry_report
    WHERE to_tsvector('simple'::regconfig, COALESCE(summary, '')) @@ to_tsquery('simple', %(q)s)
    LIMIT 1001) AS found
"""
RAW_REPORTS_PAGE = """
    SELECT id FROM registry_report
    WHERE to_tsvector('simple'::regconfig, COALESCE(summary, '')) @@ to_tsquery('simple', %(q)s)
    ORDER BY received_at DESC, id DESC LIMIT 20
"""


def raw_search(cursor, text: str) -> Callable[[], object]:
    """The same search as ``find`` in plain SQL: counts and first pages of both kinds."""
    from qorgau.registry import search

    like = f"%{text}%"
    erdr = like if "-" not in text else ""  # as search.cases_matching: no ERDR has a hyphen
    number_like = bool(search.NUMBER_TEXT.match(text))
    words = search.words(text)
    tsquery = " & ".join(f"{w}:*" for w in words)

    def run() -> object:
        if number_like:
            cursor.execute(RAW_CASES, {"like": like, "erdr": erdr})
            cursor.execute(RAW_CASES_PAGE, {"like": like, "erdr": erdr})
            cursor.fetchall()
        if words:
            cursor.execute(RAW_REPORTS, {"q": tsquery})
            cursor.execute(RAW_REPORTS_PAGE, {"q": tsquery})
            cursor.fetchall()
        return None

    return run


def bench(queries, runs: int, raw: Callable[[str], Callable[[], object]] | None) -> list[tuple]:
    from qorgau.core.actors import Actor
    from qorgau.registry import search

    actor = Actor.system("bench")
    rows = []
    for what, text in queries:
        found = search.find(actor, text)
        median, p95 = timed(lambda text=text: search.find(actor, text), runs)
        ratio = ""
        if raw is not None:
            raw_median, _p95 = timed(raw(text), runs)
            ratio = f"{median / raw_median:.2f}" if raw_median else ""
        rows.append((what, text, found.case_count, found.report_count, median, p95, ratio))
    return rows


def print_table(title: str, rows: list[tuple], runs: int) -> None:
    print(f"\n{title} ({runs} runs each)")
    print(f"{'search':24} {'typed':16} {'cases':>8} {'reports':>8} {'median ms':>10} "
          f"{'p95 ms':>8} {'÷ raw SQL':>9}")  # fmt: skip
    for what, text, cases, reports, median, p95, ratio in rows:
        print(f"{what:24} {text:16} {cases:>8} {reports:>8} {median:>10.1f} {p95:>8.1f} "
              f"{ratio:>9}")  # fmt: skip


def run_postgres(args) -> None:
    import dj_database_url
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server (or pass --sqlite)")
    conf = dj_database_url.parse(url)
    scratch = args.reuse or f"qorgau_bench_{os.getpid()}"
    login = {"host": conf["HOST"] or "127.0.0.1", "port": conf["PORT"] or 5432,
             "user": conf["USER"], "password": conf["PASSWORD"] or None}  # fmt: skip
    if not args.reuse:
        with psycopg.connect(dbname=conf["NAME"], autocommit=True, **login) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        base = url.rsplit("/", 1)[0]
        django_setup(f"{base}/{scratch}")
        from django.core.management import call_command
        from django.db import connection

        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"migrated in {time.perf_counter() - start:.0f} s", flush=True)
            start = time.perf_counter()
            with connection.cursor() as cursor:
                pg_load(cursor, args.cases, args.reports)
            print(f"loaded {args.cases:,} cases and {args.reports:,} reports and built the "
                  f"indexes in {time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_case")
            args.cases = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM registry_report")
            args.reports = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            rows = bench(QUERIES_PG, args.runs, lambda text: raw_search(cursor, text))
        cursor = connection.cursor()
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
        print_table(f"PostgreSQL ({version}), {args.cases:,} cases, {args.reports:,} reports",
                    rows, args.runs)  # fmt: skip
        connection.close()
    finally:
        if not args.keep:
            with psycopg.connect(dbname=conf["NAME"], autocommit=True, **login) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def run_sqlite(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        django_setup(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        from django.core.management import call_command

        from qorgau.registry.models import Case, Report

        call_command("migrate", verbosity=0)
        call_command("load-demo", verbosity=0)
        case = Case.objects.exclude(erdr_number="").order_by("pk").first() or Case.objects.first()
        report = Report.objects.order_by("pk").first()
        word = max(report.summary.split(), key=len).strip(".,;:()«»\"'")
        queries = [
            ("part of a case number", case.number[-6:]),
            ("region and sequence", case.number[5:]),
            ("one summary word", word),
            ("report number", str(report.pk)),
        ]
        if case.erdr_number:
            queries.insert(2, ("part of an ERDR number", case.erdr_number[4:12]))
        rows = bench(queries, args.runs, None)
        print_table(f"SQLite, demo data: {Case.objects.count():,} cases, "
                    f"{Report.objects.count():,} reports", rows, args.runs)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="the demo data on SQLite")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", metavar="DATABASE", help="time a database loaded before")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    if args.sqlite:
        run_sqlite(args)
    else:
        run_postgres(args)


if __name__ == "__main__":
    main()
