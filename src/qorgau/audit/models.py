"""The audit trail: every change to the registry and every look at case data.

Append-only: the application never updates or deletes an entry (the model refuses); on
PostgreSQL the application's own database role holds only SELECT and INSERT on the table
(``qorgau db-roles``), triggers refuse UPDATE and DELETE from any role (migration 0002) and
TRUNCATE from any role but the owner's (0004). Entries form a hash chain: each stores the hash
of the one before it, and ``qorgau audit-verify`` proves the chain unbroken (``chain.py``).
On PostgreSQL a trigger sets the time (the database's ``now()``), the position and the hashes,
whatever the client sends. See docs/security.md.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from . import actions


class AuditEntry(models.Model):
    """Who did what to which record, when, from where, with the fields before and after."""

    # The database's clock, not the client's (db_default: Django leaves it out of the INSERT and
    # reads back what the database wrote; on PostgreSQL the chain trigger sets it regardless).
    at = models.DateTimeField(_("time"), db_default=Now(), db_index=True)
    # No database constraint: deleting a user must not touch the trail.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+", verbose_name=_("user"),
    )  # fmt: skip
    username = models.CharField(_("username"), max_length=150, blank=True)
    source = models.CharField(_("source address"), max_length=100, blank=True)
    action = models.CharField(
        _("action"),
        max_length=60,
        db_index=True,
        help_text=_("e.g. case.view, registry.case.update"),
    )
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=60, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    details = models.JSONField(_("details"), null=True, blank=True)
    # The hash chain (``chain.py``): position 1, 2, 3 … without gaps, the previous entry's hash
    # and this entry's own, over every field above and ``prev_hash``. The defaults stand for
    # "set by the database" and make Django read back what the trigger wrote.
    seq = models.BigIntegerField(_("position in the chain"), db_default=0, unique=True)
    prev_hash = models.CharField(_("previous entry's hash"), max_length=64, db_default="")
    hash = models.CharField(_("hash"), max_length=64, db_default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '—'} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries cannot be deleted")

    @property
    def action_label(self) -> str:
        """What the action means, in the active language (``audit.actions``)."""
        return actions.label(self.action)
