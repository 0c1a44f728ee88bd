"""A command acts as a named actor: the ``--as-user`` person, else the system under the
command's name; the audit trail says which."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qorgau.audit.models import AuditEntry
from qorgau.core import actors
from qorgau.core.commands import QorgauCommand
from qorgau.core.errors import Conflict
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db


class Probe(QorgauCommand):
    """Remembers who it ran as, and who the current actor was while it ran."""

    for_user = True

    def handle(self, *args, **options):
        self.seen = (self.actor, actors.current())
        if options.get("verbosity") == 3:
            raise Conflict("refused")


def test_a_command_without_as_user_is_the_system_named_after_the_command():
    probe = Probe()
    call_command(probe, stdout=io.StringIO())
    actor, current = probe.seen
    assert actor.is_system and actor.username == "system:test_commands"
    assert current == actor and actor.source.startswith("cli:")


def test_a_command_with_as_user_is_that_person():
    user = make_user("registrar_cmd", "registrar", "KZ-79")
    probe = Probe()
    call_command(probe, "--as-user", "registrar_cmd", stdout=io.StringIO())
    actor, current = probe.seen
    assert actor.user == user and actor.username == "registrar_cmd" and current == actor


def test_a_refusal_is_the_commands_error_and_the_actor_is_reset():
    before = actors.current()
    with pytest.raises(CommandError, match="refused"):
        call_command(Probe(), verbosity=3, stdout=io.StringIO())
    assert actors.current() == before


def test_a_commands_entries_are_written_as_its_system_actor():
    call_command("audit-verify", stdout=io.StringIO())
    entry = AuditEntry.objects.get(action="audit.verify")
    assert entry.username == "system:audit-verify" and entry.user is None
    assert entry.source.startswith("cli:")
