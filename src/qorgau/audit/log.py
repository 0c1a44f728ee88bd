"""Writing the audit trail."""

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from django.db import models, transaction

from qorgau.core import privacy
from qorgau.core.actors import Actor
from qorgau.reference.models import Region

from . import actions, chain, context
from .models import AuditEntry


def _jsonable(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # One instant, one text: a value read back from the database (UTC) and the same value
        # entered in a form (local time) must compare equal, or an unchanged field is logged.
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model, *, redact: bool = True) -> dict:
    """The concrete field values of ``obj`` (foreign keys as ids), JSON-ready. The value of a
    sensitive free-text field (``qorgau.core.privacy``) is replaced by ``privacy.REDACTED``:
    the trail tells that it is set or changed, never what it says. ``redact=False`` gives the
    values themselves, to compare two snapshots; it must never be written to the trail."""
    values = {f.attname: _jsonable(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}
    return privacy.redact(obj.__class__, values) if redact else values


def scrubbed(value):
    """``value`` (details of an entry: filters, search words as typed) with every text that
    holds an IIN, a phone number or an e-mail address replaced by ``privacy.REDACTED``: what a
    user types into a search box is kept no more than what they type into a form."""
    if isinstance(value, str):
        return privacy.REDACTED if privacy.find(value) else value
    if isinstance(value, dict):
        return {key: scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrubbed(item) for item in value]
    return value


def with_reason(details: dict | None, reason: str | None) -> dict | None:
    """``details`` with the ``reason`` an actor gave for an action (``verb(…, *, reason=…)``)
    added under ``"reason"``; ``details`` unchanged when no reason is given. :func:`write`
    scrubs it like every text of the details (an IIN, a phone number or an e-mail address in
    it is not kept)."""
    if not reason or not reason.strip():
        return details
    return {**(details or {}), "reason": reason.strip()}


def _region_code(obj) -> str:
    """The ISO code of the region the record belongs to, for scoping the trail: its own region,
    else its case's (a party, a history row)."""
    if obj._meta.label_lower == "reference.region":
        return obj.code
    region_id = getattr(obj, "region_id", None)
    if region_id is None and getattr(obj, "case_id", None):
        cases = obj._meta.get_field("case").related_model._default_manager
        region_id = cases.filter(pk=obj.case_id).values_list("region_id", flat=True).first()
    return region_code_of(region_id)


# Region ids to ISO codes: twenty rows that do not change while the system runs.
_REGION_CODES: dict[int, str] = {}


def region_code_of(region_id: int | None) -> str:
    """The ISO code of the region ``region_id`` ("" for None), from a cached table."""
    if region_id is None:
        return ""
    if region_id not in _REGION_CODES:
        _REGION_CODES.update(Region.objects.values_list("pk", "code"))
    return _REGION_CODES.get(region_id, "")


def _no_region(user: Any) -> int | None:
    return None


# The one region of a person's scope (None: national, or none at all). Who sees which region is
# the access policy's rule, and the policy stands on the floor above the trail: it hands its
# answer over at start-up (``access/receivers.py`` calls :func:`file_people_under`), so the
# trail asks without importing it.
_region_of_person: Callable[[Any], int | None] = _no_region


def file_people_under(region_of: Callable[[Any], int | None]) -> None:
    """Let ``region_of(user)`` tell the region a person's entries about no record go under."""
    global _region_of_person  # set once, at start-up
    _region_of_person = region_of


def _context_region_code(user, details) -> str:
    """The region an entry about no single record (a search, an export, a statistics page)
    belongs to, so that the region's prosecutor sees it: the acting user's region when their
    scope is one region (they cannot see any other), else the region the search was narrowed
    to (``details["filters"]["region"]``), else none (a national entry)."""
    own = _region_of_person(user) if user is not None else None
    if own is not None:
        return region_code_of(own)
    filters = details.get("filters") if isinstance(details, dict) else None
    region = filters.get("region") if isinstance(filters, dict) else None
    if isinstance(region, str) and region:
        if not _REGION_CODES:
            region_code_of(0)  # load the table
        if region in _REGION_CODES.values():
            return region
    return ""


def write(
    actor: Actor,
    action: str,
    target=None,
    *,
    before=None,
    after=None,
    details=None,
    region_code: str = "",
) -> AuditEntry | None:
    """Append the one entry a service writes for what it did: ``actor`` did ``action`` (a code
    declared in ``audit.actions``) to ``target``, which was ``before`` and is ``after``.
    Inside ``context.entries_replaced()`` nothing is written and None is returned."""
    if not actions.is_declared(action):
        raise KeyError(f"audit action {action!r} is not declared: add it to an actions.py")
    return _append(actor, action, target, before, after, details, region_code)


def _append(actor: Actor, action, obj, before, after, details, region_code) -> AuditEntry | None:
    if context.replaced():
        return None  # the bulk action writes entries standing for all it did, at its end
    user = actor.user
    if user is not None and (
        not getattr(user, "is_authenticated", False) or not hasattr(user, "pk")
    ):
        user = None  # anonymous, or the command-line operator (named in ``source``)
    # A person by login name; the system by the name it was given (``system:load-demo``).
    username = user.get_username() if user is not None else actor.name
    entry = AuditEntry(
        user=user,
        username=username,
        source=actor.source,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=privacy.safe_repr(obj)[:200] if obj is not None else "",
        region_code=region_code
        or (_region_code(obj) if obj is not None else _context_region_code(user, details)),
        before=before,
        after=after,
        details=scrubbed(details),
    )
    if chain.database_sets_chain():
        entry.save()  # the trigger times and chains it
    else:
        # BEGIN IMMEDIATE when outermost: no other writer between seal and insert.
        with transaction.atomic(savepoint=False):
            chain.seal(entry)
            entry.save()
    return entry
