"""The daily digest by e-mail (``qorgau send-digest``, docs/worklists.md): each user with an
e-mail address gets their worklist's counts, with the links of the home page, and the
notifications made since the last digest — in their language (``Profile.language``, else
Kazakh), as plain text and HTML, through Django's mail framework (``EMAIL_BACKEND``)."""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import write
from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.oversight.models import Notification

from . import actions, worklists

log = logging.getLogger(__name__)
SINCE_AT_MOST = dt.timedelta(days=1)  # without an earlier digest: the last day's notifications


@dataclass
class Outcome:
    """What a run did: users considered, mails sent, mails that failed, users left out
    (no e-mail address or nothing to tell)."""

    users: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def language_of(user: Any) -> str:
    """The language of ``user``'s mail: their profile's, else Kazakh."""
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    return getattr(profile, "language", "") or settings.LANGUAGE_CODE


def last_run() -> dt.datetime | None:
    """When the last digest was sent (its audit entry), if ever."""
    return (
        AuditEntry.objects.filter(action=actions.DIGEST_SEND)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def compose(user: Any, since: dt.datetime, now: dt.datetime) -> tuple[str, str, str] | None:
    """(subject, text, html) of ``user``'s digest in their language; None when there is
    nothing to tell (every count zero and no new notification)."""
    with translation.override(language_of(user)):
        sections = worklists.worklist(user, now)
        notices = list(
            Notification.objects.filter(
                user=user, read_at__isnull=True, created_at__gt=since
            ).order_by("created_at", "pk")
        )
        if not notices and not any(c.count for s in sections for c in s.counts):
            return None
        context = {
            "user": user, "sections": sections, "notices": notices, "now": now,
            "base": settings.QORGAU_BASE_URL,
        }  # fmt: skip
        subject = _("Qorgau: your work on %(day)s") % {
            "day": timezone.localdate(now).strftime("%Y-%m-%d")
        }
        text = render_to_string("portal/digest.txt", context)
        html = render_to_string("portal/digest.html", context)
    return subject, text, html


def send_digest(actor: Actor, *, now: dt.datetime | None = None) -> Outcome:
    """Send every active user with an e-mail address their digest; one ``worklist.digest``
    entry for the run (the numbers, no addresses). A mail that cannot be sent is counted and
    logged; the others still go."""
    policy.ensure(actor, "admin.site")
    now = now or timezone.now()
    since = max(filter(None, [last_run(), now - SINCE_AT_MOST]))
    outcome = Outcome()
    users = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk")
    for user in users.select_related("profile"):
        outcome.users += 1
        mail = compose(user, since, now)
        if mail is None:
            outcome.skipped += 1
            continue
        subject, text, html = mail
        try:
            send_mail(subject, text, None, [user.email], html_message=html)
        except OSError:
            log.warning("digest not sent to user %s", user.pk)
            outcome.failed += 1
        else:
            outcome.sent += 1
    write(actor, actions.DIGEST_SEND, details={
        "users": outcome.users, "sent": outcome.sent, "failed": outcome.failed,
        "skipped": outcome.skipped, "since": since.isoformat(),
    })  # fmt: skip
    return outcome
