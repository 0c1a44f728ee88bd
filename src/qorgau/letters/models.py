"""Deputies' inquiries and the replies drafted from the data, kept as versions."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.reference.models import Article


class InquiryStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    DRAFTING = "drafting", _("drafting")
    SENT = "sent", _("sent")


class Inquiry(models.Model):
    """A deputy's inquiry (депутаттық сауал / депутатский запрос) awaiting the Government's reply."""

    number = models.CharField(_("number"), max_length=30, unique=True, help_text=_("e.g. ДС-16"))
    dated = models.DateField(_("date of the inquiry"))
    addressee_kk = models.TextField(_("addressee, dative (Kazakh)"))
    addressee_ru = models.TextField(_("addressee, dative (Russian)"))
    salutation_kk = models.CharField(
        _("salutation (Kazakh)"), max_length=200, default="Құрметті депутаттар!"
    )
    salutation_ru = models.CharField(
        _("salutation (Russian)"), max_length=200, default="Уважаемые депутаты!"
    )
    subject_kk = models.TextField(_("subject (Kazakh)"))
    subject_ru = models.TextField(_("subject (Russian)"))
    # The deputies' questions, one a line (either language): letters.sections chooses the
    # reply's sections by their words, unless the drafter chose them (``sections``).
    questions = models.TextField(
        _("questions"), blank=True, help_text=_("The deputies' questions, one a line.")
    )
    # The drafter's choice of sections, in their order: [{"key": …, "on": true|false}, …];
    # empty: chosen from the questions (letters.sections.default_choice).
    sections = models.JSONField(_("sections of the reply"), default=list, blank=True)
    articles = models.ManyToManyField(Article, verbose_name=_("articles concerned"))
    due_on = models.DateField(_("reply due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.RECEIVED
    )
    sent_on = models.DateField(_("reply sent on"), null=True, blank=True)
    outgoing_number = models.CharField(_("outgoing number"), max_length=40, blank=True)
    outgoing_dated = models.DateField(_("outgoing date"), null=True, blank=True)
    signatory = models.CharField(_("signatory"), max_length=100, blank=True)
    signatory_position_kk = models.CharField(
        _("signatory's position (Kazakh)"), max_length=200,
        default="Қазақстан Республикасының Премьер-Министрі",
    )  # fmt: skip
    signatory_position_ru = models.CharField(
        _("signatory's position (Russian)"), max_length=200,
        default="Премьер-Министр Республики Казахстан",
    )  # fmt: skip
    executor = models.CharField(_("executor"), max_length=100, blank=True)
    executor_phone = models.CharField(_("executor's phone"), max_length=40, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["-dated"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self) -> str:
        return f"№ {self.number} ({self.dated:%Y-%m-%d})"


class ReplyDraft(models.Model):
    """The editable blocks of a reply in one language; regenerated from the data on request."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="drafts")
    lang = models.CharField(
        _("language"), max_length=2, choices=[("kk", "Қазақша"), ("ru", "Русский")]
    )
    period_end = models.DateField(_("current year counted up to"))
    blocks = models.JSONField(_("blocks"), default=list)
    figures = models.JSONField(_("figures with their queries"), default=list)
    # The drafter's wording of the standard-text sections ({section key: text}; letters.sections):
    # kept when the draft is drafted again from the data, and when a section is switched off.
    standard_texts = models.JSONField(_("standard texts as edited"), default=dict, blank=True)
    # The instant the figures were read (letters.asof recomputes them as known then).
    figures_as_of = models.DateTimeField(_("figures as of"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "lang"], name="one_draft_per_language")
        ]
        verbose_name = _("reply draft")
        verbose_name_plural = _("reply drafts")

    def __str__(self) -> str:
        return f"{self.inquiry} [{self.lang}]"


class ReplyVersion(models.Model):
    """A produced document (DOCX, PDF or HTML), kept with the blocks and every figure it holds
    and the query that produced each figure."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    lang = models.CharField(_("language"), max_length=2)
    format = models.CharField(_("format"), max_length=5)
    content = models.BinaryField(_("file"))
    blocks = models.JSONField(_("blocks"))
    figures = models.JSONField(_("figures with their queries"))
    # The instant its figures were read from the data (the draft's, kept here): the letter
    # names it and ``letters.asof.verify`` recomputes every figure as known then. Empty for
    # versions produced before it was kept.
    figures_as_of = models.DateTimeField(_("figures as of"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "number"], name="reply_version_unique")
        ]
        verbose_name = _("reply version")
        verbose_name_plural = _("reply versions")

    def __str__(self) -> str:
        return f"{self.inquiry} v{self.number} {self.lang}.{self.format}"


class RowVersion(models.Model):
    """A campaign or training row as it was written at ``recorded_at`` (its fields as JSON;
    ``data`` empty: deleted), kept by ``letters.history`` on every save and delete of the rows a
    reply counts (plans, activities, training sessions), so that those figures too can be
    recomputed "as known at instant T" (``letters.asof``). Append-only."""

    model = models.CharField(_("model"), max_length=60)
    object_id = models.BigIntegerField(_("object id"))
    recorded_at = models.DateTimeField(
        _("recorded at"), default=timezone.now, db_default=Now(), editable=False
    )
    data = models.JSONField(_("fields"), null=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["model", "object_id", "recorded_at", "id"]
        indexes = [models.Index(fields=["model", "recorded_at"])]
        verbose_name = _("row version")
        verbose_name_plural = _("row versions")

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} @ {self.recorded_at:%Y-%m-%d %H:%M:%S}"
