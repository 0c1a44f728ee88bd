"""Errors as RFC 9457 problem documents (``application/problem+json``): a stable ``type`` per
kind of error (``urn:qorgau:problem:<slug>``, listed in docs/api.md), a ``title`` in the
caller's language (``Accept-Language``: kk, ru, en), the ``status``, a ``detail`` and, for
input errors, ``errors``: every ``{"field", "message"}``. The domain errors of
``core.errors`` and the REST framework's own errors both come out this way."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from qorgau.access import actions as access_actions
from qorgau.audit import log
from qorgau.core.errors import Conflict, Invalid, NotAllowed, QorgauError

from .auth import actor_of

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:qorgau:problem:"

# status → (slug, title): the one list of problem types (docs/api.md "Errors" repeats it).
TYPES: dict[int, tuple[str, Any]] = {
    400: ("invalid", _("The request is invalid.")),
    401: ("not-authenticated", _("Authentication is required.")),
    403: ("forbidden", _("You are not allowed to do this.")),
    404: ("not-found", _("Not found.")),
    405: ("method-not-allowed", _("Method not allowed.")),
    406: ("not-acceptable", _("The requested format is not available.")),
    409: ("conflict", _("The records do not allow this change now.")),
    412: ("precondition-failed", _("The record has changed since you read it.")),
    415: ("unsupported-media-type", _("Unsupported media type.")),
    422: ("idempotency-key-reused", _("This Idempotency-Key was used for another request.")),
    428: ("precondition-required", _("This request must be conditional.")),
    429: ("too-many-requests", _("Too many requests.")),
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The ETag in If-Match is not the record's current one: read it again.")


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the record's ETag in If-Match.")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The Idempotency-Key was already used with another request body or path.")


def problem(
    status_code: int, detail: str = "", errors: list[dict[str, str]] | None = None, **extra: Any
) -> Response:
    """A problem document as a response."""
    slug, title = TYPES.get(status_code, ("error", _("Error.")))
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": str(title),
        "status": status_code,
        "detail": detail or str(title),
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(body, status=status_code, content_type=CONTENT_TYPE)


def _field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """The REST framework's nested error detail as a flat list of field and message."""
    found: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            found += _field_errors(value, f"{prefix}.{name}" if prefix and name else prefix or name)
    elif isinstance(detail, list):
        for item in detail:
            found += _field_errors(item, prefix)
    else:
        found.append({"field": prefix, "message": str(detail)})
    return found


def _record_refusal(exc_status: int, context: dict[str, Any]) -> None:
    """A refused call leaves its ``access.denied`` entry, like a refused page."""
    request = context.get("request")
    if request is None or not request.user or not request.user.is_authenticated:
        return
    view = context.get("view")
    log.write(
        actor_of(request),
        access_actions.ACCESS_DENIED,
        details={
            "status": exc_status,
            "asked": getattr(view, "policy_action", ""),
            "method": request.method,
            "path": request.get_full_path()[:500],
            "ref": {k: str(v) for k, v in (context.get("kwargs") or {}).items()},
        },
    )


def handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The REST framework's exception handler: every error as a problem document."""
    if isinstance(exc, Invalid):
        found = [{"field": field or "", "message": str(msg)} for field, msg in exc.problems]
        return problem(400, str(exc), found)
    if isinstance(exc, NotAllowed):
        _record_refusal(403, context)
        return problem(403, str(exc))
    if isinstance(exc, Conflict):
        conflict = [{"field": exc.field, "message": str(exc)}] if exc.field else None
        return problem(409, str(exc), conflict)
    if isinstance(exc, QorgauError):
        return problem(exc.status, str(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 (logged), never the exception's text
    code = response.status_code
    if code in (403, 404):
        _record_refusal(code, context)
    detail = getattr(exc, "detail", "")
    errors: list[dict[str, str]] | None = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(detail)
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                           for e in errors)  # fmt: skip
    result = problem(code, str(detail), errors)
    for header in ("Retry-After", "WWW-Authenticate", "Allow"):
        if header in response:
            result[header] = response[header]
    if code == 429 and "Retry-After" not in result:
        result["Retry-After"] = "60"
    return result


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 400 handler (``qorgau.urls.handler400``): a request refused before any view
    (a control character in it: ``core.middleware``) is a problem document under ``/api/``, and
    Django's translated 400 page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    slug, title = TYPES[400]
    body = {"type": TYPE_PREFIX + slug, "title": str(title), "status": 400,
            "detail": gettext("Bad request")}  # fmt: skip
    return JsonResponse(body, status=400, content_type=CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip


@csrf_exempt  # nothing is changed; a POST to a wrong address is a 404 like a GET
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Any other address under ``/api/v1/``: a 404 problem document (not the site's HTML page)."""
    slug, title = TYPES[404]
    body = {"type": TYPE_PREFIX + slug, "title": str(title), "status": 404, "detail": str(title)}
    return JsonResponse(body, status=404, content_type=CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip
