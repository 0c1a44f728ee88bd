"""Scale benchmark of the statistics (stats/services.py reading the aggregates of
stats/aggregates.py; docs/stats.md, "Aggregates").

On a scratch PostgreSQL database (created, migrated, loaded with ``qorgau synth --cases N``
— the Criminal Code's articles, five reports per case — and dropped at the end), each
statistics measure is timed through the service and against the raw ``GROUP BY`` over the
base tables that gives the same counts, in the same run; the two results are asserted equal
(the benchmark fails otherwise). Then the dashboard's default view (all articles, from the
earliest entry into force, weekly) through the Django test client as a national analyst.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/stats.py --cases 100000
    .venv/bin/python bench/stats.py --reuse postgres://…/qorgau_x   # a database already loaded

``measures(scale)`` gives the same lines to ``bench/run.py``.
"""

# The SQL here is built from this file's own constants (values go as parameters), and the
# subprocess runs this checkout's own command: S608 and S603 do not apply.
# ruff: noqa: S603, S608

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Measure, django_setup, print_measures, scratch_database, timed

ROOT = Path(__file__).resolve().parent.parent
# The local day of a stored instant, as the aggregates compute it (stats.aggregates.local_day).
DAY = (
    "(({c} AT TIME ZONE 'UTC') + CASE WHEN {c} >= TIMESTAMPTZ '2024-02-29 18:00:00+00' "
    "THEN INTERVAL '5 hours' ELSE INTERVAL '6 hours' END)::date"
)


def load(database_url: str, cases: int) -> None:
    """Migrate and load the synthetic national data set (qorgau synth) into the database."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"}
    qorgau = [sys.executable, "-m", "qorgau"]
    for args in (
        ["migrate", "-v0"],
        ["load-reference", "--all-articles"],
        ["synth", "--cases", str(cases), "--lang", "en"],
    ):
        subprocess.run([*qorgau, *args], env=env, check=True, cwd=ROOT)


def _raw(sql: str, params: list | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


def _range(filters) -> tuple[str, list]:
    """The raw queries' period: the instants of the filters' local days."""
    from qorgau.stats.aggregates import day_start

    start = day_start(filters.date_from)
    end = day_start(filters.end + dt.timedelta(days=1))
    return "registered_at >= %s AND registered_at < %s", [start, end]


def _cases(filters) -> tuple[str, list]:
    """The raw queries' cases of ``filters`` (articles, period; every region)."""
    where, params = _range(filters)
    if filters.articles:
        where += (
            " AND article_part_id IN (SELECT ap.id FROM reference_articlepart ap "
            "JOIN reference_article a ON a.id = ap.article_id WHERE a.code = ANY(%s))"
        )
        params.append(list(filters.articles))
    return where, params


