"""Webhooks (api/webhooks.py, docs/api.md#webhooks): events found in each subscriber's scope,
delivered signed to a real HTTP server on this machine, retried with back-off, logged, and never
sent outside the configured hosts."""

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from qorgau.api import services, webhooks
from qorgau.api.models import (
    ApiClient,
    Delivery,
    DeliveryAttempt,
    Event,
    Subscription,
    hash_key,
    new_key,
)
from qorgau.audit.models import AuditEntry
from qorgau.core.errors import Invalid
from qorgau.reference.models import Region
from qorgau.stats import releases
from tests.fixtures import SYSTEM, local

pytestmark = pytest.mark.django_db

REGISTERED = local(2026, 1, 10, 10, 0)


class Receiver:
    """A subscriber's server: records each POST and answers with the next of ``answers``
    (200 when none are left)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict[str, str]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                code, headers = receiver.answers.pop(0) if receiver.answers else (200, {})
                if code == 0:  # not an HTTP answer at all
                    self.wfile.write(b"garbage\r\n\r\n")
                    self.close_connection = True
                    return
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/qorgau"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.QORGAU_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.QORGAU_WEBHOOK_ALLOW_HTTP = True
    server = Receiver()
    yield server
    server.close()


def verify(secret: str, request: dict) -> bool:
    """The subscriber's check, written from the Standard Webhooks specification (not from our
    code): base64 HMAC-SHA256 of "id.timestamp.body" under the secret's decoded bytes."""
    headers = request["headers"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(f"v1,{expected}", sig) for sig in headers["webhook-signature"].split()
    )


def subscribe(url, role="prosecutor", region="KZ-79", events=("case.overdue",), name=""):
    services.create_client(SYSTEM, name or f"{role}-{region}", role, region=region or "")
    return webhooks.subscribe(SYSTEM, name or f"{role}-{region}", url, list(events))


def run(pk: int, callbacks) -> str:
    with callbacks(execute=True):
        return webhooks.attempt(pk)


