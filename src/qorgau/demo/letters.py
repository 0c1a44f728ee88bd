"""Demonstration data of the letters: inquiry ДС-16, which the source letter answers."""

import datetime as dt

from qorgau.letters.models import Inquiry
from qorgau.reference.models import Article


def seed_inquiry() -> Inquiry:
    """Inquiry ДС-16 of 2026-01-23 on articles 115-1 and 125-1 (marked ``is_demo``; loading it
    again leaves one)."""
    inquiry, _created = Inquiry.objects.update_or_create(
        number="ДС-16",
        defaults={
            "dated": dt.date(2026, 1, 23),
            "addressee_kk": "Қазақстан Республикасы\nПарламенті Мәжілісінің\nдепутаттарына",
            "addressee_ru": "Депутатам Мажилиса\nПарламента\nРеспублики Казахстан",
            # As the source letter words it: criminalising both acts, stalking defined.
            "subject_kk": (
                "Сталкингке (зорлық-зомбылықпен байланысты емес, бірақ айтарлықтай психологиялық "
                "залал келтіріп, адамды еркінен тыс қудалау) және некеге тұруға мәжбүрлеуге "
                "қылмыстық сипат беру, сондай-ақ енгізілген қылмыстық заңнама нормалары туралы "
                "халықты хабардар ету"
            ),
            "subject_ru": (
                "криминализации сталкинга (преследования человека против его воли, не связанного "
                "с насилием, но причиняющего ему значительный психологический вред) и принуждения "
                "к вступлению в брак, а также информирования населения о введённых нормах "
                "уголовного законодательства"
            ),
            # The deputies' two questions (shared/seed/README.md, paragraph 1).
            "questions": (
                "Сталкингке және некеге тұруға мәжбүрлеуге қылмыстық сипат беру\n"
                "Енгізілген қылмыстық заңнама нормалары туралы халықты хабардар ету"
            ),
            "signatory": "О. Бектенов",
            "signatory_position_kk": "Қазақстан Республикасының Премьер-Министрі",
            "signatory_position_ru": "Премьер-Министр Республики Казахстан",
            "is_demo": True,
        },
    )
    inquiry.articles.set(Article.objects.filter(code__in=["115-1", "125-1"]))
    return inquiry