def stat_measures(runs: int) -> list[Measure]:
    """Each statistics measure through the service beside its raw GROUP BY, results equal."""
    from qorgau.core.actors import Actor
    from qorgau.stats import services

    system = Actor.system("bench")
    decade = services.Filters((), services.in_force_since(()), None, ())
    article = "115-1"
    since = services.Filters((article,), services.in_force_since((article,)), None, ())
    measures = []

    def compare(name, service, raw, note=""):
        got, expected = service(), raw()
        assert got == expected, (name, got, expected)
        median, p95 = timed(service, runs)
        raw_median, _raw_p95 = timed(raw, max(3, runs // 4))
        measures.append(Measure(name, median, p95, raw_median, note))

    for label, f in (("decade, all articles", decade), (f"{article} since in force", since)):
        where, params = _cases(f)
        compare(
            f"cases by region ({label})",
            lambda f=f: {r.region.pk: r.count for r in services.by_region(system, f) if r.count},
            lambda w=where, p=params: dict(
                _raw(f"SELECT region_id, count(*) FROM registry_case WHERE {w} GROUP BY 1", p)
            ),
        )
        compare(
            f"weekly series ({label})",
            lambda f=f: {d: n for d, n in services.time_series(system, f, "week") if n},
            lambda w=where, p=params: dict(
                _raw(
                    f"SELECT date_trunc('week', {DAY.format(c='registered_at')})::date, count(*) "
                    f"FROM registry_case WHERE {w} GROUP BY 1",
                    p,
                )
            ),
        )
    where, params = _cases(decade)
    for by, column in (("status", "status"), ("termination_ground", "termination_ground")):
        extra = " AND status = 'terminated'" if by == "termination_ground" else ""
        compare(
            f"cases by {by}",
            lambda by=by: {r["key"]: r["count"] for r in services.counts_by(system, decade, by)},
            lambda column=column, extra=extra: dict(
                _raw(
                    f"SELECT {column}, count(*) FROM registry_case WHERE {where}{extra} GROUP BY 1",
                    params,
                )
            ),
        )
    compare(
        "cases by article",
        lambda: {r["key"]: r["count"] for r in services.counts_by(system, decade, "article")},
        lambda: dict(
            _raw(
                "SELECT a.code, count(*) FROM registry_case c JOIN reference_articlepart ap "
                "ON ap.id = c.article_part_id JOIN reference_article a ON a.id = ap.article_id "
                f"WHERE {where.replace('registered_at', 'c.registered_at')} GROUP BY 1",
                params,
            )
        ),
    )
    for by, role, column in (
        ("victim_sex", "victim", "sex"),
        ("victim_age_band", "victim", "age_band"),
        ("relationship", "suspect", "relationship"),
    ):
        compare(
            f"parties by {by}",
            lambda by=by: {r["key"]: r["count"] for r in services.counts_by(system, decade, by)},
            lambda role=role, column=column: dict(
                _raw(
                    f"SELECT p.{column}, count(*) FROM registry_party p JOIN registry_case c "
                    f"ON c.id = p.case_id WHERE p.role = %s AND "
                    f"{where.replace('registered_at', 'c.registered_at')} GROUP BY 1",
                    [role, *params],
                )
            ),
        )
    rwhere, rparams = _range(decade)
    rwhere = rwhere.replace("registered_at", "received_at")
    compare(
        "reports by decision",
        lambda: {
            r["key"]: r["count"] for r in services.counts_by(system, decade, "report_decision")
        },
        lambda: dict(
            _raw(
                f"SELECT decision, count(*) FROM registry_report WHERE {rwhere} GROUP BY 1",
                rparams,
            )
        ),
    )
    compare(
        "cumulative since entry into force",
        lambda: {
            r["article"]: r["count"]
            for r in services.cumulative_since_in_force(system, decade)
            if r["count"]
        },
        lambda: dict(
            _raw(
                "SELECT a.code, count(*) FROM registry_case c JOIN reference_articlepart ap "
                "ON ap.id = c.article_part_id JOIN reference_article a ON a.id = ap.article_id "
                f"WHERE {DAY.format(c='c.registered_at')} >= a.in_force_on "
                f"AND c.registered_at < %s GROUP BY 1",
                [params[1]],
            )
        ),
    )
    first_victim = (
        "SELECT DISTINCT ON (case_id) case_id, (sex = 'U' OR age_band = 'unknown') AS unknown "
        "FROM registry_party WHERE role = 'victim' ORDER BY case_id, id"
    )
    compare(
        "completeness by region (cases, unknown)",
        lambda: {
            r["key"]: (r["cases"], r["unknown_share"])
            for r in services.completeness(system, decade)["region"]
            if r["cases"]
        },
        lambda: {
            code: (n, round(unknown / n, 3))
            for code, n, unknown in _raw(
                "SELECT g.code, count(*), count(*) FILTER (WHERE v.unknown IS NOT FALSE) "
                f"FROM registry_case c JOIN reference_region g ON g.id = c.region_id "
                f"LEFT JOIN ({first_victim}) v ON v.case_id = c.id "
                f"WHERE {where.replace('registered_at', 'c.registered_at')} GROUP BY 1",
                params,
            )
        },
    )

    def effect_series():
        series, _result = services.campaign_effect(system, decade, period="week")
        return {p.start: p.count for p in series if p.count}

    def effect_raw():
        weeks = dict(
            _raw(
                f"SELECT date_trunc('week', {DAY.format(c='registered_at')})::date, count(*) "
                f"FROM registry_case WHERE {where} GROUP BY 1",
                params,
            )
        )
        # The series runs to the data cut-off (the period's end or yesterday), listing the
        # period of today too (partial, so not fitted): no period after today's.
        cut = services.period_start(min(decade.end, dt.date.today()), "week")
        return {d: n for d, n in weeks.items() if d <= cut}

    compare("campaign effect (weekly, with the fit)", effect_series, effect_raw)
    return measures


def dashboard_measures(runs: int) -> list[Measure]:
    """The dashboard's default view as a national analyst, through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from qorgau.access.models import Profile

    setup_test_environment()
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(username="bench_analyst")
    Profile.objects.get_or_create(user=user, defaults={"role": "analyst", "region": None})
    client = Client()
    client.force_login(user)

    def view():
        response = client.get("/stats/", secure=True)
        assert response.status_code == 200, (response.status_code, response.get("Location"))

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    view()  # the first request opens the connection
    with connection.execute_wrapper(count):
        view()
    median, p95 = timed(view, runs)
    return [Measure("dashboard /stats/ default view", median, p95, None, f"{len(queries)} queries")]


def measures(scale: int, runs: int = 20) -> list[Measure]:
    """The statistics measures on the current database (Django set up on one loaded with
    ``qorgau synth --cases scale``)."""
    return [*stat_measures(runs), *dashboard_measures(max(5, runs // 2))]


def _counts() -> str:
    rows = _raw(
        "SELECT (SELECT count(*) FROM registry_case), (SELECT count(*) FROM registry_report), "
        "(SELECT count(*) FROM stats_casecount), (SELECT count(*) FROM stats_partycount), "
        "(SELECT count(*) FROM stats_reportcount)"
    )[0]
    return "cases {}, reports {}; aggregate rows: cases {}, parties {}, reports {}".format(*rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", help="A database already loaded (not dropped).")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    parser.add_argument(
        "--name", help="The scratch database's name (default qorgau_bench_stats_N)."
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if args.reuse:
        run(args.reuse, args.cases, args.runs)
        return
    name = args.name or f"qorgau_bench_stats_{args.cases}"
    with scratch_database(server, name, keep=args.keep) as url:
        load(url, args.cases)
        run(url, args.cases, args.runs)


def run(url: str, cases: int, runs: int) -> None:
    django_setup(url)
    _raw("ANALYZE")
    print(_counts())
    print_measures(f"statistics at {cases} cases (PostgreSQL)", measures(cases, runs))


if __name__ == "__main__":
    main()
