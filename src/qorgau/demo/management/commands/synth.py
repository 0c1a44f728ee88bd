"""``qorgau synth --cases N [--reports M] [--seed S] [--from-year Y] [--to-year Y]``: a synthetic
national data set (cases over every Criminal Code article, their histories, the reports) written
straight into an empty registry (docs/synth.md)."""

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.core.errors import QorgauError
from qorgau.core.progress import Progress
from qorgau.demo import synth


def _count(value: str) -> int:
    number = int(value.replace("_", ""))
    if number < 0:
        raise ValueError(value)
    return number


class Command(QorgauCommand):
    help = (
        "Generate a synthetic national data set (cases, their histories and parties, reports) "
        "into an empty registry; marked as demonstration data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=_count, required=True, help="Number of cases.")
        parser.add_argument(
            "--reports", type=_count, help="Number of reports (default: five per case)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--from-year", type=int, help="First year of registrations (default: ten years)."
        )
        parser.add_argument("--to-year", type=int, help="Last year (default: the current one).")
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: keep the tables' indexes during the load (slower).",
        )

    def handle(self, *args, **options):
        plan = synth.Plan(
            cases=options["cases"],
            reports=options["reports"],
            seed=options["seed"],
            from_year=options["from_year"],
            to_year=options["to_year"],
        )
        # The bar goes to stderr: stdout keeps the one-line summary scripts read.
        progress = Progress(self.stderr._out)
        started = time.monotonic()
        try:
            progress(_("articles"), 0, 1)
            synth.load_articles()
            progress(_("articles"), 1, 1)
            counts = synth.synthesise(
                plan, progress=progress, defer_indexes=not options["keep_indexes"]
            )
        except QorgauError as exc:
            raise CommandError(str(exc)) from None
        finally:
            progress.close()
        self.stdout.write(
            _(
                "Synthetic data written in %(seconds).0f s: %(cases)d cases, %(reports)d reports, %(parties)d parties, %(changes)d status changes, %(extensions)d term extensions."
            )
            % {
                "seconds": time.monotonic() - started,
                "cases": counts["cases"],
                "reports": counts["reports"],
                "parties": counts.get("parties", 0),
                "changes": counts.get("status changes", 0),
                "extensions": counts.get("term extensions", 0),
            }
        )
