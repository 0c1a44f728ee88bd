"""The police departments' Kazakh names take the region in the genitive, as the Ministry of
Internal Affairs writes them («Павлодар облысының Полиция департаменті»): re-apply
reference/data/bodies.csv to databases loaded before the fix."""

from django.db import migrations


def reapply_bodies(apps, schema_editor):
    from qorgau.reference import loaders

    loaders.load_bodies(apps.get_model("reference", "Region"), apps.get_model("reference", "Body"))


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_article_termination_review")]

    operations = [migrations.RunPython(reapply_bodies, migrations.RunPython.noop)]
