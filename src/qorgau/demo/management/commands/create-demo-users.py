"""``qorgau create-demo-users``: one demonstration user per role, plus a registrar and a
prosecutor of Shymkent; administrators and prosecutors each get a TOTP device with a key of
their own, random, printed by the command (and kept across re-runs)."""

import base64

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from qorgau.access.models import Profile, Role
from qorgau.access.policy import OTP_ROLES
from qorgau.core.commands import QorgauCommand
from qorgau.reference.models import Region

DEMO_PASSWORD = "Qorgau-demo-2026"  # noqa: S105 - printed on purpose: demonstration only
# The key every demo device once shared, published here: a device that still has it is given a
# random key of its own on the next run.
OLD_SHARED_TOTP_KEY = "716f726761752d64656d6f2d746f74702d6b6579"  # hex of "qorgau-demo-totp-key"
DEMO_USERS = [
    # (username, role, region ISO code or None for national)
    ("admin", Role.ADMINISTRATOR, None),
    ("registrar", Role.REGISTRAR, None),
    ("investigator", Role.INVESTIGATOR, None),
    ("prosecutor", Role.PROSECUTOR, None),
    ("analyst", Role.ANALYST, None),
    ("campaign", Role.CAMPAIGN, None),
    ("training", Role.TRAINING, None),
    ("registrar_shymkent", Role.REGISTRAR, "KZ-79"),
    ("prosecutor_shymkent", Role.PROSECUTOR, "KZ-79"),
]


def base32_key(device: TOTPDevice) -> str:
    """The device's key in the base32 form authenticator apps take."""
    return base64.b32encode(device.bin_key).decode()


class Command(QorgauCommand):
    help = "Create the demonstration users (one per role) if they do not exist, and print them."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        regions = {r.code: r for r in Region.objects.all()}
        keys = {}
        for username, role, region in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": role == Role.ADMINISTRATOR,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Profile.objects.update_or_create(
                user=user, defaults={"role": role, "region": regions.get(region)}
            )
            if role in OTP_ROLES:
                TOTPDevice.objects.filter(user=user, key=OLD_SHARED_TOTP_KEY).delete()
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                # A random key (django-otp's default), each user their own.
                keys[username] = base32_key(
                    device or TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
                )
        self.stdout.write(
            _("Demo users (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        country = _("whole country")
        for username, role, region in DEMO_USERS:
            self.stdout.write(f"  {username:<22} {Role(role).label} — {region or country}")
        self.stdout.write(
            _(
                "Administrators and prosecutors confirm with a one-time code: add their key to an authenticator app, or run `qorgau totp-code USER`. Keys:"
            )
        )
        for username, key in keys.items():
            self.stdout.write(f"  {username:<22} {key}")
