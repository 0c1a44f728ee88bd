"""Replies to deputies' inquiries: grammar of the reference paragraph, the figures, and the
documents (DOCX opened by LibreOffice and read back, PDF text with Kazakh letters intact)."""

import datetime as dt
import html
import io
import json
import re
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command

from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.letters import grammar
from qorgau.reference.models import Region

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def regions(*codes):
    return [Region.objects.get(code=c) for c in codes]


def counts(**by_code):
    return {Region.objects.get(code=f"KZ-{k[1:]}"): v for k, v in by_code.items()}


@pytest.mark.parametrize(
    ("codes", "kk", "ru"),
    [
        (["KZ-55"], "Павлодар облысы", "Павлодарская область"),
        (["KZ-79"], "Шымкент қаласы", "город Шымкент"),
        (["KZ-55", "KZ-43"], "Қызылорда және Павлодар облыстары", "Кызылординская и Павлодарская области"),
        (["KZ-71", "KZ-75"], "Астана және Алматы қалалары", "города Астана и Алматы"),
        (["KZ-19", "KZ-27", "KZ-35"], "Алматы, Батыс Қазақстан және Қарағанды облыстары",
         "Алматинская, Западно-Казахстанская и Карагандинская области"),
        (["KZ-10", "KZ-33"], "Абай және Жетісу облыстары", "области Абай и Жетісу"),
        (["KZ-10", "KZ-61"], "Абай және Түркістан облыстары", "область Абай и Туркестанская область"),
        (["KZ-31", "KZ-75"], "Жамбыл облысы және Алматы қаласы", "Жамбылская область и город Алматы"),
        (["KZ-19", "KZ-75"], "Алматы облысы және Алматы қаласы", "Алматинская область и город Алматы"),
        # Mixed groups: one conjunction, before the last name of the whole list (kk); "а также"
        # before the last subgroup when a subgroup has several names (ru). The earlier expected
        # forms "Қызылорда және Павлодар облыстары, Астана қаласы" / "…области, город Астана"
        # left the list without its conjunction; they were wrong.
        (["KZ-55", "KZ-43", "KZ-71"], "Қызылорда, Павлодар облыстары және Астана қаласы",
         "Кызылординская и Павлодарская области, а также город Астана"),
        (["KZ-55", "KZ-43", "KZ-71", "KZ-79"], "Қызылорда, Павлодар облыстары, Астана және Шымкент қалалары",
         "Кызылординская и Павлодарская области, а также города Астана и Шымкент"),
        (["KZ-79", "KZ-61", "KZ-71"], "Түркістан облысы, Астана және Шымкент қалалары",
         "Туркестанская область, а также города Астана и Шымкент"),
        (["KZ-79", "KZ-61", "KZ-10"], "Абай, Түркістан облыстары және Шымкент қаласы",
         "область Абай, Туркестанская область и город Шымкент"),
        (["KZ-75", "KZ-43", "KZ-19"], "Алматы, Қызылорда облыстары және Алматы қаласы",
         "Алматинская и Кызылординская области, а также город Алматы"),
        (["KZ-10", "KZ-33", "KZ-11", "KZ-75"], "Абай, Ақмола, Жетісу облыстары және Алматы қаласы",
         "области Абай и Жетісу, Акмолинская область, а также город Алматы"),
        (["KZ-63", "KZ-59", "KZ-39", "KZ-11"],
         "Ақмола, Қостанай, Солтүстік Қазақстан және Шығыс Қазақстан облыстары",
         "Акмолинская, Костанайская, Северо-Казахстанская и Восточно-Казахстанская области"),
    ],
)  # fmt: skip
def test_region_groups_in_both_languages(codes, kk, ru):
    assert grammar.region_group(regions(*codes), "kk") == kk
    assert grammar.region_group(regions(*codes), "ru") == ru


def test_reference_list_orders_groups_omits_zeros_and_keeps_official_order():
    data = counts(_79=23, _71=16, _55=7, _43=7, _11=0, _63=1, _39=1)
    assert grammar.reference_list(data, "kk") == (
        "Шымкент қаласы – 23, Астана қаласы – 16, Қызылорда және Павлодар облыстары – 7, "
        "Қостанай және Шығыс Қазақстан облыстары – 1"
    )
    assert grammar.reference_list(data, "ru") == (
        "город Шымкент – 23, город Астана – 16, Кызылординская и Павлодарская области – 7, "
        "Костанайская и Восточно-Казахстанская области – 1"
    )


def test_mixed_equal_counts_and_a_zero_region_in_the_reference_list():
    data = counts(_79=23, _43=7, _55=7, _71=7, _19=0, _75=1, _31=1)
    assert grammar.reference_list(data, "kk") == (
        "Шымкент қаласы – 23, Қызылорда, Павлодар облыстары және Астана қаласы – 7, "
        "Жамбыл облысы және Алматы қаласы – 1"
    )
    assert grammar.reference_list(data, "ru") == (
        "город Шымкент – 23, Кызылординская и Павлодарская области, а также город Астана – 7, "
        "Жамбылская область и город Алматы – 1"
    )


def test_large_counts_are_grouped_by_thousands():
    data = counts(_79=12345, _71=1000, _55=999)
    assert grammar.reference_list(data, "kk") == (
        "Шымкент қаласы – 12\u00a0345, Астана қаласы – 1\u00a0000, Павлодар облысы – 999"
    )
    assert grammar.ru_cases(1021) == "1\u00a0021 уголовное дело"
    assert [grammar.ru_people(n) for n in (2302493, 2302495, 1, 11, 21, 112)] == [
        "2\u00a0302\u00a0493 человека", "2\u00a0302\u00a0495 человек", "1 человек",
        "11 человек", "21 человек", "112 человек"]  # fmt: skip


@pytest.mark.parametrize(
    ("phrase", "accusative"),
    [
        ("ақпараттық-түсіндіру науқанының қосымша кешенді медиажоспары",
         "ақпараттық-түсіндіру науқанының қосымша кешенді медиажоспарын"),
        ("іс-шаралар бағдарламасы", "іс-шаралар бағдарламасын"),
        ("жол картасы", "жол картасын"), ("іс-шаралар жоспары", "іс-шаралар жоспарын"),
        ("жоспар", "жоспарды"), ("тұжырымдама", "тұжырымдаманы"), ("кітап", "кітапты"),
        ("мектеп", "мектепті"), ("үй", "үйді"), ("ереже", "ережені"),
    ],
)  # fmt: skip
def test_kazakh_accusative_of_a_document_name(phrase, accusative):
    assert grammar.kk_accusative(phrase) == accusative


