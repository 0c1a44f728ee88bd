"""The grammar of letters without the database: Kazakh suffixes by vowel harmony and the last
sound (every cell of ``KK_SUFFIXES`` with real words), Russian forms from the dictionary
(pymorphy3), and the ``{% paragraph %}`` tag the reply's templates are written in."""

import datetime as dt

import pytest
from django.template import Context, Template

from qorgau.letters import grammar
from qorgau.letters.grammar import KK_SUFFIXES

CASES = ["genitive", "dative", "accusative", "locative", "ablative", "attributive", "plural"]

# word: its forms in CASES order. Rows go through every column of KK_SUFFIXES (a vowel;
# р у й; л; ж з; м н ң; a voiceless consonant; a final possessive -ы/-і), back and front.
KK_WORDS = {
    # a vowel
    "қала": ("қаланың", "қалаға", "қаланы", "қалада", "қаладан", "қаладағы", "қалалар"),
    "ереже": ("ереженің", "ережеге", "ережені", "ережеде", "ережеден", "ережедегі", "ережелер"),
    "шілде": ("шілденің", "шілдеге", "шілдені", "шілдеде", "шілдеден", "шілдедегі", "шілделер"),
    # р, у, й
    "жоспар": ("жоспардың", "жоспарға", "жоспарды", "жоспарда", "жоспардан", "жоспардағы", "жоспарлар"),
    "сәуір": ("сәуірдің", "сәуірге", "сәуірді", "сәуірде", "сәуірден", "сәуірдегі", "сәуірлер"),
    "тау": ("таудың", "тауға", "тауды", "тауда", "таудан", "таудағы", "таулар"),
    "сөйлеу": ("сөйлеудің", "сөйлеуге", "сөйлеуді", "сөйлеуде", "сөйлеуден", "сөйлеудегі", "сөйлеулер"),
    "сарай": ("сарайдың", "сарайға", "сарайды", "сарайда", "сарайдан", "сарайдағы", "сарайлар"),
    "үй": ("үйдің", "үйге", "үйді", "үйде", "үйден", "үйдегі", "үйлер"),
    # л
    "жол": ("жолдың", "жолға", "жолды", "жолда", "жолдан", "жолдағы", "жолдар"),
    "ел": ("елдің", "елге", "елді", "елде", "елден", "елдегі", "елдер"),
    # ж, з
    "гараж": ("гараждың", "гаражға", "гаражды", "гаражда", "гараждан", "гараждағы", "гараждар"),
    "қыз": ("қыздың", "қызға", "қызды", "қызда", "қыздан", "қыздағы", "қыздар"),
    "сөз": ("сөздің", "сөзге", "сөзді", "сөзде", "сөзден", "сөздегі", "сөздер"),
    # м, н, ң
    "адам": ("адамның", "адамға", "адамды", "адамда", "адамнан", "адамдағы", "адамдар"),
    "өлім": ("өлімнің", "өлімге", "өлімді", "өлімде", "өлімнен", "өлімдегі", "өлімдер"),
    "қазан": ("қазанның", "қазанға", "қазанды", "қазанда", "қазаннан", "қазандағы", "қазандар"),
    "күн": ("күннің", "күнге", "күнді", "күнде", "күннен", "күндегі", "күндер"),
    "таң": ("таңның", "таңға", "таңды", "таңда", "таңнан", "таңдағы", "таңдар"),
    # a voiceless consonant
    "кітап": ("кітаптың", "кітапқа", "кітапты", "кітапта", "кітаптан", "кітаптағы", "кітаптар"),
    "облыс": ("облыстың", "облысқа", "облысты", "облыста", "облыстан", "облыстағы", "облыстар"),
    "мектеп": ("мектептің", "мектепке", "мектепті", "мектепте", "мектептен", "мектептегі", "мектептер"),
    "қыркүйек": ("қыркүйектің", "қыркүйекке", "қыркүйекті", "қыркүйекте", "қыркүйектен",
                 "қыркүйектегі", "қыркүйектер"),
}  # fmt: skip

