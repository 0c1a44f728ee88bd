"""A base for Qorgau's management commands: a ``--lang`` option for messages."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _


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
                return super().execute(*args, **options)

    def _resolve_user(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": username})
        return user
