"""A base for Qorgau's management commands: a ``--lang`` option for messages."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class QorgauCommand(BaseCommand):
    """Runs ``handle`` with the interface language given by ``--lang`` (default: Kazakh)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of messages (kk, ru, en).",
        )
        return parser

    def execute(self, *args, **options):
        with translation.override(options.get("lang") or settings.LANGUAGE_CODE):
            return super().execute(*args, **options)