def test_russian_agent_and_participle_of_the_approval():
    assert (
        grammar.ru_instrumental("Министерство культуры и информации")
        == "Министерством культуры и информации"
    )
    assert (
        grammar.ru_instrumental("Акимат Туркестанской области") == "Акиматом Туркестанской области"
    )
    assert grammar.ru_instrumental("Генеральная прокуратура") == "Генеральной прокуратурой"
    assert grammar.ru_instrumental("Комиссия по делам женщин") == "Комиссией по делам женщин"
    assert (
        grammar.ru_instrumental("Уполномоченный по правам человека")
        == "Уполномоченным по правам человека"
    )
    assert [grammar.ru_approved(t) for t in ("дополнительный комплексный медиаплан", "план мероприятий",
                                             "программа", "дорожная карта", "положение")] == [
        "утверждён", "утверждён", "утверждена", "утверждена", "утверждено"]  # fmt: skip


def test_all_regions_equal_form_one_group():
    data = dict.fromkeys(Region.objects.all(), 2)
    assert grammar.reference_list(data, "kk") == (
        "Абай, Ақмола, Ақтөбе, Алматы, Атырау, Батыс Қазақстан, Жамбыл, Жетісу, Қарағанды, Қостанай, "
        "Қызылорда, Маңғыстау, Павлодар, Солтүстік Қазақстан, Түркістан, Ұлытау, Шығыс Қазақстан "
        "облыстары, Астана, Алматы және Шымкент қалалары – 2"
    )
    assert grammar.reference_list(data, "ru") == (
        "области Абай, Жетісу и Ұлытау, Акмолинская, Актюбинская, Алматинская, Атырауская, "
        "Западно-Казахстанская, Жамбылская, Карагандинская, Костанайская, Кызылординская, "
        "Мангистауская, Павлодарская, Северо-Казахстанская, Туркестанская и Восточно-Казахстанская "
        "области, а также города Астана, Алматы и Шымкент – 2"
    )
    kk = grammar.reference_list(data, "kk")
    assert kk.count("– 2") == 1 and kk.endswith(
        "облыстары, Астана, Алматы және Шымкент қалалары – 2"
    )
    ru = grammar.reference_list(data, "ru")
    assert (
        ru.count("– 2") == 1
        and "области Абай, Жетісу и Ұлытау" in ru
        and ru.endswith("города Астана, Алматы и Шымкент – 2")
    )


def test_dates_and_plurals():
    import datetime as dt

    assert grammar.kk_date(dt.date(2025, 7, 16)) == "2025 жылғы 16 шілдедегі"
    assert grammar.kk_date(dt.date(2025, 9, 16), "from") == "2025 жылғы 16 қыркүйектен"
    assert grammar.kk_date(dt.date(2026, 1, 23)) == "2026 жылғы 23 қаңтардағы"
    assert grammar.ru_date(dt.date(2026, 1, 23)) == "23 января 2026 года"
    assert [grammar.ru_cases(n) for n in (1, 2, 5, 11, 21, 31, 79, 112)] == [
        "1 уголовное дело", "2 уголовных дела", "5 уголовных дел", "11 уголовных дел",
        "21 уголовное дело", "31 уголовное дело", "79 уголовных дел", "112 уголовных дел"]  # fmt: skip


@pytest.fixture
def seeded(seed):
    """The source letter's cases (`qorgau load-seed`), loaded once per run (tests.fixtures)."""
    return seed


# The source letter's figures, read here from the shared seed (the letter's own numbers), not
# from the code that loads them.
FIGURES_JSON = Path(__file__).resolve().parents[5] / "shared" / "seed" / "figures.json"
if not FIGURES_JSON.exists():  # a checkout without shared/: the copy the seed loader ships
    FIGURES_JSON = (
        Path(__file__).resolve().parents[4] / "src/qorgau/registry/data/seed_figures.json"
    )
KK_NOUNS = {"облысы": "oblast", "облыстары": "oblast", "қаласы": "city", "қалалары": "city",
            "облысында": "oblast", "облыстарында": "oblast", "қаласында": "city",
            "қалаларында": "city"}  # fmt: skip
RU_NOUNS = {"область": "oblast", "области": "oblast", "город": "city", "города": "city"}


def letter_figures():
    """{(article, "first"|"current"): (total, {region code: count} or None)} from the seed."""
    data = json.loads(FIGURES_JSON.read_text(encoding="utf-8"))
    return {
        (b["article"], "first" if b["to"] == "2025-12-31" else "current"): (
            b["total"],
            b.get("by_region_iso"),
        )
        for b in data["cases_registered"]
    }


def letter_blocks(lang: str, out: Path) -> list[str]:
    """The paragraphs (block texts) of the version `qorgau letter` produces for ДС-16 in ``lang``
    as kept with it: the wording, apart from the layout's typesetting (no-break spaces)."""
    from qorgau.letters.models import ReplyVersion

    call_command("letter", "--inquiry", "ДС-16", "--lang", lang, "--format", "html",
                 "-o", str(out), stdout=io.StringIO())  # fmt: skip
    version = ReplyVersion.objects.filter(inquiry__number="ДС-16", lang=lang).order_by("-number")[0]
    return [b["text"] for b in version.blocks if b["text"].strip()]


def html_paragraphs(text: str) -> list[str]:
    return [html.unescape(body) for body in re.findall(r'<p class="[\w-]+">(.*?)</p>', text, re.S)]


def parse_listing(listing: str, lang: str) -> list[tuple[dict, int]]:
    """'Шымкент қаласы – 23, Қызылорда, Павлодар облыстары және Астана қаласы – 7' →
    [({"KZ-79"}, 23), ({"KZ-43", "KZ-55", "KZ-71"}, 7)], each name resolved with its own noun
    (so "Алматы облысы" and "Алматы қаласы" are told apart)."""
    by_name = {}
    for region in Region.objects.all():
        by_name[(region.short_kk if lang == "kk" else region.short_ru, region.kind)] = region.code
    items = []
    for phrase, n in re.findall(r"(.+?) – (\d[\d\u00a0]*)(?:, |$)", listing):
        codes, pending, prefix_kind = set(), [], None
        for chunk in re.split(r", а также |, | және | и ", phrase):
            words = chunk.split(" ")
            if lang == "kk":
                if words[-1] in KK_NOUNS:
                    pending.append(" ".join(words[:-1]))
                    codes |= {by_name[(name, KK_NOUNS[words[-1]])] for name in pending}
                    pending = []
                else:
                    pending.append(chunk)
                continue
            if words[0] in RU_NOUNS:  # "город Астана", "области Абай": the noun leads
                prefix_kind, words = RU_NOUNS[words[0]], words[1:]
            elif words[-1] in RU_NOUNS:  # "Павлодарская области": the noun follows
                pending.append(" ".join(words[:-1]))
                codes |= {by_name[(name, "oblast")] for name in pending}
                pending, prefix_kind = [], None
                continue
            if prefix_kind:
                codes.add(by_name[(" ".join(words), prefix_kind)])
            else:
                pending.append(" ".join(words))
        assert not pending, (phrase, pending)
        items.append((codes, int(n.replace("\u00a0", ""))))
    return items


