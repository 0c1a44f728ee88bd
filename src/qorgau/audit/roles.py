"""Least privilege in PostgreSQL: who owns the schema, and what the application's role may do.

Two roles (created by ``qorgau db-roles``, docs/security.md):

- the **owner** owns every table, sequence and function; ``qorgau migrate`` connects as it when
  ``DATABASE_OWNER_URL`` is set;
- the **application** (``DATABASE_URL``) owns nothing and may only read and write the tables,
  and only SELECT and INSERT the audit trail: it can neither change, delete nor empty the trail,
  nor drop or disable its triggers, nor turn triggers off for its session
  (``session_replication_role`` needs a superuser).

:func:`problems` is what ``qorgau check --deploy`` reports about the connected role.
"""

import re
from contextlib import contextmanager

import dj_database_url
from django.db import connections
from django.utils.translation import gettext as _

TRAIL = "audit_auditentry"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_name(name: str) -> str:
    """A role name safe to write into SQL (lower-case letters, digits, underscores)."""
    if not ROLE_NAME.match(name or ""):
        raise ValueError(_("“%(name)s” is not a valid role name.") % {"name": name})
    return name


def application_grants(
    app_role: str, trail_exists: bool = True, database: str | None = None
) -> list[str]:
    """The statements that give ``app_role`` what the application needs and no more. Run by the
    owner (after each migration) or a superuser; idempotent. ``database`` (its quoted name):
    also no temporary tables, which PostgreSQL grants to everyone by default."""
    app = checked_name(app_role)
    statements = []
    if database:
        statements += [
            f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC, {app}",
            f"GRANT CONNECT ON DATABASE {database} TO {app}",
        ]
    statements += [
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"REVOKE CREATE ON SCHEMA public FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
    ]
    if trail_exists:
        statements.append(f"REVOKE UPDATE, DELETE ON {TRAIL} FROM {app}")
        # The trail's yearly partitions (audit/partitions.py), which ALL TABLES above covers:
        # the application reads and writes the trail through the table only, never a partition.
        statements.append(
            "DO $$ DECLARE p regclass; BEGIN FOR p IN SELECT inhrelid::regclass FROM pg_inherits"  # noqa: S608
            f" WHERE inhparent = '{TRAIL}'::regclass LOOP"
            f" EXECUTE format('REVOKE ALL ON %s FROM {app}', p); END LOOP; END $$"
        )
    return statements


def trail_exists(cursor) -> bool:
    """Has the audit trail been migrated into this database yet?"""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TRAIL])
    return cursor.fetchone()[0]


def current_database(connection, cursor) -> str:
    cursor.execute("SELECT current_database()")
    return connection.ops.quote_name(cursor.fetchone()[0])


def grant_application(connection, app_role: str) -> None:
    with connection.cursor() as cursor:
        database = current_database(connection, cursor)
        for statement in application_grants(app_role, trail_exists(cursor), database):
            cursor.execute(statement)


def owner_user(owner_url: str) -> str:
    return dj_database_url.parse(owner_url).get("USER") or ""


def owner_login(alias: str, owner_url: str) -> dict:
    """The owner's USER and PASSWORD from ``owner_url``, which must name the database that
    connection ``alias`` uses (ValueError otherwise)."""
    owner = dj_database_url.parse(owner_url)
    settings = connections[alias].settings_dict
    for key in ("NAME", "HOST", "PORT"):
        if str(owner.get(key) or "") != str(settings.get(key) or ""):
            raise ValueError(
                _(
                    "DATABASE_OWNER_URL must name the same database as DATABASE_URL (%(key)s differs)."
                )
                % {"key": key}
            )
    return {"USER": owner.get("USER"), "PASSWORD": owner.get("PASSWORD")}


@contextmanager
def connected_as(alias: str, login: dict):
    """Run the block with connection ``alias`` logged in as ``login`` (USER, PASSWORD); yields
    the role it was logged in as before, and restores it afterwards."""
    connection = connections[alias]
    settings = connection.settings_dict
    saved = {key: settings.get(key) for key in ("USER", "PASSWORD")}
    connection.close()
    settings.update(login)
    try:
        yield saved["USER"]
    finally:
        connection.close()
        settings.update(saved)


# What the connected role may do to the trail, in one query.
_ROLE_QUERY = r"""
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       pg_has_role(current_user, c.relowner, 'MEMBER') AS owns_trail,
       has_table_privilege(current_user, 'audit_auditentry', 'UPDATE') AS may_update,
       has_table_privilege(current_user, 'audit_auditentry', 'DELETE') AS may_delete,
       has_table_privilege(current_user, 'audit_auditentry', 'TRUNCATE') AS may_truncate,
       has_table_privilege(current_user, 'audit_auditentry', 'TRIGGER') AS may_trigger,
       EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
               AND t.tgname = 'audit_auditentry_chain' AND t.tgenabled = 'O') AS chained,
       NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname LIKE 'qorgau\_audit\_%'
                   AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, public, pg_temp'])
           AS pinned,
       has_database_privilege(current_user, current_database(), 'TEMPORARY') AS may_temp,
       EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid AND has_table_privilege(
               current_user, i.inhrelid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER'))
           AS in_partitions
FROM pg_roles r, pg_class c
WHERE r.rolname = current_user AND c.oid = 'audit_auditentry'::regclass
"""


def problems(alias: str = "default") -> list[str]:
    """What is wrong with the role ``alias`` connects as, for the audit trail's sake (empty
    when the role is the restricted application role of :func:`application_grants`)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_ROLE_QUERY)
        row = cursor.fetchone()
    (name, superuser, bypassrls, owns, update, delete, truncate, trigger, chained, pinned, temp) = (
        row[:11]
    )
    in_partitions = row[11]
    found = []
    if superuser:
        found.append(
            _(
                "the role “%(role)s” is a superuser: it can switch triggers off, rewrite and empty the audit trail"
            )
            % {"role": name}
        )
    if owns:
        found.append(
            _(
                "the role “%(role)s” owns the audit trail (or is a member of its owner): it can drop or disable its triggers"
            )
            % {"role": name}
        )
    rights = [
        w
        for w, has in (
            ("UPDATE", update),
            ("DELETE", delete),
            ("TRUNCATE", truncate),
            ("TRIGGER", trigger),
        )
        if has
    ]
    if rights and not (superuser or owns):
        found.append(
            _(
                "the role “%(role)s” holds %(rights)s on the audit trail; it needs only SELECT and INSERT"
            )
            % {"role": name, "rights": ", ".join(rights)}
        )
    if in_partitions and not (superuser or owns):
        found.append(
            _(
                "the role “%(role)s” holds rights on the audit trail's partitions; it needs none (it reaches the trail through its table)"
            )
            % {"role": name}
        )
    if bypassrls:
        found.append(_("the role “%(role)s” bypasses row-level security") % {"role": name})
    if not pinned:
        found.append(
            _("the audit trail's functions do not fix their search path: run `qorgau migrate`")
        )
    if temp and not superuser:
        found.append(
            _(
                "the role “%(role)s” may create temporary tables, which could shadow the trail's in its session"
            )
            % {"role": name}
        )
    if not chained:
        found.append(
            _("the audit trail's chain trigger is missing or disabled: run `qorgau migrate`")
        )
    return found
