"""The awareness campaign of the source letter (paragraphs 9–12): organisations, plans (the
national media plan of 2026-01-30 and the akimats' plans) and their activities."""

import datetime as dt

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qorgau.core.i18n import localized
from qorgau.core.privacy import SensitiveCharField, SensitiveTextField
from qorgau.reference.models import Region

# The approval of the national media plan (the source letter, paragraph 9): the campaign's
# start, the intervention date the statistics assume unless another is chosen, the example
# plan of the workbook template and of the demonstration data.
DEFAULT_CAMPAIGN_DATE = dt.date(2026, 1, 30)


def _default_campaign_note() -> str:
    return gettext("Default: the media plan of %(date)s.") % {
        "date": DEFAULT_CAMPAIGN_DATE.isoformat()
    }


# The same date said in words, for a help text (translated when shown).
DEFAULT_CAMPAIGN_NOTE = lazy(_default_campaign_note, str)()


class OrganisationKind(models.TextChoices):
    """The participants the letter names (paragraph 11)."""

    STATE_BODY = "state_body", _("state body")
    AKIMAT = "akimat", _("local executive body (akimat)")
    NGO = "ngo", _("non-governmental organisation")
    EDUCATION = "education", _("educational institution")
    PROFESSIONAL = "professional", _("professional association")
    MEDIA = "media", _("mass media")
    DIGITAL = "digital", _("digital platform")
    SOCIAL = "social", _("social network")
    EXPERTS = "experts", _("expert community")


class Organisation(models.Model):
    """A participant of the campaign, national or of one region."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=250)
    name_ru = models.CharField(_("name (Russian)"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["name_kk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class PlanKind(models.TextChoices):
    NATIONAL = "national", _("national media plan")
    AKIMAT = "akimat", _("akimat's plan")


class Plan(models.Model):
    """An approved plan of events."""

    title_kk = models.CharField(_("title (Kazakh)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    approved_on = models.DateField(_("approved on"))
    approved_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("approving body")
    )
    lead = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead")
    )
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region"),
                               help_text=_("Empty for a national plan."))  # fmt: skip
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["-approved_on"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class ActivityKind(models.TextChoices):
    PUBLICATION = "publication", _("publication")
    BROADCAST = "broadcast", _("TV or radio programme")
    SOCIAL_SERIES = "social_series", _("social-media series")
    VIDEO = "video", _("video")
    INFOGRAPHIC = "infographic", _("infographic")
    LECTURE = "lecture", _("lecture or seminar")
    ROUND_TABLE = "round_table", _("round table")
    OUTDOOR = "outdoor", _("outdoor advertising")
    HELPLINE = "helpline", _("helpline promotion")
    SCHOOL_LESSON = "school_lesson", _("school lesson")
    OTHER = "other", _("other")


class Topic(models.TextChoices):
    STALKING = "stalking", _("stalking")
    FORCED_MARRIAGE = "forced_marriage", _("coercion into marriage")
    VIOLENCE = "violence", _("violence against women")
    ZERO_TOLERANCE = "zero_tolerance", _("zero tolerance")
    HELP = "help", _("help for victims")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    OVERDUE = "overdue", _("overdue")
    CANCELLED = "cancelled", _("cancelled")


class Activity(models.Model):
    """One event of a plan, with its executors, deadline and indicators planned vs achieved.
    "Overdue" is never stored: it is derived from the due date (see :attr:`status`)."""

    STORED = [
        ActivityStatus.PLANNED,
        ActivityStatus.IN_PROGRESS,
        ActivityStatus.DONE,
        ActivityStatus.CANCELLED,
    ]

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan")
    )
    title_kk = models.CharField(_("title (Kazakh)"), max_length=400)
    title_ru = models.CharField(_("title (Russian)"), max_length=400)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    topics = models.JSONField(_("topics"), default=list)
    audience = models.CharField(_("target audience"), max_length=200, blank=True)
    regions = models.ManyToManyField(
        Region, blank=True, verbose_name=_("regions"), help_text=_("Empty: the whole country.")
    )
    responsible = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("responsible"),
    )
    co_executors = models.ManyToManyField(
        Organisation, blank=True, related_name="co_activities", verbose_name=_("co-executors")
    )
    due_on = models.DateField(_("due date"))
    stored_status = models.CharField(
        _("status"),
        max_length=20,
        choices=[(s.value, s.label) for s in STORED],
        default=ActivityStatus.PLANNED,
    )
    cancel_reason = SensitiveTextField(_("reason of cancellation"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    evidence = models.TextField(_("evidence (links, one per line)"), blank=True)
    planned_count = models.PositiveIntegerField(_("publications or events planned"), default=0)
    achieved_count = models.PositiveIntegerField(_("publications or events achieved"), default=0)
    planned_reach = models.PositiveIntegerField(_("reach/views planned"), default=0)
    achieved_reach = models.PositiveIntegerField(_("reach/views achieved"), default=0)
    planned_participants = models.PositiveIntegerField(_("participants planned"), default=0)
    achieved_participants = models.PositiveIntegerField(_("participants achieved"), default=0)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    def status_on(self, day) -> str:
        """The status on ``day``: planned or in-progress work past its due date is overdue."""
        if (
            self.stored_status in (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS)
            and self.due_on < day
        ):
            return ActivityStatus.OVERDUE
        return self.stored_status

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(ActivityStatus(self.status).label)


class EvidenceStorage(FileSystemStorage):
    """Evidence files under ``VAR_DIR/evidence``: outside the static files and with no public
    URL. They are served only by the campaign's own view, after the access check."""

    @property
    def base_location(self):
        return str(settings.VAR_DIR / "evidence")

    @property
    def location(self):
        return self.base_location

    def url(self, name):
        raise ValueError("evidence files have no public URL; use campaigns:evidence_file")


def evidence_storage() -> EvidenceStorage:
    return EvidenceStorage()


class Evidence(models.Model):
    """Proof that an activity took place: a link or an uploaded file (never served publicly)."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="evidence_items",
        verbose_name=_("activity"),
    )
    url = models.URLField(pgettext_lazy("evidence", "link"), max_length=500, blank=True)
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to="%Y/%m/", max_length=300, blank=True
    )
    original_name = SensitiveCharField(_("file name"), max_length=255, blank=True)
    note = SensitiveCharField(pgettext_lazy("evidence", "note"), max_length=300, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        # Never the file's name: it is sensitive free text (a user's own words), and whatever
        # names a record — the audit trail, the admin's history and breadcrumbs — copies this.
        return self.url or f"{self._meta.verbose_name} {self.pk}"
