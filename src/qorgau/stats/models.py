"""Aggregate tables of the statistics: counts per local day and the dimensions the dashboard,
the exports and ``qorgau stats`` filter and break down by.

They are kept exact by database triggers in the same transaction as every write to the
registry's cases, parties and reports (``stats.aggregates``, created by this app's migrations);
``qorgau stats-verify`` recomputes them from those tables and reports any difference. No row is
ever written here by Python code except :func:`qorgau.stats.aggregates.rebuild`.

A key column without a value (a case without an investigating body, a report without a
suggested article) holds 0, not NULL: a unique key with NULL in it would never conflict, and
the triggers' upserts rely on the conflict. Counts may fall to 0 (a case moved to another
day or status leaves its old row at 0): every reader counts rows above 0 only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qorgau.reference.models import Article, Region


class CaseCount(models.Model):
    """Cases per local registration day (Asia/Almaty), region, article (of the current
    qualification), current status and termination ground."""

    grain = models.CharField(max_length=1, default="d")
    day = models.DateField(_("day"))
    region = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    article = models.ForeignKey(
        Article, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    status = models.CharField(max_length=20)
    termination_ground = models.CharField(max_length=30)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "article", "day", "region", "status", "termination_ground"],
                name="stats_casecount_grain_key",
            )
        ]
        verbose_name = _("case count")
        verbose_name_plural = _("case counts")

    def __str__(self) -> str:
        return f"{self.day} {self.region_id} {self.article_id} {self.status}: {self.n}"


class PartyCount(models.Model):
    """Facts about the parties of the cases, per the case's local registration day, region,
    article and investigating body (``body_id`` 0: none). ``dim``/``value``:

    - ``case`` / "": every case (``cases``: how many);
    - ``victim`` / "", ``suspect`` / "": cases with at least one party of that role
      (``cases``), and how many such parties (``parties``);
    - ``victim_sex``, ``victim_age_band`` / the value: victims with it (``parties``) and the
      cases with at least one such victim (``cases``); ``relationship`` the same for suspects;
    - ``unknown_victim`` / "": cases without a victim, or whose first victim (lowest id) has an
      unknown sex or age band (the data-completeness share).
    """

    grain = models.CharField(max_length=1, default="d")
    day = models.DateField(_("day"))
    region = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    article = models.ForeignKey(
        Article, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    body_id = models.BigIntegerField()
    dim = models.CharField(max_length=20)
    value = models.CharField(max_length=30)
    cases = models.BigIntegerField(default=0)
    parties = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "article", "dim", "value", "day", "region", "body_id"],
                name="stats_partycount_grain_key",
            )
        ]
        verbose_name = _("party count")
        verbose_name_plural = _("party counts")

    def __str__(self) -> str:
        return f"{self.day} {self.region_id} {self.dim}={self.value}: {self.cases}/{self.parties}"


class ReportCount(models.Model):
    """Reports per local day received, region, suggested article (``article_id`` 0: none),
    channel, decision and receiving body."""

    grain = models.CharField(max_length=1, default="d")
    day = models.DateField(_("day"))
    region = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    article_id = models.BigIntegerField()
    channel = models.CharField(max_length=20)
    decision = models.CharField(max_length=20)
    body_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "article_id", "day", "region", "channel", "decision", "body_id"],
                name="stats_reportcount_grain_key",
            )
        ]
        verbose_name = _("report count")
        verbose_name_plural = _("report counts")

    def __str__(self) -> str:
        return f"{self.day} {self.region_id} {self.decision}: {self.n}"


class Release(models.Model):
    """A dated, numbered release of the public statistics (``stats.releases``): its tables
    frozen when it was published. ``counts`` are the exact counts behind them (never shown
    outside the staff pages; the disclosure audit and the revisions need them); ``cells`` and
    ``totals`` what was published. A correction is a new release of the same period that
    ``revises`` the one before it, with its ``reason``."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    period_start = models.DateField(_("reference period from"))
    period_end = models.DateField(_("reference period to"))
    cut_off = models.DateTimeField(_("data cut-off"))
    published_at = models.DateTimeField(_("published at"))
    methods_version = models.CharField(_("methods version"), max_length=20)
    threshold = models.PositiveSmallIntegerField(_("small-count threshold"))
    articles = models.JSONField(_("articles"))
    regions = models.JSONField(_("regions"))
    counts = models.JSONField(_("exact counts"))
    cells = models.JSONField(_("published cells"))
    totals = models.JSONField(_("published totals"))
    # {article: {region or "": {rate, low, high, population, method, figures} or None}}: the
    # annualised rate per 100,000 and its exact 95% interval of each count published as a
    # number ("" the national one); None where the count is protected or has no population.
    rates = models.JSONField(_("published rates"), default=dict)
    digest = models.CharField(_("SHA-256 of the published tables"), max_length=64)
    revises = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revised_by",
        verbose_name=_("revises"),
    )
    reason = models.TextField(_("reason for the correction"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("statistics release")
        verbose_name_plural = _("statistics releases")

    def __str__(self) -> str:
        return f"{self.number}: {self.period_start}…{self.period_end}"
