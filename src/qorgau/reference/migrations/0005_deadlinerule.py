"""The deadline rules move down from the oversight app to the reference floor, so that the
registry can ask them without importing oversight. Only Django's idea of the model moves: the
table keeps its name (``oversight_deadlinerule``) and its rows; nothing is copied."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0004_police_names_genitive"),
        # The table exists, with every column, when the oversight app's migrations have run.
        ("oversight", "0004_rule_longest_term"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeadlineRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("report_decision", "decision on a report"),
                                    ("investigation_term", "term of pre-trial investigation"),
                                ],
                                max_length=30,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("misdemeanour", "criminal misdemeanour"),
                                    ("crime", "crime"),
                                ],
                                help_text="Empty: applies to every category.",
                                max_length=20,
                                verbose_name="offence category",
                            ),
                        ),
                        ("amount", models.PositiveIntegerField(verbose_name="amount")),
                        (
                            "unit",
                            models.CharField(
                                choices=[
                                    ("hours", "hours"),
                                    ("days", "days"),
                                    ("months", "months"),
                                ],
                                max_length=10,
                                verbose_name="unit",
                            ),
                        ),
                        ("legal_source", models.TextField(verbose_name="legal source")),
                        (
                            "max_amount",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="In the rule's unit; extensions past it are refused. Empty: no maximum.",
                                null=True,
                                verbose_name="longest term with extensions",
                            ),
                        ),
                        (
                            "max_legal_source",
                            models.TextField(
                                blank=True, verbose_name="legal source of the longest term"
                            ),
                        ),
                        (
                            "description_kk",
                            models.TextField(blank=True, verbose_name="description (Kazakh)"),
                        ),
                        (
                            "description_ru",
                            models.TextField(blank=True, verbose_name="description (Russian)"),
                        ),
                        (
                            "description_en",
                            models.TextField(blank=True, verbose_name="description (English)"),
                        ),
                    ],
                    options={
                        "verbose_name": "deadline rule",
                        "verbose_name_plural": "deadline rules",
                        "db_table": "oversight_deadlinerule",
                        "ordering": ["kind", "category"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "category"), name="deadline_rule_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
