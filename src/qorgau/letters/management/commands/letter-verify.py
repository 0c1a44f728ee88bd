"""``qorgau letter-verify --inquiry ДС-16 --number N [--at ISO-INSTANT]``: recompute every
figure of a produced reply as known at the instant the letter names (docs/letters.md)."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core.commands import QorgauCommand
from qorgau.letters import asof, services
from qorgau.letters.models import ReplyVersion


class Command(QorgauCommand):
    help = (
        "Recompute every figure of a produced reply as known at the instant it names and list "
        "those that differ (exit status 1 if any does)."
    )
    for_user = True

    def add_arguments(self, parser):
        parser.add_argument("--inquiry", required=True, help="Inquiry number, e.g. ДС-16")
        parser.add_argument(
            "--number", type=int, required=True, help="Version number of the reply."
        )
        parser.add_argument(
            "--at", help="Recompute as of this instant instead (ISO 8601, e.g. 2026-03-02T18:00)."
        )

    def handle(self, *args, **options):
        if not policy.can(self.actor, services.RIGHT):  # the service refuses too; say it first
            raise CommandError(_("This user may not draft replies."))
        version = (
            ReplyVersion.objects.filter(
                inquiry__number=options["inquiry"], number=options["number"]
            )
            .select_related("inquiry")
            .first()
        )
        if version is None:
            raise CommandError(
                _("No version %(n)d of the reply to inquiry № %(number)s.")
                % {"n": options["number"], "number": options["inquiry"]}
            )
        at = None
        if options["at"]:
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(
                    _("Expected an instant as YYYY-MM-DDTHH:MM, got “%(value)s”.")
                    % {"value": options["at"]}
                ) from None
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        # A refusal (core.errors) ends the command with its message and status 1.
        differences = asof.verify(self.actor, version, at=at)
        moment = timezone.localtime(at or version.figures_as_of)
        for d in differences:
            self.stdout.write(
                _("%(block)s / %(label)s: letter %(letter)s, recomputed %(value)s")
                % {
                    "block": d.block,
                    "label": d.label,
                    "letter": d.letter,
                    "value": "—" if d.recomputed is None else d.recomputed,
                }
            )
        if differences:
            raise CommandError(
                _("%(n)d of %(total)d figures differ as of %(moment)s.")
                % {
                    "n": len(differences),
                    "total": len(version.figures),
                    "moment": f"{moment:%d.%m.%Y %H:%M:%S}",
                }
            )
        self.stdout.write(
            _("All %(total)d figures equal the letter as of %(moment)s.")
            % {"total": len(version.figures), "moment": f"{moment:%d.%m.%Y %H:%M:%S}"}
        )
