"""Demonstration entries of the help directory, loaded by ``qorgau load-demo``: a family support
centre, a crisis centre and legal aid in a few regions, so that the directory can be shown
filled in. They are not real services: names are generic and say "demo", the address is an
obvious placeholder, the phone is the real national line 111 (which directs a caller to the
nearest real service), and the public page marks each entry as a demonstration entry."""

from django.db import transaction

from qorgau.portal.models import ContactKind, HelpContact
from qorgau.reference.models import Region

REGIONS = ["KZ-79", "KZ-71", "KZ-75", "KZ-61", "KZ-55"]
ENTRIES = [
    (ContactKind.FAMILY_CENTRE, 2, "Отбасын қолдау орталығы (демо)",
     "Центр поддержки семьи (демо)", "Family support centre (demo)", "09:00–18:00"),
    (ContactKind.CRISIS_CENTRE, 3, "Дағдарыс орталығы (демо)",
     "Кризисный центр (демо)", "Crisis centre (demo)", "24/7"),
    (ContactKind.LEGAL_AID, 4, "Тегін заң көмегі (демо)",
     "Бесплатная юридическая помощь (демо)", "Free legal aid (demo)", "09:00–18:00"),
]  # fmt: skip
NOTE = {
    "note_kk": "Демонстрациялық жазба: нақты қызметті 111 нөмірі бойынша біліңіз.",
    "note_ru": "Демонстрационная запись: реальную службу подскажут по номеру 111.",
    "note_en": "Demonstration entry: call 111 to be directed to the real service.",
}
ADDRESS = {
    "address_kk": "Үлгі көшесі, 1 (демо мекенжай)",
    "address_ru": "ул. Примерная, 1 (демо-адрес)",
    "address_en": "1 Example Street (demo address)",
}


def load() -> int:
    """Create the demonstration entries (marked ``is_demo``); returns how many were created."""
    created = 0
    with transaction.atomic():
        for region in Region.objects.filter(code__in=REGIONS):
            for kind, order, name_kk, name_ru, name_en, hours in ENTRIES:
                _obj, new = HelpContact.objects.get_or_create(
                    region=region, kind=kind, is_demo=True,
                    defaults={"order": order, "name_kk": name_kk, "name_ru": name_ru, "name_en": name_en,
                              "phone": "111", "hours": hours, "languages": "kk, ru",
                              "source": "demonstration data (qorgau load-demo)", **ADDRESS, **NOTE},
                )  # fmt: skip
                created += new
    return created


def remove() -> None:
    """Delete the demonstration entries; the real directory stays."""
    HelpContact.objects.filter(is_demo=True).delete()
