"""Forms of the registry's staff pages. They validate input; the services do the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qorgau.access import policy
from qorgau.core import privacy
from qorgau.reference.models import Article, ArticlePart, Body, Region

from .choices import (
    AgeBand,
    CaseStatus,
    Channel,
    Decision,
    ExtensionUnit,
    PartyRole,
    Relationship,
    Sex,
    SuspensionGround,
    TerminationGround,
)
from .models import Case


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        return value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value


class CaseSearchForm(forms.Form):
    number = forms.CharField(label=_("Number"), required=False)
    article = forms.ModelChoiceField(
        Article.objects.all(), label=_("Article"), required=False, to_field_name="code"
    )
    region = forms.ModelChoiceField(
        Region.objects.all(), label=_("Region"), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *CaseStatus.choices]
    )
    registered_from = forms.DateField(label=_("Registered from"), required=False, widget=DateInput)
    registered_to = forms.DateField(label=_("Registered to"), required=False, widget=DateInput)

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data["article"] = data["article"].code if data.get("article") else ""
        data["region"] = data["region"].code if data.get("region") else ""
        return data


class PartSelect(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} — {obj.article.title}"


class ScopedForm(forms.Form):
    """A form whose region and body choices are limited to the regions the policy lets the
    user act on for ``scope_action``."""

    scope_action = ""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = policy.regions_for(user, self.scope_action)
        for name in ("investigating_body", "receiving_body"):
            if name in self.fields:
                self.fields[name].queryset = policy.bodies_for(user, self.scope_action)


CONSENT_CHOICES = [
    ("", pgettext_lazy("consent", "not asked")),
    ("yes", pgettext_lazy("consent", "yes")),
    ("no", pgettext_lazy("consent", "no")),
]
CONSENT_VALUES = {"": None, "yes": True, "no": False}


class CaseForm(ScopedForm):
    scope_action = "case.create"
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region"))
    article_part = PartSelect(
        ArticlePart.objects.select_related("article"), label=_("Qualification")
    )
    registered_at = forms.DateTimeField(label=_("Registered at"), widget=DateTimeInput)
    investigating_body = forms.ModelChoiceField(
        Body.objects.all(), label=_("Investigating body"), required=False
    )
    victim_sex = forms.ChoiceField(
        label=_("Victim's sex"), choices=Sex.choices, initial=Sex.UNKNOWN
    )
    victim_age_band = forms.ChoiceField(
        label=_("Victim's age band"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN
    )
    victim_consent = forms.ChoiceField(
        label=_("Victim's consent to use beyond the investigation"),
        choices=CONSENT_CHOICES,
        required=False,
    )
    suspect_sex = forms.ChoiceField(
        label=_("Suspect's sex"), choices=Sex.choices, initial=Sex.UNKNOWN
    )
    relationship = forms.ChoiceField(
        label=_("Suspect's relationship to the victim"),
        choices=Relationship.choices,
        initial=Relationship.UNKNOWN,
    )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    ground = forms.ChoiceField(
        label=_("Ground"),
        required=False,
        choices=[
            ("", "—"),
            (_("Termination"), [c for c in TerminationGround.choices if c[0]]),
            (_("Suspension"), [c for c in SuspensionGround.choices if c[0]]),
        ],
    )
    joined_to = forms.CharField(
        label=_("Joined to case number"), required=False,
        max_length=Case._meta.get_field("number").max_length,
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        validators=[privacy.validate],
    )  # fmt: skip


class ReportForm(ScopedForm):
    scope_action = "report.create"
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeInput)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    receiving_body = forms.ModelChoiceField(Body.objects.all(), label=_("Receiving body"))
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region"))
    suggested_article = forms.ModelChoiceField(
        Article.objects.all(), label=_("Article suggested"), required=False
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("No names, ID numbers, phone numbers, e-mail or home addresses."),
        validators=[privacy.validate],
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            c for c in Decision.choices if c[0] not in (Decision.PENDING, Decision.REGISTERED)
        ],
    )
    note = forms.CharField(
        label=_("Note (for “sent to another body”: which body)"), required=False,
        validators=[privacy.validate],
    )  # fmt: skip


class CaseFromReportForm(forms.Form):
    """Register a case from a report: the region is the report's."""

    article_part = PartSelect(
        ArticlePart.objects.select_related("article"), label=_("Qualification")
    )
    registered_at = forms.DateTimeField(label=_("Registered at"), widget=DateTimeInput)
    investigating_body = forms.ModelChoiceField(
        Body.objects.all(), label=_("Investigating body"), required=False
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigating_body"].queryset = policy.bodies_for(user, "case.create").filter(
            region=report.region
        )
        if report.suggested_article_id:
            self.fields["article_part"].initial = (
                ArticlePart.objects.filter(article=report.suggested_article)
                .order_by("number")
                .first()
            )


class PartyForm(forms.Form):
    """A victim or suspect, pseudonymous; consent is the victim's, the relationship the suspect's."""

    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN
    )
    relationship = forms.ChoiceField(
        label=_("Suspect's relationship to the victim"),
        choices=[("", "—"), *Relationship.choices],
        required=False,
    )
    consent = forms.ChoiceField(
        label=_("Victim's consent to use beyond the investigation"),
        choices=CONSENT_CHOICES,
        required=False,
    )

    @staticmethod
    def initial_for(party) -> dict:
        consent = {None: "", True: "yes", False: "no"}[party.consent_further_use]
        return {"role": party.role, "sex": party.sex, "age_band": party.age_band,
                "relationship": party.relationship, "consent": consent}  # fmt: skip

    def consent_value(self) -> bool | None:
        return CONSENT_VALUES[self.cleaned_data["consent"]]


class RequalifyForm(forms.Form):
    article_part = PartSelect(
        ArticlePart.objects.select_related("article"), label=_("New qualification")
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), validators=[privacy.validate]
    )


class ExtensionForm(forms.Form):
    amount = forms.IntegerField(label=_("Length"), min_value=1)
    unit = forms.ChoiceField(
        label=pgettext_lazy("time", "unit"),
        choices=ExtensionUnit.choices,
        initial=ExtensionUnit.MONTHS,
    )
    authorised_by = forms.CharField(
        label=_("Authorised by"),
        max_length=200,
        help_text=_("Post of the official who authorised it, and the decision."),
        validators=[privacy.validate],
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), validators=[privacy.validate]
    )
