"""``qorgau import-cases FILE.csv``: import cases, all or nothing (docs/cases-csv.md).
``--upsert [--format ndjson] [--per-row]``: create or update cases by ERDR number
(``registry.upsert``).

The file is read as it goes (never whole into memory), up to ``csvio.COMMAND_MAX_BYTES`` and
``csvio.COMMAND_MAX_ROWS``; the rows checked and then written are shown on standard error."""

import sys
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from qorgau.core import importing
from qorgau.core.commands import QorgauCommand
from qorgau.core.importing import ImportRejected
from qorgau.core.progress import Progress
from qorgau.registry import bulk, csvio, upsert


class Command(QorgauCommand):
    help = (
        "Import cases from a CSV file. A file with any bad row is rejected and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8); - for standard input")
        parser.add_argument(
            "--upsert",
            action="store_true",
            help="Create or update cases keyed by their ERDR number (every row needs one).",
        )
        parser.add_argument(
            "--format", choices=["csv", "ndjson"], default="csv", help="Input format (--upsert)."
        )
        parser.add_argument(
            "--per-row",
            action="store_true",
            help="With --upsert: each row commits or fails alone (default: all or nothing).",
        )

    def handle(self, *args, **options):
        name = options["file"]
        if options["upsert"]:
            return self._upsert(name, options["format"], atomic=not options["per_row"])
        if options["format"] != "csv":
            raise CommandError(_("--format ndjson needs --upsert."))
        if name == "-":
            with tempfile.NamedTemporaryFile(suffix=".csv") as copy:
                self._copy_stdin(copy)
                return self._import(Path(copy.name))
        path = Path(name)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        return self._import(path)

    def _copy_stdin(self, copy) -> None:
        """Standard input to a temporary file, refused once past the size limit."""
        size = 0
        while chunk := sys.stdin.buffer.read(bulk.READ_CHUNK):
            size += len(chunk)
            if error := importing.too_large(size, csvio.COMMAND_MAX_BYTES):
                raise CommandError(error.report())
            copy.write(chunk)
        copy.flush()

    def _import(self, path: Path) -> None:
        progress = Progress(self.stderr._out)  # type: ignore[arg-type]
        stages = {bulk.CHECK: _("checking rows"), bulk.SAVE: _("saving cases")}
        try:
            cases = csvio.import_cases(
                self.actor,
                path=path,
                progress=lambda stage, done, total: progress(stages[stage], done, total),
                max_bytes=csvio.COMMAND_MAX_BYTES,
                max_rows=csvio.COMMAND_MAX_ROWS,
            )
        except ImportRejected as exc:
            raise CommandError(exc.report()) from None
        finally:
            progress.close()
        self.stdout.write(_("Cases imported: %(count)d.") % {"count": len(cases)})

    def _upsert(self, name: str, fmt: str, *, atomic: bool) -> None:
        """The upsert by ERDR number, the input read as it goes; each row's result on standard
        output when it is not "unchanged" (errors with their reasons)."""
        if name == "-":
            result = upsert.upsert(self.actor, sys.stdin.buffer, fmt=fmt, atomic=atomic)
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
            with path.open("rb") as stream:
                result = upsert.upsert(self.actor, stream, fmt=fmt, atomic=atomic)
        try:
            for row in result.rows():
                if row.outcome == "unchanged":
                    continue
                reasons = "; ".join(
                    f"{m['field']}: {m['message']}" if m["field"] else m["message"]
                    for m in row.messages
                )
                line = f"{row.row}\t{row.erdr_number}\t{row.outcome}\t{row.number}"
                self.stdout.write(f"{line}\t{reasons}" if reasons else line)
            summary = _(
                "Created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, "
                "errors: %(errors)d."
            ) % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": result.errors,
            }
            self.stdout.write(summary)
            if atomic and result.errors:
                raise CommandError(_("Nothing was written: the input has errors."))
            if result.errors:
                raise CommandError(_("Some rows were not written: see their errors."))
        finally:
            result.close()
