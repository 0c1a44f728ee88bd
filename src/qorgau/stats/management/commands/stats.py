"""``qorgau stats --article 115-1 [--article 125-1] --from DATE --to DATE --by region
[--format json|csv|table]`` (docs/stats.md)."""

from typing import Any

from django.core.management.base import CommandParser

from qorgau.audit import log
from qorgau.core.actors import Actor
from qorgau.core.commands import QorgauCommand, parse_date
from qorgau.core.errors import Invalid
from qorgau.stats import actions, rates, services

BY = [
    "region",
    *services.PERIODS,
    "article",
    "status",
    "victim_sex",
    "victim_age_band",
    "relationship",
    # Added later; the values above keep their output unchanged.
    "termination_ground",
    *services.REPORT_DIMENSIONS,
    "iccs",
]


class Command(QorgauCommand):
    help = (
        "Counts (and, by region, annualised rates per 100,000 or 10,000 per year with exact 95% "
        "intervals) of registered cases."
    )
    for_user = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--article", action="append", default=[], help="Article code; repeat for several."
        )
        parser.add_argument("--from", dest="date_from", type=str)
        parser.add_argument("--to", dest="date_to", type=str)
        parser.add_argument(
            "--region", action="append", default=[], help="ISO code; repeat for several."
        )
        parser.add_argument("--by", choices=BY, default="region")
        parser.add_argument("--format", choices=["json", "csv", "table"], default="table")
        parser.add_argument(
            "--per",
            type=int,
            choices=rates.UNITS,
            default=rates.DEFAULT_PER,
            help="With --by region: rates per 100000 (default) or 10000 people per year.",
        )
        parser.add_argument(
            "--include-zero",
            action="store_true",
            help="With --by region: list regions without cases too (their rate's upper bound is informative).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor  # the --as-user person, else the system actor "system:stats"
        filters = services.Filters(
            tuple(options["article"]),
            parse_date(options["date_from"]) if options["date_from"] else None,
            parse_date(options["date_to"]) if options["date_to"] else None,
            tuple(options["region"]),
        )
        # A refused request (core.errors) ends the command with its message and status 1.
        filters.check(actor)
        self.unit = rates.Unit(options["per"])
        rows = self.rows(actor, filters, options["by"])
        if options["by"] == "region" and not options["include_zero"]:
            rows = [row for row in rows if row["count"]]
        log.write(
            actor,
            actions.QUERY,
            details={"via": "cli", "by": options["by"], "filters": filters.describe()},
        )
        self.emit_rows(rows, options["format"])

    def rows(self, actor: Actor, filters: services.Filters, by: str) -> list[services.Row]:
        if by == "region":
            return [row.as_dict() for row in services.by_region(actor, filters, self.unit)]
        if by in services.PERIODS:
            return [
                {"period": start.isoformat(), "count": n}
                for start, n in services.time_series(actor, filters, by)
            ]
        result = services.breakdown(actor, filters, by)
        if result.withheld:
            raise Invalid("by", " ".join(filter(None, (result.withheld, result.period_note))))
        if result.period_note:
            # On stderr: the JSON or CSV on stdout keeps its shape.
            self.stderr.write(result.period_note)
        return [{by: r["key"], "count": r["count"]} for r in result.rows]
