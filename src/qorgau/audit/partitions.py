"""The audit trail partitioned by year on PostgreSQL (migration 0006, ``qorgau partitions``;
docs/scaling.md, "Partitioning").

The table is partitioned by RANGE on ``at_year``: the local (Asia/Almaty) year of ``at``, a
column of the database only (Django's model does not know it, and never sends it), set by the
chain trigger from the same clock as ``at``. Not by ``at`` itself: PostgreSQL routes a row to
its partition *before* a BEFORE ROW trigger runs, and refuses a trigger that moves it to
another one. A caller who sends its own ``at`` (a forger back-dating an entry) would then get
an error where the trail promises that the database's time overrules it. The column's default
is the expression the trigger computes, from ``now()`` (the transaction's time, as ``at``), so
the routing and the trigger never disagree — not even for a transaction that began on 31
December and writes after midnight.

One partition a year, from 2015, and a DEFAULT partition for any other year.
Next year's must exist before its first entry: ``qorgau partitions --ahead 1`` (idempotent)
from a yearly timer. An entry that lands in the DEFAULT partition stays there (moving it would
be a DELETE, which the trail refuses); its year's partition can then no longer be created, and
the command says so.
"""

from django.utils.translation import gettext as _

from qorgau.core.errors import Invalid

TRAIL = "audit_auditentry"
DEFAULT_PARTITION = f"{TRAIL}_default"


def partition_name(year: int) -> str:
    return f"{TRAIL}_y{int(year)}"


def no_truncate_trigger(table: str) -> str:
    """The statement trigger that refuses TRUNCATE of ``table`` to all but the owner (migration
    0004's function). PostgreSQL does not copy statement triggers to partitions, and a
    partition can be emptied on its own: each one needs it."""
    return (
        f"CREATE TRIGGER {TRAIL}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION qorgau_audit_no_truncate()"
    )


def is_partitioned(cursor) -> bool:
    """Is the trail a partitioned table here (PostgreSQL after migration 0006)?"""
    cursor.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(%s)", [TRAIL])
    row = cursor.fetchone()
    return bool(row and row[0])


def years(cursor) -> list[int]:
    """The years that have a partition, in order."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s)",
        [TRAIL],
    )
    prefix = f"{TRAIL}_y"
    return sorted(
        int(name[len(prefix) :]) for (name,) in cursor.fetchall() if name.startswith(prefix)
    )


def add_year(cursor, year: int) -> bool:
    """Create the partition of ``year`` (with its TRUNCATE trigger) unless it exists; True when
    it was created. :class:`~qorgau.core.errors.Invalid` when entries of that year are already
    in the DEFAULT partition: the partition can then not be created."""
    if year in years(cursor):
        return False
    query = f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE at_year = %s)"  # noqa: S608
    cursor.execute(query, [year])
    if cursor.fetchone()[0]:
        raise Invalid(
            "year",
            _(
                "Entries of %(year)s are already in the default partition: that year's partition can no longer be created (docs/scaling.md)."
            )
            % {"year": year},
        )
    name = partition_name(year)
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {TRAIL} FOR VALUES FROM ({year}) TO ({year + 1})"
    )
    cursor.execute(no_truncate_trigger(name))
    return True
