"""Replies to deputies' inquiries: grammar of the reference paragraph, the figures, and the
documents (DOCX opened by LibreOffice and read back, PDF text with Kazakh letters intact)."""

import io
import subprocess

import pytest
from django.core.management import call_command

from qorgau.letters import grammar
from qorgau.reference.models import Region

pytestmark = pytest.mark.django_db


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
        (["KZ-55", "KZ-43", "KZ-71"], "Қызылорда және Павлодар облыстары, Астана қаласы",
         "Кызылординская и Павлодарская области, город Астана"),
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


def test_all_regions_equal_form_one_group():
    data = dict.fromkeys(Region.objects.all(), 2)
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
def seeded():
    call_command("load-seed", stdout=io.StringIO())


LETTER_FIGURES = [
    "15",
    "12",
    "79",
    "31",
    "– 23",
    "– 16",
    "– 8",
    "– 7",
    "– 3",
    "– 2",
    "– 1",
    "– 15",
    "– 10",
]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_reply_holds_every_figure_of_the_source_letter(seeded, lang, tmp_path):
    out = tmp_path / f"reply.{lang}.html"
    call_command(
        "letter",
        "--inquiry",
        "ДС-16",
        "--lang",
        lang,
        "--format",
        "html",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    text = out.read_text(encoding="utf-8")
    for figure in LETTER_FIGURES:
        assert figure in text, figure
    if lang == "kk":
        assert (
            "2026 жылғы 23 қаңтардағы № ДС-16 сауалға" in text
            and "2025 жылғы 16 шілдедегі № 210-VIII" in text
        )
        assert "(2026 жылғы 15 ақпанға дейін)" in text
        assert ("Шымкент қаласы – 23, Астана қаласы – 16, Алматы қаласы – 8, Қызылорда және Павлодар облыстары – 7, "
                "Абай және Түркістан облыстары – 3, Алматы, Батыс Қазақстан, Қарағанды, Маңғыстау және Солтүстік "
                "Қазақстан облыстары – 2, Қостанай және Шығыс Қазақстан облыстары – 1 (барлығы – 79)") in text  # fmt: skip
        assert "Алматы облысы – 2" not in text and "Алматы қаласы және Жамбыл облысы" not in text
        assert "Жамбыл облысы және Алматы қаласы – 1" in text
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


def test_every_figure_is_recorded_with_its_query(seeded):
    from qorgau.access import policy
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    draft = services.regenerate(policy.OPERATOR, Inquiry.objects.get(number="ДС-16"), "kk")
    version = services.produce(policy.OPERATOR, draft, "html")
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
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "79 қылмыстық іс" in text and "Шымкент қаласы – 23" in text
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
    assert "Шымкент қаласы – 23" in " ".join(converted.split())  # lines wrap in the PDF


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
            "ағымдағы".capitalize(),
        ):
            assert word in text, word
        assert set("әғқңөұүі") <= set(text)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Qorgau-Serif" in fonts and " yes " in fonts  # embedded


def test_reply_pages_and_versions(client, login, seeded):
    from .conftest import make_user

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


def test_measures_paragraphs_come_from_campaign_and_training_data(tmp_path):
    from qorgau.campaigns.models import Activity
    from qorgau.training.models import Session

    call_command("load-demo", stdout=io.StringIO())
    out = tmp_path / "reply.html"
    call_command(
        "letter",
        "--inquiry",
        "ДС-16",
        "--lang",
        "kk",
        "--format",
        "html",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    text = out.read_text(encoding="utf-8")
    assert "2026 жылғы 30 қаңтарда" in text
    assert (
        f"Жоспарда {Activity.objects.filter(plan__kind='national').count()} іс-шара көзделген"
        in text
    )
    assert "Түркістан облысы және Шымкент қаласы; барлығы – 2" in text
    import datetime as dt

    from qorgau.access import policy
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    end = services.default_period_end(policy.OPERATOR, Inquiry.objects.get(number="ДС-16"))
    held = Session.objects.filter(held_on__range=(dt.date(end.year, 1, 1), end))
    assert f"қатысушылар – {sum(s.total for s in held)}" in text


def test_single_article_reply_uses_the_singular(seeded):
    import datetime as dt

    from qorgau.access import policy
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry
    from qorgau.reference.models import Article

    inquiry = Inquiry.objects.create(number="ДС-99", dated=dt.date(2026, 2, 1), addressee_kk="x", addressee_ru="x",
                                     subject_kk="сталкинг", subject_ru="сталкинга")  # fmt: skip
    inquiry.articles.set([Article.objects.get(code="115-1")])
    ru = {b["key"]: b["text"] for b in services.compose(policy.OPERATOR, inquiry, "ru")[0]}
    assert (
        "введена новая статья 115-1 (сталкинг). Она введена в действие" in ru["law"]
        and "опубликована" in ru["law"]
    )
    kk = {b["key"]: b["text"] for b in services.compose(policy.OPERATOR, inquiry, "kk")[0]}
    assert "жаңа норма енгізілді: 115-1-бап (сталкинг). Ол 2025 жылғы 16 қыркүйектен" in kk["law"]


def test_regional_user_cannot_draft_a_national_reply(client, login, seeded):
    from qorgau.letters.models import Inquiry

    from .conftest import make_user

    login(client, make_user("prosecutor_79", "prosecutor", "KZ-79"))
    inquiry = Inquiry.objects.get(number="ДС-16")
    assert client.post(f"/letters/{inquiry.pk}/draft/kk/generate/").status_code == 403
    assert not inquiry.drafts.exists()
