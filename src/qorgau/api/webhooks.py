"""Webhooks: a registered API client is told, at a URL of its own, of what happened in its
scope — a case's investigation term passing (``case.overdue``), a statistics release
(``release.published``) — instead of polling (docs/api.md#webhooks).

How it flows:

1. ``qorgau webhook scan`` (the scheduler, every few minutes) records each new event once
   (:class:`~qorgau.api.models.Event`, unique by type and reference) and one
   :class:`~qorgau.api.models.Delivery` for each subscription that wants it and may see it —
   the case list's own filter and policy decide (``oversight.work``, ``access.policy``), as for
   the client's API calls. A subscription is told of what happens after it was made; the state
   before is read with the API.
2. Each delivery is a background task (Django's tasks, ``qorgau db_worker``): the event is
   POSTed as JSON signed the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``,
   ``webhook-signature: v1,<base64 HMAC-SHA256>``); a 2xx answer delivers it, anything else is
   tried again after :data:`BACKOFF` until :data:`MAX_ATTEMPTS`. Every attempt is a row of the
   delivery log and an audit entry.
3. Nothing is sent to a host that is not in ``QORGAU_WEBHOOK_HOSTS``, nor over plain HTTP
   unless allowed, nor after a redirect; the client's key must still be valid and the case
   still in its scope when the attempt is made.

The payload is thin on purpose: what happened and where to read it (the case's number, its
region, the day its term ended; the release's number and period), never a party.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.http.request import validate_host
from django.tasks import TaskResultStatus, task
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from qorgau.access import policy
from qorgau.audit import log
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.oversight import work
from qorgau.registry.filters import day_start
from qorgau.stats.models import Release

from . import actions
from .models import (
    ApiClient,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    EventType,
    Subscription,
)

# The waits before the 2nd, 3rd, … attempt (the Standard Webhooks schedule, shortened at its
# start): eight attempts over about 28 hours, then the delivery has failed.
BACKOFF = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
# The worker queue of the deliveries (`qorgau db_worker --queue-name webhooks`, its own service):
# a subscriber that does not answer never holds up the case imports of the default queue.
QUEUE = "webhooks"
# A pending delivery due this long with no task waiting and no attempt under way lost its task.
LOST_AFTER = dt.timedelta(minutes=10)
REQUEUE_AT_MOST = 1000
SOURCE = "webhooks"
SECRET_MARK = "whsec_"  # noqa: S105 - the prefix of every secret, not a secret
USER_AGENT = "Qorgau-Webhooks/1"


# --- Secrets and signatures -------------------------------------------------------------------


def secret_of(subscription: Subscription) -> str:
    """The subscription's signing secret, ``whsec_`` + base64 of 32 bytes: an HMAC of its salt
    under the server's SECRET_KEY, so it is never stored (a new SECRET_KEY changes every
    subscription's secret: docs/api.md#webhooks)."""
    key = salted_hmac("qorgau.webhook", subscription.salt, algorithm="sha256").digest()
    return SECRET_MARK + base64.b64encode(key).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` under the secret's bytes — the
    Standard Webhooks signature, which its libraries (and five lines of any language) check."""
    key = base64.b64decode(secret.removeprefix(SECRET_MARK))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# --- Where deliveries may go ----------------------------------------------------------------

HOST_CHARS = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]*:[0-9a-f:.]*")


def refusal(url: str) -> str:
    """Why ``url`` may not receive deliveries (empty: it may): its scheme, credentials in it,
    or a host outside ``QORGAU_WEBHOOK_HOSTS``. Asked when a subscription is made and again
    before every attempt (the setting may have changed)."""
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return _("The URL is not valid.")  # spaces and control characters urlsplit would drop
    try:
        parts = urlsplit(url)
        _port = parts.port  # a port that is not a number (or out of range) raises
    except ValueError:
        return _("The URL is not valid.")
    allow_http = settings.QORGAU_WEBHOOK_ALLOW_HTTP
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        return _("Webhooks are delivered over HTTPS only.")
    if parts.username or parts.password:
        return _("The URL may not contain a user name or a password.")
    host = (parts.hostname or "").lower()
    allowed = [h.lower() for h in settings.QORGAU_WEBHOOK_HOSTS if h != "*"]
    # The name checked must be the name connected to: no percent-escapes or other characters
    # that the HTTP client would decode or read otherwise (an IPv6 literal stays allowed).
    if not HOST_CHARS.fullmatch(host) or not validate_host(host, allowed):
        return _("The host %(host)s is not among the hosts webhooks may be delivered to.") % {
            "host": host or "—"
        }
    return ""


# --- Subscriptions --------------------------------------------------------------------------


def subscribe(
    actor: Actor, client_name: str, url: str, events: list[str]
) -> tuple[Subscription, str]:
    """Subscribe API client ``client_name`` to ``events`` at ``url`` (``api.webhook.create``).
    Returns the subscription and its signing secret, shown this once."""
    policy.ensure(actor, "admin.site")
    client = ApiClient.objects.filter(name=client_name).first()
    if client is None:
        raise Invalid("client", _("No API client “%(name)s”.") % {"name": client_name})
    if not client.usable:
        raise Invalid("client", _("The client's key is revoked or expired."))
    url = url.strip()
    if len(url) > 500:
        raise Invalid("url", _("The URL is longer than 500 characters."))
    why = refusal(url)
    if why:
        raise Invalid("url", why)
    wanted = sorted(set(events))
    unknown = [e for e in wanted if e not in EventType.values]
    if not wanted or unknown:
        raise Invalid(
            "events",
            _("Name the events, of: %(known)s.") % {"known": ", ".join(EventType.values)},
        )
    if EventType.CASE_OVERDUE in wanted and not policy.can(
        Actor.api_client(client, SOURCE), "case.view"
    ):
        raise Invalid(
            "events", _("The client's role may not see cases: it cannot be told of them.")
        )
    with transaction.atomic():
        subscription = Subscription.objects.create(
            client=client, url=url, events=wanted, salt=secrets.token_hex(16)
        )
        log.write(actor, actions.WEBHOOK_CREATE, subscription,
                  after={"client": client.name, "url": url, "events": wanted},
                  region_code=client.region.code if client.region else "")  # fmt: skip
    return subscription, secret_of(subscription)


def disable(actor: Actor, pk: int) -> Subscription:
    """Stop a subscription from now on (``api.webhook.disable``): its pending deliveries are
    not attempted any more. Disabling twice changes nothing."""
    policy.ensure(actor, "admin.site")
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=pk).first()
        if subscription is None:
            raise Invalid("id", _("No webhook subscription %(id)s.") % {"id": pk})
        if subscription.disabled_at is None:
            subscription.disabled_at = timezone.now()
            subscription.save(update_fields=["disabled_at"])
            log.write(actor, actions.WEBHOOK_DISABLE, subscription)
    return subscription


# --- Events ---------------------------------------------------------------------------------


def _overdue_events(subscription: Subscription) -> list[Event]:
    """The ``case.overdue`` events of the cases whose term passed, in the client's scope, since
    the subscription was made: the case list's own filter (term passed) seen by the client."""
    actor = Actor.api_client(subscription.client, SOURCE)
    if not policy.can(actor, "case.view"):
        return []
    since = timezone.localtime(subscription.created_at).date() - dt.timedelta(days=1)
    cases = (
        work.cases(actor, work.TERM_PASSED)
        .filter(term_ends_on__gte=since)
        .select_related("region")
        .only("number", "term_ends_on", "region__code")
        .order_by("term_ends_on", "pk")
    )
    out = []
    for case in cases:
        assert case.term_ends_on is not None  # the filter keeps cases with a term
        occurred = day_start(case.term_ends_on + dt.timedelta(days=1))
        if occurred < subscription.created_at:
            continue  # before the subscription: read with the API
        ref = f"{case.number}@{case.term_ends_on.isoformat()}"
        data = {"case": case.number, "region": case.region.code,
                "term_ended_on": case.term_ends_on.isoformat(),
                "url": f"/api/v1/cases/{case.number}/"}  # fmt: skip
        out.append(Event(type=EventType.CASE_OVERDUE, subject=case.number, ref=ref,
                         region=case.region.code, occurred_at=occurred, data=data))  # fmt: skip
    return out


def _release_events(subscription: Subscription) -> list[Event]:
    """The ``release.published`` events of the releases published since the subscription was
    made (public: every client may be told)."""
    out = []
    releases = Release.objects.filter(published_at__gte=subscription.created_at)
    for release in releases.select_related("revises").order_by("number"):
        data = {"release": release.number,
                "period_start": release.period_start.isoformat(),
                "period_end": release.period_end.isoformat(),
                "revises": release.revises.number if release.revises else None,
                "url": f"/api/v1/releases/{release.number}/"}  # fmt: skip
        out.append(Event(type=EventType.RELEASE_PUBLISHED, subject=str(release.number),
                         ref=str(release.number), occurred_at=release.published_at,
                         data=data))  # fmt: skip
    return out


FINDERS = {
    EventType.CASE_OVERDUE: _overdue_events,
    EventType.RELEASE_PUBLISHED: _release_events,
}


def scan(actor: Actor) -> dict[str, int]:
    """Record the new events and queue their deliveries to every active subscription that
    wants them and may see them, and queue again the deliveries whose task was lost (a worker
    that died): ``api.webhook.scan``, one entry a run that did something, with the counts.
    Running it again adds nothing: events are unique by type and reference, deliveries by
    subscription and event. Returns ``events``, ``deliveries`` and ``requeued``."""
    policy.ensure(actor, "admin.site")
    made: Counter[str] = Counter()
    now = timezone.now()
    with transaction.atomic():
        # The subscriptions' rows locked: a second scan at the same moment waits for this one.
        subscriptions = Subscription.objects.select_for_update(of=("self",)).filter(
            disabled_at=None
        )
        for subscription in subscriptions.select_related("client__region").order_by("pk"):
            if not subscription.client.usable:
                continue
            for kind in subscription.events:
                found = FINDERS[EventType(kind)](subscription)
                for chunk in _chunks(found):
                    events = _stored(made, chunk)
                    sent = set(
                        Delivery.objects.filter(subscription=subscription, event__in=events)
                        .values_list("event_id", flat=True)
                    )  # fmt: skip
                    new = [Delivery(subscription=subscription, event=event, next_attempt_at=now)
                           for event in events if event.pk not in sent]  # fmt: skip
                    for delivery in Delivery.objects.bulk_create(new):
                        # In this transaction: the task exists if and only if the delivery does.
                        deliver_task.enqueue(delivery.pk)
                        made["deliveries"] += 1
        made["requeued"] = _requeue_lost(now)
        if any(made.values()):
            log.write(actor, actions.WEBHOOK_SCAN, details=dict(sorted(made.items())))
    return {key: made[key] for key in ("events", "deliveries", "requeued")}


def _requeue_lost(now: dt.datetime) -> int:
    """Queue again each pending delivery due for :data:`LOST_AFTER` with no task waiting for
    it and no attempt under way (its worker died while it ran, or its task row was deleted).
    A task too many is harmless: an attempt is made only when the delivery is due."""
    waiting = {
        args_kwargs["args"][0]
        for args_kwargs in DBTaskResult.objects.filter(
            queue_name=QUEUE, status=TaskResultStatus.READY
        ).values_list("args_kwargs", flat=True)
        if args_kwargs.get("args")
    }
    lost = (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now - LOST_AFTER
        )
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .exclude(pk__in=waiting)
        .values_list("pk", flat=True)
    )
    requeue = list(lost[:REQUEUE_AT_MOST])
    for pk in requeue:
        deliver_task.enqueue(pk)
    return len(requeue)


def _chunks(items: list[Event], size: int = 500) -> list[list[Event]]:
    """``items`` in lists of ``size`` (a query's parameters stay few on SQLite)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def _stored(made: Counter[str], events: list[Event]) -> list[Event]:
    """``events`` (of one type) as rows: the ones recorded before, the others recorded now. A
    case announced overdue is announced again only when its term ended later than the term of
    the last announcement (it was extended, or the case resumed, and that term passed too) —
    not when a requalification or a new rule moved its end earlier."""
    kind = events[0].type
    known = {e.ref: e for e in Event.objects.filter(type=kind, ref__in=[e.ref for e in events])}
    last = dict(
        Event.objects.filter(type=kind, subject__in={e.subject for e in events})
        .values("subject")
        .annotate(last=Max("ref"))
        .values_list("subject", "last")
    )
    new = [e for e in events if e.ref not in known and e.ref > last.get(e.subject, "")]
    for event in new:
        event.uid = uuid.uuid4()
    # Events are unique by type and reference (and scans take turns: see scan()).
    Event.objects.bulk_create(new, ignore_conflicts=True)
    made["events"] += len(new)
    known.update((e.ref, e) for e in Event.objects.filter(type=kind, ref__in=[e.ref for e in new]))
    return [known[e.ref] for e in events if e.ref in known]


# --- Deliveries -----------------------------------------------------------------------------


def payload(event: Event) -> bytes:
    """The JSON body of an event: its id, type, time (Kazakhstan time, ISO 8601) and data."""
    body = {
        "id": str(event.uid),
        "type": event.type,
        "timestamp": timezone.localtime(event.occurred_at).isoformat(),
        "data": event.data,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: it could lead outside the allowed hosts."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Direct connections only (no proxy from the environment), no redirects followed.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST ``body``; the HTTP status (None when nothing answered) and what went wrong."""
    # The scheme was checked by refusal() just before: https (or http where allowed) only.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=settings.QORGAU_WEBHOOK_TIMEOUT) as response:
            response.read(1024)
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except Exception as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{exc.__class__.__name__}: {reason}"


def _still_allowed(delivery: Delivery) -> str:
    """Why the delivery may not be attempted now (empty: it may)."""
    subscription = delivery.subscription
    if subscription.disabled_at is not None:
        return _("The subscription is disabled.")
    if not subscription.client.usable:
        return _("The client's key is revoked or expired.")
    why = refusal(subscription.url)
    if why:
        return why
    if delivery.event.type == EventType.CASE_OVERDUE:
        # The policy's own scope rule, on the event's region (as for the delivery log).
        actor = Actor.api_client(subscription.client, SOURCE)
        event = Event.objects.filter(pk=delivery.event_id)
        if not policy.scoped_by_code(actor, "case.view", event, code_field="region").exists():
            return _("The case is no longer in the client's scope.")
    return ""


def _claim(delivery_pk: int, now: dt.datetime, token: str) -> Delivery | None:
    """The pending delivery, due now and not being sent by another worker, claimed for
    :func:`lease` (a short transaction); None when there is nothing to do."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("subscription__client__region", "event")
            .filter(pk=delivery_pk)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # an early or stale task: its own task is queued for the right time
        if delivery.claimed_until is not None and delivery.claimed_until > now:
            return None  # another worker is sending it
        delivery.claim, delivery.claimed_until = token, now + lease()
        delivery.save(update_fields=["claim", "claimed_until"])
    return delivery


def lease() -> dt.timedelta:
    """How long a claimed delivery is left to its worker: twice the timeout and a margin."""
    return dt.timedelta(seconds=2 * settings.QORGAU_WEBHOOK_TIMEOUT + 30)


def attempt(delivery_pk: int) -> str:
    """Make the next attempt of a pending delivery that is due: claim it, send it with no
    transaction open (a slow subscriber holds no lock), then log the attempt (a row and an
    audit entry ``api.webhook.deliver``) and mark it delivered, schedule the next attempt after
    :data:`BACKOFF`, or mark it failed. Returns its status ("skipped": nothing to do now)."""
    token = secrets.token_hex(8)
    now = timezone.now()
    claimed = _claim(delivery_pk, now, token)
    if claimed is None:
        return "skipped"
    # The log's errors are for the operators and programmers on both ends: in English.
    with translation.override("en"):
        why = _still_allowed(claimed)
    started = time.monotonic()
    if why:
        code, error = None, why
    else:
        body = payload(claimed.event)
        msg_id, stamp = str(claimed.event.uid), int(now.timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(secret_of(claimed.subscription), msg_id, stamp, body),
        }
        code, error = _post(claimed.subscription.url, body, headers)
    duration = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    if code is not None and not ok and not error:
        error = f"HTTP {code}"
    return _record(delivery_pk, token, now, code, error[:300], duration, ok=ok, refused=bool(why))


def _record(
    delivery_pk: int, token: str, now: dt.datetime, code: int | None, error: str, duration: int,
    *, ok: bool, refused: bool,
) -> str:  # fmt: skip
    """Log an attempt and decide what follows (a short transaction). If the claim ran out and
    another worker took the delivery over, the attempt is logged and the other decides."""
    actor = Actor.system(SOURCE, source=SOURCE)
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("subscription__client__region", "event")
            .get(pk=delivery_pk)
        )
        number = delivery.tries.count() + 1
        DeliveryAttempt.objects.create(delivery=delivery, number=number, at=now,
                                       status_code=code, duration_ms=duration, error=error)  # fmt: skip
        mine = delivery.claim == token and delivery.status == DeliveryStatus.PENDING
        if mine:
            delivery.attempts += 1
            delivery.claim, delivery.claimed_until = "", None
            if ok or refused or delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.DELIVERED if ok else DeliveryStatus.FAILED
                delivery.finished_at, delivery.next_attempt_at = timezone.now(), None
            else:
                delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
                # In this transaction: the retry's task exists if and only if it is scheduled.
                deliver_task.using(run_after=delivery.next_attempt_at).enqueue(delivery_pk)
            delivery.save(update_fields=["attempts", "status", "finished_at", "next_attempt_at",
                                         "claim", "claimed_until"])  # fmt: skip
        client = delivery.subscription.client
        log.write(actor, actions.WEBHOOK_DELIVER, delivery.subscription,
                  details={"event": delivery.event.type, "ref": delivery.event.ref,
                           "delivery": delivery.pk, "attempt": number,
                           "attempt_of_round": delivery.attempts, "status_code": code,
                           "outcome": delivery.status, "error": error},
                  region_code=client.region.code if client.region else "")  # fmt: skip
    return str(delivery.status)


@task(queue_name=QUEUE)
def deliver_task(delivery_pk: int) -> str:
    """The background task of one attempt: :func:`attempt` in the worker."""
    return attempt(delivery_pk)


def redeliver(actor: Actor, delivery_pk: int) -> Delivery:
    """Try a failed delivery again, now, with a new round of attempts
    (``api.webhook.redeliver``): after the subscriber fixed their end."""
    policy.ensure(actor, "admin.site")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_pk).first()
        if delivery is None:
            raise Invalid("id", _("No webhook delivery %(id)s.") % {"id": delivery_pk})
        if delivery.status == DeliveryStatus.DELIVERED:
            raise Invalid("id", _("The delivery was delivered."))
        if delivery.status == DeliveryStatus.PENDING:
            raise Invalid("id", _("The delivery is still being tried: wait until it fails."))
        delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
        delivery.finished_at, delivery.next_attempt_at = None, timezone.now()
        delivery.save(update_fields=["status", "attempts", "finished_at", "next_attempt_at"])
        log.write(actor, actions.WEBHOOK_REDELIVER, delivery.subscription,
                  details={"delivery": delivery.pk, "event": delivery.event.type,
                           "ref": delivery.event.ref})  # fmt: skip
        deliver_task.enqueue(delivery_pk)
    return delivery


def deliveries_for(actor: Actor) -> Any:
    """The delivery log ``actor`` may read: an API client its own subscriptions', of what its
    scope lets it see now (a client narrowed to a region, or to a role that sees no cases, no
    longer reads the cases it was told of before); a national administrator (a person) every
    one; anyone else none."""
    deliveries = Delivery.objects.select_related("event", "subscription").prefetch_related("tries")
    if actor.client is not None:
        own = deliveries.filter(subscription__client=actor.client)
        cases = own.filter(event__type=EventType.CASE_OVERDUE)
        return own.filter(event__type=EventType.RELEASE_PUBLISHED) | policy.scoped_by_code(
            actor, "case.view", cases, code_field="event__region"
        )
    if policy.can(actor, "admin.site"):
        return deliveries
    return deliveries.none()
