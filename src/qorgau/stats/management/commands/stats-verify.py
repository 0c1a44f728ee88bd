"""``qorgau stats-verify [--rebuild]``: recompute the statistics' aggregates from the registry's
tables and report every difference (docs/stats.md, "Aggregates").

Standard output, one line per differing key, then the count (a fixed format for scripts, not
translated, like the export column codes)::

    stats_casecount day=2026-01-05 region_id=3 article_id=1 status=investigation termination_ground=: expected n=4 actual n=3
    1 differences

Exit status 1 when there is a difference, 0 (and ``0 differences``) when there is none.
``--rebuild`` first recomputes every aggregate from the base tables (after a bulk load with the
triggers off, or to repair), then verifies."""

import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.stats import aggregates


def describe(difference: aggregates.Difference) -> str:
    """One line: the table, each key column=value, the expected and the actual counts."""
    table = next(a for a in aggregates.AGGREGATES if a.table == difference.table)
    key = " ".join(f"{c}={v}" for c, v in zip(table.columns, difference.key, strict=True))
    expected = " ".join(f"{c}={v}" for c, v in zip(table.counts, difference.expected, strict=True))
    actual = " ".join(f"{c}={v}" for c, v in zip(table.counts, difference.actual, strict=True))
    return f"{difference.table} {key}: expected {expected} actual {actual}"


class Command(QorgauCommand):
    help = "Recompute the statistics' aggregates from the registry and report any difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute every aggregate from the base tables first, then verify.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            aggregates.rebuild()
            self.stderr.write(_("The aggregates were recomputed from the registry."))
        differences = aggregates.verify()
        for difference in differences:
            self.stdout.write(describe(difference))
        self.stdout.write(f"{len(differences)} differences")
        if differences:
            sys.exit(1)
