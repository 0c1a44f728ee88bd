"""PostgreSQL: the audit trail becomes a table partitioned by year (docs/scaling.md).

Partitioned by RANGE on a new column ``at_year``, the local year of ``at``, which the chain
trigger sets with ``at`` (``audit/partitions.py`` says why not by ``at`` itself). One partition
a year from 2015 to next year, and a DEFAULT partition. Everything today's table has is kept:
its columns, identity, defaults, indexes (same names), its grants, the append-only and chain
row triggers (PostgreSQL gives them to every partition), the TRUNCATE trigger on the table and
on each partition, and the chain functions with their search path. PostgreSQL wants the
partition key in every unique constraint: the primary key becomes (id, at_year) and the
position's (seq, at_year); positions stay unique because the chain trigger alone gives them,
one after the other under its lock, and ``qorgau audit-verify`` proves it.

The rows are copied in chain order under an exclusive lock (the trail is not written during
the copy). Django's model is unchanged (``at_year`` is the database's own), so this is a
RunPython only; on SQLite it does nothing. Not reversible: migrating back below 0006 would
need the copy the other way; restore a backup instead.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

FIRST_YEAR = 2015
LOCAL_YEAR = "(extract(year FROM {} AT TIME ZONE 'Asia/Almaty'))::smallint"
PATH = "pg_catalog, public, pg_temp"
COLUMNS = (
    "id, at, username, source, action, object_type, object_id, object_repr, region_code, "
    "before, after, details, user_id, seq, prev_hash, hash"
)

HASH = f"""
CREATE FUNCTION qorgau_audit_entry_hash(e audit_auditentry) RETURNS text
LANGUAGE sql STABLE SET search_path = {PATH} AS $$
    SELECT encode(sha256(convert_to(jsonb_build_array(
        e.seq, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.user_id,
        e.username, e.source, e.action, e.object_type, e.object_id, e.object_repr,
        e.region_code, e.before, e.after, e.details, e.prev_hash
    )::text, 'UTF8')), 'hex')
$$;
"""

CHAIN = f"""
CREATE OR REPLACE FUNCTION qorgau_audit_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path = {PATH} AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(7250115125);
    SELECT seq, hash INTO last_seq, last_hash FROM audit_auditentry ORDER BY seq DESC LIMIT 1;
    NEW.at := now();
    NEW.at_year := {LOCAL_YEAR.format("NEW.at")};
    NEW.seq := COALESCE(last_seq, 0) + 1;
    NEW.prev_hash := COALESCE(last_hash, '');
    NEW.hash := qorgau_audit_entry_hash(NEW);
    RETURN NEW;
END;
$$;
"""  # noqa: S608 (constants only)

TRIGGERS = """
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION qorgau_audit_append_only();
CREATE TRIGGER audit_auditentry_chain
    BEFORE INSERT ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION qorgau_audit_chain();
"""


def no_truncate(table: str) -> str:
    return (
        f"CREATE TRIGGER audit_auditentry_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION qorgau_audit_no_truncate()"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.connection.ops.quote_name
    last_year = dt.datetime.now(ZoneInfo("Asia/Almaty")).year + 1
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE audit_auditentry IN ACCESS EXCLUSIVE MODE")
        # What today's table has beyond its columns: indexes, unique constraints, grants.
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = "
            "'audit_auditentry' AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'audit_auditentry'::regclass)"
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, contype, array_agg(a.attname ORDER BY k.n) FROM pg_constraint c "
            "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
            "WHERE c.conrelid = 'audit_auditentry'::regclass AND c.contype IN ('p', 'u') "
            "GROUP BY conname, contype ORDER BY contype"
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,"
            " string_agg(a.privilege_type, ', ') FROM pg_class c, aclexplode(c.relacl) a"
            " WHERE c.oid = 'audit_auditentry'::regclass AND a.grantee <> c.relowner GROUP BY 1"
        )
        grants = cursor.fetchall()

        cursor.execute(
            "CREATE TABLE audit_auditentry_partitioned (LIKE audit_auditentry INCLUDING DEFAULTS"
            " INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS,"
            f" at_year smallint NOT NULL DEFAULT {LOCAL_YEAR.format('now()')})"
            " PARTITION BY RANGE (at_year)"
        )
        partitions = [f"audit_auditentry_y{year}" for year in range(FIRST_YEAR, last_year + 1)]
        for year, name in zip(range(FIRST_YEAR, last_year + 1), partitions, strict=True):
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF audit_auditentry_partitioned"
                f" FOR VALUES FROM ({year}) TO ({year + 1})"
            )
        partitions.append("audit_auditentry_default")
        cursor.execute(
            "CREATE TABLE audit_auditentry_default PARTITION OF audit_auditentry_partitioned DEFAULT"
        )
        cursor.execute(
            f"INSERT INTO audit_auditentry_partitioned ({COLUMNS}, at_year) SELECT {COLUMNS},"  # noqa: S608
            f" {LOCAL_YEAR.format('at')} FROM audit_auditentry ORDER BY seq"
        )
        # The hash function takes the old table's row type; the table goes, with its triggers
        # (the trigger functions stay).
        cursor.execute("DROP FUNCTION qorgau_audit_entry_hash(audit_auditentry)")
        cursor.execute("DROP TABLE audit_auditentry")
        cursor.execute("ALTER TABLE audit_auditentry_partitioned RENAME TO audit_auditentry")
        cursor.execute("SELECT pg_get_serial_sequence('audit_auditentry', 'id')")
        (sequence,) = cursor.fetchone()
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO audit_auditentry_id_seq")
        cursor.execute(
            "SELECT setval('audit_auditentry_id_seq', COALESCE(max(id), 0) + 1, false)"
            " FROM audit_auditentry"
        )
        for name, kind, columns in keys:
            constraint = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            listed = ", ".join(quote(column) for column in [*columns, "at_year"])
            cursor.execute(
                f"ALTER TABLE audit_auditentry ADD CONSTRAINT {quote(name)} {constraint} ({listed})"
            )
        for statement in indexes:
            cursor.execute(statement)
        cursor.execute(HASH)
        cursor.execute(CHAIN)
        cursor.execute(TRIGGERS)
        cursor.execute(no_truncate("audit_auditentry"))
        for name in partitions:
            cursor.execute(no_truncate(name))
        for grantee, privileges in grants:
            role = "PUBLIC" if grantee == "PUBLIC" else quote(grantee)
            cursor.execute(f"GRANT {privileges} ON audit_auditentry TO {role}")


class Migration(migrations.Migration):
    # The copy takes the table's lock for the migration's whole transaction.
    atomic = True
    dependencies = [("audit", "0005_chain_search_path")]
    operations = [migrations.RunPython(forwards)]
