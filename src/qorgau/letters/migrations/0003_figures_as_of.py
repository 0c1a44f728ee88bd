"""The instant a reply's figures were read (``figures_as_of``) and the history of the campaign
and training rows its figures count (``RowVersion``, kept by ``letters.history``).

Backfill: every plan, activity and training session already there gets one version with its
current fields, recorded at the migration: "known with these values since the migration at
the latest". Their earlier history was never kept, so a figure as known before this migration
cannot be recomputed (no reply before it names its as-of instant either)."""

import django.core.serializers.json
import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models
from django.utils import timezone

VERSIONED = (("campaigns", "Plan"), ("campaigns", "Activity"), ("training", "Session"))


def backfill(apps, schema_editor):
    row_version = apps.get_model("letters", "RowVersion")
    now = timezone.now()
    for app, name in VERSIONED:
        model = apps.get_model(app, name)
        columns = [f.attname for f in model._meta.concrete_fields]
        row_version.objects.bulk_create(
            (
                row_version(
                    model=f"{app}.{name.lower()}",
                    object_id=row.pk,
                    recorded_at=now,
                    data={c: getattr(row, c) for c in columns},
                )
                for row in model.objects.order_by("pk").iterator()
            ),
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0002_inquiry_sent_on"),
        ("campaigns", "0002_evidence"),
        ("training", "0002_body_kind_from_reference"),
    ]

    operations = [
        migrations.AddField(
            model_name="replydraft",
            name="figures_as_of",
            field=models.DateTimeField(blank=True, null=True, verbose_name="figures as of"),
        ),
        migrations.AddField(
            model_name="replyversion",
            name="figures_as_of",
            field=models.DateTimeField(blank=True, null=True, verbose_name="figures as of"),
        ),
        migrations.CreateModel(
            name="RowVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("model", models.CharField(max_length=60, verbose_name="model")),
                ("object_id", models.BigIntegerField(verbose_name="object id")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(),
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="recorded at",
                    ),
                ),
                (
                    "data",
                    models.JSONField(
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        null=True,
                        verbose_name="fields",
                    ),
                ),
            ],
            options={
                "verbose_name": "row version",
                "verbose_name_plural": "row versions",
                "ordering": ["model", "object_id", "recorded_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["model", "recorded_at"], name="letters_row_model_23df58_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
