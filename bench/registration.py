"""Benchmark of case registration under load (registry/services.py ``register_case``;
docs/registry.md, "Registration under load").

On a scratch PostgreSQL database (migrated, ``qorgau load-reference``), it measures:

- **service**: ``--clients`` threads, each with its own connection, register cases through
  ``services.register_case`` (a registrar with a national scope, two parties each, as the
  registration page does) for ``--seconds`` seconds, all in one region and year (the worst case:
  every registration takes the same number sequence), then spread over the twenty regions;
- **raw baselines** in the same run and the same way: plain SQL INSERTs of a case under the same
  sequence lock (``raw: case INSERT``), and of every row a registration writes — case,
  qualification, status, two parties, one audit entry — under the same locks (``raw: same rows``);
- **HTTP** (unless ``--no-http``): gunicorn (``--workers``) serving the project on the same
  database; ``--clients`` client threads, each logged in as a registrar with its own session and
  CSRF token, POST the registration form (the page's redirect to the new case is the success).

Each measure prints registrations per second, the median and 95th percentile of one
registration's latency, and its ratio to the raw baseline; afterwards the numbers of every
(region, year) are checked to be unique and without gaps (the benchmark fails otherwise).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/registration.py
    … bench/registration.py --seconds 5 --clients 16 --workers 5
"""

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import io
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Measure, django_setup, print_measures, scratch_database

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-registrar-2026"  # noqa: S105 (a scratch database's user)
USERNAME = "bench_registrar"
SAME_REGION = "KZ-79"


