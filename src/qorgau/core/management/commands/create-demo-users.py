"""``qorgau create-demo-users``: the demo administrator (and, with oversight, one user per role)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand

DEMO_PASSWORD = "Qorgau-demo-2026"  # noqa: S105 - printed on purpose: demonstration only
DEMO_USERS = [
    # (username, is_superuser)
    ("admin", True),
]


class Command(QorgauCommand):
    help = "Create the demonstration users (password printed) if they do not exist."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "is_superuser": superuser}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
        self.stdout.write(
            _("Demo login: %(user)s / %(password)s") % {"user": "admin", "password": DEMO_PASSWORD}
        )
