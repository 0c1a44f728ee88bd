"""Static files in production: served by the application itself through WhiteNoise, from
STATIC_ROOT, which ``qorgau collectstatic`` fills (``qorgau serve`` runs it when needed).

WhiteNoise answers ``/static/…`` right after Django's SecurityMiddleware, so its answers carry
every security header and the Content-Security-Policy as the pages do; the files are public
(GOV.UK Frontend, the admin's), so they are cacheable (60 seconds, then revalidated by ETag:
their names carry no hash). docs/operations.md says more.
"""

import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, quiet while STATIC_ROOT does not exist (the test suite, a checkout before
    ``collectstatic``): WhiteNoise warns about the missing directory each time the middleware is
    built, which the test client does for every client. Nothing is served from it then, and
    ``qorgau serve`` collects the files before a worker starts."""

    def add_files(self, root, prefix=None):
        static_root = self.static_root and os.path.abspath(self.static_root)
        if os.path.abspath(root) == static_root and not os.path.isdir(root):
            return
        super().add_files(root, prefix)


def uncollected() -> list[str]:
    """The static files that STATIC_ROOT lacks, or holds in a copy older than the source: what
    ``collectstatic`` would copy (empty when STATIC_ROOT is up to date)."""
    root = Path(settings.STATIC_ROOT)
    # collectstatic's own defaults (StaticFilesConfig.ignore_patterns: CVS, .*, *~)
    ignore = getattr(apps.get_app_config("staticfiles"), "ignore_patterns", [])
    stale = []
    seen = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            name = os.path.join(getattr(storage, "prefix", None) or "", path)
            if name in seen:  # the first finder's file wins, as in collectstatic
                continue
            seen.add(name)
            target = root / name
            source = Path(storage.path(path))
            if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
                stale.append(name)
    return sorted(stale)
