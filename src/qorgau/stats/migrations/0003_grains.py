"""The aggregates at several grains (day and month, per article and over all articles, and
weeks for the series): the key gains ``grain``; the triggers made anew and the tables refilled."""

from django.db import migrations, models

from qorgau.stats import aggregates


def drop(apps, schema_editor):
    """The triggers of 0002 (day-only tables), if any: they would write rows without a grain."""
    aggregates.drop_triggers(schema_editor)
    for aggregate in aggregates.AGGREGATES:
        schema_editor.execute(f"DELETE FROM {aggregate.table}", params=None)  # noqa: S608


def create(apps, schema_editor):
    """The triggers (``stats.aggregates``), then the aggregates of the data already there."""
    aggregates.create_triggers(schema_editor)
    aggregates.fill(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0005_deadlinerule"),
        ("stats", "0002_triggers"),
    ]

    operations = [
        migrations.RunPython(drop, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="casecount",
            name="stats_casecount_key",
        ),
        migrations.RemoveConstraint(
            model_name="partycount",
            name="stats_partycount_key",
        ),
        migrations.RemoveConstraint(
            model_name="reportcount",
            name="stats_reportcount_key",
        ),
        migrations.AddField(
            model_name="casecount",
            name="grain",
            field=models.CharField(default="d", max_length=1),
        ),
        migrations.AddField(
            model_name="partycount",
            name="grain",
            field=models.CharField(default="d", max_length=1),
        ),
        migrations.AddField(
            model_name="reportcount",
            name="grain",
            field=models.CharField(default="d", max_length=1),
        ),
        migrations.AddConstraint(
            model_name="casecount",
            constraint=models.UniqueConstraint(
                fields=("grain", "article", "day", "region", "status", "termination_ground"),
                name="stats_casecount_grain_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="partycount",
            constraint=models.UniqueConstraint(
                fields=("grain", "article", "dim", "value", "day", "region", "body_id"),
                name="stats_partycount_grain_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportcount",
            constraint=models.UniqueConstraint(
                fields=("grain", "article_id", "day", "region", "channel", "decision", "body_id"),
                name="stats_reportcount_grain_key",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
