"""``qorgau otp-enrolment-code USER [--hours 24]``: issue the single-use code with which USER
sets up an authenticator (docs/access.md). The code is printed once and kept only hashed."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from qorgau.access import enrolment
from qorgau.core.commands import QorgauCommand


class Command(QorgauCommand):
    help = "Issue a single-use code with which USER sets up a one-time password authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--hours",
            type=int,
            default=enrolment.DEFAULT_HOURS,
            help=f"How long the code is valid (1 to {enrolment.MAX_HOURS} hours).",
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user “%(name)s”.") % {"name": options["username"]})
        # A refusal (hours out of range, an authenticator already set up) is a QorgauError:
        # the command base prints it and exits with status 1.
        code, row = enrolment.issue(self.actor, user, hours=options["hours"])
        until = formats.date_format(timezone.localtime(row.expires_at), "DATETIME_FORMAT")
        self.stdout.write(code)
        self.stderr.write(
            _(
                "Enrolment code for “%(name)s”, valid once until %(until)s. Hand it over in person; it is not shown again."
            )
            % {"name": user.get_username(), "until": until}
        )
