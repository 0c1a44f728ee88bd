"""Load the default deadline rules from oversight/data/deadline_rules.json."""

from django.db import migrations


def load(apps, schema_editor):
    from qorgau.oversight.rules import load_rules

    load_rules(apps.get_model("oversight", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
