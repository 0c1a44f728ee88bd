"""Reference data: Kazakhstan's regions with their population, the offences and the bodies.

Everything here is loaded from the files in ``reference/data/`` by migrations; each file names
its source. Adding an offence or a region is a change of those files, not of this code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from qorgau.core.i18n import localized
from qorgau.reference import iccs


class RegionKind(models.TextChoices):
    OBLAST = "oblast", pgettext_lazy("region kind", "oblast")
    CITY = "city", _("city of republican significance")


class Region(models.Model):
    """A first-level administrative unit: one of 17 oblasts or 3 cities of republican significance."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RegionKind.choices)
    order = models.PositiveSmallIntegerField(
        _("official order"), unique=True, help_text=_("Order of the national statistics tables.")
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    short_kk = models.CharField(_("short name (Kazakh)"), max_length=60)
    short_ru = models.CharField(_("short name (Russian)"), max_length=60)
    short_en = models.CharField(_("short name (English)"), max_length=60)
    source = models.TextField(_("source"))

    class Meta:
        ordering = ["order"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """Full name in the active language."""
        return localized(self, "name")

    @property
    def short_name(self) -> str:
        """Short name (used when regions are listed together) in the active language."""
        return localized(self, "short")

    @property
    def is_city(self) -> bool:
        """A city of republican significance (Astana, Almaty, Shymkent), not an oblast."""
        return self.kind == RegionKind.CITY


class PopulationFigure(models.Model):
    """The population of a region on a reference date, as published by the named source."""

    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="population_figures",
        verbose_name=_("region"),
    )
    reference_date = models.DateField(_("reference date"))
    population = models.PositiveIntegerField(_("population"))
    precision = models.CharField(
        _("precision"), max_length=100, help_text=_("e.g. exact, rounded to thousands")
    )
    source = models.TextField(_("source"))
    # The release the figure comes from (its publication date): a later release may revise a
    # figure of the same reference date, and a rate says which one it divided by.
    vintage = models.DateField(_("vintage"), null=True, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["region__order", "-reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "reference_date"], name="population_once_per_date"
            )
        ]
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")

    def __str__(self) -> str:
        return f"{self.region.code} {self.reference_date}: {self.population}"


class Law(models.Model):
    """A law that introduced or changed an offence."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    signed_on = models.DateField(_("signed on"))
    in_force_on = models.DateField(_("in force on"))
    title_kk = models.TextField(_("title (Kazakh)"))
    title_ru = models.TextField(_("title (Russian)"))
    title_en = models.TextField(_("title (English)"))
    source = models.TextField(_("source"))

    class Meta:
        ordering = ["signed_on"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def __str__(self) -> str:
        return f"№ {self.number} ({self.signed_on:%Y-%m-%d})"

    @property
    def title(self) -> str:
        return localized(self, "title")


class OffenceCategory(models.TextChoices):
    MISDEMEANOUR = "misdemeanour", _("criminal misdemeanour")
    CRIME = "crime", _("crime")


class Article(models.Model):
    """An article of the Criminal Code of the Republic of Kazakhstan watched by the system."""

    code = models.CharField(_("article"), max_length=20, unique=True, help_text=_("e.g. 115-1"))
    title_kk = models.TextField(_("title (Kazakh)"))
    title_ru = models.TextField(_("title (Russian)"))
    title_en = models.TextField(_("title (English)"))
    short_kk = models.CharField(_("short name (Kazakh)"), max_length=100)
    short_ru = models.CharField(_("short name (Russian)"), max_length=100)
    short_en = models.CharField(_("short name (English)"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=OffenceCategory.choices)
    in_force_on = models.DateField(_("in force on"))
    law = models.ForeignKey(
        Law, on_delete=models.PROTECT, related_name="articles", verbose_name=_("law")
    )
    reconciliation_allowed = models.BooleanField(
        _("reconciliation ends the case"),
        default=True,
        help_text=_(
            "False when reconciliation with the victim is not a ground to terminate the case."
        ),
    )
    termination_review = models.BooleanField(
        _("termination reviewed by the prosecutor"),
        default=False,
        help_text=_(
            "A termination of a case under this article is flagged for the prosecutor's review."
        ),
    )
    iccs_code = models.CharField(
        _("ICCS code"),
        max_length=6,
        blank=True,
        help_text=_(
            "The category of UNODC's International Classification of Crime for Statistical "
            "Purposes (ICCS 1.0), e.g. 0208."
        ),
    )
    source = models.TextField(_("source"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def short_name(self) -> str:
        return localized(self, "short")

    @property
    def iccs_label(self) -> str:
        """The ICCS category's label in the active language ("" without a code)."""
        return iccs.label(self.iccs_code)


class CrimeGravity(models.TextChoices):
    NONE = "", _("not applicable (criminal misdemeanour)")
    SMALL = "small", _("of small gravity")
    MEDIUM = "medium", _("of medium gravity")
    GRAVE = "grave", _("grave")
    ESPECIALLY_GRAVE = "especially_grave", _("especially grave")


class ArticlePart(models.Model):
    """A part of an article, with what it covers and its penalty."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="parts", verbose_name=_("article")
    )
    number = models.PositiveSmallIntegerField(_("part"))
    gravity = models.CharField(
        _("gravity"), max_length=20, choices=CrimeGravity.choices, blank=True
    )
    description_kk = models.TextField(_("description (Kazakh)"))
    description_ru = models.TextField(_("description (Russian)"))
    description_en = models.TextField(_("description (English)"))
    penalty_kk = models.TextField(_("penalty (Kazakh)"))
    penalty_ru = models.TextField(_("penalty (Russian)"))
    penalty_en = models.TextField(_("penalty (English)"))

    class Meta:
        ordering = ["article__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_part_unique")
        ]
        verbose_name = _("article part")
        verbose_name_plural = _("article parts")

    def __str__(self) -> str:
        from django.utils.translation import pgettext

        return pgettext("article part", "%(article)s part %(part)s") % {
            "article": self.article.code,
            "part": self.number,
        }

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def penalty(self) -> str:
        return localized(self, "penalty")


class BodyKind(models.TextChoices):
    POLICE = "police", _("police")
    PROSECUTOR = "prosecutor", _("prosecutor's office")
    INVESTIGATIVE_COMMITTEE = "investigative_committee", _("investigative committee")
    ANTI_CORRUPTION = "anti_corruption", _("anti-corruption service")
    OTHER = "other", _("other body")


class Body(models.Model):
    """A state body that receives reports or investigates cases (e.g. a city police department)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=BodyKind.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("region"),
        help_text=_("Empty for a national body."),
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["region__order", "code"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


# --- Legal terms ---------------------------------------------------------------------------
# The terms the system checks, kept as data with their legal source (data/deadline_rules.json):
# no legal term is written in code. ``reference.rules`` computes every deadline from them; an
# administrator can change a rule (with its source) in the admin.


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
    """A legal term: how long something may take, for which offence category, and why.

    The table keeps the name it had when the rules lived in the oversight app
    (``oversight_deadlinerule``): the model moved down to the reference floor, the rows stayed."""

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
        db_table = "oversight_deadlinerule"
        ordering = ["kind", "category"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "category"], name="deadline_rule_unique")
        ]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        label = str(self.get_kind_display())
        if self.category:
            label = f"{label} ({self.get_category_display()})"
        return f"{label}: {format_term(self.amount, self.unit)}"

    @property
    def description(self) -> str:
        return localized(self, "description")
