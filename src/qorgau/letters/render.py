"""Render a reply draft as HTML (preview), PDF and DOCX, laid out as an official letter.

The letter: the letterhead's address, then the outgoing number and the reference to the inquiry
(left) beside the addressee (right half); the salutation and the body; the signatory's position
(left) and name (right) on one line, never alone on a page; the executor's line in small print
at the foot of the last page; page numbers from the second page on.

PDF: WeasyPrint, PDF/A-2b, Liberation Serif (metric-compatible with Times New Roman, every
Kazakh letter; regular, bold, italic, bold italic embedded), 14 pt, Russian justified and
hyphenated by Pyphen's dictionary, Kazakh left-aligned (Pyphen has no Kazakh dictionary: justified
without hyphenation leaves wide gaps). DOCX: python-docx, Times New Roman (LibreOffice draws it
with Liberation Serif, the same metrics), the same margins, size, line pitch and spacing, so that
both have the same page count (docs/letters.md "Layout")."""

import io
import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# WeasyPrint and python-docx (third-party, not project modules) are imported by the functions
# that use them: importing WeasyPrint takes about a second, which every page and command
# would otherwise pay.
FONTS = Path(__file__).resolve().parent / "fonts"
# Official letter layout (A4): margins in millimetres, body text 14 pt, lines 1.15 em apart
# (Word's "single" for Times New Roman), given exactly in both documents so that they break
# pages alike; small print (the executor's line) 10 pt.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14
LINE_PT = 16.1
SMALL_PT = 10
SMALL_LINE_PT = 11.5
EXECUTOR_GAP_PT = 12  # DOCX: between the signature and the executor's line
AFTER_PT = 6  # space after a body paragraph
INDENT_MM = 12.5  # first-line indent of a body paragraph
# Blocks with a place of their own; every other block is a body paragraph, in the draft's order.
HEADER = ("address", "outgoing", "inquiry_ref", "addressee")
CLOSING = ("signature", "executor")
PDF_VARIANT = "pdf/a-2b"
# Pyphen's dictionaries: Russian has one, Kazakh none (then no hyphenation and no justification).
HYPHENATED = {"ru"}

NBSP, NBHY, WORD_JOINER = "\u00a0", "\u2011", "\u2060"
_NUMBER_SIGN = re.compile(r"№\s*")
_DASH = re.compile(r" ([–—]) ")
_NUMBER_WORD = re.compile(r"(?<![\w.,\u2011-])(\d+) (?=[^\W\d_])")
_INITIAL = re.compile(r"\b([^\W\d_])\. (?=[^\W\d_])")
_COMPOUND = re.compile(r"\w+(?:-\w+)+")


def _keeps_together(compound: str) -> bool:
    """A compound whose hyphen must not end a line: with a number ("210-VIII", "115-1",
    "125-1-бабы") or after an abbreviation ("ҚК-нің", "ДС-16"); not an ordinary compound word
    ("іс-шара", "Премьер-Министр")."""
    first = compound.split("-", 1)[0]
    return any(c.isdigit() for c in compound) or (len(first) >= 2 and first.isupper())


def typeset(text: str) -> str:
    """``text`` with the no-break spaces and hyphens of an official letter: "№" stays with
    its number, a number with the word after it (its unit: "79 қылмыстық іс", "15 февраля"),
    an initial with the surname, a dash with the word before it; a compound with a number or
    an abbreviation ("№ 210-VIII", "ҚК-нің", "115-1") gets non-breaking hyphens (U+2011)."""
    text = _NUMBER_SIGN.sub("№" + NBSP, text)
    text = _DASH.sub(NBSP + r"\1 ", text)
    text = _INITIAL.sub(r"\1." + NBSP, text)
    text = _NUMBER_WORD.sub(r"\1" + NBSP, text)
    return _COMPOUND.sub(
        lambda m: m.group(0).replace("-", NBHY) if _keeps_together(m.group(0)) else m.group(0),
        text,
    )


def _pdf_line(line: str) -> str:
    """A typeset line for the PDF: each non-breaking hyphen as a hyphen and a word joiner
    (U+2060): Liberation Serif has no U+2011 glyph, Pango does not break at a word joiner, and
    text copied from the PDF keeps a plain "-". (A no-wrap span does the same but makes
    WeasyPrint 70 strand a hyphenated word on a line of its own in justified text.)"""
    return typeset(line).replace(NBHY, "-" + WORD_JOINER)


def _html(lines: list[str], for_pdf: bool) -> SafeString:
    """Lines as HTML joined by line breaks; typeset for the PDF."""
    return mark_safe(  # noqa: S308 - every line is escaped
        "<br>".join(escape(_pdf_line(line) if for_pdf else line) for line in lines)
    )


def paragraphs(draft) -> list[dict]:
    """Blocks as paragraphs: {key, css, lines}; empty blocks are left out of the document."""
    return [
        {
            "key": b["key"],
            "css": "reference" if b["key"].startswith("reference_") else b["key"],
            "lines": b["text"].split("\n"),
        }
        for b in draft.blocks
        if b["text"].strip()
    ]


