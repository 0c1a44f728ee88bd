"""Which database a read goes to: the primary (``default``) or a streaming replica.

``REPLICA_DATABASE_URL`` (settings) adds a ``replica`` alias: a PostgreSQL hot standby that
follows the primary by streaming replication. Only the statistics read from it, and only
their aggregate tables (``stats.services``: one :func:`read_only_alias` call where each of the
three aggregates is first queried). Everything else reads the primary, and every write goes
there — the audit entry that a statistics page writes included.

Why explicit ``.using()`` rather than a router that guesses: a router applies to every read of
a model, wherever it happens. The access policy's reads (a user's role and region) must come
from the primary, so that a withdrawn permission applies at once and not after the replica's
lag; ``qorgau stats-verify`` and the aggregates' rebuild must read the aggregates and the
registry in one snapshot of the primary; and the tests that write and then read an aggregate
would read a copy that has not yet seen their write. The figures a replica gives may be
seconds behind the primary (docs/scaling.md, "Read replicas").
"""

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


def read_only_alias() -> str:
    """The alias that the statistics' aggregate reads use: ``replica`` when one is configured
    (``REPLICA_DATABASE_URL``), else ``default``. Only for reads that never need to see a write
    of their own request, and never for a read that decides who may see what."""
    return REPLICA if REPLICA in connections else DEFAULT_DB_ALIAS
