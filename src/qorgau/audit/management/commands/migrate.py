"""``qorgau migrate``: Django's migrate, run as the schema's owner when ``DATABASE_OWNER_URL`` is
set, then the application's role (``DATABASE_URL``) given what it needs and no more.

The application's own connection never runs DDL: the tables, triggers and functions belong to
the owner, so the application cannot drop or disable the audit trail's triggers
(docs/security.md). Without ``DATABASE_OWNER_URL`` it is Django's migrate as it is.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from qorgau.audit import roles


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " As the owner role of DATABASE_OWNER_URL when it is set."

    def handle(self, *args, **options):
        owner_url = getattr(settings, "DATABASE_OWNER_URL", "")
        alias = options["database"]
        if not owner_url or alias != "default" or connections[alias].vendor != "postgresql":
            return super().handle(*args, **options)
        try:
            login = roles.owner_login(alias, owner_url)
        except ValueError as error:
            if connections[alias].settings_dict.get("USER") == roles.owner_user(owner_url):
                # Already connected as the owner (the test runner migrating its test database).
                return super().handle(*args, **options)
            raise CommandError(str(error)) from None
        with roles.connected_as(alias, login) as app_role:
            super().handle(*args, **options)
            roles.grant_application(connections[alias], app_role)
        if options["verbosity"]:
            self.stdout.write(
                f"Role {app_role}: may read and write the tables, only SELECT and INSERT the audit trail."
            )
