"""The printable case card: the case page's facts, parties and story as a PDF (WeasyPrint,
DejaVu Sans regular and bold embedded: every Kazakh letter), with who printed it and when.

The card holds what the page shows and nothing more: the parties by their pseudonymous
attributes (role, sex, age band), never a record's key; times in Kazakhstan time.
"""

import datetime as dt
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Case
from .timeline import Event

# WeasyPrint (third-party) is imported by :func:`to_pdf` only: importing it takes about a
# second, which every page and command would otherwise pay (as in letters/render.py).
FONTS = Path(__file__).resolve().parent / "fonts"


def to_html(
    case: Case, events: list[Event], facts: dict[str, Any], *, printed_by: str,
    printed_at: dt.datetime,
) -> str:  # fmt: skip
    """The card as one HTML document (fonts by file URL, styles inline: no request needed)."""
    return render_to_string(
        "registry/case_card.html",
        {
            "case": case,
            "events": events,
            "printed_by": printed_by,
            "printed_at": timezone.localtime(printed_at),
            "fonts": FONTS.as_uri(),
            **facts,
        },
    )


def to_pdf(html: str) -> bytes:
    """The card's HTML as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(FONTS)).write_pdf()
