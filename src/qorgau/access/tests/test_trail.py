"""The trail's page reads each entry's action in words; the export keeps its documented columns."""

import csv
import io

import pytest

from qorgau.audit import log
from qorgau.audit.actions import action, label
from qorgau.core.actors import Actor
from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db


def test_the_trail_shows_what_each_action_means_not_its_code(client, login):
    log.write(SYSTEM, "access.denied", details={"status": 403, "path": "/cases/x/"})
    login(client, make_user("admin_trail", "administrator"))
    client.cookies["django_language"] = "en"
    page = client.get("/audit/", {"action": "access.denied"}).content.decode()
    assert "Access refused" in page and "<code>access.denied</code>" not in page
    assert "system:tests was refused /cases/x/ (no right to it)" in page


def test_an_entry_written_before_codes_were_declared_shows_its_code():
    assert label("registry.case.update") == "registry.case.update"


def test_writing_an_undeclared_action_is_refused():
    with pytest.raises(KeyError, match="not declared"):
        log.write(Actor.system("tests"), "nothing.declared.here")


def test_an_action_cannot_be_declared_twice_with_different_words():
    action("test.twice", "once")
    with pytest.raises(ValueError, match="twice"):
        action("test.twice", "twice")


def test_the_export_keeps_its_documented_columns(client, login):
    log.write(SYSTEM, "access.denied", details={"status": 403})
    login(client, make_user("admin_export", "administrator"))
    rows = list(csv.reader(io.StringIO(client.get("/audit/export.csv").content.decode())))
    assert rows[0] == ["at", "username", "source", "action", "object_type", "object_id",
                       "object_repr", "region_code", "before", "after", "details"]  # fmt: skip
    assert any(row[3] == "access.denied" and row[1] == "system:tests" for row in rows[1:])
