"""The registry: reports received, the cases (pre-trial investigations) opened on them, and
their pseudonymous parties.

Privacy by design: no model here has a field for a name, an ID number (IIN) or an address.
History is stored as rows (qualifications, status changes, term extensions), never overwritten;
the current values on :class:`Case` are kept in step by ``registry.services`` only.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qorgau.core.privacy import SensitiveCharField, SensitiveTextField
from qorgau.reference.models import Article, ArticlePart, Body, Region, format_term

from .choices import (
    AgeBand,
    CaseStatus,
    Channel,
    Decision,
    ExtensionUnit,
    ImportStatus,
    PartyRole,
    Relationship,
    Sex,
    SuspensionGround,
    TerminationGround,
)
from .limits import NOTE_MAX, REASON_MAX, SUMMARY_MAX

User = settings.AUTH_USER_MODEL


def recorded_at_field() -> models.DateTimeField:
    """When the system learnt of a history row: set on insert (by the service, or by the
    database for a raw insert such as a ``COPY``), never edited. The row's own moment
    (``qualified_at``, ``changed_at``) is the business date and may be back-dated;
    ``registry.asof`` reads this one ("as known at instant T")."""
    return models.DateTimeField(
        _("recorded at"), default=timezone.now, db_default=Now(), editable=False
    )


class Report(models.Model):
    """An incoming report or application about an offence: an entry of the information
    registration book, with the decision taken on it."""

    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    receiving_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="reports_received",
        verbose_name=_("receiving body"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="reports", verbose_name=_("region")
    )
    suggested_article = models.ForeignKey(
        Article,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("article suggested"),
    )
    summary = SensitiveTextField(
        _("summary"),
        max_length=SUMMARY_MAX,
        help_text=_("Short summary. Sensitive: no names, ID numbers or addresses."),
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = SensitiveTextField(_("decision note"), blank=True, max_length=NOTE_MAX)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["region", "received_at"]),
            models.Index(fields=["decision"]),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        # Kazakhstan time, as every time a person reads (the value is stored in UTC).
        received = timezone.localtime(self.received_at)
        return _("Report of %(date)s") % {"date": f"{received:%Y-%m-%d %H:%M}"}


class Case(models.Model):
    """A criminal case: a pre-trial investigation registered in the register."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    # Set for numbers the system assigned: the year and the position in the region's sequence.
    number_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    number_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The case's number in the Unified Register of Pre-trial Investigations (ERDR), when known:
    # another register's number, which never touches this system's sequences.
    erdr_number = models.CharField(
        _("ERDR number"),
        max_length=15,
        blank=True,
        default="",
        help_text=_("Number in the Unified Register of Pre-trial Investigations: 15 digits."),
    )
    registered_at = models.DateTimeField(_("registered at"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cases", verbose_name=_("region")
    )
    investigating_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("investigating body"),
    )
    article_part = models.ForeignKey(
        ArticlePart,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("qualification"),
        help_text=_("Current qualification; its history is in the qualification records."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.INVESTIGATION
    )
    status_at = models.DateTimeField(_("status since"))
    termination_ground = models.CharField(
        _("termination ground"), max_length=30, choices=TerminationGround.choices, blank=True
    )
    suspension_ground = models.CharField(
        _("suspension ground"), max_length=30, choices=SuspensionGround.choices, blank=True
    )
    joined_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="joined_cases",
        verbose_name=_("joined to"),
    )
    term_ends_on = models.DateField(
        _("investigation term ends on"),
        null=True,
        blank=True,
        help_text=_("The term with all recorded extensions."),
    )
    reports = models.ManyToManyField(
        Report, blank=True, related_name="cases", verbose_name=_("reports")
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number_year", "number_seq"], name="case_number_seq_unique"
            ),
            models.UniqueConstraint(
                fields=["erdr_number"],
                condition=~models.Q(erdr_number=""),
                name="case_erdr_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "registered_at"]),
            models.Index(fields=["status"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def article(self) -> Article:
        return self.article_part.article


class CaseNumberSequence(models.Model):
    """The last number given to a case of a region in a year. Rows are locked while a number is
    taken, so numbers are unique and without gaps even under concurrent registration."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="case_sequence_unique")
        ]
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last_value}"


class Qualification(models.Model):
    """A qualification of a case (article and part) from a moment on. The first is the initial
    qualification; each requalification adds a row."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("case")
    )
    article_part = models.ForeignKey(
        ArticlePart, on_delete=models.PROTECT, related_name="+", verbose_name=_("qualification")
    )
    qualified_at = models.DateTimeField(_("qualified at"))
    qualified_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("changed by", "by"),
    )
    reason = SensitiveTextField(_("reason"), blank=True, max_length=REASON_MAX)
    recorded_at = recorded_at_field()

    class Meta:
        ordering = ["qualified_at", "id"]
        verbose_name = _("qualification record")
        verbose_name_plural = _("qualification records")

    def __str__(self) -> str:
        return f"{self.case} → {self.article_part}"

    @property
    def reason_display(self) -> str:
        """The reason as written, or — for the row the system writes at registration, which
        stores none — "initial qualification" in the reader's language."""
        return self.reason or str(pgettext_lazy("qualification history", "initial qualification"))


class StatusChange(models.Model):
    """One transition of a case's status: who, when, from, to, why."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("case")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CaseStatus.choices)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("changed by", "by"),
    )
    reason = SensitiveTextField(_("reason"), blank=True, max_length=REASON_MAX)
    ground = models.CharField(_("ground"), max_length=30, blank=True)
    recorded_at = recorded_at_field()

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.case}: {self.from_status or '∅'} → {self.to_status}"

    @property
    def reason_display(self) -> str:
        """The reason as written, or — for the first row, which the system writes and which
        stores none — "registration" in the reader's language."""
        if self.reason or self.from_status:
            return self.reason
        return str(pgettext_lazy("status history", "registration"))

    @property
    def stops_clock(self) -> bool:
        """Whether the investigation clock stands still from this change on (a suspension);
        ``reference.rules`` counts the term by it."""
        return self.to_status == CaseStatus.SUSPENDED

    @property
    def ground_display(self) -> str:
        """The ground's label (a termination or a suspension ground), in the reader's language."""
        labels = dict(TerminationGround.choices) | dict(SuspensionGround.choices)
        return str(labels.get(self.ground, self.ground))


class TermExtension(models.Model):
    """An extension of the investigation term, as authorised: its length counts in the term
    (``reference.rules.case_term_end``); the ends before and after are kept as they were when
    it was recorded."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("case")
    )
    amount = models.PositiveIntegerField(_("length"))
    unit = models.CharField(
        pgettext_lazy("time", "unit"),
        max_length=10,
        choices=ExtensionUnit.choices,
        default=ExtensionUnit.DAYS,
    )
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    extended_at = models.DateTimeField(_("extended at"))
    extended_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("changed by", "by"),
    )
    authorised_by = SensitiveCharField(
        _("authorised by"), max_length=200, help_text=_("Post of the official who authorised it.")
    )
    reason = SensitiveTextField(_("reason"), max_length=REASON_MAX)

    class Meta:
        ordering = ["extended_at", "id"]
        verbose_name = _("term extension")
        verbose_name_plural = _("term extensions")

    def __str__(self) -> str:
        return f"{self.case}: {self.previous_end} → {self.new_end}"

    @property
    def length_text(self) -> str:
        """The length as words ("30 days", "1 month")."""
        return format_term(self.amount, self.unit)


class Party(models.Model):
    """A victim or suspect, described only by pseudonymous attributes."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case")
    )
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    is_minor = models.BooleanField(_("minor"), default=False)
    relationship = models.CharField(
        _("relationship to the victim"),
        max_length=20,
        choices=Relationship.choices,
        blank=True,
        help_text=_("For a suspect: their relationship to the victim."),
    )
    consent_further_use = models.BooleanField(
        _("consent to use beyond the investigation"),
        null=True,
        blank=True,
        help_text=_("For a victim: recorded consent (yes / no); empty when not asked."),
    )

    class Meta:
        ordering = ["case", "role", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return (
            f"{self.get_role_display()} ({self.get_sex_display()}, {self.get_age_band_display()})"
        )

    @property
    def is_victim(self) -> bool:
        """A victim (whose consent is asked), as the pages ask it."""
        return self.role == PartyRole.VICTIM


class ImportJob(models.Model):
    """A case CSV file uploaded in the browser and its import by a background task
    (``registry.imports``): all or nothing, like ``qorgau import-cases``.

    The file waits in ``data`` (never under a public URL) and is emptied when the import ends;
    what is kept is the outcome: the count imported, or every error of the file. Its id is random,
    so that one job's address tells nothing of the others."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    # The uploader's region when they uploaded (None: a national scope): an administrator of
    # that region may follow the job too.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The uploaded file's name as its uploader sees it; sensitive text (a file may be named after
    # a person): never in the trail, and left empty when it looks identifying (imports.py).
    filename = SensitiveCharField(_("file name"), max_length=255, blank=True)
    data = models.BinaryField(_("file"), default=b"")
    # The uploader's language: the errors are written in it.
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("rows in the file"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    imported = models.PositiveIntegerField(_("cases imported"), default=0)
    # Every error of a rejected file: [{"row", "column", "value", "reason"}, ...].
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case import")
        verbose_name_plural = _("case imports")

    def __str__(self) -> str:
        return f"{self.filename or '—'} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        """Has the import ended, one way or the other?"""
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)


class ChangeKind(models.TextChoices):
    """What a change feed row is about."""

    CASE = "case", _("case")
    REPORT = "report", _("report")


class Change(models.Model):
    """One row of the change feed (the outbox, ``registry.changes``): a case or a report as it
    was right after a change, written in the same transaction as the change. ``id`` is the
    feed's position: positions are given in commit order (``changes.record`` takes them under
    the audit trail's transaction lock, held to the commit), so a reader that resumes after a
    position never skips a change committed later."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    object_id = models.BigIntegerField(_("object"))
    action = models.CharField(_("action"), max_length=40)
    at = models.DateTimeField(_("at"), default=timezone.now)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    # The object's pseudonymous representation after the change (``changes.case_data`` /
    # ``report_data``).
    data = models.JSONField(_("data"), default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["region", "id"], name="registry_change_region_id")]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.pk}: {self.kind} {self.object_id} {self.action}"
