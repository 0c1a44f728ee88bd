"""Statistics from a streaming replica (core/db.py, docs/scaling.md): with a ``replica`` alias the
statistics pages, their exports, the public statistics page and ``qorgau stats`` read their
aggregates there; who may see what, and every write — the audit entry those pages write
included — stay on the primary. Without one nothing changes."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.db import read_only_alias
from qorgau.stats import actions, services
from tests.fixtures import make_user

SYSTEM = Actor.system("tests")
AGGREGATES = ("stats_casecount", "stats_partycount", "stats_reportcount")
PERIOD = {"articles": "115-1", "date_from": "2026-01-01", "date_to": "2026-12-31"}
# Committed data: the replica's connection sees only what the primary's has committed, as a
# hot standby does.
ON_BOTH = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


@pytest.fixture(scope="class")
def replica(django_db_setup, django_db_blocker):
    """A ``replica`` alias as REPLICA_DATABASE_URL makes it in the tests: a test mirror of
    ``default`` (``TEST: {"MIRROR": "default"}``), i.e. a second connection to the same test
    database. Added for one class only (before its tests' database set-up, which checks the
    aliases they name), so every other test runs without it."""
    default = connections["default"].settings_dict
    connections.settings["replica"] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    yield connections["replica"]
    with django_db_blocker.unblock():
        connections["replica"].close()
    del connections["replica"]
    del connections.settings["replica"]


def _sql(captured: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"] for query in captured.captured_queries)


def _reads_aggregates_from_the_replica_only(primary, replica) -> None:
    on_primary, on_replica = _sql(primary), _sql(replica)
    assert any(table in on_replica for table in AGGREGATES), on_replica
    assert not any(table in on_primary for table in AGGREGATES), on_primary
    # Nothing but reads on the replica (a hot standby refuses writes anyway).
    for query in replica.captured_queries:
        assert query["sql"].lstrip().upper().startswith("SELECT"), query["sql"]


# A replica is PostgreSQL only (settings refuse any other): on SQLite a "replica" would be a
# second connection to one in-memory database, which once read an empty table under the
# parallel suite — not a behaviour any deployment has.
@pytest.mark.postgres
@ON_BOTH
@pytest.mark.usefixtures("replica")
class TestWithAReplica:
    def test_the_helper_names_the_replica(self):
        assert read_only_alias() == "replica"

    def test_the_figures_are_read_from_the_replica(self, make_case):
        make_case()
        make_case(region="KZ-75")
        with CaptureQueriesContext(connections["replica"]) as replica:
            total = services.case_count(SYSTEM, services.Filters(("115-1",)))
            regions = {
                row.region.code: row.count for row in services.by_region(SYSTEM, services.Filters())
            }
        assert total == 2
        assert regions["KZ-79"] == 1 and regions["KZ-75"] == 1
        assert "stats_casecount" in _sql(replica)

    def test_the_dashboard_reads_the_replica_and_writes_its_trail_to_the_primary(
        self, client, login, make_case
    ):
        make_case()
        login(client, make_user("analyst_replica", "analyst"))
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica"]) as replica,
        ):
            assert client.get("/stats/", PERIOD).status_code == 200
        _reads_aggregates_from_the_replica_only(primary, replica)
        assert 'INSERT INTO "audit_auditentry"' in _sql(primary)
        # Who may see the statistics is decided on the primary (a withdrawn role applies at once).
        assert "access_profile" in _sql(primary)
        assert "access_profile" not in _sql(replica)
        assert AuditEntry.objects.using("default").filter(action=actions.VIEW).count() == 1

    def test_an_export_reads_the_replica_and_writes_its_trail_to_the_primary(
        self, client, login, make_case
    ):
        make_case()
        login(client, make_user("analyst_replica", "analyst"))
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica"]) as replica,
        ):
            response = client.get("/stats/export/regions.csv", PERIOD)
        assert response.status_code == 200
        _reads_aggregates_from_the_replica_only(primary, replica)
        assert AuditEntry.objects.filter(action=actions.EXPORT).count() == 1

    def test_the_command_reads_the_replica_and_writes_its_trail_to_the_primary(self, make_case):
        make_case()
        out = io.StringIO()
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica"]) as replica,
        ):
            call_command(
                "stats", "--article", "115-1", "--by", "region", "--format", "json", stdout=out
            )
        rows = {row["region"]: row["count"] for row in json.loads(out.getvalue())}
        assert rows == {"KZ-79": 1}
        _reads_aggregates_from_the_replica_only(primary, replica)
        assert 'INSERT INTO "audit_auditentry"' in _sql(primary)
        assert AuditEntry.objects.filter(action=actions.QUERY).count() == 1

    def test_the_public_statistics_pages_read_the_replica(self, client, make_case):
        """The public figures are releases (stats.releases): read from the replica."""
        from qorgau.stats import releases
        from tests.fixtures import local

        make_case(registered_at=local(2026, 1, 10, 10, 0))
        release = releases.publish(
            SYSTEM, releases.parse_period("2026-01"), now=local(2026, 2, 10, 9, 0)
        )
        cache.clear()  # the public pages are cached: another test may have shown this one
        for url in ("/kk/statistics/", "/kk/statistics.csv", "/kk/statistics/releases/",
                    f"/kk/statistics/releases/{release.number}/"):  # fmt: skip
            with (
                CaptureQueriesContext(connections["default"]) as primary,
                CaptureQueriesContext(connections["replica"]) as replica,
            ):
                assert client.get(url).status_code == 200
            assert "stats_release" in _sql(replica), url
            assert "stats_release" not in _sql(primary), url
            assert all(q["sql"].lstrip().upper().startswith("SELECT")
                       for q in replica.captured_queries)  # fmt: skip


@pytest.mark.django_db
def test_without_a_replica_the_statistics_read_the_primary(client, login, make_case):
    assert "replica" not in connections
    assert read_only_alias() == "default"
    make_case()
    login(client, make_user("analyst_primary", "analyst"))
    with CaptureQueriesContext(connections["default"]) as primary:
        assert client.get("/stats/", PERIOD).status_code == 200
    assert "stats_casecount" in _sql(primary)


def _databases(**env: str) -> subprocess.CompletedProcess:
    """The DATABASES a start computes (a separate process) with ``env`` added."""
    code = "import json, qorgau.settings as s; print(json.dumps(s.DATABASES, default=str))"
    variables = {k: v for k, v in os.environ.items() if k != "REPLICA_DATABASE_URL"}
    variables.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=variables, timeout=60
    )


def test_replica_database_url_adds_a_replica_alias_that_tests_mirror():
    unset = _databases()
    assert unset.returncode == 0, unset.stderr
    assert list(json.loads(unset.stdout)) == ["default"]
    given = _databases(REPLICA_DATABASE_URL="postgres://reader@replica.example.kz:5432/qorgau")
    assert given.returncode == 0, given.stderr
    replica = json.loads(given.stdout)["replica"]
    assert (replica["HOST"], replica["NAME"], replica["USER"]) == (
        "replica.example.kz",
        "qorgau",
        "reader",
    )
    assert replica["TEST"] == {"MIRROR": "default"}


def test_a_replica_that_is_not_postgresql_is_refused():
    result = _databases(REPLICA_DATABASE_URL="sqlite:////tmp/replica.sqlite3")
    assert result.returncode != 0
    assert "REPLICA_DATABASE_URL must name a PostgreSQL database" in result.stderr
