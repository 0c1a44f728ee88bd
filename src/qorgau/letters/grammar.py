"""Kazakh and Russian forms used in official letters: dates in their case forms, lists, plurals
and the grouping of regions for the reference paragraph (Анықтама / Справка).

Facts from shared/reference/kazakh-official-forms.md. Kazakh suffixes follow vowel harmony and
the stem's last sound; the twelve months are kept as data rather than derived.
"""

import datetime as dt
from itertools import groupby

# month: (nominative, "of the date" -дағы/-дегі, "from the date" ablative, "until" dative)
KK_MONTHS = {
    1: ("қаңтар", "қаңтардағы", "қаңтардан", "қаңтарға"),
    2: ("ақпан", "ақпандағы", "ақпаннан", "ақпанға"),
    3: ("наурыз", "наурыздағы", "наурыздан", "наурызға"),
    4: ("сәуір", "сәуірдегі", "сәуірден", "сәуірге"),
    5: ("мамыр", "мамырдағы", "мамырдан", "мамырға"),
    6: ("маусым", "маусымдағы", "маусымнан", "маусымға"),
    7: ("шілде", "шілдедегі", "шілдеден", "шілдеге"),
    8: ("тамыз", "тамыздағы", "тамыздан", "тамызға"),
    9: ("қыркүйек", "қыркүйектегі", "қыркүйектен", "қыркүйекке"),
    10: ("қазан", "қазандағы", "қазаннан", "қазанға"),
    11: ("қараша", "қарашадағы", "қарашадан", "қарашаға"),
    12: ("желтоқсан", "желтоқсандағы", "желтоқсаннан", "желтоқсанға"),
}
RU_MONTHS_GENITIVE = {
    1: "января", 2: "февраля", 3: "марта", 4: "апреля", 5: "мая", 6: "июня",
    7: "июля", 8: "августа", 9: "сентября", 10: "октября", 11: "ноября", 12: "декабря",
}  # fmt: skip
KK_FORMS = {"of": 1, "from": 2, "until": 3, "on": 4}
# Locative ("on the date"): -да/-де after vowels and voiced sounds, -та/-те after voiceless ones.
KK_LOCATIVE = {
    1: "қаңтарда", 2: "ақпанда", 3: "наурызда", 4: "сәуірде", 5: "мамырда", 6: "маусымда",
    7: "шілдеде", 8: "тамызда", 9: "қыркүйекте", 10: "қазанда", 11: "қарашада", 12: "желтоқсанда",
}  # fmt: skip
for _month, _loc in KK_LOCATIVE.items():
    KK_MONTHS[_month] = (*KK_MONTHS[_month], _loc)


def kk_date(day: dt.date, form: str = "of") -> str:
    """'2025 жылғы 16 шілдедегі' (of), '… 16 қыркүйектен' (from), '… 15 ақпанға' (until),
    '… 30 қаңтарда' (on)."""
    return f"{day.year} жылғы {day.day} {KK_MONTHS[day.month][KK_FORMS[form]]}"


def ru_date(day: dt.date) -> str:
    """'16 июля 2025 года'."""
    return f"{day.day} {RU_MONTHS_GENITIVE[day.month]} {day.year} года"


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """1 дело, 2 дела, 5 дел; 11–14 take the 'many' form."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def ru_cases(n: int) -> str:
    """'31 уголовное дело', '2 уголовных дела', '79 уголовных дел'."""
    return f"{n} " + ru_plural(n, "уголовное дело", "уголовных дела", "уголовных дел")


def join(items: list[str], lang: str) -> str:
    """'A', 'A және B', 'A, B және C' (kk) / 'A и B', 'A, B и C' (ru)."""
    conjunction = " және " if lang == "kk" else " и "
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + conjunction + items[-1]


def _ru_kind(region) -> str:
    """Russian names fall in three groups: adjective oblasts ('Павлодарская область'), noun
    oblasts ('область Абай') and cities ('город Астана')."""
    if region.kind == "city":
        return "city"
    return "noun" if region.name_ru.startswith("область ") else "adjective"


def _subgroup(regions: list, lang: str) -> str:
    """Regions of one kind with the shared noun, plural when there are two or more."""
    names = [r.short_kk if lang == "kk" else r.short_ru for r in regions]
    many = len(regions) > 1
    if lang == "kk":
        noun = (
            ("қалалары" if many else "қаласы")
            if regions[0].kind == "city"
            else ("облыстары" if many else "облысы")
        )
        return f"{join(names, 'kk')} {noun}"
    kind = _ru_kind(regions[0])
    if kind == "adjective":
        return f"{join(names, 'ru')} {'области' if many else 'область'}"
    if kind == "noun":
        return f"{'области' if many else 'область'} {join(names, 'ru')}"
    return f"{'города' if many else 'город'} {join(names, 'ru')}"


def region_group(regions: list, lang: str) -> str:
    """Regions with an equal count: official order; one subgroup per kind (oblasts before
    cities, as in the official order), each with its shared noun. Subgroups are joined with
    the conjunction when each is a single name, else with a comma."""
    regions = sorted(regions, key=lambda r: r.order)
    kind_of = (lambda r: r.kind) if lang == "kk" else _ru_kind
    subgroups, seen = [], []
    for region in regions:
        kind = kind_of(region)
        if kind not in seen:
            seen.append(kind)
            subgroups.append([r for r in regions if kind_of(r) == kind])
    phrases = [_subgroup(group, lang) for group in subgroups]
    if len(phrases) > 1 and all(len(g) == 1 for g in subgroups):
        return join(phrases, lang)
    return ", ".join(phrases)


def reference_items(counts: dict, lang: str) -> list[tuple[str, int]]:
    """(phrase, count) per group of regions with equal counts, highest first; zeros omitted.

    ``counts`` maps Region objects to their counts.
    """
    nonzero = sorted(
        ((r, n) for r, n in counts.items() if n > 0), key=lambda rn: (-rn[1], rn[0].order)
    )
    return [
        (region_group([r for r, _n in group], lang), n)
        for n, group in groupby(nonzero, key=lambda rn: rn[1])
    ]


def reference_list(counts: dict, lang: str) -> str:
    """'Шымкент қаласы – 23, …, Қостанай және Шығыс Қазақстан облыстары – 1'."""
    return ", ".join(f"{phrase} – {n}" for phrase, n in reference_items(counts, lang))