def check_reference_paragraph(paragraph: str, lead: str, total_word: str, breakdown, total):
    assert paragraph.startswith(lead), paragraph
    listing, closing = paragraph[len(lead) :].rsplit(" (", 1)
    assert closing == f"{total_word} – {total})."
    items = parse_listing(listing, "kk" if total_word == "барлығы" else "ru")
    counts = [n for _codes, n in items]
    assert counts == sorted(set(counts), reverse=True)  # highest first, equal counts together
    assert {code: n for codes, n in items for code in codes} == breakdown
    assert sum(n * len(codes) for codes, n in items) == total


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_reply_holds_every_figure_of_the_source_letter(seeded, lang, tmp_path):
    paragraphs = letter_blocks(lang, tmp_path / f"reply.{lang}.html")
    text = "\n".join(paragraphs)
    figures = letter_figures()
    first = {a: figures[(a, "first")][0] for a in ("115-1", "125-1")}
    current = {a: figures[(a, "current")][0] for a in ("115-1", "125-1")}
    assert (first, current) == ({"115-1": 15, "125-1": 12}, {"115-1": 79, "125-1": 31})
    if lang == "kk":
        assert (
            "2026 жылғы 23 қаңтардағы № ДС-16 сауалға" in text
            and "2025 жылғы 16 шілдедегі № 210-VIII" in text
        )
        # 15 February included, as the Russian "по … включительно" says (issue 15).
        assert "(2026 жылғы 15 ақпанды қоса алғанда)" in text and "ақпанға дейін" not in text
        assert (
            "Заң қолданысқа енгізілген күннен (2025 жылғы 16 қыркүйектен) бастап 2025 жылдың соңына "
            f"дейін ҚК-нің 115-1-бабы (сталкинг) бойынша {first['115-1']} қылмыстық іс және ҚК-нің "
            f"125-1-бабы (некеге тұруға мәжбүрлеу) бойынша {first['125-1']} қылмыстық іс тіркелді."
        ) in paragraphs
        assert (
            "Қабылданған шаралардың нәтижесінде ағымдағы жылдың басынан бастап (2026 жылғы 15 "
            "ақпанды қоса алғанда) ҚК-нің 115-1-бабы (сталкинг) бойынша "
            f"{current['115-1']} қылмыстық іс және ҚК-нің 125-1-бабы (некеге тұруға мәжбүрлеу) "
            f"бойынша {current['125-1']} қылмыстық іс тіркелді."
        ) in paragraphs
        # The regions in the locative, equal counts grouped, as the source letter writes them.
        assert ("Шымкент қаласында – 23, Астана қаласында – 16, Алматы қаласында – 8, Қызылорда және Павлодар "
                "облыстарында – 7, Абай және Түркістан облыстарында – 3, Алматы, Батыс Қазақстан, Қарағанды, "
                "Маңғыстау және Солтүстік Қазақстан облыстарында – 2, Қостанай және Шығыс Қазақстан "
                "облыстарында – 1 (барлығы – 79)") in text  # fmt: skip
        assert (
            "Алматы облысында – 2" not in text
            and "Алматы қаласында және Жамбыл облысында" not in text
        )
        assert "Жамбыл облысында және Алматы қаласында – 1" in text
        # "Анықтама:" once, no colon after "бойынша" (was "Анықтама: … бойынша: " twice).
        assert text.count("Анықтама") == 1 and "бойынша:" not in text
        leads = {
            "115-1": "Анықтама: ҚК-нің 115-1-бабы (сталкинг) бойынша ",
            "125-1": "ҚК-нің 125-1-бабы (некеге тұруға мәжбүрлеу) бойынша ",
        }
        total_word = "барлығы"
    else:
        assert (
            "на запрос № ДС-16 от 23 января 2026 года" in text
            and "от 16 июля 2025 года № 210-VIII" in text
        )
        assert (
            "79 уголовных дел по статье 115-1 УК (сталкинг) и 31 уголовное дело по статье 125-1 УК"
            in text
        )
        assert "город Алматы – 8" in text and "Алматинская и Кызылординская области – 2" in text
        assert (
            "С момента введения норм в действие (с 16 сентября 2025 года) до конца 2025 года "
            f"зарегистрировано {first['115-1']} уголовных дел по статье 115-1 УК (сталкинг) и "
            f"{first['125-1']} уголовных дел по статье 125-1 УК (принуждение к вступлению в брак)."
        ) in paragraphs
        assert (
            "В результате принятых мер с начала текущего года (по 15 февраля 2026 года "
            "включительно) зарегистрировано "
            f"{current['115-1']} уголовных дел по статье 115-1 УК (сталкинг) и "
            f"{current['125-1']} уголовное дело по статье 125-1 УК (принуждение к вступлению в брак)."
        ) in paragraphs
        # "Справка." once (was "Справка: по статье …:" twice: a double colon).
        assert text.count("Справка") == 1 and "Справка:" not in text
        leads = {
            "115-1": "Справка. По статье 115-1 УК (сталкинг): ",
            "125-1": "По статье 125-1 УК (принуждение к вступлению в брак): ",
        }
        total_word = "всего"
    for article, lead in leads.items():
        total, breakdown = figures[(article, "current")]
        (paragraph,) = [p for p in paragraphs if p.startswith(lead)]
        check_reference_paragraph(paragraph, lead, total_word, breakdown, total)
    if lang == "kk":
        assert len(figures[("115-1", "current")][1]) == 14  # the letter's 14 regions
        assert {"KZ-19", "KZ-75"} <= set(figures[("115-1", "current")][1])


def test_listing_parser_tells_almaty_city_from_almaty_oblast():
    """The check above must be able to fail: a swapped city and oblast is caught."""
    lead = "ҚК-нің 125-1-бабы (некеге тұруға мәжбүрлеу) бойынша "
    wrong = (
        lead
        + "Шымкент қаласында – 15, Түркістан облысында – 10, Алматы қаласында және Қызылорда облысында – 2, Алматы облысында және Жамбыл облысында – 1 (барлығы – 31)."
    )
    total, breakdown = letter_figures()[("125-1", "current")]
    with pytest.raises(AssertionError):
        check_reference_paragraph(wrong, lead, "барлығы", breakdown, total)
    right = (
        lead
        + "Шымкент қаласында – 15, Түркістан облысында – 10, Алматы және Қызылорда облыстарында – 2, Жамбыл облысында және Алматы қаласында – 1 (барлығы – 31)."
    )
    check_reference_paragraph(right, lead, "барлығы", breakdown, total)


def test_every_figure_is_recorded_with_its_query(seeded):
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    draft = services.regenerate_reply(SYSTEM, Inquiry.objects.get(number="ДС-16"), "kk")
    version = services.produce_reply(SYSTEM, draft, "html")
    current = [f for f in version.figures if f["block"] == "figures_current"]
    assert {(f["label"], f["value"]) for f in current} == {("115-1 2026", 79), ("125-1 2026", 31)}
    assert current[0]["query"]["from"] == "2026-01-01" and current[0]["query"]["to"] == "2026-02-15"
    regional = [f for f in version.figures if f["block"] == "reference_115-1"]
    assert sum(f["value"] for f in regional) == 79 and all(
        len(f["query"]["regions"]) == 1 for f in regional
    )
    assert all(f["generated_at"] for f in version.figures)


