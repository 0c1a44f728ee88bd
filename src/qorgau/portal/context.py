"""Template context of the public pages: the exit address and the page in other languages."""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation

NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def home_in(lang: str) -> str:
    """The address of the public home page in ``lang``."""
    with translation.override(lang):
        return reverse("portal:home")


def portal(request):
    """For a public page, and for a missing one under a language prefix (the public 404 page,
    ``portal.views.not_found``: its language links lead home); nothing for the staff pages."""
    match = request.resolver_match
    missing = match is None or getattr(request, "portal_not_found", False)
    if missing and translation.get_language_from_path(request.path_info):
        link = home_in
    elif match is not None and match.namespace == "portal":
        path = request.get_full_path()

        def link(code: str) -> str:
            return translate_url(path, code)

    else:
        return {}
    return {
        "exit_url": settings.PORTAL_EXIT_URL,
        "lang_links": [(code, NAMES[code], link(code)) for code, _name in settings.LANGUAGES],
    }