@dataclass
class Run:
    """What the clients of one measure did: each registration's latency (ms) and the wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def measure(self, name: str, raw: "Run | None" = None, goal: str = "") -> Measure:
        times = sorted(self.latencies) or [0.0]
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        raw_median = statistics.median(raw.latencies) if raw and raw.latencies else None
        note = f"{self.per_second:,.0f}/s ({len(self.latencies):,} in {self.seconds:.1f} s)"
        if raw is not None and raw.per_second:
            note += f", {self.per_second / raw.per_second:.2f}× raw's rate"
        if goal:
            note += f"; goal {goal}"
        if self.errors:
            note += f"; {len(self.errors)} errors (first: {self.errors[0][:80]})"
        return Measure(name, statistics.median(times), p95, raw_median, note)


def run_clients(clients: int, seconds: float, make: Callable[[int], Callable[[int], None]]) -> Run:
    """``clients`` threads; each builds its own ``make(index)`` (its connection, its session)
    and calls it with 0, 1, 2 … until ``seconds`` have passed since all started together."""
    run = Run()
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        from django.db import connections

        latencies: list[float] = []
        errors: list[str] = []
        try:
            register = make(index)
            ready.wait()
            deadline = time.perf_counter() + seconds
            i = 0
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    register(i)
                except Exception as exc:  # counted, shown in the note
                    errors.append(f"{type(exc).__name__}: {exc}")
                else:
                    latencies.append((time.perf_counter() - start) * 1000)
                i += 1
        except threading.BrokenBarrierError:
            return
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            ready.abort()
        finally:
            connections.close_all()
            with lock:
                run.latencies += latencies
                run.errors += errors

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


def run_processes(
    clients: int, seconds: float, make: Callable[[int], Callable[[int], None]]
) -> Run:
    """As :func:`run_clients`, with ``clients`` forked processes instead of threads (each its
    own interpreter and connection, as gunicorn's workers): what the service does when one
    process's global interpreter lock does not serialise its Python."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a child must open its own, never use the parent's socket
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(clients + 1)
    results = context.Queue()

    def child(index: int) -> None:
        latencies: list[float] = []
        errors: list[str] = []
        try:
            register = make(index)
            ready.wait()
            deadline = time.perf_counter() + seconds
            i = 0
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    register(i)
                except Exception as exc:  # counted, shown in the note
                    errors.append(f"{type(exc).__name__}: {exc}")
                else:
                    latencies.append((time.perf_counter() - start) * 1000)
                i += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            ready.abort()
        finally:
            connections.close_all()
            results.put((latencies, errors))

    procs = [context.Process(target=child, args=(n,)) for n in range(clients)]
    for proc in procs:
        proc.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    start = time.perf_counter()
    run = Run()
    for _ in procs:
        latencies, errors = results.get(timeout=seconds + 120)
        run.latencies += latencies
        run.errors += errors
    run.seconds = time.perf_counter() - start
    for proc in procs:
        proc.join(timeout=30)
    return run


# --- Set-up ------------------------------------------------------------------------------------


def prepare() -> None:
    """Migrate and load the reference data (a new scratch database)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load-reference", verbosity=0, stdout=io.StringIO())


def ensure_registrar() -> None:
    """The benchmark's registrar (national scope), created once."""
    from django.contrib.auth import get_user_model

    from qorgau.access.models import Profile, Role

    user, created = get_user_model().objects.get_or_create(username=USERNAME)
    if created:
        user.set_password(PASSWORD)
        user.save()
        Profile.objects.create(user=user, role=Role.REGISTRAR)


def regions_for(index: int, spread: bool) -> str:
    """The region client ``index`` registers in: all the same, or one of the twenty in turn."""
    from qorgau.reference.models import Region

    if not spread:
        return SAME_REGION
    codes = sorted(Region.objects.values_list("code", flat=True))
    return codes[index % len(codes)]


def service_client(spread: bool) -> Callable[[int], Callable[[int], None]]:
    """A client registering through ``services.register_case`` as the page does."""

    def make(index: int) -> Callable[[int], None]:
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from qorgau.core.actors import Actor
        from qorgau.reference.models import ArticlePart, Body, Region
        from qorgau.registry import services
        from qorgau.registry.choices import AgeBand, PartyRole, Relationship, Sex

        user = get_user_model().objects.get(username=USERNAME)
        actor = Actor.person(user, f"10.0.0.{index + 1}")
        region = Region.objects.get(code=regions_for(index, spread))
        part = ArticlePart.objects.select_related("article").order_by("pk").first()
        body = Body.objects.filter(region=region).order_by("pk").first()
        parties = [
            services.PartyData(role=PartyRole.VICTIM, sex=Sex.FEMALE, age_band=AgeBand.UNKNOWN),
            services.PartyData(
                role=PartyRole.SUSPECT, sex=Sex.MALE, relationship=Relationship.UNKNOWN
            ),
        ]

        def register(i: int) -> None:
            services.register_case(
                actor, region, article_part=part, registered_at=timezone.now(),
                investigating_body=body, parties=parties,
            )  # fmt: skip

        return register

    return make


def raw_client(database_url: str, spread: bool, all_rows: bool):
    """A client writing with plain SQL what a registration writes: the case under the sequence
    lock (``all_rows``: and its qualification, status, two parties and audit entry)."""

    def make(index: int) -> Callable[[int], None]:
        import json

        import psycopg

        from qorgau.reference.models import ArticlePart, Body, Region

        region = Region.objects.get(code=regions_for(index, spread))
        part = ArticlePart.objects.order_by("pk").first()
        body = Body.objects.filter(region=region).order_by("pk").first()
        code = region.code.removeprefix("KZ-")
        conn = psycopg.connect(database_url.replace("postgres://", "postgresql://", 1))
        year = dt.datetime.now(dt.UTC).year  # the bench runs far from midnight in Almaty
        conn.execute(
            "INSERT INTO registry_casenumbersequence (region_id, year, last_value) "
            "VALUES (%s, %s, 0) ON CONFLICT DO NOTHING",
            (region.pk, year),
        )
        conn.commit()

        def register(i: int) -> None:
            with conn.transaction():
                seq = conn.execute(
                    "UPDATE registry_casenumbersequence SET last_value = last_value + 1 "
                    "WHERE region_id = %s AND year = %s RETURNING last_value",
                    (region.pk, year),
                ).fetchone()[0]
                number = f"{year}-{code}-{seq:06d}"
                case_id = conn.execute(
                    """INSERT INTO registry_case (number, number_year, number_seq, erdr_number,
                    registered_at, region_id, investigating_body_id, article_part_id, status,
                    status_at, termination_ground, suspension_ground, term_ends_on, is_demo,
                    created_at) VALUES (%s, %s, %s, '', now(), %s, %s, %s, 'investigation',
                    now(), '', '', current_date + 60, false, now()) RETURNING id""",
                    (number, year, seq, region.pk, body.pk, part.pk),
                ).fetchone()[0]
                if not all_rows:
                    return
                conn.execute(
                    "INSERT INTO registry_qualification (case_id, article_part_id, qualified_at,"
                    " reason) VALUES (%s, %s, now(), '')",
                    (case_id, part.pk),
                )
                conn.execute(
                    "INSERT INTO registry_statuschange (case_id, from_status, to_status,"
                    " changed_at, reason, ground) VALUES (%s, '', 'investigation', now(), '', '')",
                    (case_id,),
                )
                conn.execute(
                    "INSERT INTO registry_party (case_id, role, sex, age_band, is_minor,"
                    " relationship) VALUES (%s, 'victim', 'F', 'unknown', false, ''),"
                    " (%s, 'suspect', 'M', 'unknown', false, 'unknown')",
                    (case_id, case_id),
                )
                conn.execute(
                    "INSERT INTO audit_auditentry (username, source, action, object_type,"
                    " object_id, object_repr, region_code, after, details) VALUES"
                    " ('raw', '10.0.0.1', 'case.register', 'registry.case', %s, %s, %s, %s, %s)",
                    (str(case_id), number, region.code, json.dumps({"number": number}),
                     json.dumps({"reports": [], "parties": []})),
                )  # fmt: skip

        return register

    return make


# --- HTTP ---------------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def start_gunicorn(database_url: str, port: int, workers: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        sys.exit("gunicorn is not installed in this environment (pip install gunicorn)")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "qorgau.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "DEBUG": "0",
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
    }
    proc = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [gunicorn, "qorgau.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
                return proc
        except (urllib.error.URLError, ConnectionError, OSError):
            if proc.poll() is not None:
                sys.exit("gunicorn did not start")
            time.sleep(0.1)
    proc.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def http_client(base: str, spread: bool):
    """A client logged in as the registrar, posting the registration form."""

    def make(index: int) -> Callable[[int], None]:
        from qorgau.reference.models import ArticlePart, Body, Region

        region = Region.objects.get(code=regions_for(index, spread))
        part = ArticlePart.objects.order_by("pk").first()
        body = Body.objects.filter(region=region).order_by("pk").first()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

        def token(path: str) -> str:
            with opener.open(base + path, timeout=30) as response:
                found = CSRF_RE.search(response.read().decode())
            if not found:
                raise RuntimeError(f"no CSRF token on {path}")
            return found[1]

        def post(path: str, data: dict) -> tuple[int, str]:
            body_bytes = urllib.parse.urlencode(data).encode()
            request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
                base + path, data=body_bytes, method="POST",
                                             headers={"Referer": base + path})  # fmt: skip
            try:
                with opener.open(request, timeout=60) as response:
                    return response.status, response.headers.get("Location", "")
            except urllib.error.HTTPError as exc:
                return exc.code, exc.headers.get("Location", "")

        login = {"csrfmiddlewaretoken": token("/login/"), "username": USERNAME,
                 "password": PASSWORD}  # fmt: skip
        status, _location = post("/login/", login)
        if status != 302:
            raise RuntimeError(f"login answered {status}")
        form_token = token("/registry/cases/new/")

        def register(i: int) -> None:
            now = dt.datetime.now(dt.timezone(dt.timedelta(hours=5))) - dt.timedelta(minutes=1)
            status, location = post("/registry/cases/new/", {
                "csrfmiddlewaretoken": form_token,
                "region": region.pk, "article_part": part.pk,
                "registered_at": now.strftime("%Y-%m-%dT%H:%M"),
                "investigating_body": body.pk,
                "victim_sex": "F", "victim_age_band": "unknown", "victim_consent": "",
                "suspect_sex": "M", "relationship": "unknown",
            })  # fmt: skip
            if status != 302 or "/registry/cases/" not in location:
                raise RuntimeError(f"registration answered {status} {location}")

        return register

    return make


