"""Kazakh and Russian forms used in official letters: dates in their case forms, lists, numbers
with the words they count, and the grouping of regions for the reference paragraph (Анықтама /
Справка). The reply's templates (``letters/templates/letters/reply/``) use these as filters
(``letters/templatetags/grammar.py``).

Kazakh suffixes follow the language's own rules, written out below: vowel harmony and the
stem's last sound (shared/reference/kazakh-official-forms.md). No library inflects Kazakh well.
Russian words are inflected by the OpenCorpora dictionary through pymorphy3 — never guessed
from their endings — with a short table of the forms the dictionary does not give.
"""

import datetime as dt
from functools import cache
from itertools import groupby

import pymorphy3

from qorgau.reference.models import RegionKind

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


def separator(index: int, count: int, lang: str) -> str:
    """What goes before item ``index`` (0-based) of ``count`` listed items, as :func:`join`
    puts it: nothing, ", " or the conjunction before the last one."""
    if index == 0:
        return ""
    if index == count - 1:
        return " және " if lang == "kk" else " и "
    return ", "


# --- Kazakh: suffixes by vowel harmony and the last sound of the word ---

_KK_BACK, _KK_FRONT = set("аоұыяёю"), set("әөүіеэ")
_KK_VOWELS = set("аәеиоөуұүыіэюяё") - {"у"}  # final "у" sounds as a consonant (тау → тауды)

# The stem's last sound, in the columns of the table below.
VOWEL, SONORANT, L, VOICED, NASAL, VOICELESS, POSSESSIVE = range(7)
_KK_SOUNDS = {**dict.fromkeys("руй", SONORANT), "л": L, **dict.fromkeys("жз", VOICED),
              **dict.fromkeys("мнң", NASAL)}  # fmt: skip

# Back-vowel suffixes after (a vowel, р у й, л, ж з, м н ң, a voiceless consonant, a final
# 3rd-person possessive -ы/-і); after a front vowel each takes its front pair (а→е, ы→і, қ→к,
# ғ→г): қаңтарға / сәуірге, жоспарды / үйді.
KK_SUFFIXES: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "genitive": ("ның", "дың", "дың", "дың", "ның", "тың", "ның"),
    "dative": ("ға", "ға", "ға", "ға", "ға", "қа", "на"),
    "accusative": ("ны", "ды", "ды", "ды", "ды", "ты", "н"),
    "locative": ("да", "да", "да", "да", "да", "та", "нда"),
    "ablative": ("дан", "дан", "дан", "дан", "нан", "тан", "нан"),
    # The locative with -ғы/-гі: "of" a date (қаңтардағы, қыркүйектегі).
    "attributive": ("дағы", "дағы", "дағы", "дағы", "дағы", "тағы", "ндағы"),
    # A final -ы/-і takes the plural of a vowel (ақы → ақылар).
    "plural": ("лар", "лар", "дар", "дар", "дар", "тар", "лар"),
}
_KK_FRONT_PAIRS = str.maketrans("аықғ", "еікг")


# Words whose harmony their spelling does not tell: the name "Жетісу" ends in "су" (water), a
# back word (сұw), so it takes back suffixes (Жетісуда, Жетісуға), though its last written
# vowel is "і". Whole words only: the verbal noun "кесу" is front (кесуге).
_KK_BACK_WORDS = {"жетісу"}


def _kk_front(word: str) -> bool:
    """Whether the last vowel of ``word`` that tells the harmony is a front one."""
    if word.lower().split("-")[-1] in _KK_BACK_WORDS:
        return False
    for letter in reversed(word.lower()):
        if letter in _KK_FRONT:
            return True
        if letter in _KK_BACK:
            return False
    return False


def _kk_sound(word: str, possessive: bool) -> int:
    last = word[-1:].lower()
    if possessive and last in "ыі":
        return POSSESSIVE
    if last in _KK_VOWELS:
        return VOWEL
    return _KK_SOUNDS.get(last, VOICELESS)


def kk_case(phrase: str, case: str, *, possessive: bool = True) -> str:
    """``phrase`` with the suffix of ``case`` (a key of :data:`KK_SUFFIXES`) on its last word.

    A final -ы/-і is read as the 3rd-person possessive of a compound name ("іс-шаралар
    жоспары" → "жоспарын", "жоспарына"), as in the names of documents and bodies letters use
    (a stem ending so, "ақы", is not told apart: "ақына" where "ақыға" is meant); a proper
    name is not possessive (``possessive=False``: "Алматыда", "Қарағандыға")."""
    words = phrase.split()
    last = words[-1] if words else phrase
    suffix = KK_SUFFIXES[case][_kk_sound(last, possessive=possessive)]
    return phrase + (suffix.translate(_KK_FRONT_PAIRS) if _kk_front(last) else suffix)


