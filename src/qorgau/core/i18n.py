"""Helpers for bilingual (trilingual) content stored as paired ``*_kk`` / ``*_ru`` / ``*_en`` fields."""

from django.utils import translation

LANGS = ("kk", "ru", "en")


def current_lang() -> str:
    """The active interface language reduced to one of kk/ru/en (kk when unknown)."""
    lang = (translation.get_language() or "kk").split("-")[0]
    return lang if lang in LANGS else "kk"


def localized(obj, field: str, lang: str | None = None) -> str:
    """Return ``obj.<field>_<lang>``, falling back to Kazakh then Russian when it is empty."""
    lang = lang or current_lang()
    for candidate in (lang, "kk", "ru", "en"):
        value = getattr(obj, f"{field}_{candidate}", "")
        if value:
            return value
    return ""
