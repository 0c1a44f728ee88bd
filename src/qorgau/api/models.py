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
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="api_idempotency_unique")
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.owner}: {self.key}"