# A final voiceless п, к, қ becomes voiced before a vowel (кітап → кітабы, жүрек → жүрегі).
_KK_VOICING = {"п": "б", "к": "г", "қ": "ғ"}


def kk_possessive(word: str) -> str:
    """The 3rd-person possessive of a compound's head: -сы/-сі after a vowel, -ы/-і after a
    consonant ("Павлодар облысы", "Астана қаласы", "облыстары"), a final п, к, қ voiced
    ("мектебі"; loanwords that keep it, "паркі", are not told apart)."""
    if _kk_sound(word, possessive=False) == VOWEL:
        suffix = "сы"
    else:
        suffix = "ы"
        word = word[:-1] + _KK_VOICING.get(word[-1:], word[-1:])
    return word + (suffix.translate(_KK_FRONT_PAIRS) if _kk_front(word) else suffix)


def kk_accusative(phrase: str) -> str:
    """The definite object (табыс септік) of a noun phrase: "жоспарды", "медиажоспарын"."""
    return kk_case(phrase, "accusative")


KK_MONTHS = {
    1: "қаңтар", 2: "ақпан", 3: "наурыз", 4: "сәуір", 5: "мамыр", 6: "маусым",
    7: "шілде", 8: "тамыз", 9: "қыркүйек", 10: "қазан", 11: "қараша", 12: "желтоқсан",
}  # fmt: skip
# A date's form in a sentence: "of" the date, "from" it, "until" it, "on" it, and the object
# of "қоса алғанда" ("15 ақпанды қоса алғанда": up to and including 15 February).
KK_DATE_CASES = {"of": "attributive", "from": "ablative", "until": "dative", "on": "locative",
                 "including": "accusative"}  # fmt: skip


def kk_date(day: dt.date, form: str = "of") -> str:
    """'2025 жылғы 16 шілдедегі' (of), '… 16 қыркүйектен' (from), '… 15 ақпанға' (until),
    '… 30 қаңтарда' (on), '… 15 ақпанды' (including)."""
    month = kk_case(KK_MONTHS[day.month], KK_DATE_CASES[form])
    return f"{day.year} жылғы {day.day} {month}"


# --- Russian: the dictionary's forms ---

RU_MONTHS_GENITIVE = {
    1: "января", 2: "февраля", 3: "марта", 4: "апреля", 5: "мая", 6: "июня",
    7: "июля", 8: "августа", 9: "сентября", 10: "октября", 11: "ноября", 12: "декабря",
}  # fmt: skip

# Forms the dictionary does not give. After 5, 6 … and 11–14 the counting form "человек" is
# used, not the genitive plural "людей" (пять человек, 112 человек).
RU_COUNTING_FORMS = {"человек": "человек"}
# Parts of speech that change with the head of a name (adjectives, participles, nouns).
_RU_DECLINED = {"NOUN", "ADJF", "PRTF"}
# Kazakh letters: a word holding one is not Russian and is not inflected by Russian rules.
_KK_ONLY = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    """The Russian dictionary (loaded once, on first use: a quarter of a second)."""
    return pymorphy3.MorphAnalyzer(lang="ru")


def ru_date(day: dt.date) -> str:
    """'16 июля 2025 года'."""
    return f"{day.day} {RU_MONTHS_GENITIVE[day.month]} {day.year} года"


def _nominative(word: str):
    """The dictionary's reading of ``word`` as a nominative noun, adjective or participle, or
    None (a preposition, a Kazakh word, a word in another case)."""
    if not word or _KK_ONLY & set(word):
        return None
    parses = _morph().parse(word)
    if parses[0].tag.POS not in _RU_DECLINED:  # most likely no noun ("по" is not "ПО")
        return None
    for parse in parses:
        if parse.tag.POS in _RU_DECLINED and "nomn" in parse.tag:
            return parse
    return None


def _same_letters_case(original: str, inflected: str) -> str:
    """``inflected`` written with the capitals of ``original`` ("Министерство" →
    "Министерством", "Западно-Казахстанская" → "Западно-Казахстанской")."""
    if len(original) > 1 and original.isupper():
        return inflected.upper()
    return "".join(
        letter.upper() if i < len(original) and original[i].isupper() else letter
        for i, letter in enumerate(inflected)
    )


