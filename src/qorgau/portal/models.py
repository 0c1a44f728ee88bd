"""The public page's content, owned by the campaign team: pages in three languages and the
directory of help by region."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qorgau.core.i18n import localized
from qorgau.reference.models import Region


class Page(models.Model):
    """A public page. Bodies are plain text: a blank line separates paragraphs, a line starting
    with "## " is a heading and lines starting with "- " form a list."""

    slug = models.SlugField(_("address"), unique=True)
    order = models.PositiveSmallIntegerField(_("order in the menu"), default=0)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_kk = models.TextField(_("text (Kazakh)"))
    body_ru = models.TextField(_("text (Russian)"))
    body_en = models.TextField(_("text (English)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("public page")
        verbose_name_plural = _("public pages")

    def __str__(self) -> str:
        return self.title_kk

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")


class ContactKind(models.TextChoices):
    HELPLINE = "helpline", _("helpline")
    CRISIS_CENTRE = "crisis_centre", _("crisis centre")
    FAMILY_CENTRE = "family_centre", _("family support centre")
    POLICE = "police", _("police")
    LEGAL_AID = "legal_aid", _("legal aid")


# Names of the languages a service speaks, shown in the page's language (codes in the field).
LANGUAGE_NAMES = {
    "kk": pgettext_lazy("language a service speaks", "Kazakh"),
    "ru": pgettext_lazy("language a service speaks", "Russian"),
    "en": pgettext_lazy("language a service speaks", "English"),
}


class HelpContact(models.Model):
    """Where to get help: a helpline (national) or a service of a region."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region"),
                               help_text=_("Empty: the whole country."))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=250)
    name_ru = models.CharField(_("name (Russian)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    phone = models.CharField(_("phone"), max_length=40)
    address_kk = models.CharField(_("address (Kazakh)"), max_length=250, blank=True)
    address_ru = models.CharField(_("address (Russian)"), max_length=250, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=250, blank=True)
    hours = models.CharField(pgettext_lazy("opening hours", "hours"), max_length=100, blank=True)
    languages = models.CharField(_("languages"), max_length=100, blank=True,
                                 help_text=_("Language codes separated by commas: kk, ru, en."))  # fmt: skip
    note_kk = models.CharField(_("note (Kazakh)"), max_length=250, blank=True)
    note_ru = models.CharField(_("note (Russian)"), max_length=250, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=250, blank=True)
    source = models.CharField(_("source"), max_length=250, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)

    class Meta:
        ordering = ["region__order", "order", "id"]
        verbose_name = _("help contact")
        verbose_name_plural = _("help contacts")

    def __str__(self) -> str:
        return self.name_kk

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def address(self) -> str:
        return localized(self, "address")

    @property
    def note(self) -> str:
        return localized(self, "note")

    @property
    def language_names(self) -> str:
        """The languages, named in the page's language (an unknown code is shown as written)."""
        codes = [code.strip() for code in self.languages.split(",") if code.strip()]
        return ", ".join(str(LANGUAGE_NAMES.get(code.lower(), code)) for code in codes)

    @property
    def tel(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
