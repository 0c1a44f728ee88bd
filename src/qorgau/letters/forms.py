"""Forms of the inquiry pages, which read the input, and the form the services check an
inquiry's values with (:class:`InquiryValues`)."""

import re
from collections.abc import Iterable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.reference.models import Article

from . import sections
from .models import Inquiry, InquiryStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        # The browser's date input reads ISO dates, whatever the page's language.
        return value.isoformat() if hasattr(value, "isoformat") else value


class ArticleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.short_name}"


class InquiryForm(forms.Form):
    """An inquiry's details, as registered or corrected by those who draft the replies."""

    number = forms.CharField(
        label=_("Number"), max_length=Inquiry._meta.get_field("number").max_length,
        help_text=_("e.g. ДС-16"),
    )  # fmt: skip
    dated = forms.DateField(label=_("Date of the inquiry"), widget=DateInput)
    addressee_kk = forms.CharField(
        label=_("Addressee, dative (Kazakh)"), widget=forms.Textarea(attrs={"rows": 3, "lang": "kk"})
    )  # fmt: skip
    addressee_ru = forms.CharField(
        label=_("Addressee, dative (Russian)"), widget=forms.Textarea(attrs={"rows": 3, "lang": "ru"})
    )  # fmt: skip
    salutation_kk = forms.CharField(
        label=_("Salutation (Kazakh)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"lang": "kk"}),
    )  # fmt: skip
    salutation_ru = forms.CharField(
        label=_("Salutation (Russian)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"lang": "ru"}),
    )  # fmt: skip
    subject_kk = forms.CharField(
        label=_("Subject (Kazakh)"), widget=forms.Textarea(attrs={"rows": 3, "lang": "kk"})
    )
    subject_ru = forms.CharField(
        label=_("Subject (Russian)"), widget=forms.Textarea(attrs={"rows": 3, "lang": "ru"})
    )
    questions = forms.CharField(
        label=_("Questions"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The deputies' questions, one a line: the reply's sections are chosen by "
                    "their words (the drafter may change the choice on the draft page)."),
    )  # fmt: skip
    articles = ArticleChoice(
        Article.objects.order_by("code"), label=_("Articles concerned"), to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    due_on = forms.DateField(label=_("Reply due on"), required=False, widget=DateInput)
    outgoing_number = forms.CharField(label=_("Outgoing number"), required=False, max_length=40)
    outgoing_dated = forms.DateField(label=_("Outgoing date"), required=False, widget=DateInput)
    signatory = forms.CharField(label=_("Signatory"), required=False, max_length=100)
    signatory_position_kk = forms.CharField(
        label=_("Signatory's position (Kazakh)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"lang": "kk"}),
    )  # fmt: skip
    signatory_position_ru = forms.CharField(
        label=_("Signatory's position (Russian)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"lang": "ru"}),
    )  # fmt: skip
    executor = forms.CharField(label=_("Executor"), required=False, max_length=100)
    executor_phone = forms.CharField(label=_("Executor's phone"), required=False, max_length=40)

    @classmethod
    def initial_for(cls, inquiry: Inquiry) -> dict:
        initial = {name: getattr(inquiry, name) for name in cls.base_fields if name != "articles"}
        initial["articles"] = [a.code for a in inquiry.articles.all()]
        return initial


class StatusForm(forms.Form):
    """The next status of an inquiry; the date the reply was sent when it becomes "sent"."""

    status = forms.ChoiceField(label=_("New status"), choices=InquiryStatus.choices)
    sent_on = forms.DateField(
        label=_("Reply sent on"), required=False, widget=DateInput,
        help_text=_("Only when the reply is sent; today if left empty."),
    )  # fmt: skip

    def offer(self, statuses: Iterable[str]) -> None:
        """Show only ``statuses`` (the services still decide what is allowed)."""
        labels = dict(InquiryStatus.choices)
        self.fields["status"].widget.choices = [(s, labels[s]) for s in statuses]


# An inquiry's number: letters first, then groups of letters or digits joined by hyphens
# ("ДС-16"); no spaces and no "№" (the letters add it).
INQUIRY_NUMBER_RE = re.compile(r"^[^\W\d_]+(?:-[^\W_]+)+$")


class _Text(forms.CharField):
    """Text as stored: spaces around trimmed, Windows line ends made plain."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").strip()


def _required(message) -> dict:
    return {"required": message, "invalid": message}


class InquiryValues(forms.Form):
    """The rules an inquiry's values keep, whoever registers or corrects it (a page, a loader,
    a shell): the services check the values through this form and refuse with its first error
    (``InquiryForm`` reads what a page sends; this form decides whether the values may be
    kept). ``current`` is the inquiry being corrected, if any."""

    number = _Text(error_messages=_required(_("Enter the number of the inquiry.")))
    dated = forms.DateField(error_messages=_required(_("Enter the date of the inquiry.")))
    addressee_kk = _Text(
        error_messages=_required(_("Enter the addressee in Kazakh and in Russian."))
    )
    addressee_ru = _Text(
        error_messages=_required(_("Enter the addressee in Kazakh and in Russian."))
    )
    salutation_kk = _Text(required=False, max_length=200)
    salutation_ru = _Text(required=False, max_length=200)
    subject_kk = _Text(error_messages=_required(_("Enter the subject in Kazakh and in Russian.")))
    subject_ru = _Text(error_messages=_required(_("Enter the subject in Kazakh and in Russian.")))
    questions = _Text(required=False, max_length=5000)
    due_on = forms.DateField(required=False)
    outgoing_number = _Text(required=False, max_length=40)
    outgoing_dated = forms.DateField(required=False)
    signatory = _Text(required=False, max_length=100)
    signatory_position_kk = _Text(required=False, max_length=200)
    signatory_position_ru = _Text(required=False, max_length=200)
    executor = _Text(required=False, max_length=100)
    executor_phone = _Text(required=False, max_length=40)
    articles = forms.ModelMultipleChoiceField(
        Article.objects.all(),
        error_messages={"required": _("Name at least one article the inquiry concerns.")},
    )

    def __init__(self, data: dict, *, current: Inquiry | None = None):
        super().__init__(data)
        self.current = current

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].upper()
        limit = Inquiry._meta.get_field("number").max_length
        if (limit is not None and len(number) > limit) or not INQUIRY_NUMBER_RE.match(number):
            raise forms.ValidationError(
                _(
                    "An inquiry number has letters, digits and hyphens and begins with letters, "
                    "e.g. ДС-16 (got “%(number)s”)."
                ),
                params={"number": number},
            )
        return number

    def clean_dated(self):
        dated = self.cleaned_data["dated"]
        if dated > timezone.localdate():
            raise forms.ValidationError(_("An inquiry cannot be dated in the future."))
        return dated

    def clean_salutation_kk(self) -> str:
        return (
            self.cleaned_data["salutation_kk"]
            or Inquiry._meta.get_field("salutation_kk").get_default()
        )

    def clean_salutation_ru(self) -> str:
        return (
            self.cleaned_data["salutation_ru"]
            or Inquiry._meta.get_field("salutation_ru").get_default()
        )

    def clean_signatory_position_kk(self) -> str:
        return (
            self.cleaned_data["signatory_position_kk"]
            or Inquiry._meta.get_field("signatory_position_kk").get_default()
        )

    def clean_signatory_position_ru(self) -> str:
        return (
            self.cleaned_data["signatory_position_ru"]
            or Inquiry._meta.get_field("signatory_position_ru").get_default()
        )

    def clean(self):
        cleaned = super().clean()
        dated, due_on = cleaned.get("dated"), cleaned.get("due_on")
        if dated and due_on and due_on < dated:
            self.add_error("due_on", _("The reply cannot be due before the date of the inquiry."))
        sent_on = self.current.sent_on if self.current is not None else None
        if dated and sent_on and sent_on < dated:
            self.add_error(
                "dated",
                forms.ValidationError(
                    _("The reply was sent on %(date)s; the inquiry cannot be dated later."),
                    params={"date": sent_on.isoformat()},
                ),
            )
        return cleaned


class SectionsForm(forms.Form):
    """The reply's sections: a checkbox and an order number each (``letters.sections``)."""

    def __init__(self, data=None, *, choice: list[dict]):
        super().__init__(data, prefix="section")
        self.keys = [c["key"] for c in choice]
        for position, item in enumerate(choice, start=1):
            section = sections.BY_KEY[item["key"]]
            self.fields[f"{item['key']}-on"] = forms.BooleanField(
                label=str(section.title), required=False, initial=item["on"]
            )
            self.fields[f"{item['key']}-order"] = forms.IntegerField(
                label=_("Order"), min_value=1, max_value=99, initial=position
            )

    def rows(self) -> list[tuple[str, bool, int]]:
        """(key, on, order number) per section, for ``services.choose_sections``."""
        return [
            (key, self.cleaned_data[f"{key}-on"], self.cleaned_data[f"{key}-order"])
            for key in self.keys
        ]

    def pairs(self) -> list[tuple]:
        """(checkbox, order) bound fields per section, for the page."""
        return [(self[f"{key}-on"], self[f"{key}-order"]) for key in self.keys]
