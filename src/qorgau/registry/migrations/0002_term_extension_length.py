"""A term extension records its length, so the term can be recomputed from the rules (a
requalification or a rule change moves the end; the extensions keep counting)."""

from django.db import migrations, models


def lengths_from_ends(apps, schema_editor):
    """Existing extensions were recorded as a new end: their length is the days they added."""
    TermExtension = apps.get_model("registry", "TermExtension")
    for extension in TermExtension.objects.all():
        extension.amount = (extension.new_end - extension.previous_end).days
        extension.unit = "days"
        extension.save(update_fields=["amount", "unit"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="termextension",
            name="amount",
            field=models.PositiveIntegerField(default=0, verbose_name="length"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="termextension",
            name="unit",
            field=models.CharField(
                choices=[("days", "days"), ("months", "months")],
                default="days",
                max_length=10,
                verbose_name="unit",
            ),
        ),
        migrations.RunPython(lengths_from_ends, migrations.RunPython.noop),
    ]
