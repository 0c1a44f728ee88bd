"""Forms of the inquiry pages. They read the input; the services check it and act."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qorgau.reference.models import Article

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
    articles = ArticleChoice(
        Article.objects.order_by("code"), label=_("Articles concerned"), to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    due_on = forms.DateField(label=_("Reply due on"), required=False, widget=DateInput)
    outgoing_number = forms.CharField(label=_("Outgoing number"), required=False, max_length=40)
    signatory = forms.CharField(label=_("Signatory"), required=False, max_length=100)

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

    def offer(self, statuses: list[str]) -> None:
        """Show only ``statuses`` (the services still decide what is allowed)."""
        labels = dict(InquiryStatus.choices)
        self.fields["status"].widget.choices = [(s, labels[s]) for s in statuses]
