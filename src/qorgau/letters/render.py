"""Render a reply draft as HTML (preview), PDF (WeasyPrint, DejaVu Serif embedded: every Kazakh
letter) and DOCX (python-docx: styles, A4 with the margins of an official letter, page numbers)."""

import io
from pathlib import Path

from django.template.loader import render_to_string

FONTS = Path(__file__).resolve().parent / "fonts"
# Official letter layout (A4): margins in millimetres, body text 14 pt.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14
HEADER_KEYS = {"address", "outgoing", "addressee", "inquiry_ref"}


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


def to_docx(draft) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    body = document.styles.add_style("Qorgau Body", 1)
    body.base_style = normal
    body.paragraph_format.first_line_indent = Mm(12.5)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.paragraph_format.space_after = Pt(6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)

    for item in paragraphs(draft):
        key, text = item["key"], "\n".join(item["lines"])
        if key in HEADER_KEYS:
            paragraph = document.add_paragraph(style=normal)
            run = paragraph.add_run(text)
            if key == "addressee":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                run.bold = True
            elif key == "address":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(12)
        elif key == "salutation":
            paragraph = document.add_paragraph(style=normal)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(text).bold = True
            paragraph.paragraph_format.space_after = Pt(12)
        elif key == "signature":
            paragraph = document.add_paragraph(style=normal)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.space_before = Pt(24)
            paragraph.add_run(text).bold = True
        else:
            paragraph = document.add_paragraph(text, style=body)
            if key.startswith("reference_"):
                for run in paragraph.runs:
                    run.italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
