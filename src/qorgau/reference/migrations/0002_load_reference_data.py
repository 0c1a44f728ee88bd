"""Load the regions, their population, the bodies and the offences from reference/data/."""

from django.db import migrations


def load(apps, schema_editor):
    from qorgau.reference import loaders

    Region = apps.get_model("reference", "Region")
    loaders.load_regions(Region)
    loaders.load_bodies(Region, apps.get_model("reference", "Body"))
    loaders.load_population(
        Region,
        apps.get_model("reference", "PopulationFigure"),
        (loaders.DATA_DIR / "population.csv").read_bytes(),
    )
    loaders.load_offences(
        apps.get_model("reference", "Law"),
        apps.get_model("reference", "Article"),
        apps.get_model("reference", "ArticlePart"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
