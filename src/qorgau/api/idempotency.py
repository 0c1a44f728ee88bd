"""``Idempotency-Key`` on every POST: the first successful answer of a caller's key is stored in
the same transaction as the change it reports, and replayed to every retry; so a retried
registration returns the first case and never a second number.

Two calls with the same key at the same time: the second one's INSERT of the key waits on the
unique index until the first commits (PostgreSQL), then finds the stored answer and replays it.
A refused call (4xx) is rolled back with the key: retrying it runs it again.

A key is kept ``QORGAU_IDEMPOTENCY_DAYS`` days (:func:`expiry`): after that it is forgotten, and
a call with it is a new request, even before ``qorgau api-client purge-idempotency`` deletes
the row (:func:`purge_expired`)."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from qorgau.access import policy
from qorgau.audit import log
from qorgau.core.actors import Actor

from . import actions
from .auth import caller_id
from .models import IdempotencyKey
from .problems import KeyReused

HEADER = "Idempotency-Key"
MAX_KEY = 200
# Headers of the first answer replayed with it.
KEPT_HEADERS = ("Location", "ETag")
NDJSON = "application/x-ndjson"


def expiry(now: dt.datetime | None = None) -> dt.datetime:
    """The moment before which a stored key is forgotten: ``QORGAU_IDEMPOTENCY_DAYS`` ago."""
    return (now or timezone.now()) - dt.timedelta(days=settings.QORGAU_IDEMPOTENCY_DAYS)


def purge_expired(actor: Actor) -> int:
    """Delete the keys older than the retention (``api.idempotency.purge``, one entry with the
    count, also when nothing was deleted); returns how many. A retry after the retention is
    a new request whether or not its old key was purged (:func:`run`)."""
    policy.ensure(actor, "admin.site")
    before = expiry()
    with transaction.atomic():
        deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=before).delete()
        log.write(actor, actions.IDEMPOTENCY_PURGE, details={
            "deleted": deleted, "created_before": before.isoformat(),
            "days": settings.QORGAU_IDEMPOTENCY_DAYS,
        })  # fmt: skip
    return deleted


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: IdempotencyKey) -> Any:
    """The stored answer again; a streamed NDJSON answer as its first line (the counts)."""
    media = stored.headers.get("Content-Type", "")
    response: Any
    if media.startswith(NDJSON):
        response = HttpResponse(json.dumps(stored.body) + "\n", content_type=media,
                                status=stored.status)  # fmt: skip
    else:
        response = Response(stored.body, status=stored.status)
    for name, value in stored.headers.items():
        if name != "Content-Type":
            response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def stream_fingerprint(request: Request) -> str:
    """The fingerprint of a streamed request (a bulk upload, not read before it is processed):
    method, path and query, media type and length."""
    meta = request._request.META
    text = "\n".join([request.method or "", request.get_full_path(),
                      meta.get("CONTENT_TYPE", ""), meta.get("CONTENT_LENGTH", "")])  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def run(request: Request, handle: Callable[[], Any], *, fingerprint: str | None = None) -> Any:
    """Answer a POST through ``handle`` once per (caller, ``Idempotency-Key``): the key is
    required; a key seen with another request (method, path or body) is a 422. A streamed
    answer keeps what it puts in its ``data`` attribute (a bulk upload: its counts)."""
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError(
            {HEADER: [_("Send an Idempotency-Key header (1 to 200 characters) with every POST.")]}
        )
    owner = caller_id(request)
    fingerprint = fingerprint or _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    owner=owner, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            # Locked, so that of two calls taking over the same expired key the second waits
            # for the first and then replays its answer.
            stored = IdempotencyKey.objects.select_for_update().get(owner=owner, key=key)
            if stored.created_at >= expiry():
                if stored.fingerprint != fingerprint:
                    raise KeyReused() from None
                return _replay(stored)
            # Expired and not yet purged: forgotten. The row (the unique index's entry) is
            # taken over for this call; a refused call rolls it back to the expired answer.
            record = stored
            record.fingerprint, record.created_at = fingerprint, timezone.now()
            record.status, record.body, record.headers = 0, None, {}
            record.save(update_fields=["fingerprint", "created_at", "status", "body", "headers"])
        response = handle()
        record.status = response.status_code
        record.body = json.loads(json.dumps(getattr(response, "data", None), default=str))
        record.headers = {h: response[h] for h in KEPT_HEADERS if h in response}
        if response.get("Content-Type", "").startswith(NDJSON):
            record.headers["Content-Type"] = response["Content-Type"]
        record.save(update_fields=["status", "body", "headers"])
    return response