# A final -ы/-і is the 3rd-person possessive of a compound's head: -н-, not the vowel's suffix
# (the plural reads it as a vowel: ақы → ақылар).
KK_POSSESSED = {
    "іс-шаралар жоспары": ("іс-шаралар жоспарының", "іс-шаралар жоспарына", "іс-шаралар жоспарын",
                           "іс-шаралар жоспарында", "іс-шаралар жоспарынан",
                           "іс-шаралар жоспарындағы"),
    "Мәдениет министрлігі": ("Мәдениет министрлігінің", "Мәдениет министрлігіне",
                             "Мәдениет министрлігін", "Мәдениет министрлігінде",
                             "Мәдениет министрлігінен", "Мәдениет министрлігіндегі"),
}  # fmt: skip


# Stems ending in -ы/-і (not possessives) in the plural. (In the other cases the rule reads them
# as possessives — right for the compound names of bodies and documents letters use, wrong for
# a stem like "ақы": "ақына" for "ақыға".)
KK_FINAL_I = {"ақы": "ақылар", "кірпі": "кірпілер"}


@pytest.mark.parametrize(("word", "forms"), KK_WORDS.items())
def test_kazakh_case_suffixes_follow_the_harmony_and_the_last_sound(word, forms):
    assert tuple(grammar.kk_case(word, case) for case in CASES) == forms


@pytest.mark.parametrize(("phrase", "forms"), KK_POSSESSED.items())
def test_kazakh_cases_of_a_possessed_head_take_n(phrase, forms):
    assert tuple(grammar.kk_case(phrase, case) for case in CASES[:-1]) == forms


def test_every_cell_of_the_kazakh_suffix_table_is_exercised():
    """The words here cover each column of each case, with a back and with a front vowel."""
    seen = {
        (case, grammar._kk_sound(word, possessive=True), grammar._kk_front(word))
        for word, forms in {**KK_WORDS, **KK_POSSESSED}.items()
        for case, _form in zip(CASES, forms, strict=False)
    }
    seen |= {("plural", grammar.POSSESSIVE, grammar._kk_front(word)) for word in KK_FINAL_I}
    for case, suffixes in KK_SUFFIXES.items():
        for column in range(len(suffixes)):
            for front in (False, True):
                assert (case, column, front) in seen, (case, column, front)


def test_a_final_i_is_a_vowel_for_the_plural():
    assert {w: grammar.kk_case(w, "plural") for w in KK_FINAL_I} == KK_FINAL_I


@pytest.mark.parametrize(
    ("word", "possessive"),
    [("облыс", "облысы"), ("облыстар", "облыстары"), ("қала", "қаласы"),
     ("қалалар", "қалалары"), ("ереже", "ережесі"), ("үй", "үйі"), ("мектеп", "мектебі"),
     ("кітап", "кітабы"), ("жүрек", "жүрегі"), ("тарақ", "тарағы")],
)  # fmt: skip
def test_kazakh_possessive_of_a_compounds_head(word, possessive):
    assert grammar.kk_possessive(word) == possessive


# The month forms the letters print, as the source's table gives them
# (shared/reference/kazakh-official-forms.md): of, from, until, on.
KK_MONTH_FORMS = {
    1: ("қаңтардағы", "қаңтардан", "қаңтарға", "қаңтарда"),
    2: ("ақпандағы", "ақпаннан", "ақпанға", "ақпанда"),
    3: ("наурыздағы", "наурыздан", "наурызға", "наурызда"),
    4: ("сәуірдегі", "сәуірден", "сәуірге", "сәуірде"),
    5: ("мамырдағы", "мамырдан", "мамырға", "мамырда"),
    6: ("маусымдағы", "маусымнан", "маусымға", "маусымда"),
    7: ("шілдедегі", "шілдеден", "шілдеге", "шілдеде"),
    8: ("тамыздағы", "тамыздан", "тамызға", "тамызда"),
    9: ("қыркүйектегі", "қыркүйектен", "қыркүйекке", "қыркүйекте"),
    10: ("қазандағы", "қазаннан", "қазанға", "қазанда"),
    11: ("қарашадағы", "қарашадан", "қарашаға", "қарашада"),
    12: ("желтоқсандағы", "желтоқсаннан", "желтоқсанға", "желтоқсанда"),
}


