"""Health endpoints for whatever runs Qorgau (systemd, a container engine, a load balancer).

- ``/healthz`` (live): 200 and ``ok`` while the process answers; no database query, so a
  database outage does not get healthy workers restarted.
- ``/readyz`` (ready): 200 and ``ready`` when the database answers ``SELECT 1`` and no migration
  is unapplied; 503 and ``not ready`` otherwise (the cause goes to the log, never to the body).

Both are open to anyone, leave no audit entry, are never cached and show no version. They are
answered by :class:`HealthProbeMiddleware`, third in MIDDLEWARE, before Django's
SecurityMiddleware and CommonMiddleware: a probe comes over plain HTTP to the server's own
address (``http://127.0.0.1:8000/healthz``), which production would otherwise redirect to HTTPS
or refuse as a host not in ALLOWED_HOSTS. Their answers still carry the security headers and
the Content-Security-Policy (the two middleware before it). The same views are in the URL
configuration, so the URL × role table and the audit classification of pages list them.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


def database_ready(connection=None) -> bool:
    """Does the database answer ``SELECT 1``, with every migration applied? Any failure is
    logged and means no."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        # A readiness probe fails closed whatever the error; the reason is for the operator.
        logger.warning("readyz: the database is not ready", exc_info=True)
        return False
    if unapplied:
        logger.warning("readyz: %d migration(s) not applied", len(unapplied))
        return False
    return True


def healthz(request: HttpRequest) -> HttpResponse:
    """Live: the process answers."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _plain("ok")


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready: the database answers and is migrated (else 503)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if database_ready():
        return _plain("ready")
    return _plain("not ready", status=503)


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    """Answers a bare ``GET /healthz`` or ``/readyz`` (no query string) before the host check,
    the HTTPS redirect, the session and the user (see the module's docstring). Every other
    request passes on, a probe path with a query too: it then goes the way of every page (a
    control character in it is refused with a 400, as anywhere)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and not request.META.get("QUERY_STRING"):
            return probe(request)
        return self.get_response(request)
