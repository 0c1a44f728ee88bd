"""``qorgau api-client create NAME --role ROLE [--region KZ-xx] [--expires YYYY-MM-DD]``,
``qorgau api-client list``, ``qorgau api-client revoke NAME``,
``qorgau api-client [--as-user USER] purge-idempotency`` (docs/api.md). Without ``--as-user``
the command acts as the system (``system:api-client``)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access.models import Role
from qorgau.api import idempotency, services
from qorgau.api.models import ApiClient
from qorgau.core.commands import QorgauCommand, parse_date


class Command(QorgauCommand):
    help = (
        "Register, list or revoke the systems that call the API (the key is shown once); "
        "delete the expired idempotency keys."
    )
    for_user = True

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        create = sub.add_parser("create", help="Register a client and print its key once.")
        create.add_argument("name")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--region", default="", help="ISO code, e.g. KZ-79; none: national.")
        create.add_argument("--expires", default="", help="Last valid day, YYYY-MM-DD.")
        sub.add_parser("list", help="The clients, their key prefixes and state.")
        revoke = sub.add_parser("revoke", help="Revoke a client's key.")
        revoke.add_argument("name")
        sub.add_parser(
            "purge-idempotency",
            help="Delete the idempotency keys older than QORGAU_IDEMPOTENCY_DAYS.",
        )

    def handle(self, *args, **options):
        what = options["what"]
        if what == "create":
            expires = parse_date(options["expires"]) if options["expires"] else None
            client, key = services.create_client(
                self.actor, options["name"], options["role"],
                region=options["region"], expires_on=expires,
            )  # fmt: skip
            self.stdout.write(_("Client %(name)s registered. Its key (shown only now):")
                              % {"name": client.name})  # fmt: skip
            self.stdout.write(key)
        elif what == "revoke":
            client = services.revoke_client(self.actor, options["name"])
            self.stdout.write(_("Key of %(name)s revoked.") % {"name": client.name})
        elif what == "purge-idempotency":
            deleted = idempotency.purge_expired(self.actor)
            self.stdout.write(_("Expired idempotency keys deleted: %(n)d.") % {"n": deleted})
        else:
            today = timezone.localdate()
            for client in ApiClient.objects.select_related("region"):
                state = "revoked" if client.revoked_at else (
                    "expired" if client.expires_on and client.expires_on < today else "active"
                )  # fmt: skip
                self.stdout.write("\t".join([
                    client.name, client.role, client.region.code if client.region else "national",
                    client.key_prefix + "…", client.expires_on.isoformat() if client.expires_on else "-",
                    state,
                ]))  # fmt: skip
