"""Load the default deadline rules from reference/data/deadline_rules.json."""

from django.db import migrations

from qorgau.reference.rules import load_rules


def load(apps, schema_editor):
    load_rules(apps.get_model("oversight", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
