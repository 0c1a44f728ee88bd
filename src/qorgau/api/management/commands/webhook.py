"""``qorgau webhook add CLIENT URL --events E[,E]``, ``list``, ``disable ID``, ``scan``,
``log [--subscription ID] [--status S] [--limit N] [--format F]``, ``redeliver DELIVERY``
(docs/api.md#webhooks)."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.api import webhooks
from qorgau.api.models import Delivery, DeliveryAttempt, DeliveryStatus, EventType, Subscription
from qorgau.core.commands import QorgauCommand


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


class Command(QorgauCommand):
    help = "Subscribe API clients to events at their URLs, record and queue events, read the log."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        add = sub.add_parser("add", help="Subscribe a client; prints its signing secret once.")
        add.add_argument("client", help="The API client's name (qorgau api-client list).")
        add.add_argument("url", help="https://… on a host of QORGAU_WEBHOOK_HOSTS.")
        add.add_argument(
            "--events", required=True, help=f"Comma-separated, of: {', '.join(EventType.values)}."
        )
        sub.add_parser("list", help="The subscriptions and their state.")
        disable = sub.add_parser("disable", help="Stop a subscription.")
        disable.add_argument("id", type=int)
        sub.add_parser("scan", help="Record new events and queue their deliveries (scheduler).")
        show = sub.add_parser("log", help="The delivery log, newest first.")
        show.add_argument("--subscription", type=int)
        show.add_argument("--status", choices=DeliveryStatus.values)
        show.add_argument("--limit", type=int, default=50)
        show.add_argument("--format", choices=["table", "csv", "json"], default="table")
        again = sub.add_parser("redeliver", help="Try a failed delivery again, now.")
        again.add_argument("id", type=int)

    def handle(self, *args, **options):
        what = options["what"]
        if what == "add":
            events = [e.strip() for e in options["events"].split(",") if e.strip()]
            subscription, secret = webhooks.subscribe(
                self.actor, options["client"], options["url"], events
            )
            self.stdout.write(
                _("Subscription %(id)s made. Its signing secret (shown only now):")
                % {"id": subscription.pk}
            )
            self.stdout.write(secret)
        elif what == "disable":
            subscription = webhooks.disable(self.actor, options["id"])
            self.stdout.write(_("Subscription %(id)s disabled.") % {"id": subscription.pk})
        elif what == "scan":
            done = webhooks.scan(self.actor)
            self.stdout.write(_("%(events)d new events, %(deliveries)d deliveries queued.") % done)
        elif what == "redeliver":
            delivery = webhooks.redeliver(self.actor, options["id"])
            self.stdout.write(_("Delivery %(id)s queued again.") % {"id": delivery.pk})
        elif what == "list":
            for s in Subscription.objects.select_related("client"):
                state = "disabled" if s.disabled_at else "active"
                self.stdout.write("\t".join(
                    [str(s.pk), s.client.name, s.url, ",".join(s.events), state]
                ))  # fmt: skip
        else:
            self._log(options)

    def _log(self, options) -> None:
        deliveries = (
            Delivery.objects.select_related("event", "subscription__client")
            .prefetch_related(Prefetch("tries", DeliveryAttempt.objects.order_by("-number")))
            .order_by("-pk")
        )
        if options["subscription"]:
            deliveries = deliveries.filter(subscription_id=options["subscription"])
        if options["status"]:
            deliveries = deliveries.filter(status=options["status"])
        rows = []
        for d in deliveries[: max(1, options["limit"])]:
            last = next(iter(d.tries.all()), None)
            rows.append({
                "delivery": d.pk, "subscription": d.subscription_id,
                "client": d.subscription.client.name, "event": d.event.type,
                "ref": d.event.ref, "status": d.status, "attempts": d.attempts,
                "last_attempt_at": _local(last.at if last else None),
                "last_http_status": last.status_code if last and last.status_code else "",
                "last_error": last.error if last else "",
                "next_attempt_at": _local(d.next_attempt_at),
            })  # fmt: skip
        self.emit_rows(rows, options["format"])