def ru_agree(phrase: str, n: int, case: str = "nomn") -> str:
    """The words of ``phrase`` (a noun with its adjectives, in the nominative singular)
    counted by ``n`` in ``case``: ru_agree("уголовное дело", 2) → "уголовных дела";
    ru_agree("мероприятие", 5, "gent") → "мероприятий" ("из 5 мероприятий")."""
    words = []
    for word in phrase.split(" "):
        parse = _nominative(word)
        if parse is None:
            words.append(word)
            continue
        if case != "nomn":
            parse = parse.inflect({case}) or parse
        agreed = parse.make_agree_with_number(n) or parse
        form = agreed.word
        if {"plur", "gent"} <= agreed.tag.grammemes and parse.normal_form in RU_COUNTING_FORMS:
            form = RU_COUNTING_FORMS[parse.normal_form]
        words.append(_same_letters_case(word, form))
    return " ".join(words)


def ru_count(n: int, phrase: str, case: str = "nomn") -> str:
    """``n`` and the words it counts: '1 021 уголовное дело', '2 302 493 человека'."""
    return f"{number(n)} {ru_agree(phrase, n, case)}"


def ru_cases(n: int) -> str:
    """'31 уголовное дело', '2 уголовных дела', '79 уголовных дел'."""
    return ru_count(n, "уголовное дело")


def ru_people(n: int) -> str:
    """'1 человек', '2 302 493 человека', '5 человек'."""
    return ru_count(n, "человек")


def ru_plural_noun(word: str) -> str:
    """The nominative plural of a noun: 'область' → 'области', 'город' → 'города'."""
    parse = _nominative(word)
    plural = parse.inflect({"plur", "nomn"}) if parse is not None else None
    return _same_letters_case(word, plural.word) if plural is not None else word


def ru_instrumental(name: str) -> str | None:
    """The instrumental of a body's name (the agent of a passive: "Министерством культуры и
    информации"): the leading adjectives and the head noun change, the rest stays. None when
    the name does not begin with a Russian noun or adjective in the nominative (the caller
    then words the sentence otherwise)."""
    words = name.split(" ")
    for i, word in enumerate(words):
        parse = _nominative(word)
        if parse is None:
            # After adjectives: an adjective used as a noun ("Уполномоченный по …").
            return " ".join(words) if i else None
        instrumental = parse.inflect({"ablt"})
        if instrumental is None:
            return None
        words[i] = _same_letters_case(word, instrumental.word)
        if parse.tag.POS == "NOUN":
            return " ".join(words)
    return None


_RU_APPROVED = {
    "masc": "утверждён",
    "femn": "утверждена",
    "neut": "утверждено",
    "plur": "утверждены",
}


def _ru_agreement(phrase: str) -> str:
    """The gender (masc, femn, neut) or number (plur) a short participle takes after the
    head noun of ``phrase``."""
    gender = "masc"
    for word in phrase.split(" "):
        parse = _nominative(word)
        if parse is None:
            break
        if parse.tag.number == "plur":
            return "plur"
        gender = parse.tag.gender if parse.tag.gender in _RU_APPROVED else gender
        if parse.tag.POS == "NOUN":
            break
    return gender


def ru_approved(phrase: str) -> str:
    """ "утверждён" agreeing with the head of ``phrase``: медиаплан утверждён, программа
    утверждена, положение утверждено, мероприятия утверждены."""
    return _RU_APPROVED[_ru_agreement(phrase)]


_RU_DEVELOPED = {"masc": "разработан", "femn": "разработана", "neut": "разработано",
                 "plur": "разработаны"}  # fmt: skip


def ru_developed_and_approved(phrase: str) -> str:
    """ "разработан и утверждён" agreeing with the head of ``phrase`` (the Kazakh letter's
    "әзірлеп бекітті": developed and approved)."""
    key = _ru_agreement(phrase)
    return f"{_RU_DEVELOPED[key]} и {_RU_APPROVED[key]}"


def lower_first(phrase: str) -> str:
    """A title put inside a sentence: first letter in lower case, unless the first word is an
    abbreviation ("ҚР", "МКИ")."""
    if len(phrase) > 1 and phrase[1].isupper():
        return phrase
    return phrase[:1].lower() + phrase[1:]


# --- Regions grouped by their kind, for the reference paragraph ---

KK_REGION_NOUNS = {RegionKind.OBLAST: "облыс", RegionKind.CITY: "қала"}
RU_REGION_NOUNS = {RegionKind.OBLAST: "область", RegionKind.CITY: "город"}


def _kk_noun(kind: str, many: bool, case: str | None = None) -> str:
    """'облысы', 'облыстары', 'қаласы', 'қалалары' (the shared noun of a list of names), in
    ``case`` if given: 'облысында', 'облыстарында', 'қаласында', 'қалаларында'."""
    noun = KK_REGION_NOUNS[RegionKind(kind)]
    noun = kk_possessive(kk_case(noun, "plural") if many else noun)
    return kk_case(noun, case) if case else noun


