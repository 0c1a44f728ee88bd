"""Template context of the public pages: the exit address and the page in other languages."""

from django.conf import settings
from django.urls import translate_url

NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def portal(request):
    if not request.resolver_match or request.resolver_match.namespace != "portal":
        return {}
    return {
        "exit_url": settings.PORTAL_EXIT_URL,
        "lang_links": [
            (code, NAMES[code], translate_url(request.get_full_path(), code))
            for code, _name in settings.LANGUAGES
        ],
    }
