"""The audit trail becomes a hash chain, timed by the database (see ``audit/chain.py``).

PostgreSQL: the SQL function ``qorgau_audit_entry_hash`` and a ``BEFORE INSERT`` trigger that
sets ``at = now()``, the position and both hashes under an advisory lock, whatever the client
sends; existing entries are chained in the order they were written. TRUNCATE is now refused to
every role but a superuser and the table's owner (who can drop the triggers anyway): the
application's role owns nothing (``qorgau db-roles``), and the test runner empties tables as the
owner.
"""

from django.db import migrations, models
from django.db.models.functions import Now

CHAIN_LOCK = 7250115125  # pg_advisory_xact_lock key of the one chain (arbitrary, fixed)

CREATE = f"""
CREATE OR REPLACE FUNCTION qorgau_audit_entry_hash(e audit_auditentry) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(jsonb_build_array(
        e.seq, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.user_id,
        e.username, e.source, e.action, e.object_type, e.object_id, e.object_repr,
        e.region_code, e.before, e.after, e.details, e.prev_hash
    )::text, 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION qorgau_audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
    SELECT seq, hash INTO last_seq, last_hash FROM audit_auditentry ORDER BY seq DESC LIMIT 1;
    NEW.at := now();
    NEW.seq := COALESCE(last_seq, 0) + 1;
    NEW.prev_hash := COALESCE(last_hash, '');
    NEW.hash := qorgau_audit_entry_hash(NEW);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION qorgau_audit_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR pg_has_role(current_user,
                      (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

BACKFILL = """
ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only;
UPDATE audit_auditentry e SET seq = o.n
    FROM (SELECT id, row_number() OVER (ORDER BY at, id) AS n FROM audit_auditentry) o
    WHERE e.id = o.id;
DO $$
DECLARE
    r record;
    last_hash text := '';
BEGIN
    FOR r IN SELECT id FROM audit_auditentry ORDER BY seq LOOP
        UPDATE audit_auditentry SET prev_hash = last_hash WHERE id = r.id;
        UPDATE audit_auditentry e SET hash = qorgau_audit_entry_hash(e) WHERE e.id = r.id
            RETURNING hash INTO last_hash;
    END LOOP;
END;
$$;
ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_append_only;
CREATE TRIGGER audit_auditentry_chain
    BEFORE INSERT ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION qorgau_audit_chain();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_chain ON audit_auditentry;
DROP FUNCTION IF EXISTS qorgau_audit_chain();
DROP FUNCTION IF EXISTS qorgau_audit_entry_hash(audit_auditentry);
"""


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
        schema_editor.execute(BACKFILL, params=None)
        return
    # SQLite: chain the existing entries in Python, exactly as ``chain.seal`` does for new ones.
    from qorgau.audit.chain import HASHED, python_hash

    AuditEntry = apps.get_model("audit", "AuditEntry")
    last_hash = ""
    for n, entry in enumerate(AuditEntry.objects.order_by("at", "id").iterator(), start=1):
        values = {f: getattr(entry, f) for f in HASHED if f not in ("seq", "prev_hash")}
        values.update(seq=n, prev_hash=last_hash)
        last_hash = python_hash(values)
        # The model's save() refuses changes; the queryset update is the migration's own.
        AuditEntry.objects.filter(pk=entry.pk).update(seq=n, prev_hash=values["prev_hash"], hash=last_hash)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_no_truncate_on_postgresql")]
    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_default=Now(), db_index=True, verbose_name="time"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(db_default=0, verbose_name="position in the chain"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(db_default="", max_length=64, verbose_name="previous entry's hash"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(db_default="", max_length=64, verbose_name="hash"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(db_default=0, unique=True, verbose_name="position in the chain"),
        ),
    ]
