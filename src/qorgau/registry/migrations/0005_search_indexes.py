"""Indexes of the search (registry/search.py, docs/search.md), on PostgreSQL only.

- ``pg_trgm`` trigram GIN indexes on the case number and the ERDR number: a part of a number
  (``LIKE '%000222%'``) is found through the index, not by reading every case.
- A GIN index on the summary's full-text vector with the ``'simple'`` configuration (PostgreSQL
  has no Kazakh or Russian stemmer; words match by their beginning, ``word:*``). Its expression
  is exactly what ``search.summary_vector()`` compiles to, so the planner can use it.
- B-tree indexes on the registration and receipt times, newest first, so that the first page of
  a frequent match is read in order instead of sorted from every match.

``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database's owner, who migrates, may
create it without being a superuser. SQLite has neither; its search is ``LIKE``.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_case_number_trgm"
    " ON registry_case USING gin (number gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS registry_case_erdr_trgm"
    " ON registry_case USING gin (erdr_number gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS registry_report_summary_fts"
    " ON registry_report USING gin (to_tsvector('simple'::regconfig, COALESCE(summary, '')))",
    # The newest first across regions (a national user's results, the lists' default order):
    # the first page of a frequent word or number is read down these, not sorted from all.
    "CREATE INDEX IF NOT EXISTS registry_case_registered_desc ON registry_case (registered_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS registry_report_received_desc ON registry_report (received_at DESC, id DESC)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS registry_report_received_desc",
    "DROP INDEX IF EXISTS registry_case_registered_desc",
    "DROP INDEX IF EXISTS registry_report_summary_fts",
    "DROP INDEX IF EXISTS registry_case_erdr_trgm",
    "DROP INDEX IF EXISTS registry_case_number_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_case_erdr_number")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