@pytest.mark.parametrize(("month", "forms"), KK_MONTH_FORMS.items())
def test_kazakh_dates_in_each_form(month, forms):
    day = dt.date(2026, month, 5)
    assert tuple(grammar.kk_date(day, f) for f in ("of", "from", "until", "on")) == tuple(
        f"2026 жылғы 5 {form}" for form in forms
    )


@pytest.mark.parametrize(
    ("n", "cases", "people", "of_events"),
    [(1, "уголовное дело", "человек", "мероприятия"),
     (2, "уголовных дела", "человека", "мероприятий"),
     (4, "уголовных дела", "человека", "мероприятий"),
     (5, "уголовных дел", "человек", "мероприятий"),
     (11, "уголовных дел", "человек", "мероприятий"),
     (14, "уголовных дел", "человек", "мероприятий"),
     (21, "уголовное дело", "человек", "мероприятия"),
     (22, "уголовных дела", "человека", "мероприятий"),
     (111, "уголовных дел", "человек", "мероприятий"),
     (1001, "уголовное дело", "человек", "мероприятия")],
)  # fmt: skip
def test_russian_words_agree_with_their_number(n, cases, people, of_events):
    assert grammar.ru_agree("уголовное дело", n) == cases
    # The dictionary's genitive plural is "людей"; after a number it is "человек".
    assert grammar.ru_agree("человек", n) == people
    assert grammar.ru_agree("мероприятие", n, "gent") == of_events  # "из N мероприятий"


def test_russian_instrumental_of_bodies_from_the_dictionary():
    assert [grammar.ru_instrumental(name) for name in (
        "Департамент полиции области Абай", "Западно-Казахстанский областной акимат",
        "Министерство внутренних дел", "Служба центральных коммуникаций", "МВД",
    )] == [
        "Департаментом полиции области Абай", "Западно-Казахстанским областным акиматом",
        "Министерством внутренних дел", "Службой центральных коммуникаций", "МВД",
    ]  # fmt: skip
    # A Kazakh name is not inflected by Russian rules: the sentence is worded otherwise.
    assert grammar.ru_instrumental("Мәжіліс аппараты") is None
    assert grammar.ru_instrumental("по делам") is None


def test_russian_participle_agrees_with_the_head_noun():
    assert [grammar.ru_approved(p) for p in (
        "комплексный план", "новая программа", "мероприятия", "правила", "положение о порядке",
    )] == ["утверждён", "утверждена", "утверждены", "утверждены", "утверждено"]  # fmt: skip
    # The Kazakh letter's "әзірлеп бекітті": developed and approved, both agreeing.
    assert [grammar.ru_developed_and_approved(p) for p in (
        "комплексный медиаплан", "новая программа", "мероприятия", "положение о порядке",
    )] == ["разработан и утверждён", "разработана и утверждена", "разработаны и утверждены",
           "разработано и утверждено"]  # fmt: skip


def test_russian_plural_of_the_shared_noun_keeps_the_capital():
    assert [grammar.ru_plural_noun(w) for w in ("область", "город", "Город")] == [
        "области", "города", "Города"]  # fmt: skip


def render(source: str, **context) -> str:
    return Template("{% load grammar %}" + source).render(Context(context))


def test_paragraph_reads_line_breaks_as_spaces_and_escapes_nothing():
    text = render(
        "{% paragraph %}\n  Справка: {{ a }}\n  и {{ b }}.\n{% endparagraph %}",
        a="«A & B» <c>",
        b="первая\nвторая",
    )
    assert text == "Справка: «A & B» <c> и первая\nвторая."  # a value keeps its own lines


def test_paragraph_lists_with_the_conjunction_and_numbers_as_the_grammar_writes_them():
    source = '{% paragraph %}{% for n in items %}{{ forloop|separator:"kk" }}{{ n|number }}{% endfor %} ({{ year }}){% endparagraph %}'
    assert (
        render(source, items=[1, 2, 2302493], year=2026) == "1, 2 және 2\u00a0302\u00a0493 (2026)"
    )
    assert render(source, items=[7], year=2026) == "7 (2026)"
