"""A base for Qorgau's management commands: a ``--lang`` option for messages, ``--as-user``
for commands that run for a user, and one way to print rows as JSON, CSV or a table."""

import io
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from qorgau.core.errors import QorgauError
from qorgau.core.tabular import DictCsvWriter


class QorgauCommand(BaseCommand):
    """Runs ``handle`` with the interface language given by ``--lang`` (default: Kazakh).

    A command that shows or exports case data sets ``for_user = True``: it then takes
    ``--as-user USERNAME`` and runs with that user's role and scope (``self.user``), audited as
    that user. Without it, the command runs with the operator's full rights (shell access to
    the server implies them), audited as ``cli:<operating-system user>``.
    """

    for_user = False
    user = None

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

    def execute(self, *args, **options):
        from qorgau.audit import context

        with translation.override(options.get("lang") or settings.LANGUAGE_CODE):
            self.user = self._resolve_user(options.get("as_user"))
            with context.acting(self.user, context.current().source):
                try:
                    return super().execute(*args, **options)
                except QorgauError as error:
                    # A refused action: its message, exit status 1 (docs/cli.md).
                    raise CommandError(str(error)) from error

    def _resolve_user(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

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
