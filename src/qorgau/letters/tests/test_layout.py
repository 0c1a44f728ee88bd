"""The layout of a reply as an official letter (issue 15, item 3): the font, no-break spaces
and hyphens, the signature never alone on a page, page numbers from page 2, PDF/A-2b, every
page rendered to PNG, and the DOCX with the PDF's page count in LibreOffice."""

import re
import subprocess
import time
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from qorgau.core.actors import Actor
from qorgau.letters import render

SYSTEM = Actor.system("tests")
ARTIFACTS = Path(__file__).resolve().parents[4] / "artifacts" / "letters"
KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
POSITION = {"kk": "Қазақстан Республикасының\nПремьер-Министрі",
            "ru": "Премьер-Министр\nРеспублики Казахстан"}  # fmt: skip
EXECUTOR = {"kk": "Орынд.: А. Сапарова\nТел.: 8 (7172) 74-50-12",
            "ru": "Исп.: А. Сапарова\nТел.: 8 (7172) 74-50-12"}  # fmt: skip
SENTENCE = {
    "kk": "Қазақстан Республикасы Қылмыстық кодексінің 115-1-бабы бойынша тіркелген істер "
    "құқық қорғау органдарының бақылауында тұр. ",
    "ru": "Уголовные дела, зарегистрированные по статье 115-1 УК, находятся на контроле "
    "правоохранительных органов. ",
}


def letter(lang: str, body: list[str], *, name: str = "Ә. Тестов", executor: bool = True):
    """A hand-made draft with every block the renderer places: what ``render`` reads of a draft
    (``blocks``, ``lang``, ``inquiry.number``)."""
    blocks = [
        {"key": "address", "text": "010000, Астана қаласы, Үкімет үйі\n010000, город Астана, Дом Правительства"},
        {"key": "outgoing", "text": "№ 12-3/456"},
        {"key": "addressee", "text": {"kk": "Қазақстан Республикасы Парламенті\nМәжілісінің депутаттарына",
                                      "ru": "Депутатам Мажилиса Парламента\nРеспублики Казахстан"}[lang]},
        {"key": "inquiry_ref", "text": {"kk": "2026 жылғы 23 қаңтардағы № ДС-16 сауалға",
                                        "ru": "на запрос № ДС-16 от 23 января 2026 года"}[lang]},
        {"key": "salutation", "text": {"kk": "Құрметті депутаттар!", "ru": "Уважаемые депутаты!"}[lang]},
        *({"key": f"body_{i}", "text": text} for i, text in enumerate(body)),
        {"key": "signature", "text": f"{POSITION[lang]}\n{name}"},
    ]  # fmt: skip
    if executor:
        blocks.append({"key": "executor", "text": EXECUTOR[lang]})
    return SimpleNamespace(blocks=blocks, lang=lang, inquiry=SimpleNamespace(number="ДС-16"))


def pages(path: Path) -> list[str]:
    """The text of each page (pdftotext), no-break spaces read as spaces, lines joined."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    return [" ".join(page.replace("\u00a0", " ").split()) for page in text.split("\f")[:-1]]


def page_lines(path: Path) -> list[list[str]]:
    """The non-empty lines of each page as laid out (a first line keeps its indent), without
    the page number."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    return [
        [line.rstrip() for line in page.splitlines() if line.strip() and not line.strip().isdigit()]
        for page in text.split("\f")[:-1]
    ]


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def write_pdf(draft, path: Path) -> Path:
    path.write_bytes(render.to_pdf(draft))
    return path


