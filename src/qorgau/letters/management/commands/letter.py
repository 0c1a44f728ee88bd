"""``qorgau letter --inquiry ДС-16 --lang kk|ru --format docx|pdf|html -o FILE [--to DATE]``."""

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core.commands import QorgauCommand
from qorgau.letters import services
from qorgau.letters.models import Inquiry


class Command(QorgauCommand):
    help = "Draft the reply to an inquiry from the data and write it as DOCX, PDF or HTML."
    for_user = True

    def add_arguments(self, parser):
        parser.add_argument("--inquiry", required=True, help="Inquiry number, e.g. ДС-16")
        parser.add_argument("--format", choices=["docx", "pdf", "html"], required=True)
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument(
            "--to", help="Count the current year up to this date (default: latest registration)."
        )

    def handle(self, *args, **options):
        # --lang picks both the messages' and the letter's language (kk or ru).
        lang = options["lang"]
        if lang not in services.LANGS:
            raise CommandError(_("A reply is written in Kazakh or Russian."))
        if not policy.can(self.actor, services.RIGHT):  # the services refuse too; say it first
            raise CommandError(_("This user may not draft replies."))
        inquiry = Inquiry.objects.filter(number=options["inquiry"]).first()
        if inquiry is None:
            raise CommandError(_("No inquiry № %(number)s.") % {"number": options["inquiry"]})
        try:
            period_end = dt.date.fromisoformat(options["to"]) if options["to"] else None
        except ValueError:
            raise CommandError(
                _("Expected a date as YYYY-MM-DD, got “%(value)s”.") % {"value": options["to"]}
            ) from None
        # A refusal (core.errors) ends the command with its message and status 1.
        draft = services.regenerate_reply(self.actor, inquiry, lang, period_end=period_end)
        version = services.produce_reply(self.actor, draft, options["format"])
        # The services write the same audit trail as the pages (reply.regenerate, .produce).
        Path(options["output"]).write_bytes(bytes(version.content))
        self.stdout.write(
            _("Version %(n)d written to %(path)s.")
            % {"n": version.number, "path": options["output"]}
        )
