"""A base for Qorgau's management commands: a ``--lang`` option for messages, ``--as-user``
for commands that run for a user, one way to print rows as JSON, CSV or a table, and one way to
read a date option."""

import datetime as dt
import io
import json
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from qorgau.core import actors
from qorgau.core.actors import Actor
from qorgau.core.errors import QorgauError
from qorgau.core.tabular import DictCsvWriter


def parse_date(value: str) -> dt.date:
    """A date option given as YYYY-MM-DD; anything else ends the command with its message."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Expected a date as YYYY-MM-DD, got “%(value)s”.") % {"value": value}
        ) from None


class QorgauCommand(BaseCommand):
    """Runs ``handle`` with the interface language given by ``--lang`` (default: Kazakh).

    ``self.actor`` is who acts: a command that shows or exports case data sets
    ``for_user = True`` and then takes ``--as-user USERNAME``, running as that person
    (``Actor.person(user)``, with their role and scope; ``self.user`` is the user). Without it,
    the command is the named system actor ``Actor.system("<command name>")``: the operator's
    full rights (shell access to the server implies them), audited as ``system:<command
    name>`` from ``cli:<operating-system user>``.
    """

    for_user = False
    user: Any = None
    actor: Actor

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of messages (kk, ru, en).",
        )
        if self.for_user:
            parser.add_argument("--as-user", help="Run with this user's role and regional scope.")
        return parser

    @property
    def command_name(self) -> str:
        """The name the command is run by (``load-demo``): its module's name."""
        return self.__module__.rsplit(".", 1)[-1]

    def execute(self, *args, **options):
        with translation.override(options.get("lang") or settings.LANGUAGE_CODE):
            self.user = self._resolve_user(options.get("as_user"))
            source = actors.current().source
            if self.user is not None:
                self.actor = Actor.person(self.user, source)
            else:
                self.actor = Actor.system(self.command_name, source)
            with actors.acting(self.actor):
                try:
                    return super().execute(*args, **options)
                except QorgauError as error:
                    # A refused action: its message, exit status 1 (docs/cli.md).
                    raise CommandError(str(error)) from error

    def _resolve_user(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": username})
        return user

    def emit_rows(self, rows: list[dict], fmt: str, columns: list[str] | None = None) -> None:
        """Print ``rows`` as JSON (a list of objects), CSV (header + rows) or an aligned table."""
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        columns = columns or (list(rows[0]) if rows else ["count"])
        if fmt == "csv":
            out = io.StringIO()
            writer = DictCsvWriter(out, columns)
            writer.writeheader()
            writer.writerows(rows)
            self.stdout.write(out.getvalue(), ending="")
            return
        text = [["" if row[c] is None else str(row[c]) for c in columns] for row in rows]
        widths = [max([len(c)] + [len(t[i]) for t in text]) for i, c in enumerate(columns)]
        self.stdout.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
        for t in text:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)))