def unpacked(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream decompressed after them (object streams hold
    the catalogue, the metadata and the fonts' descriptors)."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


@pytest.mark.parametrize(
    ("text", "typeset"),
    [
        ("Заңы № 210-VIII «О", "Заңы №\u00a0210\u2011VIII «О"),
        ("ҚК-нің 115-1-бабы", "ҚК\u2011нің 115\u20111\u2011бабы"),
        ("по статье 125-1 УК", "по статье 125\u20111 УК"),
        ("на запрос №ДС-16", "на запрос №\u00a0ДС\u201116"),
        ("79 қылмыстық іс", "79\u00a0қылмыстық іс"),
        ("4\u00a0533 адам", "4\u00a0533\u00a0адам"),
        ("15 февраля 2026 года", "15\u00a0февраля 2026\u00a0года"),
        ("Шымкент қаласы – 23, Астана", "Шымкент қаласы\u00a0– 23, Астана"),
        ("О. Бектенов", "О.\u00a0Бектенов"),
        # Ordinary compounds may break at their hyphen; figures stay as they are.
        ("іс-шаралар, Премьер-Министр, Северо-Казахстанская", "іс-шаралар, Премьер-Министр, Северо-Казахстанская"),
        ("02.12.2026 16:18", "02.12.2026 16:18"),
    ],
)  # fmt: skip
def test_typeset_keeps_numbers_signs_and_abbreviations_together(text, typeset):
    assert render.typeset(text) == typeset


def test_bundled_font_is_liberation_serif_with_every_kazakh_letter_and_its_licence():
    from fontTools.ttLib import TTFont

    letters = KAZAKH + "абвгдеёжзийклмнопрстуфхцчшщъыьэюяЁ№«»–"
    for face in ("Regular", "Bold", "Italic", "BoldItalic"):
        font = TTFont(render.FONTS / f"LiberationSerif-{face}.ttf")
        assert font["name"].getDebugName(1) == "Liberation Serif"
        missing = [c for c in letters if ord(c) not in font.getBestCmap()]
        assert not missing, (face, missing)
    licence = (render.FONTS / "LICENSE-Liberation.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Liberation Serif" in (render.FONTS / "README.md").read_text(encoding="utf-8")


def test_pdf_html_puts_blocks_in_their_places_and_hyphenates_only_russian():
    ru = render.to_html(letter("ru", ["Закон № 210-VIII введён в действие."]), for_pdf=True)
    kk = render.to_html(letter("kk", ["ҚК-нің 115-1-бабы."]), for_pdf=True)
    assert '<html lang="ru">' in ru and '<html lang="kk">' in kk
    assert "hyphens: auto" in ru and "text-align: justify" in ru
    assert "hyphens: auto" not in kk and "justify" not in kk
    # Non-breaking hyphens as a hyphen and a word joiner (no U+2011 glyph in the font).
    assert "№\u00a0210-\u2060VIII" in ru and "\u2011" not in ru + kk
    assert "ҚК-\u2060нің 115-\u20601-\u2060бабы." in kk
    # Addressee in the header's right column; position left and name right of the signature.
    assert re.search(r'<td><p class="addressee">Қазақстан Республикасы Парламенті<br>', kk)
    assert '<td class="position">Қазақстан Республикасының<br>Премьер-Министрі</td>' in kk
    assert '<td class="name">Ә.\u00a0Тестов</td>' in kk
    assert '<p class="executor">Орынд.: А.\u00a0Сапарова<br>' in kk
    assert "<title>на запрос № ДС-16 от 23 января 2026 года</title>" in ru


def test_pdf_is_pdf_a_2b_with_embedded_fonts_an_icc_profile_title_and_language(tmp_path):
    path = tmp_path / "reply.pdf"
    started = time.perf_counter()
    write_pdf(letter("kk", [SENTENCE["kk"] * 4] * 3), path)
    seconds = time.perf_counter() - started
    data = unpacked(path.read_bytes())
    assert b'pdfaid:part="2"' in data and b'pdfaid:conformance="B"' in data  # XMP identification
    intent = re.search(rb"/OutputIntents \[<<(.*?)>>\]", data, re.S)
    assert intent and b"/S /GTS_PDFA1" in intent.group(1)
    profile = int(re.search(rb"/DestOutputProfile (\d+) 0 R", intent.group(1)).group(1))
    stream = re.search(rb"\n%d 0 obj\s*<<([^>]*)>>\s*stream\r?\n(.*?)\r?\nendstream" % profile,
                       path.read_bytes(), re.S)  # fmt: skip
    assert stream and b"/N 3" in stream.group(1)  # an RGB profile, embedded
    icc = zlib.decompress(stream.group(2)) if b"Flate" in stream.group(1) else stream.group(2)
    assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB "  # an ICC profile's header
    assert b"/Lang (kk)" in data
    assert "2026 жылғы 23 қаңтардағы № ДС-16 сауалға".encode("utf-16-be").hex().encode() in data
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert len(rows) >= 2 and all(row.split()[-5] == "yes" for row in rows), fonts.stdout
    assert all("Qorgau-Serif" in row for row in rows)  # no fallback font
    assert data.count(b"/FontFile2") == len(rows)
    assert seconds < 20


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_signature_never_alone_on_a_page_when_the_body_ends_near_the_foot(tmp_path, lang):
    """Letters whose last paragraph ends ever closer to the foot of page 1: wherever the page
    breaks, the name is on the page of the last paragraph's end, with the position."""
    signature_pages, split_paragraphs = set(), 0
    # Last paragraphs of 3 to 10 sentences, each also with 0 or 5 more words: the body ends
    # on every line from the middle of page 1 to the top of page 2 (1 page in kk up to 4
    # sentences, in ru up to 7).
    for extra in range(6, 21):
        body = [SENTENCE[lang] * 6] * 2 + [
            SENTENCE[lang] * (extra // 2) + "және " * 5 * (extra % 2) + "987654."
        ]
        path = write_pdf(letter(lang, body), tmp_path / f"{lang}{extra}.pdf")
        texts = pages(path)
        (name_page,) = [i for i, t in enumerate(texts) if "Ә. Тестов" in t]
        (end_page,) = [i for i, t in enumerate(texts) if "987654." in t]
        assert name_page == end_page, (extra, texts)
        position = POSITION[lang].split("\n")[-1]
        assert position in texts[name_page], (extra, texts)
        assert "Тел.: 8 (7172)" in texts[name_page] and name_page == len(texts) - 1
        signature_pages.add(name_page)
        if name_page:  # moved on: with the last lines of the paragraph, not alone
            before, after = page_lines(path)[name_page - 1 : name_page + 1]
            carried = after[: next(i for i, line in enumerate(after) if position in line) - 1]
            assert carried and carried[-1].endswith("987654."), (extra, after)
            if not carried[0].startswith(" "):  # the paragraph was split: no widow, no orphan
                start = max(i for i, line in enumerate(before) if line.startswith("    "))
                assert len(carried) >= 2 and len(before) - start >= 2, (extra, before, after)
                split_paragraphs += 1
    assert signature_pages == {0, 1}  # the letters did cross the foot of page 1
    assert split_paragraphs  # and a page did break inside the last paragraph


def test_pages_are_numbered_from_the_second_and_the_executor_is_at_the_foot_of_the_last(tmp_path):
    path = write_pdf(letter("ru", [SENTENCE["ru"] * 8] * 9), tmp_path / "long.pdf")
    raw = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout.split("\f")[:-1]  # fmt: skip
    assert len(raw) == 3
    last_lines = [[line.strip() for line in page.splitlines() if line.strip()][-1] for page in raw]
    assert last_lines[0] != "1" and not re.fullmatch(r"\d+", last_lines[0])
    assert last_lines[1] == "2" and last_lines[2] == "3"
    # The executor's lines: small print below the signature, at the foot of the last page.
    last = [line.strip() for line in raw[2].splitlines() if line.strip()]
    assert last[-3].startswith("Исп.: А.") and last[-2].startswith("Тел.: 8 (7172) 74-50-12")
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "3", "-l", "3", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    (tel,) = re.findall(r'yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">Тел\.:<', boxes)
    (name,) = re.findall(r'yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">Тестов<', boxes)
    bottom = 841.89 - render.MARGINS_MM["bottom"] / 25.4 * 72
    assert float(name) < float(tel) and bottom - float(tel) < 6  # on the bottom margin's edge


def test_docx_keeps_the_signature_with_the_last_paragraph_and_uses_times_new_roman():
    import io

    from docx import Document
    from docx.oxml.ns import qn

    document = Document(
        io.BytesIO(render.to_docx(letter("kk", ["Заң № 210-VIII, ҚК-нің 115-1-бабы."])))
    )
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == render.BODY_PT
    assert normal.paragraph_format.widow_control is True
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(render.LINE_PT, abs=0.05)
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:val")) == "kk-KZ"
    body = [p for p in document.paragraphs if p.style.name == "Qorgau Body"]
    assert body[-1].paragraph_format.keep_with_next
    xml = body[-1]._p.xml
    assert xml.count("<w:noBreakHyphen/>") == 4 and "210" in xml
    assert body[-1].text == "Заң №\u00a0210-VIII, ҚК-нің 115-1-бабы."  # python-docx reads "-"
    header, signature = document.tables
    assert header.cell(0, 1).paragraphs[0].text.startswith("Қазақстан Республикасы Парламенті")
    assert signature._tbl.xpath(".//w:cantSplit")
    position, name = signature.cell(0, 0).paragraphs, signature.cell(0, 1).paragraphs
    assert [p.text for p in position[:2]] == POSITION["kk"].split("\n")
    assert [p.text for p in name] == ["", "Ә.\u00a0Тестов"]  # on the position's last line
    # The executor under the position, in the unsplittable row: on the signature's page.
    assert position[2].style.name == "Qorgau Executor" and position[2].style.font.size.pt == 10
    assert position[2].text == "Орынд.: А.\u00a0Сапарова\nТел.: 8 (7172) 74-50-12"
    assert document.settings.element.find(qn("w:autoHyphenation")) is None  # no kk dictionary
    ru = Document(io.BytesIO(render.to_docx(letter("ru", ["Текст."]))))
    assert ru.settings.element.find(qn("w:autoHyphenation")) is not None


def libreoffice_pdfs(documents: dict[str, bytes], tmp_path: Path) -> dict[str, Path]:
    """The DOCX documents (name → bytes) converted by LibreOffice in one run."""
    for name, docx in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(docx)
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"),
         *(str(tmp_path / f"{name}.docx") for name in documents)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {name: tmp_path / "lo" / f"{name}.pdf" for name in documents}


def libreoffice_pdf(docx: bytes, tmp_path: Path, name: str) -> Path:
    source = tmp_path / f"{name}.docx"
    source.write_bytes(docx)
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return tmp_path / "lo" / f"{name}.pdf"


def to_png(pdf: Path, stem: str) -> list[Path]:
    """Every page of ``pdf`` as PNG in artifacts/letters/ (kept by CI)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / stem)], check=True)
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


def near_the_foot(lang: str) -> dict[str, SimpleNamespace]:
    """Letters whose last paragraph ends on every line from the middle of page 1 to the top
    of page 2 (3 to 10 sentences, each also with 0 or 5 more words)."""
    return {
        f"{lang}{extra}": letter(lang, [SENTENCE[lang] * 6] * 2 + [
            SENTENCE[lang] * (extra // 2) + "және " * 5 * (extra % 2) + "987654."])
        for extra in range(6, 21)
    }  # fmt: skip


@pytest.mark.office
def test_libreoffice_keeps_signature_executor_and_last_paragraph_on_one_page(tmp_path):
    """The DOCX of the letters ending near the foot of page 1, in LibreOffice: the last
    paragraph's end, the name and the executor's line on one page, as in our PDF; the same
    page count as the PDF except where Russian hyphenation (the PDF's, not LibreOffice's
    here: no dictionary) saves the line that decides it."""
    drafts = near_the_foot("kk") | near_the_foot("ru")
    converted = libreoffice_pdfs({n: render.to_docx(d) for n, d in drafts.items()}, tmp_path)
    differ = []
    for name, draft in drafts.items():
        ours = pages(write_pdf(draft, tmp_path / f"{name}.pdf"))
        theirs = pages(converted[name])
        for texts in (ours, theirs):
            where = [[i for i, t in enumerate(texts) if mark in t]
                     for mark in ("987654.", "Ә. Тестов", "Тел.: 8 (7172)")]  # fmt: skip
            assert where[0] == where[1] == where[2] == [len(texts) - 1], (name, texts)
        if len(ours) != len(theirs):
            differ.append(name)
    assert {len(pages(converted[n])) for n in drafts} == {1, 2}
    assert all(name.startswith("ru") for name in differ) and len(differ) <= 2, differ


@pytest.mark.office
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_hand_made_letter_has_the_same_page_count_in_libreoffice(tmp_path, lang):
    draft = letter(lang, [SENTENCE[lang] * 6] * 7)
    pdf = write_pdf(draft, tmp_path / f"{lang}.pdf")
    converted = libreoffice_pdf(render.to_docx(draft), tmp_path, lang)
    count = page_count(pdf)
    assert count == page_count(converted) and count >= 2
    assert len(to_png(pdf, f"sample-{lang}")) == count


@pytest.mark.office
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_reply_to_ds16_pdf_pages_png_and_docx_page_count(demo, tmp_path, lang):
    """The letter for ДС-16 from the seed and the demo data: PDF/A, every page as PNG, the
    signature's name on the page of the last paragraph, and LibreOffice gives the DOCX the
    same number of pages."""
    from qorgau.letters import services
    from qorgau.letters.models import Inquiry

    draft = services.regenerate_reply(SYSTEM, Inquiry.objects.get(number="ДС-16"), lang)
    started = time.perf_counter()
    version = services.produce_reply(SYSTEM, draft, "pdf")
    seconds = time.perf_counter() - started
    pdf = tmp_path / f"ds16-{lang}.pdf"
    pdf.write_bytes(bytes(version.content))
    assert b'pdfaid:part="2"' in unpacked(pdf.read_bytes())
    count = page_count(pdf)
    assert count >= 2 and len(to_png(pdf, f"ds16-{lang}")) == count
    texts = pages(pdf)
    blocks = [b for b in draft.blocks if b["text"].strip()]
    name = blocks[[b["key"] for b in blocks].index("signature")]["text"].split("\n")[-1]
    body = [b for b in blocks if b["key"] not in render.HEADER + render.CLOSING]
    # Compared without spaces and hyphenation hyphens (a line may break inside the tail).
    squeeze = lambda text: re.sub(r"[\s\u2010\u00ad]", "", text)  # noqa: E731
    tail = squeeze(" ".join(body[-1]["text"].split()[-3:]))
    (name_page,) = [i for i, t in enumerate(texts) if squeeze(name) in squeeze(t)]
    assert tail in squeeze(texts[name_page]) and name_page == count - 1
    assert "1" not in texts[0].split()[-1:] and texts[1].split()[-1] == "2"
    docx = services.produce_reply(SYSTEM, draft, "docx")
    assert page_count(libreoffice_pdf(bytes(docx.content), tmp_path, f"ds16-{lang}")) == count
    assert seconds < 30