@pytest.mark.office
def test_docx_opens_in_libreoffice_and_python_docx_reads_the_figures(seeded, tmp_path):
    from docx import Document

    path = tmp_path / "reply.docx"
    call_command(
        "letter",
        "--inquiry",
        "ДС-16",
        "--lang",
        "kk",
        "--format",
        "docx",
        "-o",
        str(path),
        stdout=io.StringIO(),
    )
    text = "\n".join(p.text for p in Document(str(path)).paragraphs).replace("\u00a0", " ")
    assert "79 қылмыстық іс" in text and "Шымкент қаласында – 23" in text
    section = Document(str(path)).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = subprocess.run(
        ["pdftotext", str(tmp_path / "reply.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Шымкент қаласында – 23" in " ".join(converted.split())  # lines wrap in the PDF


@pytest.mark.office
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_pdf_text_keeps_kazakh_letters(seeded, tmp_path, lang):
    path = tmp_path / "reply.pdf"
    call_command(
        "letter",
        "--inquiry",
        "ДС-16",
        "--lang",
        lang,
        "--format",
        "pdf",
        "-o",
        str(path),
        stdout=io.StringIO(),
    )
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Үкімет үйі" in text  # the bilingual address block
    if lang == "kk":
        for word in (
            "қылмыстық",
            "Құрметті",
            "Маңғыстау",
            "Түркістан",
            "Солтүстік",
            "Қабылданған",
        ):
            assert word in text, word
        assert set("әғқңөұүі") <= set(text)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Qorgau-Serif" in fonts and " yes " in fonts  # embedded


def test_reply_pages_and_versions(client, login, seeded):
    from tests.fixtures import make_user

    login(client, make_user("analyst_l", "analyst"))
    from qorgau.letters.models import Inquiry

    inquiry = Inquiry.objects.get(number="ДС-16")
    assert client.get("/letters/").status_code == 200
    response = client.post(f"/letters/{inquiry.pk}/draft/ru/generate/", {"period_end": ""})
    assert response.status_code == 302
    page = client.get(f"/letters/{inquiry.pk}/draft/ru/").content.decode()
    assert "79 уголовных дел" in page
    response = client.post(
        f"/letters/{inquiry.pk}/draft/ru/",
        {"block-measures_media": "30 января 2026 года утверждён медиаплан.", "produce": "docx"},
    )
    assert response.status_code == 302
    version = inquiry.versions.get()
    download = client.get(f"/letters/{inquiry.pk}/versions/{version.number}/")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    from docx import Document

    assert "утверждён медиаплан" in "\n".join(
        p.text for p in Document(io.BytesIO(download.content)).paragraphs
    )


def test_measures_paragraphs_come_from_campaign_and_training_data(tmp_path, demo):
    from qorgau.campaigns.models import Activity
    from qorgau.training.models import Session

    text = "\n".join(letter_blocks("kk", tmp_path / "reply.html"))
    assert "2026 жылғы 30 қаңтарда" in text
    assert (
        f"Жоспарда {Activity.objects.filter(plan__kind='national').count()} іс-шара көзделген"
        in text
    )
    assert "Түркістан облысы және Шымкент қаласы; барлығы – 2" in text
    # The plan is the object of "бекітті": in the accusative, as the source letter writes it
    # ("…бірлесіп … медиажоспарын әзірлеп бекітті").
    assert (
        "Сонымен қатар 2026 жылғы 30 қаңтарда Мәдениет және ақпарат министрлігі уәкілетті "
        "мемлекеттік және жергілікті атқарушы органдармен бірлесіп ақпараттық-түсіндіру "
        "науқанының қосымша кешенді медиажоспарын әзірлеп бекітті." in text
    )
    assert "медиажоспары» бекітті" not in text
    # Issue 15: "мерзімінде орындалмағаны" (not "мерзімі өткені"), "қамтылғаны" (not "қамту").
    assert "мерзімінде орындалмағаны – " in text and "мерзімі өткені" not in text
    # Views summed over activities, said as such: never "people" (issue 14, item 7).
    reach = re.search(
        r"жарияланымдармен қамтылғаны – (\d{1,3}(?:\u00a0\d{3})*) қарау \(іс-шаралар", text
    )
    assert reach and int(reach.group(1).replace("\u00a0", "")) > 999  # grouped by thousands
    text_ru = "\n".join(letter_blocks("ru", tmp_path / "reply.ru.html"))
    assert (
        "Кроме того, 30 января 2026 года Министерством культуры и информации совместно с "
        "уполномоченными государственными и местными исполнительными органами разработан и "
        "утверждён дополнительный комплексный медиаплан информационно-разъяснительной кампании. Из "
        f"{Activity.objects.filter(plan__kind='national').count()} мероприятий" in text_ru
    )
    assert "утверждён документ" not in text_ru and "ответственный –" not in text_ru
    views = re.search(
        r"охват публикаций – (\d{1,3}(?:\u00a0\d{3})*) (просмотр\w*) \(сумма", text_ru
    )
    n = int(views.group(1).replace("\u00a0", ""))
    form = {1: "просмотр", 2: "просмотра", 3: "просмотра", 4: "просмотра"}.get(n % 10)
    assert views.group(2) == (form if n % 100 not in (11, 12, 13, 14) and form else "просмотров")
    assert "охват – " not in text_ru and "қамту – " not in text
    import datetime as dt

    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    end = services.default_period_end(SYSTEM, Inquiry.objects.get(number="ДС-16"))
    held = Session.objects.filter(held_on__range=(dt.date(end.year, 1, 1), end))
    participants = f"{sum(s.total for s in held):,}".replace(",", "\u00a0")
    # Attendances summed over sessions, said as such (a person at two sessions counts twice);
    # "қатысушылар саны" (issue 15), as the Russian "число участников".
    assert f"қатысушылар саны – {participants} (бірнеше іс-шараға" in text
    assert f"число участников – {participants} (сотрудник" in text_ru


def test_single_article_reply_uses_the_singular(seeded):
    import datetime as dt

    from qorgau.letters import services
    from qorgau.letters.models import Inquiry
    from qorgau.reference.models import Article

    inquiry = Inquiry.objects.create(number="ДС-99", dated=dt.date(2026, 2, 1), addressee_kk="x", addressee_ru="x",
                                     subject_kk="сталкинг", subject_ru="сталкинга")  # fmt: skip
    inquiry.articles.set([Article.objects.get(code="115-1")])
    ru = {b["key"]: b["text"] for b in services.compose(SYSTEM, inquiry, "ru")[0]}
    # Was "введена новая статья 115-1 (сталкинг). Она введена в действие": the repeated verb
    # was rejected in review; the code is now "supplemented with" the article.
    assert (
        "(далее – Закон) Уголовный кодекс Республики Казахстан (далее – УК) дополнен статьёй "
        "115-1 («Сталкинг»), которая введена в действие с 16 сентября 2025 года и опубликована"
        in ru["law"]
    )
    kk = {b["key"]: b["text"] for b in services.compose(SYSTEM, inquiry, "kk")[0]}
    # Was "жаңа норма енгізілді: … Ол … қолданысқа енгізілді": the same verb twice; then
    # "Қылмыстық кодекс … күшіне енді" (issue 15: the Code's full name, the article's title in
    # «», "қолданысқа енгізілді" as the Russian "введена в действие").
    assert (
        "(бұдан әрі – Заң) Қазақстан Республикасының Қылмыстық кодексі (бұдан әрі – ҚК) "
        "115-1-баппен («Сталкинг») толықтырылды. Бұл норма 2025 жылғы 16 қыркүйектен бастап "
        "қолданысқа енгізілді" in kk["law"]
    )


def test_two_article_law_paragraph_in_russian(seeded):
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    blocks = services.compose(SYSTEM, Inquiry.objects.get(number="ДС-16"), "ru")[0]
    law = {b["key"]: b["text"] for b in blocks}["law"]
    assert (
        "Уголовный кодекс Республики Казахстан (далее – УК) дополнен статьями 115-1 («Сталкинг») и 125-1 («Принуждение "
        "к вступлению в брак»), которые введены в действие с 16 сентября 2025 года и опубликованы"
        in law
    )
    assert "Они введены" not in law and "введены новые статьи" not in law


def test_regional_user_cannot_draft_a_national_reply(client, login, seeded):
    from qorgau.letters.models import Inquiry
    from tests.fixtures import make_user

    login(client, make_user("prosecutor_79", "prosecutor", "KZ-79"))
    inquiry = Inquiry.objects.get(number="ДС-16")
    assert client.post(f"/letters/{inquiry.pk}/draft/kk/generate/").status_code == 403
    assert not inquiry.drafts.exists()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("kk", "Күн ЖЖЖЖ-АА-КК пішімінде болуы тиіс, «2026-13-01» берілді."),
        ("ru", "Ожидалась дата в формате ГГГГ-ММ-ДД, получено «2026-13-01»."),
    ],
)
def test_letter_command_refuses_a_bad_date_in_the_chosen_language(seeded, tmp_path, lang, message):
    from django.core.management.base import CommandError

    out = tmp_path / "reply.html"
    with pytest.raises(CommandError) as info:
        call_command("letter", "--inquiry", "ДС-16", "--lang", lang, "--format", "html",
                     "-o", str(out), "--to", "2026-13-01", stdout=io.StringIO())  # fmt: skip
    assert str(info.value) == message
    assert not out.exists()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("kk", "Кезеңнің аяқталу күні басталу күнінен ерте."),
        ("ru", "Дата окончания периода раньше даты его начала."),
    ],
)
def test_reference_text_refuses_a_period_that_ends_before_it_begins(seeded, lang, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as info:
        call_command("reference-text", "--article", "115-1", "--from", "2026-02-15",
                     "--to", "2026-01-01", "--lang", lang, stdout=io.StringIO())  # fmt: skip
    assert str(info.value) == message


def test_reference_text_prints_the_paragraph_alone(seeded):
    out = io.StringIO()
    call_command("reference-text", "--article", "125-1", "--from", "2026-01-01",
                 "--to", "2026-02-15", "--lang", "ru", stdout=out)  # fmt: skip
    assert out.getvalue().strip() == (
        "Справка. По статье 125-1 УК (принуждение к вступлению в брак): город Шымкент – 15, "
        "Туркестанская область – 10, Алматинская и Кызылординская области – 2, "
        "Жамбылская область и город Алматы – 1 (всего – 31)."
    )


def test_letter_command_is_audited_like_the_pages(seeded, tmp_path):
    from qorgau.audit.models import AuditEntry
    from qorgau.letters.models import Inquiry
    from tests.fixtures import make_user

    analyst = make_user("analyst_cli", "analyst")
    call_command("letter", "--inquiry", "ДС-16", "--lang", "ru", "--format", "html",
                 "-o", str(tmp_path / "r.html"), "--as-user", "analyst_cli", stdout=io.StringIO())  # fmt: skip
    inquiry = Inquiry.objects.get(number="ДС-16")
    produced = AuditEntry.objects.get(action="reply.produce", object_id=str(inquiry.pk))
    assert produced.user == analyst and produced.source.startswith("cli:")
    assert produced.details == {"version": 1, "lang": "ru", "format": "html", "figures_edited": []}
    assert AuditEntry.objects.filter(action="reply.regenerate", object_id=str(inquiry.pk),
                                     user=analyst, details__lang="ru").exists()  # fmt: skip


def test_docx_uses_named_styles_and_numbers_pages_from_the_second(seeded, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    path = tmp_path / "reply.docx"
    call_command("letter", "--inquiry", "ДС-16", "--lang", "kk", "--format", "docx",
                 "-o", str(path), stdout=io.StringIO())  # fmt: skip
    document = Document(str(path))

    def plain(text):  # the layout's no-break spaces and hyphens read as plain ones
        return " ".join(text.replace("\u00a0", " ").replace("\u2011", "-").split())

    style_of = {}
    for p in document.paragraphs:
        style_of.setdefault(p.style.name, []).append(plain(p.text))
    # The addressee and the signature may stand in tables of the layout (test_layout.py).
    cells = [plain(p.text) for t in document.tables for row in t.rows for c in row.cells
             for p in c.paragraphs]  # fmt: skip
    assert style_of["Qorgau Salutation"] == ["Құрметті депутаттар!"]
    closing = " ".join(cells + style_of.get("Qorgau Signature", []))
    assert "Қазақстан Республикасының Премьер-Министрі" in closing and "О. Бектенов" in closing
    assert style_of["Qorgau Address"][0].startswith("010000, Астана қаласы")
    assert any(
        t.startswith("Қазақстан Республикасы") for t in cells + style_of.get("Qorgau Addressee", [])
    )
    assert "2026 жылғы 23 қаңтардағы № ДС-16 сауалға" in cells + style_of.get("Qorgau Header", [])
    assert any("79 қылмыстық іс" in t for t in style_of["Qorgau Body"])
    assert [t[:9] for t in style_of["Qorgau Reference"]] == ["Анықтама:", "ҚК-нің 12"]
    styles = document.styles
    assert styles["Qorgau Salutation"].font.bold and styles["Qorgau Reference"].font.italic
    assert styles["Normal"].font.size.pt == 14
    # No direct formatting on the runs: the styles carry it.
    assert all(r.bold is None and r.italic is None for p in document.paragraphs for r in p.runs)
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.footer._element.xml
    assert "PAGE" not in section.first_page_footer._element.xml
    assert section._sectPr.find(qn("w:titlePg")) is not None


@pytest.mark.office
def test_docx_in_libreoffice_leaves_the_first_page_unnumbered(seeded, tmp_path):
    path = tmp_path / "reply.docx"
    call_command("letter", "--inquiry", "ДС-16", "--lang", "ru", "--format", "docx",
                 "-o", str(path), stdout=io.StringIO())  # fmt: skip
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip

    def page_lines(n):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(tmp_path / "reply.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        return [line.strip() for line in text.splitlines() if line.strip()]

    first, second = page_lines(1), page_lines(2)
    assert second and second[-1] == "2"
    assert first[-1] != "1" and "1" not in first


@pytest.mark.office
def test_pdf_body_is_14_pt_with_a_real_italic(seeded, tmp_path):
    path = tmp_path / "reply.pdf"
    call_command("letter", "--inquiry", "ДС-16", "--lang", "kk", "--format", "pdf",
                 "-o", str(path), stdout=io.StringIO())  # fmt: skip
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Qorgau-Serif-Italic" in fonts  # the italic face is embedded, not slanted regular
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    heights = [
        float(b) - float(a)
        for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">қылмыстық<', boxes)
    ]
    # One size for the body, 14 pt: the line box of a serif at 14 pt is 1.1–1.2 em (at 12 pt,
    # 13.2–14.4), whichever metric-compatible face the layout embeds.
    assert heights and all(abs(h - heights[0]) < 0.05 for h in heights)
    assert 14 * 1.1 <= heights[0] <= 14 * 1.2
    last = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    assert last[-1] != "1"  # the first page has no number


def test_edited_figures_produce_a_warning_not_a_refusal(client, login, seeded):
    from qorgau.audit.models import AuditEntry
    from qorgau.letters.models import Inquiry
    from tests.fixtures import make_user

    login(client, make_user("analyst_w", "analyst"))
    client.cookies["django_language"] = "en"  # the page's messages in English (msgids)
    inquiry = Inquiry.objects.get(number="ДС-16")
    client.post(f"/letters/{inquiry.pk}/draft/kk/generate/", {"period_end": ""})
    draft = inquiry.drafts.get(lang="kk")
    texts = {b["key"]: b["text"] for b in draft.blocks}
    # Rewording that keeps the numbers: no warning.
    reworded = texts["figures_first_year"].replace("тіркелді", "тіркелген")
    response = client.post(f"/letters/{inquiry.pk}/draft/kk/",
                           {"block-figures_first_year": reworded, "produce": "html"})  # fmt: skip
    assert response.url == f"/letters/{inquiry.pk}/"
    assert "no longer match" not in client.get(response.url).content.decode()
    # A changed figure: the version is produced, and the draft page warns.
    changed = texts["figures_current"].replace("бойынша 79 қылмыстық", "бойынша 80 қылмыстық")
    assert changed != texts["figures_current"]
    response = client.post(f"/letters/{inquiry.pk}/draft/kk/",
                           {"block-figures_current": changed, "produce": "html"})  # fmt: skip
    assert response.status_code == 302 and response.url == f"/letters/{inquiry.pk}/draft/kk/"
    assert inquiry.versions.count() == 2
    page = client.get(response.url).content.decode()
    (warning,) = re.findall(r'<p class="figures-warning" role="alert"><strong>(.*?)</strong>', page)
    assert warning == (
        "The numbers in these blocks no longer match the figures taken from the data: "
        "Figures: the current year. Check them before the reply is signed."
    )
    entry = AuditEntry.objects.filter(action="reply.produce").order_by("-pk").first()
    assert entry.details["figures_edited"] == ["figures_current"]
    # Putting the number back clears the warning.
    client.post(
        f"/letters/{inquiry.pk}/draft/kk/", {"block-figures_current": texts["figures_current"]}
    )
    assert "no longer match" not in client.get(f"/letters/{inquiry.pk}/draft/kk/").content.decode()


def test_figure_check_reads_grouped_numbers_and_ignores_article_numbers():
    from types import SimpleNamespace

    from qorgau.letters import services

    figures = [{"block": "b", "value": 15}, {"block": "b", "value": 2302493}]
    text = "ҚК-нің 115-1-бабы бойынша 15 қылмыстық іс; қамту – 2\u00a0302\u00a0493 адам."
    old = SimpleNamespace(figures=figures, blocks=[{"key": "b", "text": text}])  # no "generated"
    assert services.figure_mismatches(old) == []
    old.blocks[0]["text"] = text.replace("2\u00a0302\u00a0493", "2 302 494")
    assert services.figure_mismatches(old) == ["b"]
    new = SimpleNamespace(figures=figures, blocks=[{"key": "b", "text": text, "generated": text}])
    new.blocks[0]["text"] = text.replace("2\u00a0302\u00a0493", "2 302 493")  # typed spaces
    assert services.figure_mismatches(new) == []
    new.blocks[0]["text"] = text.replace("115-1", "115-2")  # the article's number is no figure
    assert services.figure_mismatches(new) == []


# --- Registering inquiries and moving them through their statuses (by those who draft) ---

INQUIRY_POST = {
    "number": "ДС-42",
    "dated": "2026-02-10",
    "addressee_kk": "Мәжіліс депутаттарына",
    "addressee_ru": "Депутатам Мажилиса",
    "subject_kk": "Сталкинг туралы",
    "subject_ru": "о сталкинге",
    "articles": ["115-1"],
    "due_on": "2026-03-10",
}


def inquiry_data(**changes):
    """Service arguments of a valid inquiry (ДС-42 of 2026-02-10 on article 115-1)."""
    import datetime as dt

    from qorgau.reference.models import Article

    data = {
        "number": "ДС-42", "dated": dt.date(2026, 2, 10),
        "addressee_kk": "Мәжіліс депутаттарына", "addressee_ru": "Депутатам Мажилиса",
        "subject_kk": "Сталкинг туралы", "subject_ru": "о сталкинге",
        "articles": list(Article.objects.filter(code="115-1")), "due_on": dt.date(2026, 3, 10),
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def analyst(client, login):
    from tests.fixtures import make_user

    user = make_user("analyst_inq", "analyst")
    login(client, user)
    client.cookies["django_language"] = "en"  # the page's messages in English (msgids)
    return user


def test_analyst_registers_an_inquiry_through_the_page_and_it_is_listed(client, analyst):
    import datetime as dt

    from qorgau.audit.models import AuditEntry
    from qorgau.letters.models import Inquiry

    listing = client.get("/letters/").content.decode()
    assert 'href="/letters/new/"' in listing and "ДС-42" not in listing
    assert client.get("/letters/new/").status_code == 200
    response = client.post("/letters/new/", {**INQUIRY_POST, "number": " дс-42 "})
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response.url == f"/letters/{inquiry.pk}/"
    assert inquiry.number == "ДС-42"  # typed in lower case with spaces: stored as the number
    assert (inquiry.dated, inquiry.due_on) == (dt.date(2026, 2, 10), dt.date(2026, 3, 10))
    assert (inquiry.addressee_ru, inquiry.subject_kk) == ("Депутатам Мажилиса", "Сталкинг туралы")
    assert [a.code for a in inquiry.articles.all()] == ["115-1"]
    assert inquiry.status == "received" and inquiry.sent_on is None
    assert inquiry.salutation_kk == "Құрметті депутаттар!"  # left empty: the usual salutation
    row = re.search(r"<tr><td><a href=\"/letters/\d+/\">ДС-42</a>.*?</tr>",
                    client.get("/letters/").content.decode())  # fmt: skip
    assert row and "2026-02-10" in row.group(0) and "2026-03-10" in row.group(0)
    assert "received" in row.group(0)
    entry = AuditEntry.objects.get(action="inquiry.register")
    assert entry.user == analyst and entry.object_id == str(inquiry.pk)
    assert entry.after["number"] == "ДС-42" and entry.after["articles"] == ["115-1"]


def test_a_duplicate_number_is_refused_and_the_form_keeps_what_was_typed(client, analyst):
    from qorgau.audit.models import AuditEntry
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    services.register_inquiry(Actor.person(analyst), **inquiry_data())
    entries = AuditEntry.objects.count()
    typed = {**INQUIRY_POST, "number": "ДС-42", "dated": "2026-02-11",
             "subject_ru": "о принуждении к браку", "articles": ["125-1"]}  # fmt: skip
    response = client.post("/letters/new/", typed)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Inquiry № ДС-42 is already registered." in page
    assert 'value="2026-02-11"' in page and "о принуждении к браку</textarea>" in page
    assert re.search(r'<input[^>]*value="125-1"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="115-1"[^>]*checked', page)
    assert Inquiry.objects.count() == 1 and AuditEntry.objects.count() == entries
    assert Inquiry.objects.get().subject_ru == "о сталкинге"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": "16"}, "number", "An inquiry number has letters, digits and hyphens"),
        ({"number": "ДС 16"}, "number", "An inquiry number has letters, digits and hyphens"),
        ({"number": "ДС-16!"}, "number", "An inquiry number has letters, digits and hyphens"),
        ({"number": "ДС"}, "number", "An inquiry number has letters, digits and hyphens"),
        ({"due_on": "2026-02-09"}, "due_on", "The reply cannot be due before the date"),
        ({"articles": []}, "articles", "Name at least one article"),
        ({"subject_ru": "  "}, "subject_ru", "Enter the subject in Kazakh and in Russian."),
    ],
)
def test_an_invalid_inquiry_is_refused_naming_the_field(analyst, changes, field, message):
    import datetime as dt

    from django.utils import translation

    from qorgau.audit.models import AuditEntry
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    if "due_on" in changes:
        changes = {"due_on": dt.date.fromisoformat(changes["due_on"])}
    with translation.override("en"), pytest.raises(Invalid) as info:
        services.register_inquiry(Actor.person(analyst), **inquiry_data(**changes))
    assert info.value.field == field and str(info.value).startswith(message)
    assert not Inquiry.objects.exists() and not AuditEntry.objects.exists()


def test_an_inquiry_cannot_be_dated_in_the_future(analyst):
    import datetime as dt

    from django.utils import timezone

    from qorgau.letters import services

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(Invalid) as info:
        services.register_inquiry(
            Actor.person(analyst), **inquiry_data(dated=tomorrow, due_on=None)
        )
    assert info.value.field == "dated"


def test_the_inquiry_is_corrected_on_its_edit_page(client, analyst):
    from qorgau.audit.models import AuditEntry
    from qorgau.letters import services

    inquiry = services.register_inquiry(Actor.person(analyst), **inquiry_data())
    other = services.register_inquiry(Actor.person(analyst), **inquiry_data(number="ДС-43"))
    page = html.unescape(client.get(f"/letters/{inquiry.pk}/edit/").content.decode())
    assert (
        'value="ДС-42"' in page
        and 'value="2026-02-10"' in page
        and "о сталкинге</textarea>" in page
    )
    changed = {**INQUIRY_POST, "subject_ru": "о сталкинге и принуждении к браку",
               "articles": ["115-1", "125-1"], "outgoing_number": "12-3/45"}  # fmt: skip
    response = client.post(f"/letters/{inquiry.pk}/edit/", changed)
    assert response.status_code == 302 and response.url == f"/letters/{inquiry.pk}/"
    inquiry.refresh_from_db()
    assert inquiry.subject_ru == "о сталкинге и принуждении к браку"
    assert sorted(a.code for a in inquiry.articles.all()) == ["115-1", "125-1"]
    assert inquiry.outgoing_number == "12-3/45"
    entry = AuditEntry.objects.get(action="inquiry.update")
    assert entry.before["articles"] == ["115-1"] and entry.after["articles"] == ["115-1", "125-1"]
    assert entry.before["subject_ru"] == "о сталкинге"
    # Another inquiry's number is refused, and the other one is left as it was.
    response = client.post(f"/letters/{other.pk}/edit/", {**INQUIRY_POST, "number": "ДС-42"})
    assert response.status_code == 400
    assert "Inquiry № ДС-42 is already registered." in html.unescape(response.content.decode())
    other.refresh_from_db()
    assert other.number == "ДС-43"


def test_status_cannot_become_sent_without_a_reply_version(client, analyst):
    import datetime as dt

    from qorgau.audit.models import AuditEntry
    from qorgau.letters import services
    from qorgau.letters.models import ReplyVersion

    inquiry = services.register_inquiry(Actor.person(analyst), **inquiry_data())
    status_url = f"/letters/{inquiry.pk}/status/"
    # Received → sent skips the drafting.
    response = client.post(status_url, {"status": "sent"})
    assert response.status_code == 400
    assert "Inquiry № ДС-42 is “received”; it cannot become “sent”." in html.unescape(
        response.content.decode()
    )
    assert client.post(status_url, {"status": "drafting"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "drafting"
    offered = re.findall(
        r'<option value="(\w+)"', client.get(f"/letters/{inquiry.pk}/").content.decode()
    )
    assert offered == ["sent"]  # only the next status is offered
    response = client.post(status_url, {"status": "sent", "sent_on": "2026-02-20"})
    assert response.status_code == 400
    assert "No reply to inquiry № ДС-42 has been produced yet" in html.unescape(
        response.content.decode()
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.sent_on) == ("drafting", None)
    # A produced version: now it may be sent, not before the inquiry's own date.
    ReplyVersion.objects.create(inquiry=inquiry, number=1, lang="kk", format="html",
                                content=b"<p></p>", blocks=[], figures=[])  # fmt: skip
    response = client.post(status_url, {"status": "sent", "sent_on": "2026-02-09"})
    assert response.status_code == 400
    assert "cannot be sent before the date of the inquiry (2026-02-10)" in html.unescape(
        response.content.decode()
    )
    assert client.post(status_url, {"status": "sent", "sent_on": "2026-02-20"}).status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.sent_on) == ("sent", dt.date(2026, 2, 20))
    assert "sent on 2026-02-20" in client.get(f"/letters/{inquiry.pk}/").content.decode()
    moves = AuditEntry.objects.filter(action="inquiry.status.change").order_by("pk")
    assert [(e.before["status"], e.after["status"]) for e in moves] == [
        ("received", "drafting"), ("drafting", "sent")]  # fmt: skip
    assert moves.last().after["sent_on"] == "2026-02-20" and moves.last().user == analyst
    # Answered: no further status, no more corrections.
    with pytest.raises(Conflict):
        services.change_inquiry_status(Actor.person(analyst), inquiry, "drafting")
    response = client.post(f"/letters/{inquiry.pk}/edit/", {**INQUIRY_POST, "subject_ru": "иное"})
    assert response.status_code == 400
    inquiry.refresh_from_db()
    assert inquiry.subject_ru == "о сталкинге"


def test_regional_prosecutor_cannot_register_or_move_an_inquiry(client, login):
    from qorgau.access import policy
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry
    from tests.fixtures import make_user

    inquiry = services.register_inquiry(SYSTEM, **inquiry_data())
    prosecutor = make_user("prosecutor_inq79", "prosecutor", "KZ-79")
    login(client, prosecutor)
    assert client.get("/letters/new/").status_code == 403
    assert client.post("/letters/new/", {**INQUIRY_POST, "number": "ДС-77"}).status_code == 403
    assert client.get(f"/letters/{inquiry.pk}/edit/").status_code == 403
    assert client.post(f"/letters/{inquiry.pk}/status/", {"status": "drafting"}).status_code == 403
    with pytest.raises(policy.NotAllowed):
        services.register_inquiry(Actor.person(prosecutor), **inquiry_data(number="ДС-78"))
    with pytest.raises(policy.NotAllowed):
        services.change_inquiry_status(Actor.person(prosecutor), inquiry, "drafting")
    assert list(Inquiry.objects.values_list("number", "status")) == [("ДС-42", "received")]


def test_inquiry_form_errors_are_in_the_users_language(client, analyst):
    from qorgau.letters.models import Inquiry

    client.cookies["django_language"] = "ru"
    response = client.post("/letters/new/", {**INQUIRY_POST, "number": "", "subject_kk": ""})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    # Each error twice: in the summary above the form and at its field.
    assert page.count("Обязательное поле.") == 4 and "Номер" in page
    assert "о сталкинге</textarea>" in page  # what was typed is kept
    assert not Inquiry.objects.exists()


def test_drafting_a_received_inquiry_moves_it_through_the_audited_status_change(seeded):
    import datetime as dt

    from qorgau.audit.models import AuditEntry
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry
    from tests.fixtures import make_user

    analyst = make_user("analyst_regen", "analyst")
    inquiry = Inquiry.objects.get(number="ДС-16")
    assert inquiry.status == "received"
    services.regenerate_reply(Actor.person(analyst), inquiry, "ru", period_end=dt.date(2026, 2, 15))
    assert inquiry.status == "drafting"
    assert Inquiry.objects.get(pk=inquiry.pk).status == "drafting"
    (move,) = AuditEntry.objects.filter(action="inquiry.status.change", object_id=str(inquiry.pk))
    assert (move.before["status"], move.after["status"], move.user) == (
        "received", "drafting", analyst)  # fmt: skip
    generated = AuditEntry.objects.get(action="reply.regenerate", object_id=str(inquiry.pk))
    assert generated.user == analyst
    assert generated.details == {"lang": "ru", "period_end": "2026-02-15"}
    # Drafting again (or in the other language) moves nothing further.
    services.regenerate_reply(Actor.person(analyst), inquiry, "kk")
    assert Inquiry.objects.get(pk=inquiry.pk).status == "drafting"
    assert AuditEntry.objects.filter(action="inquiry.status.change").count() == 1
    assert AuditEntry.objects.filter(action="reply.regenerate").count() == 2


def test_the_edit_link_is_hidden_once_the_reply_is_sent(client, analyst):
    import datetime as dt

    from qorgau.letters import services
    from qorgau.letters.models import ReplyVersion

    inquiry = services.register_inquiry(Actor.person(analyst), **inquiry_data())
    assert "Edit the inquiry" in client.get(f"/letters/{inquiry.pk}/").content.decode()
    services.change_inquiry_status(Actor.person(analyst), inquiry, "drafting")
    ReplyVersion.objects.create(inquiry=inquiry, number=1, lang="kk", format="html",
                                content=b"<p></p>", blocks=[], figures=[])  # fmt: skip
    services.change_inquiry_status(
        Actor.person(analyst), inquiry, "sent", sent_on=dt.date(2026, 2, 20)
    )
    assert "Edit the inquiry" not in client.get(f"/letters/{inquiry.pk}/").content.decode()


GOLDEN = Path(__file__).resolve().parent / "data" / "reply-ds16-seed.json"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_templates_give_the_reply_the_code_gave_before(seeded, lang):
    """Every block of ДС-16's reply from the seed, word for word: first kept as the f-string
    code composed it before the wording moved to templates; since issue 15 as reviewed then
    (the sections of the source letter, the corrected Kazakh and Russian)."""
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    blocks = services.compose(SYSTEM, Inquiry.objects.get(number="ДС-16"), lang)[0]
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))[lang]
    texts = {b["key"]: b["text"] for b in blocks}
    # The line naming the figures' instant came later than this text (test_letter_asof.py).
    assert {"kk": "(Астана уақытымен)", "ru": "(по времени Астаны)"}[lang] in texts.pop(
        "figures_as_of"
    )
    assert texts == expected


def test_figures_and_downloads_carry_kazakhstan_time(client, login, seeded, time_machine):
    """At 00:30 in Kazakhstan (19:30 UTC the day before) a reply's figures are stamped with the
    Kazakh time (+05:00, not +00:00) and its download is named by the Kazakh date."""
    from qorgau.letters.models import Inquiry
    from tests.fixtures import make_user

    almaty = zoneinfo.ZoneInfo("Asia/Almaty")
    time_machine.move_to(dt.datetime(2026, 3, 2, 0, 30, tzinfo=almaty), tick=False)
    login(client, make_user("analyst_t", "analyst"))
    inquiry = Inquiry.objects.get(number="ДС-16")
    client.post(f"/letters/{inquiry.pk}/draft/ru/generate/", {"period_end": "2026-02-15"})
    client.post(f"/letters/{inquiry.pk}/draft/ru/", {"produce": "docx"})
    version = inquiry.versions.get()
    assert {f["generated_at"] for f in version.figures} == {"2026-03-02T00:30:00+05:00"}
    download = client.get(f"/letters/{inquiry.pk}/versions/{version.number}/")
    assert "-2026-03-02.docx" in download["Content-Disposition"]
