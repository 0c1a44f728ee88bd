"""Oversight: the prosecutor's control records. (The legal terms the control list checks are
``reference.DeadlineRule`` rows, computed by :mod:`qorgau.reference.rules`.)"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qorgau.core.privacy import SensitiveTextField
from qorgau.registry.limits import INSTRUCTION_MAX, RESULT_MAX


class ControlKind(models.TextChoices):
    INSTRUCTION = "instruction", _("instruction")
    REVIEW = "review", _("review of a termination")


class ControlRecord(models.Model):
    """A prosecutor's control of a late, due or doubtful item: the instruction given, its due
    date and, later, the result."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=ControlKind.choices, default=ControlKind.INSTRUCTION
    )
    case = models.ForeignKey(
        "registry.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="controls",
        verbose_name=_("case"),
    )
    report = models.ForeignKey(
        "registry.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="controls",
        verbose_name=_("report"),
    )
    instruction = SensitiveTextField(_("instruction"), max_length=INSTRUCTION_MAX)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    result = SensitiveTextField(_("result"), blank=True, max_length=RESULT_MAX)
    result_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, report__isnull=True)
                | models.Q(case__isnull=True, report__isnull=False),
                name="control_on_case_or_report",
            )
        ]
        verbose_name = _("control record")
        verbose_name_plural = _("control records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.case or self.report}"

    @property
    def region_id(self):
        """The region of the controlled record (for the access policy)."""
        return (self.case or self.report).region_id


class NotificationKind(models.TextChoices):
    """What became overdue (``qorgau notify-overdue``)."""

    REPORT_OVERDUE = "report_overdue", _("report past the decision term")
    TERM_PASSED = "term_passed", _("investigation term passed")


class Notification(models.Model):
    """An in-app notice to one user that an item of their worklist became overdue: one per
    user, kind and item (``ref``: the report's id as R<id>, the case's number), however often
    the command runs. Read when the user marks it so."""

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("user"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    ref = models.CharField(_("record"), max_length=40)
    case = models.ForeignKey(
        "registry.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("case"),
    )  # fmt: skip
    report = models.ForeignKey(
        "registry.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("report"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "ref"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.ref}"
