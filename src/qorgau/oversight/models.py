"""Oversight rules: the legal terms the system checks, kept as data with their legal source.

No legal term is written in code: the registry asks :mod:`qorgau.oversight.rules` for a
deadline, and an administrator can change a rule (with its source) in the admin.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from qorgau.core.i18n import localized
from qorgau.core.privacy import SensitiveTextField
from qorgau.reference.models import OffenceCategory


class RuleKind(models.TextChoices):
    REPORT_DECISION = "report_decision", _("decision on a report")
    INVESTIGATION_TERM = "investigation_term", _("term of pre-trial investigation")


class TermUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


def format_term(amount: int, unit: str) -> str:
    """A term as words with the right plural form: "24 hours", "1 month", "2 months"."""
    if unit == TermUnit.HOURS:
        text = ngettext("%(count)d hour", "%(count)d hours", amount)
    elif unit == TermUnit.DAYS:
        text = ngettext("%(count)d day", "%(count)d days", amount)
    else:
        text = ngettext("%(count)d month", "%(count)d months", amount)
    return text % {"count": amount}


class DeadlineRule(models.Model):
    """A legal term: how long something may take, for which offence category, and why."""

    kind = models.CharField(_("kind"), max_length=30, choices=RuleKind.choices)
    category = models.CharField(
        _("offence category"),
        max_length=20,
        choices=OffenceCategory.choices,
        blank=True,
        help_text=_("Empty: applies to every category."),
    )
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(pgettext_lazy("time", "unit"), max_length=10, choices=TermUnit.choices)
    legal_source = models.TextField(_("legal source"))
    # The longest the term may run with every extension (investigation terms): an extension past
    # it is refused. In the rule's unit, counted like the term itself.
    max_amount = models.PositiveIntegerField(
        _("longest term with extensions"),
        null=True,
        blank=True,
        help_text=_("In the rule's unit; extensions past it are refused. Empty: no maximum."),
    )
    max_legal_source = models.TextField(_("legal source of the longest term"), blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["kind", "category"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "category"], name="deadline_rule_unique")
        ]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.category:
            label = f"{label} ({self.get_category_display()})"
        return f"{label}: {format_term(self.amount, self.unit)}"

    @property
    def description(self) -> str:
        return localized(self, "description")


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
