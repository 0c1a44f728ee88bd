"""UNODC's International Classification of Crime for Statistical Purposes (ICCS 1.0).

Each article carries its ICCS code (``Article.iccs_code``, from ``data/offences.json`` and
``data/criminal_code_articles.json``); the labels of the codes used live in ``data/iccs.json``
with the document they come from. International tables (the statistics' breakdown by ICCS,
``qorgau export-cts``) read them here.
"""

import functools
import json
import re
from typing import Any

from qorgau.core.i18n import current_lang

from .loaders import DATA_DIR

ICCS_PATH = DATA_DIR / "iccs.json"
# A level-2, level-3 or level-4 code: 4, 5 or 6 digits (section 01–11 first).
CODE_RE = re.compile(r"^(0[1-9]|1[01])\d{2}(\d{1,2})?$")


@functools.cache
def _data() -> dict[str, Any]:
    return json.loads(ICCS_PATH.read_text(encoding="utf-8"))


def source() -> str:
    """The ICCS document the codes and labels come from."""
    return str(_data()["source"])


def version() -> str:
    """The ICCS version, as a short text ("ICCS 1.0 (2015)")."""
    return str(_data()["version"])


def codes() -> list[str]:
    """Every ICCS code the reference data knows, in the classification's order."""
    return sorted(_data()["categories"])


def label(code: str, lang: str | None = None) -> str:
    """The category's label in ``lang`` (the active language when None; English when the
    language has none); "" for an empty code, the code itself for one not in the data."""
    if not code:
        return ""
    entry = _data()["categories"].get(code)
    if entry is None:
        return code
    return str(entry.get(lang or current_lang()) or entry["en"])


def section(code: str) -> str:
    """The level-1 section of a code ("02" for "0208")."""
    return code[:2]
