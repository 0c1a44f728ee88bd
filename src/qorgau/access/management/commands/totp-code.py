"""``qorgau totp-code USER``: print the current one-time code of a user's TOTP device.

For demonstrations and operators with shell access only (shell access already implies every
right); the use is recorded in the audit trail."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qorgau.access import actions
from qorgau.audit import log
from qorgau.core.commands import QorgauCommand


class Command(QorgauCommand):
    help = "Print the current one-time code of USER's authenticator (demo and operators only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(
                _("No confirmed one-time password device for “%(name)s”.")
                % {"name": options["username"]}
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        log.write(self.actor, actions.TOTP_CODE, details={"username": user.get_username()})
        self.stdout.write(f"{totp.token():0{device.digits}d}")