def test_an_overdue_case_in_scope_is_delivered_once_and_signed(
    make_case, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        _subscription, secret = subscribe(receiver.url)
    mine = make_case(region="KZ-79", registered_at=REGISTERED)
    make_case(region="KZ-71", registered_at=REGISTERED)  # another region: never told
    assert secret.startswith("whsec_") and secret not in json.dumps(
        list(Subscription.objects.values()), default=str
    )
    with time_machine.travel(local(2026, 1, 20, 9, 0), tick=False):
        assert webhooks.scan(SYSTEM) == {
            "events": 0,
            "deliveries": 0,
            "requeued": 0,
        }  # the term runs
    after = dt.datetime.combine(mine.term_ends_on + dt.timedelta(days=1), dt.time(9))
    with time_machine.travel(local(*after.timetuple()[:5]), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert webhooks.scan(SYSTEM) == {"events": 1, "deliveries": 1, "requeued": 0}
        queued = DBTaskResult.objects.filter(task_path__endswith="deliver_task")
        assert queued.count() == 1
        delivery = Delivery.objects.get()
        assert run(delivery.pk, django_capture_on_commit_callbacks) == "delivered"
        assert webhooks.scan(SYSTEM) == {
            "events": 0,
            "deliveries": 0,
            "requeued": 0,
        }  # nothing twice
        assert run(delivery.pk, django_capture_on_commit_callbacks) == "skipped"  # a stale task
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert verify(secret, request)
    body = json.loads(request["body"])
    assert body["type"] == "case.overdue"
    assert body["data"] == {
        "case": mine.number, "region": "KZ-79",
        "term_ended_on": mine.term_ends_on.isoformat(), "url": f"/api/v1/cases/{mine.number}/",
    }  # fmt: skip
    assert body["timestamp"].endswith("+05:00")
    assert body["id"] == request["headers"]["webhook-id"] == str(Event.objects.get().uid)
    # A signature under another secret, or of another body, does not verify.
    assert not verify("whsec_" + base64.b64encode(b"x" * 32).decode(), request)
    assert not verify(secret, {**request, "body": request["body"].replace(b"KZ-79", b"KZ-71")})
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    entry = AuditEntry.objects.filter(action="api.webhook.deliver").get()
    assert entry.details["outcome"] == "delivered" and entry.details["ref"].startswith(mine.number)


def test_a_national_subscriber_hears_of_every_region_but_not_of_the_past(
    make_case, receiver, django_capture_on_commit_callbacks
):
    make_case(region="KZ-79", registered_at=REGISTERED)
    make_case(region="KZ-71", registered_at=REGISTERED)
    case = make_case(region="KZ-71", registered_at=REGISTERED)
    late = dt.datetime.combine(case.term_ends_on + dt.timedelta(days=40), dt.time(9))
    with time_machine.travel(local(*late.timetuple()[:5]), tick=False):
        # Made 40 days after the terms passed: those events happened before it.
        subscription, _secret = subscribe(receiver.url, region="")
        assert webhooks.scan(SYSTEM) == {"events": 0, "deliveries": 0, "requeued": 0}
    with time_machine.travel(local(2026, 1, 5, 9), tick=False):
        early, _secret = subscribe(receiver.url, region="", name="early")
    with time_machine.travel(local(*late.timetuple()[:5]), tick=False):
        assert webhooks.scan(SYSTEM) == {"events": 3, "deliveries": 3, "requeued": 0}
    assert {d.event.region for d in Delivery.objects.filter(subscription=early)} == {
        "KZ-79",
        "KZ-71",
    }
    assert not Delivery.objects.filter(subscription=subscription).exists()


def test_a_failing_subscriber_is_retried_with_back_off_then_given_up(
    make_case, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    receiver.answers = [(500, {})] * webhooks.MAX_ATTEMPTS
    start = local(*dt.datetime.combine(case.term_ends_on + dt.timedelta(days=1), dt.time(9))
                  .timetuple()[:5])  # fmt: skip
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.scan(SYSTEM)
        delivery = Delivery.objects.get()
        waits = []
        for number in range(1, webhooks.MAX_ATTEMPTS + 1):
            status = run(delivery.pk, django_capture_on_commit_callbacks)
            delivery.refresh_from_db()
            assert delivery.attempts == number
            if number < webhooks.MAX_ATTEMPTS:
                assert status == "pending"
                waits.append(delivery.next_attempt_at - dt.datetime.now(dt.UTC))
                # The retry is queued to run after its wait, not before.
                retries = DBTaskResult.objects.filter(task_path__endswith="deliver_task")
                assert retries.filter(run_after=delivery.next_attempt_at).count() == 1
                clock.move_to(delivery.next_attempt_at)
            else:
                assert status == "failed" and delivery.next_attempt_at is None
    assert waits == webhooks.BACKOFF
    assert sum(waits, dt.timedelta()) > dt.timedelta(hours=24)
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS
    # The same event, signed anew each time (its timestamp changes).
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    assert len({r["headers"]["webhook-timestamp"] for r in receiver.requests}) == 8
    log = list(DeliveryAttempt.objects.values_list("number", "status_code", "error"))
    assert log == [(n, 500, "HTTP 500") for n in range(1, 9)]
    assert AuditEntry.objects.filter(action="api.webhook.deliver").count() == 8
    # Redelivered by the operator after the subscriber's fix: a new round, the log goes on.
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.redeliver(SYSTEM, delivery.pk)
    assert run(delivery.pk, django_capture_on_commit_callbacks) == "delivered"
    assert DeliveryAttempt.objects.latest("number").number == 9
    with pytest.raises(Invalid):
        webhooks.redeliver(SYSTEM, delivery.pk)  # delivered: nothing to try again


def test_nothing_is_sent_outside_the_configured_hosts(
    make_case, receiver, settings, django_capture_on_commit_callbacks
):
    services.create_client(SYSTEM, "prosecutor-KZ-79", "prosecutor", region="KZ-79")
    refused = [
        "http://10.0.0.5/hook",  # not a configured host
        "http://127.0.0.1.evil.example/hook",
        "http://user:pw@127.0.0.1/hook",  # credentials
        "ftp://127.0.0.1/hook",
        "http://127.0.0.1:99999/hook",  # not a port
        "file:///etc/passwd",
    ]
    for url in refused:
        with pytest.raises(Invalid) as error:
            webhooks.subscribe(SYSTEM, "prosecutor-KZ-79", url, ["case.overdue"])
        assert error.value.field == "url", url
    settings.QORGAU_WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(Invalid, match="HTTPS"):
        webhooks.subscribe(SYSTEM, "prosecutor-KZ-79", receiver.url, ["case.overdue"])
    settings.QORGAU_WEBHOOK_HOSTS = ["*"]  # "any host" is not a configuration we honour
    assert webhooks.refusal("https://example.org/") != ""
    settings.QORGAU_WEBHOOK_HOSTS = [".gov.kz"]
    assert webhooks.refusal("https://sud.gov.kz/hook") == ""
    assert webhooks.refusal("https://gov.kz.evil.example/hook") != ""

    settings.QORGAU_WEBHOOK_ALLOW_HTTP, settings.QORGAU_WEBHOOK_HOSTS = True, ["127.0.0.1"]
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        webhooks.subscribe(SYSTEM, "prosecutor-KZ-79", receiver.url, ["case.overdue"])
    case = make_case(registered_at=REGISTERED)
    day = dt.datetime.combine(case.term_ends_on + dt.timedelta(days=1), dt.time(9))
    with time_machine.travel(local(*day.timetuple()[:5]), tick=False):
        webhooks.scan(SYSTEM)
        settings.QORGAU_WEBHOOK_HOSTS = ["hooks.prokuror.kz"]  # the operator narrowed the list
        assert run(Delivery.objects.get().pk, django_capture_on_commit_callbacks) == "failed"
    assert receiver.requests == []
    assert "not among the hosts" in DeliveryAttempt.objects.get().error


def test_a_redirect_is_not_followed(make_case, receiver, django_capture_on_commit_callbacks):
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    receiver.answers = [(307, {"Location": "http://10.0.0.5/elsewhere"})]
    day = dt.datetime.combine(case.term_ends_on + dt.timedelta(days=1), dt.time(9))
    with time_machine.travel(local(*day.timetuple()[:5]), tick=False):
        webhooks.scan(SYSTEM)
        assert run(Delivery.objects.get().pk, django_capture_on_commit_callbacks) == "pending"
    assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.get().status_code == 307


def test_a_revoked_client_or_disabled_subscription_is_told_nothing(
    make_case, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscription, _secret = subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    day = dt.datetime.combine(case.term_ends_on + dt.timedelta(days=1), dt.time(9))
    with time_machine.travel(local(*day.timetuple()[:5]), tick=False):
        webhooks.scan(SYSTEM)
        services.revoke_client(SYSTEM, subscription.client.name)
        assert run(Delivery.objects.get().pk, django_capture_on_commit_callbacks) == "failed"
        webhooks.disable(SYSTEM, subscription.pk)
        Event.objects.all().delete()
        assert webhooks.scan(SYSTEM) == {"events": 0, "deliveries": 0, "requeued": 0}
    assert receiver.requests == []


def test_a_new_release_is_announced_to_every_subscriber(
    seed, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 11, 1, 9, 0), tick=False):
        _regional, secret = subscribe(receiver.url, region="KZ-79",
                                     events=("release.published",))  # fmt: skip
    with time_machine.travel(local(2026, 12, 10, 9, 0), tick=False):
        release = releases.publish(SYSTEM, releases.period_containing(dt.date(2026, 11, 1)))
        assert webhooks.scan(SYSTEM) == {"events": 1, "deliveries": 1, "requeued": 0}
        assert run(Delivery.objects.get().pk, django_capture_on_commit_callbacks) == "delivered"
    body = json.loads(receiver.requests[0]["body"])
    assert body["type"] == "release.published" and verify(secret, receiver.requests[0])
    assert body["data"]["release"] == release.number
    assert body["data"]["url"] == f"/api/v1/releases/{release.number}/"


def test_the_command_subscribes_lists_scans_and_shows_the_log(make_case, receiver):
    services.create_client(SYSTEM, "prokuratura", "prosecutor", region="KZ-79")
    out = io.StringIO()
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        call_command("webhook", "--lang", "en", "add", "prokuratura", receiver.url,
                     "--events", "case.overdue", stdout=out)  # fmt: skip
    secret = out.getvalue().split()[-1]
    assert secret.startswith("whsec_")
    assert secret == webhooks.secret_of(Subscription.objects.get())
    with pytest.raises(CommandError, match="Name the events"):
        call_command("webhook", "--lang", "en", "add", "prokuratura", receiver.url,
                     "--events", "case.closed")  # fmt: skip
    case = make_case(registered_at=REGISTERED)
    day = dt.datetime.combine(case.term_ends_on + dt.timedelta(days=1), dt.time(9))
    with time_machine.travel(local(*day.timetuple()[:5]), tick=False):
        out = io.StringIO()
        call_command("webhook", "--lang", "en", "scan", stdout=out)
        assert "1 new events, 1 deliveries queued." in out.getvalue()
        webhooks.attempt(Delivery.objects.get().pk)
    out = io.StringIO()
    call_command("webhook", "log", "--format", "json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert (row["client"], row["event"], row["status"], row["last_http_status"]) == (
        "prokuratura", "case.overdue", "delivered", 200,
    )  # fmt: skip
    assert row["last_attempt_at"].endswith("+05:00")
    out = io.StringIO()
    call_command("webhook", "list", stdout=out)
    assert "prokuratura" in out.getvalue() and "active" in out.getvalue()
    assert AuditEntry.objects.filter(action="api.webhook.create").count() == 1
    assert AuditEntry.objects.filter(action="api.webhook.scan").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_delivers_and_retries(make_case, receiver):
    """The real path: the scan queues a task, `qorgau db_worker` runs it, a 503 is retried after
    its wait by the worker again."""
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        _subscription, secret = subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    receiver.answers = [(503, {})]
    day = dt.datetime.combine(case.term_ends_on + dt.timedelta(days=1), dt.time(9))

    def worker() -> None:
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--queue-name", "webhooks", "--batch", "--no-reload",
                         "--no-startup-delay", stdout=io.StringIO())  # fmt: skip
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)

    with time_machine.travel(local(*day.timetuple()[:5]), tick=False) as clock:
        webhooks.scan(SYSTEM)
        worker()
        assert Delivery.objects.get().status == "pending" and len(receiver.requests) == 1
        worker()  # the retry waits a minute: nothing yet
        assert len(receiver.requests) == 1
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        worker()
    assert Delivery.objects.get().status == "delivered"
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [
        str(Event.objects.get().uid)
    ] * 2
    assert verify(secret, receiver.requests[1])


def test_a_subscriber_reads_its_own_delivery_log_and_no_one_elses(
    make_case, receiver, caller, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscribe(receiver.url, region="KZ-79", name="prokuratura-79")
        subscribe(receiver.url, region="KZ-71", name="prokuratura-71")
    make_case(region="KZ-79", registered_at=REGISTERED)
    case = make_case(region="KZ-71", registered_at=REGISTERED)
    receiver.answers = [(500, {})]
    day = dt.datetime.combine(case.term_ends_on + dt.timedelta(days=1), dt.time(9))
    with time_machine.travel(local(*day.timetuple()[:5]), tick=False):
        webhooks.scan(SYSTEM)
        for delivery in Delivery.objects.order_by("pk"):
            run(delivery.pk, django_capture_on_commit_callbacks)
    own = {}
    for name in ("prokuratura-79", "prokuratura-71"):
        subscription = Subscription.objects.get(client__name=name)
        answer = reader_of(subscription).get("/api/v1/webhooks/deliveries")
        assert answer.status_code == 200
        own[name] = answer.json()["results"]
    (mine,) = own["prokuratura-79"]
    (theirs,) = own["prokuratura-71"]
    assert (
        mine["event"]["data"]["region"] == "KZ-79" and theirs["event"]["data"]["region"] == "KZ-71"
    )
    assert [t["status_code"] for t in mine["tries"]] == [500]  # the first answer was a 500
    assert mine["status"] == "pending" and mine["next_attempt_at"].endswith("+05:00")
    assert theirs["status"] == "delivered" and theirs["tries"][0]["status_code"] == 200
    stranger = caller("prosecutor", "KZ-79")  # a client with no subscription: an empty log
    assert stranger.get("/api/v1/webhooks/deliveries").json()["results"] == []
    failed = caller("administrator").get("/api/v1/webhooks/deliveries?status=failed")
    assert failed.json()["results"] == []  # a client's key, not a person: its own log only
    bad = stranger.get("/api/v1/webhooks/deliveries?status=lost")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"


def _past_term(case, days: int = 1, hour: int = 9):
    """A moment ``days`` after the case's term ended (Kazakhstan time)."""
    day = case.term_ends_on + dt.timedelta(days=days)
    return local(day.year, day.month, day.day, hour, 0)


def test_a_broken_answer_is_an_attempt_that_failed_not_a_lost_delivery(
    make_case, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    receiver.answers = [(0, {})]  # not HTTP at all
    with time_machine.travel(_past_term(case), tick=False):
        webhooks.scan(SYSTEM)
        assert run(Delivery.objects.get().pk, django_capture_on_commit_callbacks) == "pending"
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None and "BadStatusLine" in attempt.error
    assert Delivery.objects.get().next_attempt_at is not None


def test_the_request_is_sent_with_no_transaction_open(make_case, receiver, monkeypatch):
    """A slow subscriber holds no row lock and no database write lock."""
    from django.db import connection

    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    depths = []
    post = webhooks._post

    def watched(*args):
        depths.append(len(connection.atomic_blocks))
        return post(*args)

    monkeypatch.setattr(webhooks, "_post", watched)
    with time_machine.travel(_past_term(case), tick=False):
        webhooks.scan(SYSTEM)
        outside = len(connection.atomic_blocks)  # the test's own transaction
        assert webhooks.attempt(Delivery.objects.get().pk) == "delivered"
    assert depths == [outside]


def test_a_lost_task_is_queued_again_and_early_or_doubled_tasks_send_nothing(
    make_case, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    receiver.answers = [(500, {})]
    tasks = DBTaskResult.objects.filter(queue_name="webhooks")
    with time_machine.travel(_past_term(case), tick=False) as clock:
        webhooks.scan(SYSTEM)
        delivery = Delivery.objects.get()
        assert run(delivery.pk, django_capture_on_commit_callbacks) == "pending"
        # Its retry waits a minute: a task run early (a duplicate) sends nothing.
        assert webhooks.attempt(delivery.pk) == "skipped"
        with pytest.raises(Invalid, match="still being tried"), translation.override("en"):
            webhooks.redeliver(SYSTEM, delivery.pk)
        # The worker died: its tasks are gone. Within LOST_AFTER nothing is queued again ...
        tasks.delete()
        clock.shift(webhooks.LOST_AFTER)
        assert webhooks.scan(SYSTEM)["requeued"] == 0
        # ... after it, once (a task waiting for it is not doubled).
        clock.shift(dt.timedelta(minutes=2))
        assert webhooks.scan(SYSTEM)["requeued"] == 1
        assert webhooks.scan(SYSTEM)["requeued"] == 0
        assert tasks.count() == 1
        assert run(delivery.pk, django_capture_on_commit_callbacks) == "delivered"
    assert len(receiver.requests) == 2


def test_an_overdue_case_is_announced_again_only_when_a_later_term_passes(
    make_case, receiver, django_capture_on_commit_callbacks
):
    from qorgau.registry.models import Case

    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscribe(receiver.url)
    case = make_case(registered_at=REGISTERED)
    first_end = case.term_ends_on
    with time_machine.travel(_past_term(case, days=5), tick=False):
        assert webhooks.scan(SYSTEM)["events"] == 1
        # A requalification (or a new rule) moves the end earlier, still passed: not news.
        Case.objects.filter(pk=case.pk).update(term_ends_on=first_end - dt.timedelta(days=2))
        assert webhooks.scan(SYSTEM)["events"] == 0
        # Extended: the term runs again ...
        Case.objects.filter(pk=case.pk).update(term_ends_on=first_end + dt.timedelta(days=30))
        assert webhooks.scan(SYSTEM)["events"] == 0
    case.refresh_from_db()
    with time_machine.travel(_past_term(case), tick=False):
        # ... and when the new term passes, that is news.
        assert webhooks.scan(SYSTEM) == {"events": 1, "deliveries": 1, "requeued": 0}
    refs = sorted(Event.objects.values_list("ref", flat=True))
    assert refs == [f"{case.number}@{first_end}", f"{case.number}@{case.term_ends_on}"]


def test_an_event_of_the_hours_before_the_subscription_is_not_sent(make_case, receiver):
    case = make_case(registered_at=REGISTERED)
    # The term passed at midnight; the subscription is made at 23:00 the same day.
    with time_machine.travel(_past_term(case, days=1, hour=23), tick=False):
        subscribe(receiver.url)
        assert webhooks.scan(SYSTEM) == {"events": 0, "deliveries": 0, "requeued": 0}


def test_who_may_subscribe_and_to_what_url(receiver):
    services.create_client(SYSTEM, "analyst-79", "analyst", region="KZ-79")
    with pytest.raises(Invalid, match="may not see cases") as error, translation.override("en"):
        webhooks.subscribe(SYSTEM, "analyst-79", receiver.url, ["case.overdue"])
    assert error.value.field == "events"
    assert webhooks.subscribe(SYSTEM, "analyst-79", receiver.url, ["release.published"])
    # The name checked is the name connected to: no escapes, no other characters.
    for url in ("http://127.0.0.1%2f.example/", "http://127.0.0.1%00/", "http://127.0.0.1\t/"):
        assert webhooks.refusal(url) != "", url


def reader_of(subscription) -> Client:
    """A test client with the subscriber's own key (made anew: keys are shown once)."""
    key = new_key()
    ApiClient.objects.filter(pk=subscription.client_id).update(key_hash=hash_key(key))
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def narrow_to(subscription, code: str) -> None:
    """The subscriber's client narrowed to one region after it subscribed."""
    ApiClient.objects.filter(pk=subscription.client_id).update(region=Region.objects.get(code=code))


def national_subscriber_and_overdue_case(make_case, receiver):
    """A national subscription, and a KZ-71 case whose term passed after it was made."""
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        subscription, _secret = subscribe(receiver.url, region="", name="national")
    return subscription, make_case(region="KZ-71", registered_at=REGISTERED)


def test_a_narrowed_client_no_longer_reads_the_cases_it_was_told_of(
    make_case, receiver, django_capture_on_commit_callbacks
):
    subscription, case = national_subscriber_and_overdue_case(make_case, receiver)
    with time_machine.travel(_past_term(case), tick=False):
        webhooks.scan(SYSTEM)
        assert run(Delivery.objects.get().pk, django_capture_on_commit_callbacks) == "delivered"
    entry = AuditEntry.objects.get(action="api.webhook.deliver")
    assert entry.region_code == ""  # a national client's entry is not filed under KZ-71
    reader = reader_of(subscription)
    assert len(reader.get("/api/v1/webhooks/deliveries").json()["results"]) == 1
    narrow_to(subscription, "KZ-79")
    assert reader.get("/api/v1/webhooks/deliveries").json()["results"] == []


def test_a_case_that_left_the_clients_scope_is_not_sent(make_case, receiver):
    subscription, case = national_subscriber_and_overdue_case(make_case, receiver)
    with time_machine.travel(_past_term(case), tick=False):
        webhooks.scan(SYSTEM)
        narrow_to(subscription, "KZ-79")
        assert webhooks.attempt(Delivery.objects.get().pk) == "failed"
    assert receiver.requests == []
    assert DeliveryAttempt.objects.get().error == "The case is no longer in the client's scope."
