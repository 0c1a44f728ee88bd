"""``qorgau partitions [--ahead N]``: create the audit trail's yearly partitions of this year and
the N next (default 1), those missing only — run it from a yearly timer, or any time: it is
idempotent (docs/scaling.md, "Partitioning"; ``audit/partitions.py``).

PostgreSQL only (on SQLite the trail is not partitioned: nothing to do). As the schema's owner
when ``DATABASE_OWNER_URL`` is set, as ``qorgau migrate`` is; the application's role is then
given its grants again (none on the partitions). A schema change, as a migration is: no audit
entry.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.audit import partitions, roles
from qorgau.core.commands import QorgauCommand

MAX_AHEAD = 10


class Command(QorgauCommand):
    help = "Create the audit trail's partitions of this year and the next ones (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ahead", type=int, default=1, help="How many years after this one (default 1)."
        )

    def handle(self, *args, **options):
        ahead = options["ahead"]
        if not 0 <= ahead <= MAX_AHEAD:
            raise CommandError(_("--ahead must be between 0 and %(n)d.") % {"n": MAX_AHEAD})
        if connection.vendor != "postgresql":
            self.stdout.write(
                _("The audit trail is partitioned on PostgreSQL only: nothing to do.")
            )
            return
        owner_url = getattr(settings, "DATABASE_OWNER_URL", "")
        if not owner_url:
            self.create(ahead)
            return
        try:
            login = roles.owner_login("default", owner_url)
        except ValueError as error:
            raise CommandError(str(error)) from None
        with roles.connected_as("default", login) as app_role:
            self.create(ahead)
            roles.grant_application(connection, app_role)

    def create(self, ahead: int) -> None:
        this_year = timezone.localdate().year
        with transaction.atomic(), connection.cursor() as cursor:
            if not partitions.is_partitioned(cursor):
                raise CommandError(
                    _("The audit trail is not partitioned yet: run qorgau migrate first.")
                )
            for year in range(this_year, this_year + ahead + 1):
                created = partitions.add_year(cursor, year)
                name = partitions.partition_name(year)
                self.stdout.write(
                    (_("%(name)s: created") if created else _("%(name)s: already there"))
                    % {"name": name}
                )
