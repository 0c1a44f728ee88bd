"""The change feed: every change to a case or a report, in commit order, for systems that mirror
the registry (docs/api.md, "Change feed"; ``GET /api/v1/changes``).

**The outbox.** Each service that changes a case or a report calls :func:`record` in its own
transaction, after its audit entry: a :class:`~qorgau.registry.models.Change` row with the
object's pseudonymous representation after the change (:func:`case_data`, :func:`report_data`).
The bulk import writes one row per case it creates (``bulk.write_all``, by ``COPY``), the
bulk upsert one per case it creates or changes. The row commits or rolls back with the change.

**Commit order.** A position taken from a sequence is not enough: transaction A takes 10,
transaction B takes 11 and commits first; a reader at that moment sees 11, resumes "after 11"
and never sees 10. Here a position is taken only while holding the audit trail's
transaction-level advisory lock (``audit/migrations/0004``: every audit entry takes it, held to
the commit), so the writers of the feed are serialised from their position to their commit:
B cannot take a position until A has committed (or rolled back), and when B's row is visible,
A's is too. The services already hold that lock when they record (their audit entry comes
first), so the feed costs no extra waiting; :func:`record` takes it again (a no-op when held)
so that the order does not depend on the caller. The alternative, a transaction id per row and
a reader that stops at the oldest running transaction (``pg_snapshot_xmin``), needs no lock but
makes every reader wait behind the longest writer and exposes transaction ids; the trail's lock
is already paid for. On SQLite there is one writer at a time (``BEGIN IMMEDIATE``): the order
of the ids is the commit order.

Positions have gaps (a rolled back transaction's ids are not reused on PostgreSQL); a cursor
is the last position read, as text, opaque to the consumer.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import write
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid

from . import actions
from .models import Case, Change, ChangeKind, Party, Report

# The audit trail's advisory lock key (audit/migrations/0004_hash_chain.py, CHAIN_LOCK).
FEED_LOCK = 7250115125
# The most rows one read of the feed returns.
MAX_LIMIT = 1000


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    """A date-time in Kazakhstan time with its offset (``+05:00``); a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def party_data(party: Party) -> dict[str, Any]:
    """A party as the feed shows it: pseudonymous attributes only."""
    return {
        "role": party.role,
        "sex": party.sex,
        "age_band": party.age_band,
        "is_minor": party.is_minor,
        "relationship": party.relationship,
    }


def case_data(case: Case, parties: Iterable[Party] | None = None) -> dict[str, Any]:
    """The case's representation in the feed: its numbers, region, qualification, status, term
    and pseudonymous parties (codes, not labels; no free text)."""
    if parties is None:
        parties = case.parties.all()
    part = case.article_part
    return {
        "id": case.pk,
        "number": case.number,
        "erdr_number": case.erdr_number,
        "region": case.region.code,
        "registered_at": _iso(case.registered_at),
        "article": part.article.code,
        "part": part.number,
        "status": case.status,
        "status_at": _iso(case.status_at),
        "termination_ground": case.termination_ground,
        "suspension_ground": case.suspension_ground,
        "joined_to": case.joined_to_id,
        "investigating_body": case.investigating_body.code if case.investigating_body else "",
        "term_ends_on": _iso(case.term_ends_on),
        "is_demo": case.is_demo,
        "parties": [party_data(p) for p in sorted(parties, key=lambda p: (p.role, p.pk))],
    }


def report_data(report: Report) -> dict[str, Any]:
    """The report's representation in the feed: when, how, where, the decision (no summary
    and no note: free text stays on the pages)."""
    return {
        "id": report.pk,
        "received_at": _iso(report.received_at),
        "channel": report.channel,
        "receiving_body": report.receiving_body.code,
        "region": report.region.code,
        "suggested_article": report.suggested_article.code if report.suggested_article else "",
        "decision": report.decision,
        "decided_at": _iso(report.decided_at),
        "is_demo": report.is_demo,
    }


def lock() -> None:
    """Take the feed's order lock (the trail's), held to the commit; a no-op on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])


@dataclass
class Deferred:
    """Changes noted during a long transaction, written together at its end (:func:`flush`):
    the object's kind, id and action, packed (8 + 1 + 1 bytes a change)."""

    ids: array = field(default_factory=lambda: array("q"))
    kinds: array = field(default_factory=lambda: array("b"))
    actions: array = field(default_factory=lambda: array("b"))
    names: list[str] = field(default_factory=list)

    def add(self, obj: Case | Report, action: str) -> None:
        name = str(action)
        if name not in self.names:
            self.names.append(name)
        self.ids.append(obj.pk)
        self.kinds.append(0 if isinstance(obj, Case) else 1)
        self.actions.append(self.names.index(name))


