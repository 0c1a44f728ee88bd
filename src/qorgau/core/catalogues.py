"""Compile the gettext catalogues (``locale/*/LC_MESSAGES/django.po`` → ``.mo``).

``make`` runs this at install time, so a fresh machine needs no GNU gettext to run Qorgau
(``makemessages``, used by developers and CI to extract strings, still needs it).
Run: ``python -m qorgau.core.catalogues``.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write a .mo next to every .po that is newer than it; returns the files written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
