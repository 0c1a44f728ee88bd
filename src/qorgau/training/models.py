"""Staff training on the new norms (the letter's paragraph 6) and the headcounts that turn
attendance into coverage."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The kinds of body are the reference data's (one list for the registry and for training).
from qorgau.reference.models import BodyKind, Region


class TrainingTopic(models.TextChoices):
    REGISTRATION = "registration", _("registration rules")
    APPLICATIONS = "applications", _("consideration of applications and reports")
    PRETRIAL = "pretrial", _("pre-trial investigation procedure")
    CRIMINAL_NORMS = "criminal_norms", _("the new Criminal Code norms")
    ADMINISTRATIVE_NORMS = "administrative_norms", _("the administrative norms")


class TrainingFormat(models.TextChoices):
    # "in person" is also a channel of the registry (a report brought in person): its own context.
    IN_PERSON = "in_person", pgettext_lazy("training format", "in person")
    ONLINE = "online", pgettext_lazy("training format", "online")
    MIXED = "mixed", pgettext_lazy("training format", "mixed")


class Session(models.Model):
    """A training session, with the number of participants by position."""

    held_on = models.DateField(_("date"))
    body = models.CharField(_("body"), max_length=30, choices=BodyKind.choices)
    unit = models.CharField(pgettext_lazy("organisation", "unit"), max_length=200, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    topics = models.JSONField(_("topics"), default=list)
    format = models.CharField(_("format"), max_length=20, choices=TrainingFormat.choices)
    participants = models.JSONField(
        _("participants by position"),
        default=dict,
        help_text=_('e.g. {"investigator": 12, "district inspector": 30}'),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_body_display()} {self.region.code}"

    @property
    def total(self) -> int:
        return sum(int(n) for n in self.participants.values())

    @property
    def topic_labels(self) -> list[str]:
        """The topics as translated labels (unknown codes shown as they are)."""
        labels = dict(TrainingTopic.choices)
        return [str(labels.get(code, code)) for code in self.topics]


class Headcount(models.Model):
    """Staff of a body in a region on a date: the denominator of coverage."""

    body = models.CharField(_("body"), max_length=30, choices=BodyKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    as_of = models.DateField(_("as of"))
    headcount = models.PositiveIntegerField(_("headcount"))
    source = models.TextField(_("source"))
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["region__order", "body", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["body", "region", "as_of"], name="headcount_once")
        ]
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")

    def __str__(self) -> str:
        return f"{self.region.code} {self.body} {self.as_of}: {self.headcount}"
