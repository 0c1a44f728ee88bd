"""Kazakh suffixes on the names of all 20 regions (issue 15): every harmony case (back and front
vowels; after a vowel, a sonorant, a nasal, a voiceless consonant), the locative of "облысы" /
"қаласы" and of their plurals when equal counts are grouped."""

import pytest

from qorgau.letters import grammar
from qorgau.reference.models import Region

pytestmark = pytest.mark.django_db

# short name → (locative, dative, genitive, ablative); the comment names the harmony case.
PLACES = {
    "Абай": ("Абайда", "Абайға", "Абайдың", "Абайдан"),  # back, sonorant й
    "Ақмола": ("Ақмолада", "Ақмолаға", "Ақмоланың", "Ақмоладан"),  # back, vowel
    "Ақтөбе": ("Ақтөбеде", "Ақтөбеге", "Ақтөбенің", "Ақтөбеден"),  # front, vowel
    "Алматы": ("Алматыда", "Алматыға", "Алматының", "Алматыдан"),  # back vowel ы, a name
    "Атырау": ("Атырауда", "Атырауға", "Атыраудың", "Атыраудан"),  # back, у a consonant
    "Батыс Қазақстан": ("Батыс Қазақстанда", "Батыс Қазақстанға", "Батыс Қазақстанның",
                        "Батыс Қазақстаннан"),  # back, nasal н
    "Жамбыл": ("Жамбылда", "Жамбылға", "Жамбылдың", "Жамбылдан"),  # back, л
    "Жетісу": ("Жетісуда", "Жетісуға", "Жетісудың", "Жетісудан"),  # су: back though і before
    "Қарағанды": ("Қарағандыда", "Қарағандыға", "Қарағандының", "Қарағандыдан"),
    "Қостанай": ("Қостанайда", "Қостанайға", "Қостанайдың", "Қостанайдан"),
    "Қызылорда": ("Қызылордада", "Қызылордаға", "Қызылорданың", "Қызылордадан"),
    "Маңғыстау": ("Маңғыстауда", "Маңғыстауға", "Маңғыстаудың", "Маңғыстаудан"),
    "Павлодар": ("Павлодарда", "Павлодарға", "Павлодардың", "Павлодардан"),  # back, р
    "Солтүстік Қазақстан": ("Солтүстік Қазақстанда", "Солтүстік Қазақстанға",
                            "Солтүстік Қазақстанның", "Солтүстік Қазақстаннан"),
    "Түркістан": ("Түркістанда", "Түркістанға", "Түркістанның", "Түркістаннан"),
    "Ұлытау": ("Ұлытауда", "Ұлытауға", "Ұлытаудың", "Ұлытаудан"),
    "Шығыс Қазақстан": ("Шығыс Қазақстанда", "Шығыс Қазақстанға", "Шығыс Қазақстанның",
                        "Шығыс Қазақстаннан"),
    "Астана": ("Астанада", "Астанаға", "Астананың", "Астанадан"),
    "Шымкент": ("Шымкентте", "Шымкентке", "Шымкенттің", "Шымкенттен"),  # front, voiceless т
}  # fmt: skip
CASES = ("locative", "dative", "genitive", "ablative")


def test_the_table_names_every_region():
    """All 20 regions are here (Алматы names the oblast and the city alike)."""
    assert Region.objects.count() == 20
    assert set(Region.objects.values_list("short_kk", flat=True)) == set(PLACES)


@pytest.mark.parametrize("name", sorted(PLACES))
def test_each_region_name_takes_the_suffix_of_its_harmony(name):
    assert tuple(grammar.kk_place(name, case) for case in CASES) == PLACES[name]


def test_a_name_is_not_read_as_a_possessive_but_a_document_is():
    # "Алматы" is a name (Алматыда); "жоспары" a possessive (жоспарында).
    assert grammar.kk_place("Алматы", "locative") == "Алматыда"
    assert grammar.kk_case("іс-шаралар жоспары", "locative") == "іс-шаралар жоспарында"
    # Only the name "Жетісу" is read as back; a front verbal noun in -су stays front.
    assert grammar.kk_case("кесу", "dative", possessive=False) == "кесуге"


@pytest.mark.parametrize("code", [f"KZ-{n}" for n in (10, 11, 15, 19, 23, 27, 31, 33, 35, 39,
                                                       43, 47, 55, 59, 61, 62, 63, 71, 75, 79)])  # fmt: skip
def test_each_region_in_the_locative_with_its_noun(code):
    region = Region.objects.get(code=code)
    noun = "қаласында" if region.is_city else "облысында"
    assert grammar.kk_region(region, "locative") == f"{region.short_kk} {noun}"
    assert grammar.kk_region(region) == region.name_kk  # nominative: the official name
    assert grammar.region_group([region], "kk", "locative") == f"{region.short_kk} {noun}"


def regions(*codes):
    return [Region.objects.get(code=c) for c in codes]


@pytest.mark.parametrize(
    ("codes", "locative"),
    [
        (["KZ-55", "KZ-43"], "Қызылорда және Павлодар облыстарында"),
        (["KZ-71", "KZ-75"], "Астана және Алматы қалаларында"),
        (["KZ-31", "KZ-75"], "Жамбыл облысында және Алматы қаласында"),
        (["KZ-55", "KZ-43", "KZ-71"], "Қызылорда, Павлодар облыстарында және Астана қаласында"),
        (["KZ-79", "KZ-61", "KZ-71"], "Түркістан облысында, Астана және Шымкент қалаларында"),
        (["KZ-19", "KZ-27", "KZ-35", "KZ-47", "KZ-59"],
         "Алматы, Батыс Қазақстан, Қарағанды, Маңғыстау және Солтүстік Қазақстан облыстарында"),
    ],
)  # fmt: skip
def test_equal_counts_grouped_in_the_locative_plural(codes, locative):
    assert grammar.region_group(regions(*codes), "kk", "locative") == locative


def test_reference_list_in_the_locative_as_the_source_letter():
    counts = dict(zip(regions("KZ-79", "KZ-71", "KZ-55", "KZ-43"), (23, 16, 7, 7), strict=True))
    assert grammar.reference_list(counts, "kk", "locative") == (
        "Шымкент қаласында – 23, Астана қаласында – 16, Қызылорда және Павлодар облыстарында – 7"
    )
    # The nominative stays for lists that are not "where" (the akimats' plans).
    assert grammar.reference_list(counts, "kk").startswith("Шымкент қаласы – 23")


def test_a_date_included_is_in_the_accusative():
    import datetime as dt

    assert grammar.kk_date(dt.date(2026, 2, 15), "including") == "2026 жылғы 15 ақпанды"
    assert grammar.kk_date(dt.date(2026, 7, 1), "including") == "2026 жылғы 1 шілдені"
    assert grammar.kk_date(dt.date(2026, 9, 30), "including") == "2026 жылғы 30 қыркүйекті"
