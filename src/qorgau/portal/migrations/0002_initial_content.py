"""The initial public content (portal/data/content.json) and each region's police entry."""

import json
from pathlib import Path

from django.db import migrations

CONTENT = Path(__file__).resolve().parent.parent / "data" / "content.json"


def load(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    HelpContact = apps.get_model("portal", "HelpContact")
    Region = apps.get_model("reference", "Region")
    data = json.loads(CONTENT.read_text(encoding="utf-8"))
    for page in data["pages"]:
        Page.objects.update_or_create(slug=page["slug"], defaults={k: v for k, v in page.items() if k != "slug"})
    for contact in data["contacts"]:
        HelpContact.objects.get_or_create(name_kk=contact["name_kk"], region=None, defaults={k: v for k, v in contact.items() if k not in ("name_kk", "region")})
    for region in Region.objects.all():
        HelpContact.objects.get_or_create(
            region=region, kind="police", name_kk=f"{region.name_kk} Полиция департаменті",
            defaults={
                "name_ru": f"Полиция: {region.name_ru}", "name_en": f"Police: {region.name_en}", "phone": "102",
                "hours": "24/7", "languages": "қаз, рус", "order": 1,
                "note_kk": "Мекенжайын әкімші толтырады", "note_ru": "Адрес добавит администратор",
                "note_en": "Address to be added by the administrator", "source": "102 is the police number in every region",
            },
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("reference", "0003_article_termination_review")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
