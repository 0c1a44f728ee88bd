"""``qorgau db-roles``: create the owner and the application roles on PostgreSQL, give every
table, sequence and function to the owner, and the application only what it needs
(docs/security.md). Run once per database as a superuser; safe to run again."""

import os

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from qorgau.audit import actions, log, roles
from qorgau.core.commands import QorgauCommand

ROLE_OPTIONS = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


class Command(QorgauCommand):
    help = "Create the owner and application roles (PostgreSQL) and set their rights."

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="qorgau_owner", help="Owner role (runs migrations).")
        parser.add_argument("--app", default="qorgau_app", help="Application role (DATABASE_URL).")
        parser.add_argument(
            "--password-env",
            action="append",
            default=[],
            metavar="ROLE=VARIABLE",
            help="Set ROLE's password from the environment variable VARIABLE (repeatable).",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("Database roles need PostgreSQL; SQLite has none."))
        try:
            owner, app = roles.checked_name(options["owner"]), roles.checked_name(options["app"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if owner == app:
            raise CommandError(_("The owner and the application must be two roles."))
        passwords = self._passwords(options["password_env"], {owner, app})
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                raise CommandError(_("Run this command as a PostgreSQL superuser."))
        with transaction.atomic(), connection.cursor() as cursor:
            for role in (owner, app):
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                verb = "ALTER" if cursor.fetchone() else "CREATE"
                cursor.execute(f"{verb} ROLE {role} {ROLE_OPTIONS}")
                if role in passwords:
                    cursor.execute(f"ALTER ROLE {role} PASSWORD %s", [passwords[role]])
            # Neither may act as the other.
            cursor.execute(
                "SELECT a.rolname, b.rolname FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.roleid"
                " JOIN pg_roles b ON b.oid = m.member WHERE a.rolname IN (%s, %s) AND b.rolname IN (%s, %s)",
                [owner, app, owner, app],
            )
            for granted, member in cursor.fetchall():
                cursor.execute(f"REVOKE {granted} FROM {member}")
            database = roles.current_database(connection, cursor)
            # The database's owner owns its public schema (PostgreSQL 15+) and may drop any table.
            cursor.execute(f"ALTER DATABASE {database} OWNER TO {owner}")
            cursor.execute(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
            cursor.execute(f"ALTER SCHEMA public OWNER TO {owner}")
            cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            moved = self._give_everything_to(cursor, owner)
            migrated = roles.trail_exists(cursor)
            cursor.execute(f"SET LOCAL ROLE {owner}")
            for statement in roles.application_grants(app, migrated, database):
                cursor.execute(statement)
            cursor.execute("RESET ROLE")
            if migrated:
                log.write(
                    self.actor,
                    actions.DATABASE_ROLES,
                    details={"owner": owner, "app": app, "moved": moved},
                )
        self.stdout.write(
            _(
                "Roles ready: %(owner)s owns the schema (%(moved)s objects moved), %(app)s may read "
                "and write the tables and only SELECT and INSERT the audit trail."
            )
            % {"owner": owner, "app": app, "moved": moved}
        )
        self.stdout.write(
            _(
                "Connect the application as %(app)s (DATABASE_URL) and run migrations as %(owner)s (DATABASE_OWNER_URL)."
            )
            % {"owner": owner, "app": app}
        )

    def _passwords(self, pairs, known):
        passwords = {}
        for pair in pairs:
            role, _sep, variable = pair.partition("=")
            if role not in known or not variable or variable not in os.environ:
                raise CommandError(
                    _("--password-env expects ROLE=VARIABLE with a set variable, got “%(pair)s”.")
                    % {"pair": pair}
                )
            passwords[role] = os.environ[variable]
        return passwords

    def _give_everything_to(self, cursor, owner: str) -> int:
        """Make ``owner`` the owner of every table, free-standing sequence and function of the
        public schema (tables migrated earlier by another role)."""
        cursor.execute(
            "SELECT format('ALTER TABLE %%I OWNER TO %%I', c.relname, %s) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            " AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) <> %s"
            " UNION ALL"
            " SELECT format('ALTER SEQUENCE %%I OWNER TO %%I', c.relname, %s) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            " AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) <> %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'a')"
            " UNION ALL"
            " SELECT format('ALTER FUNCTION %%s OWNER TO %%I', p.oid::regprocedure, %s) FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
            " AND pg_get_userbyid(p.proowner) <> %s",
            [owner] * 6,
        )
        statements = [row[0] for row in cursor.fetchall()]
        for statement in statements:
            cursor.execute(statement)
        return len(statements)
