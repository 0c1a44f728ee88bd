"""``qorgau send-digest``: e-mail each user their worklist's counts and new notifications
(docs/cli.md, docs/worklists.md). Run daily by the scheduler."""

from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.portal import digest


class Command(QorgauCommand):
    help = (
        "Send each user with an e-mail address the daily digest of their work "
        "(through EMAIL_BACKEND; the console in the demo)."
    )

    def handle(self, *args, **options):
        done = digest.send_digest(self.actor)
        self.stdout.write(
            _("%(sent)d digests sent, %(skipped)d with nothing to tell, %(failed)d failed.")
            % {"sent": done.sent, "skipped": done.skipped, "failed": done.failed}
        )
