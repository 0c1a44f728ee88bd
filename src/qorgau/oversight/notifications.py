"""In-app notifications of new overdue items.

Overdue is a matter of time, not of an action: a report passes its 24-hour term, a case its
investigation term, while nobody touches them. So the notices are made by a command the
scheduler runs (``qorgau notify-overdue``, docs/cli.md), never on a page load (a GET writes
nothing but its read entry). Each run gives every user one notice per item that became overdue
in their worklist and scope and that they were not told about yet: running it twice adds nothing.

Who is told about what (their worklist, docs/worklists.md):

- a report still awaiting a decision past its term — whoever decides reports (registrars,
  administrators) and whoever oversees deadlines (prosecutors), in the report's region;
- a case under investigation past its term — whoever may extend it (investigators,
  prosecutors, administrators), in the case's region.
"""

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import with_reason, write
from qorgau.core.actors import Actor
from qorgau.core.errors import NotAllowed

from . import actions, work
from .models import Notification, NotificationKind


def _told(user: Any, kind: str) -> set[str]:
    return set(Notification.objects.filter(user=user, kind=kind).values_list("ref", flat=True))


def _new_for(user: Any, now: dt.datetime) -> list[Notification]:
    """The notices ``user`` is owed at ``now`` (items overdue in their worklist, not told yet)."""
    out: list[Notification] = []
    if policy.can(user, "report.decide") or policy.can(user, "oversight.view"):
        told = _told(user, NotificationKind.REPORT_OVERDUE)
        for report in work.reports(user, work.PENDING_OVERDUE).only("pk"):
            if f"R{report.pk}" not in told:
                out.append(Notification(user=user, kind=NotificationKind.REPORT_OVERDUE,
                                        ref=f"R{report.pk}", report=report, created_at=now))  # fmt: skip
    if policy.can(user, "case.extend"):
        told = _told(user, NotificationKind.TERM_PASSED)
        for case in work.cases(user, work.TERM_PASSED).only("pk", "number"):
            if case.number not in told:
                out.append(Notification(user=user, kind=NotificationKind.TERM_PASSED,
                                        ref=case.number, case=case, created_at=now))  # fmt: skip
    return out


def notify_overdue(actor: Actor) -> dict[str, int]:
    """Give every active user the notices of the items overdue in their worklist now (the
    lists' own filters, ``oversight.work``) that they were not given yet. One audit entry per run (``notification.create``) with the numbers;
    returns them (``created``, ``users``)."""
    policy.ensure(actor, "oversight.control")
    now = timezone.now()
    created: Counter[str] = Counter()
    users = 0
    with transaction.atomic():
        for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
            new = _new_for(user, now)
            if new:
                Notification.objects.bulk_create(new, ignore_conflicts=True)
                users += 1
                created.update(str(n.kind) for n in new)
        total = sum(created.values())
        write(actor, actions.NOTIFY_OVERDUE, details={
            "created": total, "users": users, "by_kind": dict(sorted(created.items())),
        })  # fmt: skip
    return {"created": total, "users": users}


def unread(user: Any):
    """The notices ``user`` has not marked as read, newest first."""
    return Notification.objects.filter(user=user, read_at__isnull=True)


def of_user(user: Any, pk: int) -> Notification:
    """``user``'s own notice ``pk``; 404 for anyone else's (it tells nothing of its record)."""
    notice = Notification.objects.filter(user=user, pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def mark_read(actor: Actor, notification: Notification, *, reason: str | None = None) -> None:
    """Mark ``notification`` (the actor's own) as read: one ``notification.read`` entry. A
    notice already read stays as it was (no entry)."""
    policy.ensure(actor, "home.view")
    if notification.user_id != getattr(actor.user, "pk", None):
        raise NotAllowed(_("This notification is not yours."))
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.read_at is not None:
            return
        locked.read_at = timezone.now()
        locked.save(update_fields=["read_at"])
        details = with_reason({"kind": locked.kind, "ref": locked.ref}, reason)
        write(actor, actions.NOTIFICATION_READ, locked, details=details)
    notification.read_at = locked.read_at
