"""Choices of the registry, each with a translated label."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    CALL_102 = "call_102", _("102 call")
    HELPLINE_111 = "helpline_111", _("111 helpline")
    WRITTEN = "written", _("written application")
    E_OTINISH = "e_otinish", _("online application (e-Otinish)")
    MEDIA = "media", _("media or social-media report")
    REFERRAL = "referral", _("referral by another body")


class Decision(models.TextChoices):
    PENDING = "pending", _("no decision yet")
    REGISTERED = "registered", _("registered as a case")
    SENT_ELSEWHERE = "sent_elsewhere", _("sent to another body")
    NO_OFFENCE = "no_offence", _("no signs of an offence")


class CaseStatus(models.TextChoices):
    INVESTIGATION = "investigation", _("under investigation")
    SENT_TO_COURT = "sent_to_court", _("sent to court")
    TERMINATED = "terminated", _("terminated")
    SUSPENDED = "suspended", _("suspended")
    JOINED = "joined", _("joined to another case")


class TerminationGround(models.TextChoices):
    """Grounds of the Code of Criminal Procedure of the RK, art. 35 (and 36)."""

    NONE = "", _("—")
    NO_EVENT = "no_event", _("absence of the event of an offence (CPC art. 35)")
    NO_CORPUS_DELICTI = "no_corpus_delicti", _("absence of corpus delicti (CPC art. 35)")
    AMNESTY = "amnesty", _("amnesty (CPC art. 35)")
    LIMITATION = "limitation", _("statute of limitations expired (CPC art. 35)")
    DEATH = "death", _("death of the suspect (CPC art. 35)")
    RECONCILIATION = "reconciliation", _("reconciliation of the parties (CC art. 68)")
    NO_COMPLAINT = "no_complaint", _("no complaint of the victim (CPC art. 35)")
    NOT_ESTABLISHED = "not_established", _("suspect's involvement not proven (CPC art. 35)")
    OTHER = "other", _("other ground")


class SuspensionGround(models.TextChoices):
    """Grounds of the Code of Criminal Procedure of the RK, art. 45."""

    NONE = "", _("—")
    SUSPECT_UNKNOWN = "suspect_unknown", _("the person to be charged is not identified")
    SUSPECT_HIDING = "suspect_hiding", _("the suspect is hiding or their whereabouts are unknown")
    SUSPECT_ILL = "suspect_ill", _("the suspect is seriously ill")
    OTHER = "other", _("other ground")


class PartyRole(models.TextChoices):
    VICTIM = "victim", _("victim")
    SUSPECT = "suspect", _("suspect")


class Sex(models.TextChoices):
    FEMALE = "F", pgettext_lazy("sex", "female")
    MALE = "M", pgettext_lazy("sex", "male")
    UNKNOWN = "U", pgettext_lazy("sex", "unknown")


class AgeBand(models.TextChoices):
    """Age bands: coarse enough not to identify a person, fine enough for the statistics."""

    UNDER_14 = "0-13", _("under 14")
    AGE_14_17 = "14-17", _("14–17")
    AGE_18_24 = "18-24", _("18–24")
    AGE_25_34 = "25-34", _("25–34")
    AGE_35_44 = "35-44", _("35–44")
    AGE_45_54 = "45-54", _("45–54")
    AGE_55_64 = "55-64", _("55–64")
    AGE_65_PLUS = "65+", _("65 and over")
    UNKNOWN = "unknown", pgettext_lazy("age", "unknown")


MINOR_AGE_BANDS = {AgeBand.UNDER_14, AgeBand.AGE_14_17}


class Relationship(models.TextChoices):
    """The suspect's relationship to the victim."""

    SPOUSE = "spouse", _("spouse")
    FORMER_PARTNER = "former_partner", _("former spouse or partner")
    RELATIVE = "relative", _("relative")
    ACQUAINTANCE = "acquaintance", _("acquaintance")
    COLLEAGUE = "colleague", _("colleague")
    STRANGER = "stranger", _("stranger")
    UNKNOWN = "unknown", pgettext_lazy("relationship", "unknown")


class ExtensionUnit(models.TextChoices):
    """The unit of a term extension's length (the same values as the legal rules' units,
    ``reference.TermUnit``)."""

    DAYS = "days", _("days")
    MONTHS = "months", _("months")


class ImportStatus(models.TextChoices):
    """Where a case import uploaded in the browser stands (``registry.imports``)."""

    QUEUED = "queued", _("waiting to start")
    RUNNING = "running", _("checking the rows")
    DONE = "done", _("imported")
    REJECTED = "rejected", _("rejected, nothing imported")
    FAILED = "failed", _("failed, nothing imported")
