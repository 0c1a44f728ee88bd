"""Render a reply draft as HTML (preview), PDF (WeasyPrint, DejaVu Serif regular, bold and italic
embedded: every Kazakh letter; body 14 pt as in the DOCX) and DOCX (python-docx: named paragraph
styles, A4 with the margins of an official letter, page numbers from the second page)."""

import io
from pathlib import Path

from django.template.loader import render_to_string

# WeasyPrint and python-docx (third-party, not project modules) are imported by the functions
# that use them: importing WeasyPrint takes about a second, which every page and command
# would otherwise pay.
FONTS = Path(__file__).resolve().parent / "fonts"
# Official letter layout (A4): margins in millimetres, body text 14 pt.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14


def paragraphs(draft) -> list[dict]:
    """Blocks as paragraphs: {key, lines}; empty blocks are left out of the document."""
    return [
        {
            "key": b["key"],
            "css": "reference" if b["key"].startswith("reference_") else b["key"],
            "lines": b["text"].split("\n"),
        }
        for b in draft.blocks
        if b["text"].strip()
    ]


def to_html(draft, for_pdf: bool = False) -> str:
    return render_to_string("letters/reply.html", {
        "draft": draft, "paragraphs": paragraphs(draft), "fonts": FONTS.as_uri(), "for_pdf": for_pdf,
        "margins": MARGINS_MM, "body_pt": BODY_PT,
    })  # fmt: skip


def to_html_bytes(draft) -> bytes:
    return to_html(draft).encode("utf-8")


def to_pdf(draft) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(draft, for_pdf=True), base_url=str(FONTS)).write_pdf()


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
    "reference": "Qorgau Reference",
    "body": "Qorgau Body",
}


def _docx_styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)

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

    add(DOCX_STYLES["address"], normal, WD_ALIGN_PARAGRAPH.CENTER, after=12)
    add(DOCX_STYLES["outgoing"], normal, WD_ALIGN_PARAGRAPH.LEFT, after=12)
    add(DOCX_STYLES["addressee"], normal, WD_ALIGN_PARAGRAPH.RIGHT, bold=True, after=12)
    add(DOCX_STYLES["salutation"], normal, WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=12)
    add(DOCX_STYLES["signature"], normal, WD_ALIGN_PARAGRAPH.RIGHT, bold=True, before=24)
    body = add(DOCX_STYLES["body"], normal, WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    body.paragraph_format.first_line_indent = Mm(12.5)
    add(DOCX_STYLES["reference"], body, italic=True)


def to_docx(draft) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    _docx_styles(document)
    # Page numbers from the second page on: official letters leave the first page unnumbered.
    section.different_first_page_header_footer = True
    section.first_page_footer.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)

    for item in paragraphs(draft):
        key, text = item["key"], "\n".join(item["lines"])
        style = (
            DOCX_STYLES.get(key)
            or DOCX_STYLES["reference" if key.startswith("reference_") else "body"]
        )
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
