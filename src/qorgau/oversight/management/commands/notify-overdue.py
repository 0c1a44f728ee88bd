"""``qorgau notify-overdue``: give each user the in-app notices of the items that became
overdue in their worklist since the last run (idempotent; docs/cli.md, docs/worklists.md)."""

from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.oversight import notifications


class Command(QorgauCommand):
    help = (
        "Notify each user of the reports and cases that became overdue in their worklist "
        "(one notice per user and item, however often it runs; run it from the scheduler)."
    )

    def handle(self, *args, **options):
        done = notifications.notify_overdue(self.actor)
        self.stdout.write(
            _("%(created)d notifications for %(users)d users.")
            % {"created": done["created"], "users": done["users"]}
        )