_deferred: contextvars.ContextVar[Deferred | None] = contextvars.ContextVar(
    "qorgau_changes_deferred", default=None
)


@contextmanager
def deferred() -> Iterator[Deferred]:
    """Inside the block :func:`record` only notes the change; the caller writes the rows with
    :func:`flush` at the end of its transaction, after its other locks (the trail's lock, which
    orders the feed, is then held only from there to the commit: a bulk upsert that took it at
    its first row would hold it while taking number sequences row after row, the opposite order
    of a registration, and deadlock with one)."""
    noted = Deferred()
    token = _deferred.set(noted)
    try:
        yield noted
    finally:
        _deferred.reset(token)


def flush(noted: Deferred, batch: int = 1000) -> int:
    """Write the feed rows of the changes ``noted`` (each object read as it is now), in the
    caller's transaction; returns how many."""
    lock()
    total = len(noted.ids)
    for start in range(0, total, batch):
        end = min(start + batch, total)
        ids = noted.ids[start:end]
        kinds = noted.kinds[start:end]
        cases = {
            c.pk: c
            for c in _cases().filter(pk__in=[i for i, k in zip(ids, kinds, strict=True) if k == 0])
        }
        reports = {
            r.pk: r
            for r in _reports().filter(
                pk__in=[i for i, k in zip(ids, kinds, strict=True) if k == 1]
            )
        }
        rows = []
        for place in range(start, end):
            pk, kind, action = (
                noted.ids[place],
                noted.kinds[place],
                noted.names[noted.actions[place]],
            )
            obj: Case | Report = cases[pk] if kind == 0 else reports[pk]
            rows.append(_row(obj, action))
        Change.objects.bulk_create(rows)
    return total


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "region", "article_part__article", "investigating_body"
    ).prefetch_related("parties")


def _reports() -> QuerySet[Report]:
    return Report.objects.select_related("region", "receiving_body", "suggested_article")


def _row(obj: Case | Report, action: str) -> Change:
    if isinstance(obj, Case):
        kind, data = ChangeKind.CASE, case_data(obj)
    else:
        kind, data = ChangeKind.REPORT, report_data(obj)
    return Change(
        kind=kind, object_id=obj.pk, action=str(action), region_id=obj.region_id, data=data
    )


def record(obj: Case | Report, action: str) -> Change | None:
    """Append the feed row of ``obj`` after ``action`` (an audit code), inside the caller's
    transaction: the object is read again as committed with this transaction. Inside
    :func:`deferred`, only noted (None)."""
    if not connection.in_atomic_block:
        raise RuntimeError("changes.record runs inside the change's transaction")
    noted = _deferred.get()
    if noted is not None:
        noted.add(obj, action)
        return None
    lock()
    fresh = _cases().get(pk=obj.pk) if isinstance(obj, Case) else _reports().get(pk=obj.pk)
    change = _row(fresh, action)
    change.save(force_insert=True)
    return change


def parse_cursor(after: str | None) -> int:
    """The position a cursor names (0: the beginning)."""
    if after is None or after == "":
        return 0
    if not after.isascii() or not after.isdigit() or len(after) > 18:
        raise Invalid("after", _("Not a cursor of the change feed."))
    return int(after)


def feed(actor: Actor, after: str | None, limit: int) -> tuple[list[dict[str, Any]], str]:
    """The changes after the cursor ``after`` (None: from the beginning) that ``actor`` may see
    (cases with ``case.view``, reports with ``report.view``, in their scope), oldest first, at
    most ``limit`` (1 … ``MAX_LIMIT``); and the cursor to resume from (``after`` itself when
    nothing is new). One ``change.feed`` read entry per call."""
    position = parse_cursor(after)
    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = Change.objects.filter(id__gt=position)
    seen = Q(pk__in=[])
    for kind, action in ((ChangeKind.CASE, "case.view"), (ChangeKind.REPORT, "report.view")):
        regions = policy.regions_for(actor, action)
        if not regions.exists():
            continue
        if policy.scope_of(actor).national:
            seen |= Q(kind=kind)
        else:
            seen |= Q(kind=kind, region__in=list(regions.values_list("pk", flat=True)))
    found = list(
        rows.filter(seen)
        .order_by("id")
        .values("id", "kind", "object_id", "action", "at", "data")[:limit]
    )
    result = [
        {
            "position": str(row["id"]),
            "kind": row["kind"],
            "id": row["object_id"],
            "action": row["action"],
            "at": _iso(row["at"]),
            "data": row["data"],
        }
        for row in found
    ]
    cursor = result[-1]["position"] if result else str(position) if position else ""
    write(
        actor,
        actions.CHANGE_FEED,
        details={"after": str(position), "limit": limit, "count": len(result), "next": cursor},
    )
    return result, cursor
