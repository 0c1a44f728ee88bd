"""Deadline rules get the longest term with extensions (CPC RK art. 192, to verify), set from
reference/data/deadline_rules.json on the rules that have none yet."""

from django.db import migrations, models

from qorgau.reference.rules import load_rules


def fill(apps, schema_editor):
    load_rules(apps.get_model("oversight", "DeadlineRule"), fill=("max_amount", "max_legal_source"))


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0003_controlrecord"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadlinerule",
            name="max_amount",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="In the rule's unit; extensions past it are refused. Empty: no maximum.",
                null=True,
                verbose_name="longest term with extensions",
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="max_legal_source",
            field=models.TextField(blank=True, verbose_name="legal source of the longest term"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
