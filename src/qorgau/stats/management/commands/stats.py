"""``qorgau stats --article 115-1 [--article 125-1] --from DATE --to DATE --by region
[--format json|csv|table]`` (docs/stats.md)."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import record
from qorgau.core.commands import QorgauCommand
from qorgau.stats import services

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
]


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Expected a date as YYYY-MM-DD, got “%(value)s”.") % {"value": value}
        ) from None


class Command(QorgauCommand):
    help = (
        "Counts (and, by region, rates per 100,000 with exact 95% intervals) of registered cases."
    )
    for_user = True

    def add_arguments(self, parser):
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
            "--include-zero",
            action="store_true",
            help="With --by region: list regions without cases too (their rate's upper bound is informative).",
        )

    def handle(self, *args, **options):
        user = self.user or policy.OPERATOR
        filters = services.Filters(
            tuple(options["article"]),
            parse_date(options["date_from"]) if options["date_from"] else None,
            parse_date(options["date_to"]) if options["date_to"] else None,
            tuple(options["region"]),
        )
        try:
            filters.check(self.user)
            rows = self.rows(user, filters, options["by"])
        except services.StatsError as exc:
            raise CommandError(str(exc)) from None
        if options["by"] == "region" and not options["include_zero"]:
            rows = [row for row in rows if row["count"]]
        record(
            "stats.query",
            details={"via": "cli", "by": options["by"], "filters": filters.describe()},
        )
        self.emit_rows(rows, options["format"])

    def rows(self, user, filters, by) -> list[dict]:
        if by == "region":
            return [row.as_dict() for row in services.by_region(user, filters)]
        if by in services.PERIODS:
            return [
                {"period": start.isoformat(), "count": n}
                for start, n in services.time_series(user, filters, by)
            ]
        result = services.breakdown(user, filters, by)
        if result.withheld:
            raise services.StatsError(" ".join(filter(None, (result.withheld, result.period_note))))
        if result.period_note:
            # On stderr: the JSON or CSV on stdout keeps its shape.
            self.stderr.write(result.period_note)
        return [{by: r["key"], "count": r["count"]} for r in result.rows]
