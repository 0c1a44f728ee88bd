"""``Idempotency-Key`` on every POST: the first successful answer of a caller's key is stored in
the same transaction as the change it reports, and replayed to every retry; so a retried
registration returns the first case and never a second number.

Two calls with the same key at the same time: the second one's INSERT of the key waits on the
unique index until the first commits (PostgreSQL), then finds the stored answer and replays it.
A refused call (4xx) is rolled back with the key: retrying it runs it again."""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
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


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: IdempotencyKey) -> Response:
    response = Response(stored.body, status=stored.status)
    for name, value in stored.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def run(request: Request, handle: Callable[[], Response]) -> Response:
    """Answer a POST through ``handle`` once per (caller, ``Idempotency-Key``): the key is
    required; a key seen with another request (method, path or body) is a 422."""
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError(
            {HEADER: [_("Send an Idempotency-Key header (1 to 200 characters) with every POST.")]}
        )
    owner, fingerprint = caller_id(request), _fingerprint(request)
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
        record.body = json.loads(json.dumps(response.data, default=str))
        record.headers = {h: response[h] for h in KEPT_HEADERS if h in response}
        record.save(update_fields=["status", "body", "headers"])
    return response
