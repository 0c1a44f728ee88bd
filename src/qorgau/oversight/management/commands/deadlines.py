"""``qorgau deadlines [--as-user U] [--format table|json|csv]``: the prosecutor's control list."""

import csv
import io
import json

from qorgau.access import policy
from qorgau.audit.log import record
from qorgau.core.commands import QorgauCommand
from qorgau.oversight import deadlines

COLUMNS = [
    "category",
    "kind",
    "ref",
    "region",
    "body",
    "due",
    "overdue_days",
    "controls",
    "open_controls",
]


def rows(control) -> list[dict]:
    out = []
    for item in control.all():
        out.append({
            "category": item.category, "kind": item.kind, "ref": item.ref,
            "region": item.region.code, "body": item.body.code if item.body else "",
            "due": item.due_text,
            "overdue_days": item.overdue_days, "controls": len(item.controls),
            "open_controls": sum(1 for c in item.controls if not c.result),
        })  # fmt: skip
    return out


class Command(QorgauCommand):
    help = "Print what is late, due within 7 days and awaiting the prosecutor's review (docs/oversight.md)."
    for_user = True

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, **options):
        user = self.user or policy.OPERATOR
        control = deadlines.control_list(user)
        data = rows(control)
        record("oversight.view", details={"via": "cli", "items": len(data)})
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        elif options["format"] == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(data)
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            widths = {c: max([len(c)] + [len(str(r[c])) for r in data]) for c in COLUMNS}
            self.stdout.write("  ".join(c.ljust(widths[c]) for c in COLUMNS))
            for row in data:
                self.stdout.write("  ".join(str(row[c]).ljust(widths[c]) for c in COLUMNS))