# --- Checks -------------------------------------------------------------------------------------


def check_numbers() -> tuple[int, int]:
    """(cases, sequences): every system number unique, each (region, year) 1…n without a gap,
    and each sequence row at its last number. Raises AssertionError otherwise."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.region_id, c.number_year, count(*), count(DISTINCT c.number),
                      min(c.number_seq), max(c.number_seq), max(s.last_value)
               FROM registry_case c
               JOIN registry_casenumbersequence s
                 ON s.region_id = c.region_id AND s.year = c.number_year
               GROUP BY c.region_id, c.number_year"""
        )
        rows = cursor.fetchall()
    for region_id, year, count, distinct, low, high, last in rows:
        assert count == distinct, f"duplicate numbers in region {region_id} {year}"
        assert (low, high, last) == (1, count, count), (
            f"gap in region {region_id} {year}: {count} cases, {low}…{high}, counter {last}"
        )
    return sum(r[2] for r in rows), len(rows)


def check_chain() -> str:
    from qorgau.audit import chain

    result = chain.verify()
    assert result.ok, result.problems[:5]
    return f"{result.entries:,} entries, chain whole"


# --- Measures -----------------------------------------------------------------------------------


def cost(runs: int = 100) -> Measure:
    """What one registration costs the application, less sensitive to the machine's load than
    the rates: its statements (and those run while the number's sequence is locked, from the
    sequence's UPDATE to the commit) and the CPU time of this process's Python per
    registration, one client alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    register = service_client(spread=False)(0)
    register(0)
    with CaptureQueriesContext(connection) as queries:
        register(1)
    statements = [q["sql"] for q in queries.captured_queries]
    first = next(
        (i for i, sql in enumerate(statements) if "UPDATE registry_casenumbersequence" in sql
         or ("registry_casenumbersequence" in sql and "FOR UPDATE" in sql)),
        len(statements),
    )  # fmt: skip
    times = []
    for i in range(runs):
        start = time.thread_time()
        register(i)
        times.append((time.thread_time() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Measure(
        "service, one registration: Python CPU", statistics.median(times), p95, None,
        f"{len(statements)} statements, {len(statements) - first} of them under the "
        "sequence's lock (to the commit)",
    )  # fmt: skip


def stats_triggers(on: bool) -> str:
    """Create or drop the statistics' triggers (``stats.aggregates``), to measure registration
    with and without them; back on, the aggregates are rebuilt, so the database is left exact
    for the measures that follow (``bench/run.py``). Returns the label of the state."""
    from django.db import connection

    from qorgau.stats import aggregates

    with connection.cursor() as cursor:
        for sql in aggregates.postgresql_drop():
            cursor.execute(sql)
        if on:
            for sql in aggregates.postgresql_triggers():
                cursor.execute(sql)
    if on:
        aggregates.rebuild()
    return "stats triggers on" if on else "stats triggers off"


def measures(
    scale: int, *, clients: int = 16, workers: int = 5, http: bool = True,
    triggers: tuple[bool, ...] = (True, False),
) -> list[Measure]:  # fmt: skip
    """The registration measures on the database Django is set up on (migrated, with the
    reference data): ``scale`` is the seconds each measure runs. Each set runs with the
    statistics' triggers on (as migrated) and then off (dropped; put back and the aggregates
    rebuilt at the end). The cases registered stay in the database."""
    from django.db import connection

    ensure_registrar()

    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
           f"{settings['PORT'] or 5432}/{settings['NAME']}")  # fmt: skip
    seconds = float(scale)
    found: list[Measure] = []
    current = True  # as migrated
    for on in triggers:
        state = stats_triggers(on) if on != current else f"stats triggers {'on' if on else 'off'}"
        current = on
        found.append(Measure(f"— {state}", 0, 0))
        found.append(cost())
        alone = run_clients(1, seconds, raw_client(url, spread=False, all_rows=True))
        found.append(alone.measure("raw: same rows, 1 client"))
        one = run_clients(1, seconds, service_client(spread=False))
        found.append(one.measure("service, 1 client", alone))
        raw = run_clients(clients, seconds, raw_client(url, spread=False, all_rows=False))
        found.append(raw.measure(f"raw: case INSERT, 1 region, {clients} clients"))
        rows = run_clients(clients, seconds, raw_client(url, spread=False, all_rows=True))
        found.append(rows.measure(f"raw: same rows, 1 region, {clients} clients"))
        service = run_clients(clients, seconds, service_client(spread=False))
        found.append(service.measure(f"service, 1 region, {clients} threads", raw, "≥ 300/s"))
        spread = run_clients(clients, seconds, service_client(spread=True))
        found.append(spread.measure(f"service, 20 regions, {clients} threads", raw))
        forked = run_processes(clients, seconds, service_client(spread=False))
        found.append(forked.measure(f"service, 1 region, {clients} processes", raw))
        forked = run_processes(clients, seconds, service_client(spread=True))
        found.append(forked.measure(f"service, 20 regions, {clients} processes", raw))
        if not http:
            continue
        port = free_port()
        server = start_gunicorn(url, port, workers)
        try:
            base = f"http://127.0.0.1:{port}"
            web = run_clients(clients, seconds, http_client(base, spread=False))
            web_spread = run_clients(clients, seconds, http_client(base, spread=True))
        finally:
            server.terminate()
            server.wait(timeout=30)
        found.append(web.measure(f"HTTP -w {workers}, 1 region, {clients} clients", raw,
                                 "≥ 150/s"))  # fmt: skip
        found.append(web_spread.measure(f"HTTP -w {workers}, 20 regions, {clients} clients",
                                        raw))  # fmt: skip
    if not current:
        stats_triggers(True)
    cases, sequences = check_numbers()
    found.append(Measure("numbers unique and gapless", 0, 0, None,
                         f"{cases:,} cases in {sequences} sequences; {check_chain()}"))  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="each measure (default 10)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn measures")
    parser.add_argument(
        "--triggers", choices=["both", "on", "off"], default="both",
        help="with the statistics' triggers, without them, or both (default)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server and a role that may create databases")
    with scratch_database(url, f"qorgau_reg_bench_{os.getpid()}", keep=args.keep) as scratch:
        django_setup(scratch)
        from django.db import connection

        prepare()
        triggers = {"both": (True, False), "on": (True,), "off": (False,)}[args.triggers]
        found = measures(round(args.seconds), clients=args.clients, workers=args.workers,
                         http=not args.no_http, triggers=triggers)  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(",")[0]
        connection.close()
        print_measures(f"Registration under load, {version}, {os.cpu_count()} cores", found)


if __name__ == "__main__":
    main()
