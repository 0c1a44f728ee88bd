"""The triggers that keep the statistics' aggregates exact (``stats.aggregates``): statement-level
with transition tables on PostgreSQL, row-level on SQLite; then the aggregates of the data
already there."""

from django.db import migrations

from qorgau.stats import aggregates


def forwards(apps, schema_editor):
    aggregates.create_triggers(schema_editor)
    vendor = schema_editor.connection.vendor
    for aggregate in aggregates.AGGREGATES:
        columns = ", ".join((*aggregate.key, *aggregate.counts))
        schema_editor.execute(
            f"INSERT INTO {aggregate.table} ({columns}) {aggregates.full(aggregate, vendor)}",
            params=None,
        )


def backwards(apps, schema_editor):
    aggregates.drop_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial"), ("registry", "0009_case_number_counter_names")]
    operations = [migrations.RunPython(forwards, backwards)]
