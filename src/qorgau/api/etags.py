"""The version of a case as an ETag, and the ``If-Match`` check of a change: a client that read
the case sends its ETag back; a change made meanwhile by anyone is a 412, not overwritten."""

import hashlib

from django.http import HttpRequest

from qorgau.registry.models import Case

from .problems import PreconditionFailed, PreconditionRequired


def etag(case: Case) -> str:
    """A strong ETag of everything about the case a change may alter (language aside)."""
    parties = list(case.parties.order_by("pk").values_list(
        "pk", "role", "sex", "age_band", "is_minor", "relationship", "consent_further_use"
    ))  # fmt: skip
    state = [
        case.number, case.erdr_number, case.status, case.status_at.isoformat(),
        case.article_part_id, case.term_ends_on.isoformat() if case.term_ends_on else "",
        case.termination_ground, case.suspension_ground, case.joined_to_id,
        case.investigating_body_id, parties,
    ]  # fmt: skip
    return '"' + hashlib.sha256(repr(state).encode()).hexdigest()[:32] + '"'


def check_if_match(request: HttpRequest, case: Case) -> None:
    """428 without ``If-Match``; 412 when it names no current version of ``case`` (call it with
    the case locked, inside the change's transaction)."""
    sent = request.headers.get("If-Match", "").strip()
    if not sent:
        raise PreconditionRequired()
    if sent == "*":
        return
    current = etag(case)
    tags = [t.strip().removeprefix("W/") for t in sent.split(",")]
    if current not in tags:
        raise PreconditionFailed()
