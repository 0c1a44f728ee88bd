"""The documented plan template (docs/campaigns.md): a workbook with an example row."""

from qorgau.core.tabular import XlsxBook

from .models import DEFAULT_CAMPAIGN_DATE
from .workbook import ACTIVITY_COLUMNS, ORG_COLUMNS

EXAMPLE_PLAN = [
    ("title_kk", "Ақпараттық-түсіндіру науқанының қосымша кешенді медиажоспары"),
    ("title_ru", "Дополнительный комплексный медиаплан информационно-разъяснительной кампании"),
    ("kind", "national"),
    ("approved_on", DEFAULT_CAMPAIGN_DATE.isoformat()),
    ("approved_by", "Мәдениет және ақпарат министрлігі"),
    ("lead", "Мәдениет және ақпарат министрлігі"),
    ("period_from", "2026-02-01"),
    ("period_to", "2026-12-31"),
    ("region", ""),
]
EXAMPLE_ORGS = [
    ("Мәдениет және ақпарат министрлігі", "Министерство культуры и информации", "state_body", "")
]
EXAMPLE_ACTIVITY = [
    "Сталкинг туралы бейнероликтер сериясы", "Серия видеороликов о сталкинге", "social_series",
    "stalking, help", "жастар / молодёжь", "KZ-79, KZ-71", "Мәдениет және ақпарат министрлігі", "",
    "2026-03-31", "planned", "", "", "", 10, 0, 500000, 0, 0, 0,
]  # fmt: skip


def build() -> bytes:
    book = XlsxBook()
    plan = book.sheet("plan")
    for pair in EXAMPLE_PLAN:
        plan.append(list(pair))
    orgs = book.sheet("organisations")
    orgs.append(ORG_COLUMNS)
    for org in EXAMPLE_ORGS:
        orgs.append(list(org))
    activities = book.sheet("activities")
    activities.append(ACTIVITY_COLUMNS)
    activities.append(EXAMPLE_ACTIVITY)
    return book.save()
