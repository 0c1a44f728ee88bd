"""Deputies' inquiries and the replies drafted from the data, kept as versions."""

from django.conf import settings
from django.db import models
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
    articles = models.ManyToManyField(Article, verbose_name=_("articles concerned"))
    due_on = models.DateField(_("reply due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.RECEIVED
    )
    sent_on = models.DateField(_("reply sent on"), null=True, blank=True)
    outgoing_number = models.CharField(_("outgoing number"), max_length=40, blank=True)
    signatory = models.CharField(_("signatory"), max_length=100, blank=True)
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
