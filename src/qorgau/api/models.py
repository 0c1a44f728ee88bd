"""The API's own records: the systems that may call it (their keys stored hashed) and the
answers kept for an ``Idempotency-Key``."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.access.models import Role
from qorgau.reference.models import Region

# A key is "qk_" + 8 characters shown in lists (the prefix) + the secret; only its hash is kept.
KEY_MARK = "qk_"
PREFIX_CHARS = 8


def hash_key(key: str) -> str:
    """The SHA-256 of a key, as stored: a key is 32 random bytes, so a plain hash suffices (no
    password stretching is needed against guessing)."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A new random key: ``qk_`` + a visible prefix + the secret."""
    return KEY_MARK + secrets.token_urlsafe(32)


class ApiClient(models.Model):
    """A registered system (the ERDR, an akimat's system, the 102 line) calling the API with its
    own key, bound to a role and a scope like a person's profile (``access.policy.scope_of``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Empty for the whole country."),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=20, db_index=True)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    @property
    def usable(self) -> bool:
        """Whether its key still opens the API: not revoked, not past its expiry day (Almaty)."""
        if self.revoked_at is not None:
            return False
        return self.expires_on is None or timezone.localdate() <= self.expires_on


class IdempotencyKey(models.Model):
    """The first successful answer to a POST with an ``Idempotency-Key``, replayed to every
    retry of the same caller with the same key (``api/idempotency.py``)."""

    owner = models.CharField(_("caller"), max_length=120)
    key = models.CharField(_("key"), max_length=200)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("answer status"), default=0)
    body = models.JSONField(_("answer body"), null=True, blank=True)
    headers = models.JSONField(_("answer headers"), default=dict)
    # Indexed: the daily purge deletes by age (api/idempotency.py).
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="api_idempotency_unique")
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.owner}: {self.key}"


class EventType(models.TextChoices):
    """What a subscriber may be told of (docs/api.md#webhooks)."""

    CASE_OVERDUE = "case.overdue", _("a case's investigation term has passed")
    RELEASE_PUBLISHED = "release.published", _("a statistics release is published")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Subscription(models.Model):
    """A webhook: the URL where an API client is told of ``events`` in its own scope. Its
    signing secret is derived from the server's SECRET_KEY and ``salt`` (``api.webhooks``): it is
    shown once and never stored, so the database alone cannot forge a signature."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="subscriptions",
        verbose_name=_("API client"),
    )  # fmt: skip
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    salt = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.pk}: {self.client} → {self.url}"


class Event(models.Model):
    """Something that happened once and that subscribers may be told of: a case's term passing
    (``ref`` its number and the day the term ended), a release (``ref`` its number). ``region``
    is the case's region (empty: national, public)."""

    uid = models.UUIDField(_("event id"), unique=True, editable=False)
    type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    # What it is about: a case's number, a release's number.
    subject = models.CharField(_("subject"), max_length=60, db_index=True)
    ref = models.CharField(_("reference"), max_length=80)
    region = models.CharField(_("region"), max_length=10, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    data = models.JSONField(_("data"), default=dict)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["type", "ref"], name="api_event_unique")]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.ref}"


class Delivery(models.Model):
    """One event sent to one subscription, retried with back-off until it is delivered or the
    attempts run out; its :class:`DeliveryAttempt` rows are the delivery log."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries",
        verbose_name=_("webhook subscription"),
    )  # fmt: skip
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A worker sending it now: its token, and until when the others leave it alone.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="api_delivery_unique")
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}: {self.status}"


class DeliveryAttempt(models.Model):
    """One try of a delivery: when, the HTTP status answered (none: no answer), how long it
    took, and what went wrong."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="tries", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}: {self.status_code or self.error}"
