"""Refuse TRUNCATE of the audit trail on PostgreSQL, too: the row trigger of migration 0002
does not fire for TRUNCATE, which empties a table without touching its rows one by one.

A superuser is let through. It can drop the trigger anyway, so refusing it would protect
nothing; and Django's test runner empties the tables between transactional tests with a
TRUNCATE (as the postgres superuser in CI). The application's own role must not be a superuser
(docs/access.md, "Deployment").
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION qorgau_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditentry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION qorgau_audit_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS qorgau_audit_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_on_postgresql")]
    operations = [migrations.RunPython(forwards, backwards)]
