"""The chain's functions resolve ``audit_auditentry`` in the public schema only: a temporary
table of the same name (the temporary schema is searched first unless named last) must not let a
session choose the position and previous hash of its own entries. Functions called by a trigger
run with the caller's search path unless they set their own."""

from django.db import migrations

PATH = "pg_catalog, public, pg_temp"
SET = f"""
ALTER FUNCTION qorgau_audit_chain() SET search_path = {PATH};
ALTER FUNCTION qorgau_audit_entry_hash(audit_auditentry) SET search_path = {PATH};
ALTER FUNCTION qorgau_audit_append_only() SET search_path = {PATH};
ALTER FUNCTION qorgau_audit_no_truncate() SET search_path = {PATH};
"""
RESET = """
ALTER FUNCTION qorgau_audit_chain() RESET search_path;
ALTER FUNCTION qorgau_audit_entry_hash(audit_auditentry) RESET search_path;
ALTER FUNCTION qorgau_audit_append_only() RESET search_path;
ALTER FUNCTION qorgau_audit_no_truncate() RESET search_path;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_hash_chain")]
    operations = [migrations.RunPython(forwards, backwards)]