def layout(draft, for_pdf: bool = False) -> dict:
    """The letter's parts from the draft's blocks, as HTML: header blocks by key, the body
    paragraphs in order ({key, css, html}), the signature split into the position (every line
    but the last) and the name (the last line), the executor's lines."""
    parts: dict = {"body": []}
    for item in paragraphs(draft):
        key, lines = item["key"], item["lines"]
        if key == "signature":
            parts["position"] = _html(lines[:-1], for_pdf)
            parts["name"] = _html(lines[-1:], for_pdf)
        elif key in HEADER or key in CLOSING:
            parts[key] = _html(lines, for_pdf)
        else:
            parts["body"].append({**item, "html": _html(lines, for_pdf)})
    return parts


def title(draft) -> str:
    """The document's title (PDF metadata): the reference to the inquiry, else its number."""
    ref = next((b["text"] for b in draft.blocks if b["key"] == "inquiry_ref"), "")
    return " ".join(ref.split()) or str(draft.inquiry.number)


def to_html(draft, for_pdf: bool = False) -> str:
    return render_to_string("letters/reply.html", {
        "draft": draft, "lang": draft.lang, "title": title(draft), "letter": layout(draft, for_pdf),
        "fonts": FONTS.as_uri(), "for_pdf": for_pdf, "hyphenate": draft.lang in HYPHENATED,
        "margins": MARGINS_MM, "body_pt": BODY_PT, "line_pt": LINE_PT, "small_pt": SMALL_PT,
        "small_line_pt": SMALL_LINE_PT, "after_pt": AFTER_PT, "indent_mm": INDENT_MM,
    })  # fmt: skip


def to_html_bytes(draft) -> bytes:
    return to_html(draft).encode("utf-8")


def to_pdf(draft) -> bytes:
    """The PDF/A-2b document (XMP metadata, an sRGB output intent, every font embedded)."""
    from weasyprint import HTML

    return HTML(string=to_html(draft, for_pdf=True), base_url=str(FONTS)).write_pdf(
        pdf_variant=PDF_VARIANT
    )


def _page_number_field(paragraph) -> None:
    """Insert a PAGE field (Word computes it) into ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


# Named paragraph styles of the DOCX, so that an official restyles the letter in one place.
DOCX_STYLES = {
    "address": "Qorgau Address",
    "outgoing": "Qorgau Header",
    "inquiry_ref": "Qorgau Header",
    "addressee": "Qorgau Addressee",
    "salutation": "Qorgau Salutation",
    "signature": "Qorgau Signature",
    "name": "Qorgau Signature Name",
    "executor": "Qorgau Executor",
    "reference": "Qorgau Reference",
    "body": "Qorgau Body",
}
DOCX_LANG = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}


def _docx_styles(document, lang: str) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), "Times New Roman")
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), DOCX_LANG.get(lang, "ru-RU"))
    normal.element.get_or_add_rPr().append(language)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.widow_control = True  # widows and orphans: at least 2 lines

    def add(name, base, alignment=None, bold=None, italic=None, before=None, after=None):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = base
        style.quick_style = True
        if alignment is not None:
            style.paragraph_format.alignment = alignment
        if bold is not None:
            style.font.bold = bold
        if italic is not None:
            style.font.italic = italic
        if before is not None:
            style.paragraph_format.space_before = Pt(before)
        if after is not None:
            style.paragraph_format.space_after = Pt(after)
        return style

    justify = WD_ALIGN_PARAGRAPH.JUSTIFY if lang in HYPHENATED else WD_ALIGN_PARAGRAPH.LEFT
    address = add(DOCX_STYLES["address"], normal, WD_ALIGN_PARAGRAPH.CENTER, after=12)
    address.font.size = Pt(12)
    address.paragraph_format.line_spacing = Pt(13.8)
    add(DOCX_STYLES["outgoing"], normal, WD_ALIGN_PARAGRAPH.LEFT)
    add(DOCX_STYLES["addressee"], normal, WD_ALIGN_PARAGRAPH.LEFT, bold=True)
    add(DOCX_STYLES["salutation"], normal, WD_ALIGN_PARAGRAPH.CENTER, bold=True, before=12,
        after=12)  # fmt: skip
    add(DOCX_STYLES["signature"], normal, WD_ALIGN_PARAGRAPH.LEFT, bold=True)
    add(DOCX_STYLES["name"], normal, WD_ALIGN_PARAGRAPH.RIGHT, bold=True)
    executor = add(DOCX_STYLES["executor"], normal, WD_ALIGN_PARAGRAPH.LEFT)
    executor.font.size = Pt(SMALL_PT)
    executor.paragraph_format.line_spacing = Pt(SMALL_LINE_PT)
    body = add(DOCX_STYLES["body"], normal, justify, after=AFTER_PT)
    body.paragraph_format.first_line_indent = Mm(INDENT_MM)
    add(DOCX_STYLES["reference"], body, italic=True)


def _add_text(paragraph, text: str) -> None:
    """``text`` (typeset) into ``paragraph``: line breaks as breaks, U+2011 as Word's
    non-breaking hyphen (``w:noBreakHyphen``, which LibreOffice reads as its own)."""
    from docx.oxml import OxmlElement

    pieces = text.split(NBHY)
    for i, piece in enumerate(pieces):
        run = paragraph.add_run(piece)
        if i < len(pieces) - 1:
            run._r.append(OxmlElement("w:noBreakHyphen"))


def _borderless(table) -> None:
    """No borders and no cell padding on the sides: the table only places text in columns."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    properties.append(margins)
    layout_ = OxmlElement("w:tblLayout")
    layout_.set(qn("w:type"), "fixed")
    properties.append(layout_)