def kk_region(region, case: str | None = None) -> str:
    """A region's Kazakh name in ``case`` (nominative if None): 'Павлодар облысында',
    'Шымкент қаласында'."""
    return f"{region.short_kk} {_kk_noun(region.kind, False, case)}"


def kk_place(name: str, case: str) -> str:
    """A place name alone in ``case`` (never possessive): 'Алматыда', 'Шымкентте',
    'Жетісуда', 'Ақтөбеде'."""
    return kk_case(name, case, possessive=False)


def _ru_noun(kind: str, many: bool) -> str:
    noun = RU_REGION_NOUNS[RegionKind(kind)]
    return ru_plural_noun(noun) if many else noun


def _ru_kind(region) -> str:
    """Russian names fall in three groups: adjective oblasts ('Павлодарская область'), noun
    oblasts ('область Абай') and cities ('город Астана')."""
    if region.is_city:
        return "city"
    return "noun" if region.name_ru.startswith("область ") else "adjective"


def _subgroup(regions: list, lang: str, case: str | None = None) -> str:
    """Regions of one kind with the shared noun, plural when there are two or more (in
    ``case``: Kazakh only)."""
    many = len(regions) > 1
    if lang == "kk":
        names = join([r.short_kk for r in regions], "kk")
        return f"{names} {_kk_noun(regions[0].kind, many, case)}"
    names = join([r.short_ru for r in regions], "ru")
    noun = _ru_noun(regions[0].kind, many)
    return f"{names} {noun}" if _ru_kind(regions[0]) == "adjective" else f"{noun} {names}"


def region_group(regions: list, lang: str, case: str | None = None) -> str:
    """Regions with an equal count: official order; one subgroup per kind (in the order of
    their first region in the official order), each with its shared noun, plural when there
    are two or more.

    Kazakh puts one "және" before the last name of the whole list and commas elsewhere:
    "Қызылорда, Павлодар облыстары және Астана қаласы". Russian keeps "и" inside each subgroup;
    subgroups of single names form a plain list ("Жамбылская область и город Алматы"), otherwise
    the last subgroup is joined by "а также", so that no two "и" meet:
    "Кызылординская и Павлодарская области, а также город Астана".

    ``case`` (Kazakh only) puts each subgroup's noun in that case, as the reference paragraph
    says where the cases were registered: "Қызылорда, Павлодар облыстарында және Астана
    қаласында".
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
        return "".join(_subgroup(group, lang, case) for group in subgroups)
    if lang == "kk":
        head = ", ".join(_kk_subgroup_listed(group, case) for group in subgroups[:-1])
        last = subgroups[-1]
        if len(last) == 1:
            return f"{head} және {_subgroup(last, 'kk', case)}"
        return f"{head}, {_subgroup(last, 'kk', case)}"
    phrases = [_subgroup(group, lang) for group in subgroups]
    if all(len(g) == 1 for g in subgroups):
        return join(phrases, "ru")
    return ", ".join(phrases[:-1]) + ", а также " + phrases[-1]


def _kk_subgroup_listed(regions: list, case: str | None = None) -> str:
    """A Kazakh subgroup that is not the last of the list: names joined by commas only."""
    names = ", ".join(r.short_kk for r in regions)
    return f"{names} {_kk_noun(regions[0].kind, len(regions) > 1, case)}"


def reference_items(counts: dict, lang: str, case: str | None = None) -> list[tuple[str, int]]:
    """(phrase, count) per group of regions with equal counts, highest first; zeros omitted.

    ``counts`` maps Region objects to their counts; ``case`` as in :func:`region_group`.
    """
    nonzero = sorted(
        ((r, n) for r, n in counts.items() if n > 0), key=lambda rn: (-rn[1], rn[0].order)
    )
    return [
        (region_group([r for r, _n in group], lang, case), n)
        for n, group in groupby(nonzero, key=lambda rn: rn[1])
    ]


def reference_list(counts: dict, lang: str, case: str | None = None) -> str:
    """'Шымкент қаласы – 23, …, Қостанай және Шығыс Қазақстан облыстары – 1'; with
    ``case="locative"`` (the reference paragraph, as the source letter writes it): 'Шымкент
    қаласында – 23, …, Қостанай және Шығыс Қазақстан облыстарында – 1'."""
    items = reference_items(counts, lang, case)
    return ", ".join(f"{phrase} – {number(n)}" for phrase, n in items)
