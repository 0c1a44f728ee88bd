"""``qorgau audit-verify [--anchor SEQ:HASH]``: prove the audit trail's hash chain unbroken.

Exit status 0 when every entry matches its hash and links to the one before it, 1 when an entry
was altered, deleted or spliced in (each problem printed). The head (position and hash) is
printed so it can be recorded elsewhere and checked later with ``--anchor``."""

import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.audit import actions, chain, log
from qorgau.core.commands import QorgauCommand


class Command(QorgauCommand):
    help = "Verify the audit trail's hash chain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", help="SEQ:HASH of an entry recorded earlier; it must still be there."
        )

    def handle(self, *args, **options):
        anchor = None
        if options["anchor"]:
            seq, _sep, digest = options["anchor"].partition(":")
            if not seq.isdigit() or len(digest) != 64:
                raise CommandError(_("--anchor expects SEQ:HASH (a position and 64 hex digits)."))
            anchor = (int(seq), digest.lower())
        result = chain.verify(anchor=anchor)
        for problem in result.problems:
            self.stderr.write(problem)
        self.stdout.write(
            _("%(count)s entries; head %(seq)s:%(hash)s")
            % {"count": result.entries, "seq": result.head_seq, "hash": result.head_hash}
        )
        log.write(
            self.actor,
            actions.AUDIT_VERIFY,
            details={"entries": result.entries, "problems": len(result.problems)},
        )
        if not result.ok:
            self.stderr.write(
                _("The audit trail's chain is broken (%(n)s problems).")
                % {"n": len(result.problems)}
            )
            sys.exit(1)
        self.stdout.write(_("The chain is unbroken."))
