"""The audit trail: every change to the registry and every look at case data.

Append-only: the application never updates or deletes an entry (the model refuses), and on
PostgreSQL triggers refuse UPDATE and DELETE from any database role (migration 0002) and
TRUNCATE from any role but a superuser (0003). Who owns the table: docs/access.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who did what to which record, when, from where, with the fields before and after."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
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
