"""``qorgau deadlines [--as-user U] [--format table|json|csv]``: the prosecutor's control list."""

from qorgau.audit.log import write
from qorgau.core.commands import QorgauCommand
from qorgau.oversight import actions, deadlines

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
    help = (
        f"Print what is late, due within {deadlines.DUE_SOON_DAYS} days and awaiting the "
        "prosecutor's review (docs/oversight.md)."
    )
    for_user = True

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, **options):
        control = deadlines.control_list(self.actor)
        data = rows(control)
        write(
            self.actor,
            actions.CONTROL_LIST_VIEW,
            details={"via": "cli", "items": len(data), "listed": control.listed()},
        )
        self.emit_rows(data, options["format"], COLUMNS)
