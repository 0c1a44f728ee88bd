"""The record time of the qualification and status rows (``recorded_at``), which makes "as
known at instant T" a query (``registry.asof``).

Rows written from now on get the moment they are inserted (the service's clock, or the
database's ``now()`` for a raw insert). Rows already there were never given one; they are
backfilled with the latest moment the system can have learnt them at: the later of the row's
own moment (``qualified_at`` / ``changed_at``) and the case's ``created_at`` (the row cannot
have been recorded before its case). A requalification typed in with an earlier date than the
day it was entered is thus placed too early — no record says when it was typed in — so as-of
figures of moments before this migration are as good as this estimate, and exact after it."""

import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Greatest


def backfill(apps, schema_editor):
    case = apps.get_model("registry", "Case")
    created = Subquery(case.objects.filter(pk=OuterRef("case_id")).values("created_at")[:1])
    for name, moment in (("Qualification", "qualified_at"), ("StatusChange", "changed_at")):
        model = apps.get_model("registry", name)
        model.objects.update(recorded_at=Greatest(moment, created))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_case_number_counter_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="qualification",
            name="recorded_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="recorded at",
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="recorded_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="recorded at",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
