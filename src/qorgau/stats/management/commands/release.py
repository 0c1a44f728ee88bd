"""``qorgau release``: the public statistics releases (docs/stats.md, "Releases").

    qorgau release list                      # every release, newest first
    qorgau release publish --due             # every release due and not yet published (a timer)
    qorgau release publish --period 2026-03  # one period, on or after its publication day
    qorgau release correct 14 --reason "…"   # a correction of release 14 (a new release)
    qorgau release audit                     # the disclosure audit of everything published

``audit`` prints one line per protected cell (a fixed format for scripts, not translated)::

    release=3 article=125-1 region=KZ-62 cell=<4 low=1 high=3 safe

then ``N protected cells, M unsafe``; exit status 1 when a cell is unsafe. ``--as-user``
publishes as that person (an analyst or administrator of national scope); without it the
command acts as the system (``system:release``)."""

import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.core.commands import QorgauCommand
from qorgau.stats import releases


class Command(QorgauCommand):
    help = "Publish, correct, list and audit the public statistics releases."
    for_user = True

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("list", help="Every release, newest first.")
        publish = sub.add_parser("publish", help="Publish due releases, or one period's.")
        which = publish.add_mutually_exclusive_group(required=True)
        which.add_argument("--due", action="store_true", help="Every release that is due.")
        which.add_argument("--period", help="One period: YYYY-MM (or YYYY-Qn, quarterly).")
        correct = sub.add_parser("correct", help="Correct a release: a new release revises it.")
        correct.add_argument("number", type=int)
        correct.add_argument("--reason", required=True, help="Why the figures are corrected.")
        sub.add_parser("audit", help="The disclosure audit of every published release.")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "list":
            self._list()
        elif what == "publish":
            if options["due"]:
                done = releases.publish_due(self.actor)
            else:
                done = [releases.publish(self.actor, releases.parse_period(options["period"]))]
            for release in done:
                self._line(release)
            self.stderr.write(_("Releases published: %(n)d.") % {"n": len(done)})
        elif what == "correct":
            self._line(releases.correct(self.actor, options["number"], options["reason"]))
        else:
            self._audit()

    def _line(self, release) -> None:
        published = timezone.localtime(release.published_at)
        revises = f" revises={release.revises.number}" if release.revises else ""
        self.stdout.write(
            f"{release.number} {release.period_start}..{release.period_end} "
            f"published={published:%Y-%m-%dT%H:%M%z} methods={release.methods_version}{revises}"
        )

    def _list(self) -> None:
        for release in releases.archive():
            self._line(release)

    def _audit(self) -> None:
        findings = releases.run_audit(self.actor)
        for f in findings:
            verdict = "safe" if f.safe else "UNSAFE"
            self.stdout.write(
                f"release={f.release} article={f.article} region={f.region} cell={f.cell} "
                f"low={f.low} high={f.high} {verdict}"
            )
        unsafe = sum(1 for f in findings if not f.safe)
        self.stdout.write(f"{len(findings)} protected cells, {unsafe} unsafe")
        if unsafe:
            sys.exit(1)
