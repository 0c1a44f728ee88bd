"""``Idempotency-Key`` on every POST: the first successful answer of a caller's key is stored in
the same transaction as the change it reports, and replayed to every retry; so a retried
registration returns the first case and never a second number.

Two calls with the same key at the same time: the second one's INSERT of the key waits on the
unique index until the first commits (PostgreSQL), then finds the stored answer and replays it.
A refused call (4xx) is rolled back with the key: retrying it runs it again."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .auth import caller_id
from .models import IdempotencyKey
from .problems import KeyReused

HEADER = "Idempotency-Key"
MAX_KEY = 200
# Headers of the first answer replayed with it.
KEPT_HEADERS = ("Location", "ETag")
NDJSON = "application/x-ndjson"


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
            stored = IdempotencyKey.objects.get(owner=owner, key=key)
            if stored.fingerprint != fingerprint:
                raise KeyReused() from None
            return _replay(stored)
        response = handle()
        record.status = response.status_code
        record.body = json.loads(json.dumps(getattr(response, "data", None), default=str))
        record.headers = {h: response[h] for h in KEPT_HEADERS if h in response}
        if response.get("Content-Type", "").startswith(NDJSON):
            record.headers["Content-Type"] = response["Content-Type"]
        record.save(update_fields=["status", "body", "headers"])
    return response
