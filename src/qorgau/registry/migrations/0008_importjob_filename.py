"""An import job's file name is sensitive free text (a file may be named after a person): the
field is renamed so no field of the registry carries the word "name", and may be empty."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_text_lengths")]

    operations = [
        migrations.RenameField("importjob", "file_name", "filename"),
        migrations.AlterField(
            "importjob",
            "filename",
            models.CharField(blank=True, max_length=255, verbose_name="file name"),
        ),
    ]