def _two_columns(document, widths_mm: tuple[float, float]):
    """A borderless one-row table of two columns that cannot split across pages."""
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))
    for cell in table.rows[0].cells:  # python-docx gives each cell an empty paragraph
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return table


def _cell_paragraph(cell, text: str, style: str):
    paragraph = cell.add_paragraph(style=style)
    _add_text(paragraph, typeset(text))
    return paragraph


def _docx_page(document, lang: str) -> None:
    """A4 with the letter's margins; page numbers (10 pt) from the second page on; Word's
    automatic hyphenation for a language with a dictionary."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    # The footer sits in the bottom margin, as the PDF's page number does.
    section.footer_distance = Mm(8)
    if lang in HYPHENATED:  # Word hyphenates Russian automatically, as the PDF does
        document.settings.element.append(OxmlElement("w:autoHyphenation"))
    # Page numbers from the second page on: official letters leave the first page unnumbered.
    section.different_first_page_header_footer = True
    section.first_page_footer.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style.font.size = Pt(SMALL_PT)
    _page_number_field(footer)


def _docx_header(document, blocks: dict[str, str], width: float) -> None:
    """The letterhead's address, then outgoing number and reference (left) beside the
    addressee (right half), then one empty line."""
    from docx.shared import Pt

    if "address" in blocks:
        _add_text(document.add_paragraph(style=DOCX_STYLES["address"]), blocks["address"])
    if not {"outgoing", "inquiry_ref", "addressee"} & blocks.keys():
        return
    left, right = _two_columns(document, (width / 2, width / 2)).rows[0].cells
    for key in ("outgoing", "inquiry_ref"):
        if key in blocks:
            _cell_paragraph(left, blocks[key], DOCX_STYLES[key])
    if "addressee" in blocks:
        _cell_paragraph(right, blocks["addressee"], DOCX_STYLES["addressee"])
    for cell in (left, right):
        if not cell.paragraphs:
            cell.add_paragraph()
    gap = document.add_paragraph(style=DOCX_STYLES["outgoing"])
    gap.paragraph_format.space_after = Pt(0)


def _docx_closing(document, blocks: dict[str, str], last, width: float) -> None:
    """The signature (position left, name right on its last line) kept with the last body
    paragraph ``last``, and the executor's lines."""
    from docx.shared import Pt

    if "signature" not in blocks:
        if "executor" in blocks:
            paragraph = document.add_paragraph(style=DOCX_STYLES["executor"])
            paragraph.paragraph_format.space_before = Pt(EXECUTOR_GAP_PT)
            _add_text(paragraph, typeset(blocks["executor"]))
        return
    if last is not None:  # the signature never alone on a page
        last.paragraph_format.keep_with_next = True
    spacer = document.add_paragraph(style=DOCX_STYLES["signature"])  # one empty line
    spacer.paragraph_format.keep_with_next = True
    lines = blocks["signature"].split("\n")
    left, right = _two_columns(document, (width * 0.72, width * 0.28)).rows[0].cells
    # The name on the position's last line: empty lines above it in its top-aligned cell.
    for line in lines[:-1] or [""]:
        _cell_paragraph(left, line, DOCX_STYLES["signature"])
    for _line in lines[:-2]:
        right.add_paragraph(style=DOCX_STYLES["name"])
    _cell_paragraph(right, lines[-1], DOCX_STYLES["name"])
    if "executor" in blocks:
        # Under the position, in the same unsplittable row: LibreOffice keeps neither a frame
        # nor a paragraph after a table on the table's page, so this keeps it on the last page.
        paragraph = _cell_paragraph(left, blocks["executor"], DOCX_STYLES["executor"])
        paragraph.paragraph_format.space_before = Pt(EXECUTOR_GAP_PT)


def to_docx(draft) -> bytes:
    from docx import Document

    document = Document()
    _docx_page(document, draft.lang)
    _docx_styles(document, draft.lang)
    blocks = {item["key"]: "\n".join(item["lines"]) for item in paragraphs(draft)}
    width = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
    _docx_header(document, blocks, width)
    last = None
    for item in paragraphs(draft):
        key = item["key"]
        if key in HEADER + CLOSING:
            continue
        style = (
            DOCX_STYLES.get(key)
            or DOCX_STYLES["reference" if key.startswith("reference_") else "body"]
        )
        last = document.add_paragraph(style=style)
        _add_text(last, typeset("\n".join(item["lines"])))
    _docx_closing(document, blocks, last, width)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
