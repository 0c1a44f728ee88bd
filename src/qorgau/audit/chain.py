"""The audit trail as a hash chain: each entry stores the hash of the one before it.

Entry *n* has position ``seq = n`` (1, 2, 3 … without gaps), ``prev_hash`` = the hash of entry
*n − 1* ("" for the first) and ``hash`` = SHA-256 over its own fields and ``prev_hash``. Deleting,
altering or inserting an entry anywhere but at the end breaks a link that :func:`verify` finds.
(Removing the newest entries leaves a shorter chain that is still whole: ``audit-verify`` prints
the head — position and hash — so an operator can record it elsewhere and check it later with
``--anchor``.)

PostgreSQL: a ``BEFORE INSERT`` trigger (migration 0004) sets ``at = now()``, ``seq``,
``prev_hash`` and ``hash`` under a transaction-level advisory lock, whatever the client sent, so
the application's role cannot back-date or splice an entry; the hash is computed by the SQL
function ``qorgau_audit_entry_hash`` and verified by the same function. SQLite (the embedded
development default, which has no roles): :func:`seal` does the same in Python inside the
writer's ``BEGIN IMMEDIATE`` transaction, and :func:`verify` recomputes it in Python.

The chain lock is held from an entry's INSERT to its transaction's commit: code that writes many
entries in a long transaction (imports) writes them at the end, after its other locks.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.db import connections
from django.utils import timezone

from .models import AuditEntry

# Fields covered by the hash, in this order (the PostgreSQL function lists the same).
HASHED = [
    "seq", "at", "user_id", "username", "source", "action", "object_type", "object_id",
    "object_repr", "region_code", "before", "after", "details", "prev_hash",
]  # fmt: skip


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def python_hash(values: dict) -> str:
    """SHA-256 of an entry's hashed fields (SQLite; PostgreSQL computes it in SQL)."""
    items = [_utc(values[f]) if f == "at" else values[f] for f in HASHED]
    text = json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(entry: AuditEntry) -> None:
    """Give ``entry`` its time, position and hashes before it is inserted (SQLite only: the
    caller holds the database's write lock, so no other writer can take the same position)."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    entry.at = timezone.now()
    entry.seq = (last[0] if last else 0) + 1
    entry.prev_hash = last[1] if last else ""
    for name in ("before", "after", "details"):
        # As it will read back from the database (tuples as lists, keys as text).
        setattr(entry, name, json.loads(json.dumps(getattr(entry, name))))
    entry.hash = python_hash({f: getattr(entry, f) for f in HASHED})


def database_sets_chain(using: str = "default") -> bool:
    """Does the database itself chain the entries (a trigger), or must :func:`seal` do it?"""
    return connections[using].vendor == "postgresql"


@dataclass
class Verification:
    """What :func:`verify` found: the number of entries, the head and every broken link."""

    entries: int = 0
    head_seq: int = 0
    head_hash: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# One pass over the trail in chain order: each row's recomputed hash and its predecessor's.
_PG_VERIFY = """
SELECT seq, id, hash, prev_hash, qorgau_audit_entry_hash(e) AS recomputed,
       lag(seq) OVER w AS last_seq, lag(hash) OVER w AS last_hash
FROM audit_auditentry e
WINDOW w AS (ORDER BY seq)
ORDER BY seq
"""


def _rows(using: str):
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_VERIFY)
            while batch := cursor.fetchmany(5000):
                yield from batch
        return
    last_seq, last_hash = None, None
    for values in (
        AuditEntry.objects.using(using)
        .order_by("seq")
        .values("id", "hash", *HASHED)
        .iterator(chunk_size=5000)
    ):
        yield (
            values["seq"], values["id"], values["hash"], values["prev_hash"],
            python_hash(values), last_seq, last_hash,
        )  # fmt: skip
        last_seq, last_hash = values["seq"], values["hash"]


def verify(using: str = "default", anchor: tuple[int, str] | None = None) -> Verification:
    """Walk the whole trail in chain order and report every entry whose own hash does not match
    its fields, whose link does not match the entry before it, or whose position skips one.
    ``anchor`` (position, hash), recorded earlier from a head, must still be in the chain."""
    result = Verification()
    anchor_seen = False
    for seq, pk, stored, prev_hash, recomputed, last_seq, last_hash in _rows(using):
        result.entries += 1
        expected_seq = 1 if last_seq is None else last_seq + 1
        if seq != expected_seq:
            result.problems.append(
                f"position {expected_seq}–{seq - 1} missing before entry id {pk} (deleted entries)"
            )
        if prev_hash != (last_hash or ""):
            result.problems.append(f"entry {seq} (id {pk}) does not link to the entry before it")
        if recomputed != stored:
            result.problems.append(f"entry {seq} (id {pk}) was altered after it was written")
        if anchor and seq == anchor[0]:
            anchor_seen = True
            if stored != anchor[1]:
                result.problems.append(f"entry {seq} no longer has the recorded hash")
        result.head_seq, result.head_hash = seq, stored
    if anchor and not anchor_seen:
        result.problems.append(
            f"the recorded entry {anchor[0]} is gone (the chain ends at {result.head_seq})"
        )
    return result
