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
    return f"{number(n)} " + ru_plural(n, "уголовное дело", "уголовных дела", "уголовных дел")


def ru_people(n: int) -> str:
    """'1 человек', '2 302 493 человека', '5 человек'."""
    return f"{number(n)} " + ru_plural(n, "человек", "человека", "человек")


NBSP = "\u00a0"


def number(n: int) -> str:
    """Thousands separated by a non-breaking space, as both languages write them: '2 302 493'."""
    return f"{n:,}".replace(",", NBSP)


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
    """Regions with an equal count: official order; one subgroup per kind (in the order of
    their first region in the official order), each with its shared noun, plural when there
    are two or more.

    Kazakh puts one "және" before the last name of the whole list and commas elsewhere:
    "Қызылорда, Павлодар облыстары және Астана қаласы". Russian keeps "и" inside each subgroup;
    subgroups of single names form a plain list ("Жамбылская область и город Алматы"), otherwise
    the last subgroup is joined by "а также", so that no two "и" meet:
    "Кызылординская и Павлодарская области, а также город Астана".
    """
    regions = sorted(regions, key=lambda r: r.order)
    kind_of = (lambda r: r.kind) if lang == "kk" else _ru_kind
    subgroups, seen = [], []
    for region in regions:
        kind = kind_of(region)
        if kind not in seen:
            seen.append(kind)
            subgroups.append([r for r in regions if kind_of(r) == kind])
    if len(subgroups) <= 1:
        return "".join(_subgroup(group, lang) for group in subgroups)
    if lang == "kk":
        head = ", ".join(_kk_subgroup_listed(group) for group in subgroups[:-1])
        last = subgroups[-1]
        if len(last) == 1:
            return f"{head} және {_subgroup(last, 'kk')}"
        return f"{head}, {_subgroup(last, 'kk')}"
    phrases = [_subgroup(group, lang) for group in subgroups]
    if all(len(g) == 1 for g in subgroups):
        return join(phrases, "ru")
    return ", ".join(phrases[:-1]) + ", а также " + phrases[-1]


def _kk_subgroup_listed(regions: list) -> str:
    """A Kazakh subgroup that is not the last of the list: names joined by commas only."""
    names = ", ".join(r.short_kk for r in regions)
    if regions[0].kind == "city":
        return f"{names} {'қалалары' if len(regions) > 1 else 'қаласы'}"
    return f"{names} {'облыстары' if len(regions) > 1 else 'облысы'}"


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
    return ", ".join(f"{phrase} – {number(n)}" for phrase, n in reference_items(counts, lang))


# Case forms of free phrases (names of documents and bodies typed by users). Only the last
# (Kazakh) or the head (Russian) word changes; the rules cover the names such letters use.
_KK_BACK, _KK_FRONT = set("аоұыяёю"), set("әөүіеэ")
_KK_VOWELS = set("аәеиоөуұүыіэюяё")


def _kk_front(word: str) -> bool:
    for letter in reversed(word.lower()):
        if letter in _KK_FRONT:
            return True
        if letter in _KK_BACK:
            return False
    return False


def kk_accusative(phrase: str) -> str:
    """The definite object (табыс септік) of a noun phrase: a final 3rd-person possessive -ы/-і
    takes -н ("медиажоспары" → "медиажоспарын", "бағдарламасы" → "бағдарламасын"); otherwise
    -ны/-ні after vowels, -ды/-ді after л р у й м н ң ж з, -ты/-ті after other consonants."""
    last = phrase.rstrip()[-1:].lower()
    front = _kk_front(phrase.split()[-1]) if phrase.split() else False
    if last in "ыі":
        return phrase + "н"
    if last in _KK_VOWELS - set("у"):
        return phrase + ("ні" if front else "ны")
    if last in "лруймнңжз":
        return phrase + ("ді" if front else "ды")
    return phrase + ("ті" if front else "ты")


def lower_first(phrase: str) -> str:
    """A title put inside a sentence: first letter in lower case, unless the first word is an
    abbreviation ("ҚР", "МКИ")."""
    if len(phrase) > 1 and phrase[1].isupper():
        return phrase
    return phrase[:1].lower() + phrase[1:]


# Singular adjective endings and their instrumental ("-ие" is left out: "Управление" is a noun).
_RU_ADJECTIVE = {"ый": "ым", "ий": "им", "ой": "ым", "ая": "ой", "яя": "ей", "ое": "ым", "ее": "им"}
_RU_SIBILANT = set("жшщчц")
_RU_PREPOSITIONS = {"по", "при", "для", "в", "во", "на", "о", "об", "и"}


def _ru_noun_instrumental(word: str) -> str | None:
    low = word.lower()
    if low.endswith("ие"):
        return word + "м"  # Управление → Управлением
    if low.endswith("ия"):
        return word[:-1] + "ей"  # Комиссия → Комиссией
    if low.endswith(("о", "е")):
        return word + "м"  # Министерство → Министерством
    if low.endswith("а"):
        return word[:-1] + ("ей" if low[-2:-1] in _RU_SIBILANT else "ой")  # Служба → Службой
    if low.endswith("я"):
        return word[:-1] + "ей"
    if low.endswith("й"):
        return word[:-1] + "ем"
    if low[-1:].isalpha() and low[-1] not in "ьыиуюэё":
        return word + ("ем" if low[-1] in _RU_SIBILANT else "ом")  # Комитет → Комитетом
    return None


def ru_instrumental(name: str) -> str | None:
    """The instrumental of a body's name (the agent of a passive: "Министерством культуры и
    информации"): leading adjectives and the head noun change, the rest stays. None when the
    head noun is not one the rules know (the caller then words the sentence otherwise)."""
    words = name.split(" ")
    for i, word in enumerate(words):
        ending = word[-2:].lower()
        if ending in _RU_ADJECTIVE and len(word) > 3:
            words[i] = word[:-2] + _RU_ADJECTIVE[ending]
            continue
        if i and word.lower() in _RU_PREPOSITIONS:
            return " ".join(words)  # an adjective used as a noun: "Уполномоченный по …"
        noun = _ru_noun_instrumental(word)
        if noun is None:
            return None
        words[i] = noun
        return " ".join(words)
    return None


def ru_approved(phrase: str) -> str:
    """ "утверждён" agreeing with the head of ``phrase``: медиаплан утверждён, программа
    утверждена, положение утверждено, мероприятия утверждены."""
    first = phrase.split(" ", 1)[0].lower()
    forms = {"m": "утверждён", "f": "утверждена", "n": "утверждено", "pl": "утверждены"}
    if first.endswith(("ый", "ий", "ой")):
        return forms["m"]
    if first.endswith(("ая", "яя")):
        return forms["f"]
    if first.endswith(("ое", "ее")):
        return forms["n"]
    if first.endswith(("ые", "ие")) and not first.endswith("ние"):
        return forms["pl"]
    if first.endswith(("о", "е")):
        return forms["n"]
    if first.endswith(("а", "я")):
        return forms["f"]
    if first.endswith(("ы", "и")):
        return forms["pl"]
    return forms["m"]
