"""Oversight: the prosecutor's control records. (The legal terms the control list checks are
``reference.DeadlineRule`` rows, computed by :mod:`qorgau.reference.rules`.)"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qorgau.core.privacy import SensitiveTextField


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
    instruction = SensitiveTextField(_("instruction"))
    due_on = models.DateField(_("due date"), null=True, blank=True)
    result = SensitiveTextField(_("result"), blank=True)
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
