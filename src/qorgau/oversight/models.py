"""Oversight rules: the legal terms the system checks, kept as data with their legal source.

No legal term is written in code: the registry asks :mod:`qorgau.oversight.rules` for a
deadline, and an administrator can change a rule (with its source) in the admin.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qorgau.core.i18n import localized
from qorgau.reference.models import OffenceCategory


class RuleKind(models.TextChoices):
    REPORT_DECISION = "report_decision", _("decision on a report")
    INVESTIGATION_TERM = "investigation_term", _("term of pre-trial investigation")


class TermUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


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
    unit = models.CharField(_("unit"), max_length=10, choices=TermUnit.choices)
    legal_source = models.TextField(_("legal source"))
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
        return f"{self.get_kind_display()} {self.get_category_display()}: {self.amount} {self.get_unit_display()}"

    @property
    def description(self) -> str:
        return localized(self, "description")
