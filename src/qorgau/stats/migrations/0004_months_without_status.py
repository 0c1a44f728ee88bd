"""The case aggregate gains months without status (grains ``A``: per article, ``T``: over all
articles), read by every count that does not break down by status: the triggers made anew
and the tables refilled."""

from django.db import migrations

from qorgau.stats import aggregates


def drop(apps, schema_editor):
    aggregates.drop_triggers(schema_editor)
    for aggregate in aggregates.AGGREGATES:
        schema_editor.execute(f"DELETE FROM {aggregate.table}", params=None)  # noqa: S608


def create(apps, schema_editor):
    aggregates.create_triggers(schema_editor)
    aggregates.fill(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("stats", "0003_grains")]
    operations = [
        migrations.RunPython(drop, migrations.RunPython.noop),
        migrations.RunPython(create, drop),
    ]
