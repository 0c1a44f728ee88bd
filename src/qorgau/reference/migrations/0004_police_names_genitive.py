"""Re-apply reference data fixed after the first load, for databases loaded before the fixes:
the police departments' Kazakh names take the region in the genitive, as the Ministry of
Internal Affairs writes them («Павлодар облысының Полиция департаменті»;
reference/data/bodies.csv), and the offences (reference/data/offences.json: a Kazakh wording
fix of a penalty)."""

from django.db import migrations


def reapply(apps, schema_editor):
    from qorgau.reference import loaders

    loaders.load_bodies(apps.get_model("reference", "Region"), apps.get_model("reference", "Body"))
    loaders.load_offences(
        apps.get_model("reference", "Law"),
        apps.get_model("reference", "Article"),
        apps.get_model("reference", "ArticlePart"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_article_termination_review")]

    operations = [migrations.RunPython(reapply, migrations.RunPython.noop)]
