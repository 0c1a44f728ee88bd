"""The deadline rules now belong to the reference app (``reference.0005_deadlinerule``): the
oversight app forgets the model, the table and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0004_rule_longest_term"),
        ("reference", "0005_deadlinerule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DeadlineRule")],
            database_operations=[],
        ),
    ]
