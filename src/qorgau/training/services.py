"""Training coverage: participants trained against headcount, per region and body."""

from collections import defaultdict

from django.db.models import QuerySet

from qorgau.access import policy
from qorgau.reference.models import Region

from .models import Headcount, Session


def sessions_for(user) -> QuerySet:
    return policy.scoped(user, "training.view", Session.objects.select_related("region"))


def coverage(user, date_from=None, date_to=None) -> list[dict]:
    """Per region and body: participants of the sessions (a person at two sessions counts
    twice — the sessions record numbers, not people), the latest headcount, and their ratio."""
    sessions = sessions_for(user)
    if date_from:
        sessions = sessions.filter(held_on__gte=date_from)
    if date_to:
        sessions = sessions.filter(held_on__lte=date_to)
    trained = defaultdict(int)
    for session in sessions:
        trained[(session.region_id, session.body)] += session.total
    heads = {}
    for head in policy.scoped(user, "training.view", Headcount.objects.order_by("as_of")):
        heads[(head.region_id, head.body)] = head
    regions = {r.pk: r for r in Region.objects.all()}
    rows = []
    for key in sorted(set(trained) | set(heads), key=lambda k: (regions[k[0]].order, k[1])):
        head = heads.get(key)
        rows.append({
            "region": regions[key[0]], "body": key[1], "trained": trained.get(key, 0),
            "headcount": head.headcount if head else None, "as_of": head.as_of if head else None,
            "coverage": round(trained.get(key, 0) / head.headcount, 3) if head and head.headcount else None,
        })  # fmt: skip
    return rows


def by_region(rows: list[dict]) -> list[dict]:
    """The coverage rows summed over bodies, per region."""
    totals: dict = {}
    for row in rows:
        total = totals.setdefault(
            row["region"], {"region": row["region"], "trained": 0, "headcount": 0, "complete": True}
        )
        total["trained"] += row["trained"]
        if row["headcount"] is None:
            total["complete"] = False
        else:
            total["headcount"] += row["headcount"]
    for total in totals.values():
        total["coverage"] = (
            round(total["trained"] / total["headcount"], 3) if total["headcount"] else None
        )
    return list(totals.values())
