"""``qorgau reference-text --article 115-1 --from DATE --to DATE --lang kk|ru``: the reference
paragraph (Анықтама / Справка) alone."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core.commands import QorgauCommand
from qorgau.letters import services
from qorgau.reference.models import Article


class Command(QorgauCommand):
    help = "Print the reference paragraph of one article for a period."
    for_user = True

    def add_arguments(self, parser):
        parser.add_argument("--article", required=True)
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)

    def handle(self, *args, **options):
        if options["lang"] not in services.LANGS:
            raise CommandError(_("A reply is written in Kazakh or Russian."))
        article = Article.objects.filter(code=options["article"]).first()
        if article is None:
            raise CommandError(_("Unknown article: %(codes)s") % {"codes": options["article"]})
        try:
            start, end = (
                dt.date.fromisoformat(options["date_from"]),
                dt.date.fromisoformat(options["date_to"]),
            )
        except ValueError:
            raise CommandError(
                _("Expected a date as YYYY-MM-DD, got “%(value)s”.")
                % {"value": f"{options['date_from']} / {options['date_to']}"}
            ) from None
        if not policy.can(self.actor, services.RIGHT):
            raise CommandError(_("This user may not draft replies."))
        # A refusal (core.errors) ends the command with its message and status 1.
        text = services.reference_paragraph(self.actor, article, start, end, options["lang"])
        self.stdout.write(text)
