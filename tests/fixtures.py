"""Shared fixtures: named users, reference lookups, a case factory, and the PostgreSQL switch."""

import collections
import contextlib
import datetime as dt
import os

import pytest
from django.db import connection, transaction
from django.utils import timezone
from pytest_django.plugin import validate_django_db

from qorgau.core.actors import Actor
from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import services

# The system as the tests' services act when no person is named (a command, a loader).
SYSTEM = Actor.system("tests")


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests run on PostgreSQL, browser tests where Debian's chromium is. When CI
    asks for them (QORGAU_REQUIRE_POSTGRES=1, QORGAU_REQUIRE_BROWSER=1) and they cannot run, the
    run fails instead of silently leaving them out; elsewhere they are deselected (reported)."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    if os.environ.get("QORGAU_REQUIRE_POSTGRES") == "1" and not on_postgres:
        raise pytest.UsageError("QORGAU_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    if os.environ.get("QORGAU_REQUIRE_POSTGRES") == "1" and not os.environ.get(
        "DATABASE_OWNER_URL"
    ):
        raise pytest.UsageError(
            "QORGAU_REQUIRE_POSTGRES=1 runs as the restricted application role: set "
            "DATABASE_OWNER_URL too (see .ci/run)"
        )
    has_browser = os.path.exists("/usr/bin/chromium")
    if os.environ.get("QORGAU_REQUIRE_BROWSER") == "1" and not has_browser:
        raise pytest.UsageError("QORGAU_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
    has_office = all(os.path.exists(f"/usr/bin/{tool}") for tool in ("soffice", "pdftotext"))
    if os.environ.get("QORGAU_REQUIRE_OFFICE") == "1" and not has_office:
        raise pytest.UsageError("QORGAU_REQUIRE_OFFICE=1 but LibreOffice or pdftotext is missing")
    unavailable = set()
    if not has_office:
        unavailable.add("office")
    if not on_postgres:
        unavailable.add("postgres")
    if not has_browser:
        unavailable.add("browser")
    selected, deselected = [], []
    for item in items:
        (deselected if any(item.get_closest_marker(m) for m in unavailable) else selected).append(
            item
        )
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
    _shared_data_tests_last(items)


def _shared_data_tests_last(items):
    """The tests that read a shared data set (the seed, the demo: see ``seed`` and ``demo``
    below) run after the other database tests, grouped by set, so each set is loaded once; their
    order within a group is kept. They run before the transactional tests: pytest-django puts
    those after the others because each ends by emptying every table, the reference data the
    migrations loaded included."""
    plain, transactional, without_db = [], [], []
    groups: dict[str, list] = {name: [] for name in SHARED_DATA}
    for item in items:
        needs = [name for name in SHARED_DATA if name in getattr(item, "fixturenames", ())]
        if len(needs) > 1:
            raise pytest.UsageError(f"{item.nodeid}: one shared data set per test ({needs})")
        kind = _database_use(item)
        if needs and kind != "plain":
            raise pytest.UsageError(
                f"{item.nodeid}: the {needs[0]} is shared in a transaction; a transactional "
                "test would empty it for the others"
            )
        if needs:
            groups[needs[0]].append(item)
        else:
            {"plain": plain, "transactional": transactional, None: without_db}[kind].append(item)
    items[:] = plain + [item for group in groups.values() for item in group]
    items += transactional + without_db


def _database_use(item) -> str | None:
    """As pytest-django orders the tests: "plain" (in a transaction rolled back after it),
    "transactional" (the tables emptied after it) or None (no database)."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    transactional = bool({"transactional_db", "live_server"} & fixtures)
    if marker:
        transaction_, reset_sequences, _dbs, serialized, _apps = validate_django_db(marker)
        transactional = transactional or transaction_ or reset_sequences or serialized
    if transactional:
        return "transactional"
    return "plain" if marker or "db" in fixtures else None


@pytest.fixture
def on_postgres():
    assert connection.vendor == "postgresql"


# --- PostgreSQL as the restricted application role ------------------------------------------
# With DATABASE_OWNER_URL (as `.ci/run` sets it, after `qorgau db-roles`), the test database is
# created and migrated by the owner role, exactly as `qorgau migrate` does in production, and the
# tests then run as the application role of DATABASE_URL, which may only SELECT and INSERT the
# audit trail. Only the test runner's own emptying of tables between transactional tests (a
# TRUNCATE the application may not run) goes through a connection of the owner.
OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
RESTRICTED = bool(OWNER_URL) and os.environ.get("DATABASE_URL", "").startswith("postgres")


def owner_connection():
    """A new autocommit psycopg connection to the test database as the owner role (restricted
    mode) or as the configured user (otherwise, a superuser on a developer's machine)."""
    import dj_database_url
    import psycopg

    settings = connection.settings_dict
    login = dj_database_url.parse(OWNER_URL) if RESTRICTED else settings
    return psycopg.connect(
        dbname=settings["NAME"], host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
        user=login["USER"], password=login["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


if RESTRICTED:

    @pytest.fixture(scope="session")
    def django_db_setup(
        request, django_test_environment, django_db_blocker, django_db_modify_db_settings
    ):
        # django_db_modify_db_settings: each pytest-xdist worker its own test database.
        from django.test.utils import setup_databases, teardown_databases
        from pytest_django.fixtures import _get_databases_for_setup

        from qorgau.audit import roles

        login = roles.owner_login("default", OWNER_URL)
        aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
        with django_db_blocker.unblock(), roles.connected_as("default", login) as app_role:
            config = setup_databases(
                verbosity=0,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
            )
            roles.grant_application(connection, app_role)
        assert connection.settings_dict["USER"] == app_role

        def flush_as_owner(sql_list):
            """Transactional tests end with a TRUNCATE of every table: the owner runs it."""
            with owner_connection() as owner, owner.transaction(), owner.cursor() as cursor:
                for sql in sql_list:
                    cursor.execute(sql)

        connection.ops.execute_sql_flush = flush_as_owner
        yield
        with django_db_blocker.unblock(), roles.connected_as("default", login):
            teardown_databases(config, verbosity=0)


@pytest.fixture
def as_application_role(on_postgres, db):
    """Statements run as the application's role: the connection itself in the restricted mode of
    `.ci/run`; on a developer's superuser connection, a role made in the test's transaction with
    exactly the grants of ``qorgau db-roles`` (gone with the rollback)."""
    if RESTRICTED:
        yield connection.settings_dict["USER"]
        return
    from qorgau.audit import roles

    # Roles belong to the whole server: each pytest-xdist worker makes its own.
    role = f"qorgau_test_app_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        database = roles.current_database(connection, cursor)
        for statement in roles.application_grants(role, True, database):
            cursor.execute(statement)
        cursor.execute(f"SET LOCAL ROLE {role}")
    yield role


def make_user(username, role, region=None, **extra):
    """A user with a role and a scope (region ISO code, None for the whole country)."""
    from django.contrib.auth import get_user_model

    from qorgau.access.models import Profile

    user = get_user_model().objects.create_user(username, password=f"{username}-pass-123", **extra)
    Profile.objects.create(
        user=user, role=role, region=Region.objects.get(code=region) if region else None
    )
    return user


@pytest.fixture
def admin_user(db):
    return make_user("admin_national", "administrator", is_staff=True, is_superuser=True)


@pytest.fixture
def registrar(db):
    return make_user("registrar_shymkent", "registrar", "KZ-79")


@pytest.fixture
def login():
    """Log a client in as a user, with the one-time password confirmed when the role needs it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from qorgau.access import policy

    def do(client, user):
        client.force_login(user)
        if policy.needs_otp(user):
            device, _created = TOTPDevice.objects.get_or_create(
                user=user, name="test", defaults={"confirmed": True}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return do


@pytest.fixture
def shymkent(db):
    return Region.objects.get(code="KZ-79")


@pytest.fixture
def astana(db):
    return Region.objects.get(code="KZ-71")


@pytest.fixture
def stalking(db):
    return ArticlePart.objects.get(article__code="115-1", number=1)


@pytest.fixture
def coercion(db):
    return ArticlePart.objects.get(article__code="125-1", number=1)


def local(*args) -> dt.datetime:
    """An aware date-time in Kazakhstan's time zone."""
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def make_case(db):
    """Register a case through the service with sensible defaults."""

    def make(region="KZ-79", article="115-1", part=1, registered_at=None, actor=None, **kwargs):
        region_obj = Region.objects.get(code=region)
        return services.register_case(
            actor or SYSTEM,
            region_obj,
            article_part=ArticlePart.objects.get(article__code=article, number=part),
            registered_at=registered_at or local(2026, 1, 10, 10, 0),
            investigating_body=Body.objects.filter(region=region_obj).first(),
            **kwargs,
        )

    return make


# --- Shared data sets: the seed and the demo, each loaded once per run ---------------------------
# `load_seed` takes seconds and `load_demo` half a minute; loading them for every test that reads
# them cost minutes. So each is loaded once, inside a transaction left open, as Django's
# TestCase.setUpTestData does for a class: every test that uses the `seed` (or `demo`) fixture
# runs inside it in its own savepoint (the `db` fixture's), so what a test changes is rolled back
# and the next one finds the data as loaded. Those tests run after the other database tests and
# before the transactional ones, grouped by set (see `_shared_data_tests_last`). Before any other
# test the open transaction is rolled back, so every other test still starts from the migrated
# database alone; a test of a set after that (a run in another order) loads its set again.

DEMO_NOW = timezone.make_aware(dt.datetime(2026, 6, 30, 12, 0))  # the demo's "today"


def _load_seed():
    # Imported here: the demo app stands on every floor, and a test of one app should not need
    # all of them to load.
    from qorgau.demo import registry as demo_data

    return demo_data.load_seed(Actor.system("load-seed"))


def _load_demo():
    from qorgau.demo import registry as demo_data

    return demo_data.load_demo(Actor.system("load-demo"), now=DEMO_NOW)


SHARED_DATA = {"seed": _load_seed, "demo": _load_demo}  # in the order their tests run


class SharedData:
    """At most one shared data set, loaded in an open transaction of the test database."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.name: str | None = None
        self.atomic = None
        self.result = None
        self.loads: collections.Counter[str] = collections.Counter()
        self.failed: dict[str, BaseException] = {}  # a set that failed to load is not retried

    def use(self, name: str | None) -> None:
        """Have set ``name`` loaded (None: none), rolling back another one first."""
        if name == self.name:
            return
        self.close()
        if name is None:
            return
        if name in self.failed:
            raise self.failed[name]
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                self.result = SHARED_DATA[name]()
            except Exception as error:
                self.failed[name] = error
                self.close()
                raise
        self.name = name
        self.loads[name] += 1

    def close(self) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic, self.name, self.result = self.atomic, None, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


_shared: SharedData | None = None
_needed: str | None = None  # the set the running test reads


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a test's fixtures: the set it reads is loaded, and any other rolled back (the
    first load is the session fixture's: the test database exists by then)."""
    global _needed
    _needed = next((name for name in SHARED_DATA if name in item.fixturenames), None)
    if _shared is not None:
        _shared.use(_needed)


@pytest.fixture(scope="session")
def _shared_data(django_db_setup, django_db_blocker):
    global _shared
    _shared = SharedData(django_db_blocker)
    _shared.use(_needed)
    yield _shared
    _shared.close()
    _shared = None


def _shared_set(shared: SharedData, name: str):
    assert shared.name == name and connection.in_atomic_block
    return shared.result


@pytest.fixture
def seed(_shared_data, db):
    """The source letter's cases (`load_seed`, as `qorgau load-seed` loads them), loaded once
    per run; returns the cases. A test may change them freely: its changes are rolled back."""
    return _shared_set(_shared_data, "seed")


@pytest.fixture
def demo(_shared_data, db):
    """The demonstration data (`load_demo` as of DEMO_NOW), loaded once per run; returns what
    `load_demo` reported. A test may change it freely: its changes are rolled back after it."""
    return _shared_set(_shared_data, "demo")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]  # fmt: skip


@contextlib.contextmanager
def chromium(**launch):
    """Debian's chromium driven by Playwright's sync API (no browser download).

    Playwright keeps an event loop running on this thread, and while it runs Django keeps the
    test's database connection apart (asgiref's thread-critical storage). That connection is
    closed here, before the loop stops: left open, it keeps PostgreSQL from dropping the test
    database at the end of the run."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **launch)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


@pytest.fixture
def browser(monkeypatch):
    # The test's own database calls are synchronous; Django refuses them while an event loop
    # runs on the thread unless told.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as launched:
        yield launched
