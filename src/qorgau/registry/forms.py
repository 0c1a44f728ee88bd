"""Forms of the registry's staff pages. Each entry form checks its values with the services'
own domain rules (``services.*_problems``) in ``clean``, so a page shows every error at once,
each next to its field; the service checks them again when it acts (docs/registry.md,
"Validation")."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qorgau.access import policy
from qorgau.core import privacy
from qorgau.core.errors import Problem
from qorgau.reference.models import Article, ArticlePart, Body, Region

from . import lifecycle, services
from .choices import (
    AgeBand,
    CaseStatus,
    Channel,
    Decision,
    ExtensionUnit,
    PartyRole,
    Relationship,
    Sex,
)
from .limits import AUTHORISED_BY_MAX, NOTE_MAX, REASON_MAX, SUMMARY_MAX
from .models import Case


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        return value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value


def show_problems(form: forms.Form, problems: list[Problem]) -> None:
    """Put each of a rule's problems next to its field (above the form when it has none)."""
    for field, message in problems:
        form.add_error(field if field in form.fields else None, message)


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

    def clean(self):
        data = super().clean()
        show_problems(
            self,
            services.registration_problems(
                data.get("region"),
                article_part=data.get("article_part"),
                registered_at=data.get("registered_at"),
                investigating_body=data.get("investigating_body"),
            ),
        )
        return data


class GroundSelect(forms.Select):
    """The grounds, one group per status that takes grounds: each ``<optgroup>`` carries its
    status (``data-status``) so that ``registry/status.mjs`` shows only the chosen status's."""

    template_name = "registry/widgets/ground_select.html"

    def __init__(self, *args, group_status=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_status = group_status or {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["groups"] = [
            (label, self.group_status.get(str(label), ""), options)
            for label, options, _index in context["widget"]["optgroups"]
        ]
        return context


class StatusForm(forms.Form):
    """Change a case's status (the case page's form, posted to ``registry:case_status``).

    For the case page: render it whole with ``{{ status_form }}`` — its template
    (``registry/status_form.html``) gives the GOV.UK fields with their errors and loads
    ``registry/status.mjs``; wrap it in your own ``<form method="post" novalidate
    action="{% url 'registry:case_status' case.number %}">``, ``{% csrf_token %}`` and button.
    Build it with the case: ``StatusForm(case=case)``. It offers only the statuses that may
    follow the case's current one (``lifecycle.allowed_next``) and, grouped by status, only
    their grounds (``lifecycle.grounds_for``); ``clean`` refuses a ground of another status
    (the error is next to the grounds field), with or without the script."""

    template_name = "registry/status_form.html"

    to_status = forms.ChoiceField(label=_("New status"), choices=())
    ground = forms.ChoiceField(
        label=_("Ground"),
        required=False,
        widget=GroundSelect(attrs={"data-grounds-for": "id_to_status"}),
        help_text=_("Only for a termination or a suspension: a ground of the chosen status."),
    )
    joined_to = forms.CharField(
        label=_("Joined to case number"), required=False,
        max_length=Case._meta.get_field("number").max_length,
        help_text=_("Only for a joining."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}), validators=[privacy.validate],
    )  # fmt: skip

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        following = lifecycle.allowed_next(case.status)
        labels = dict(CaseStatus.choices)
        to_status = cast(forms.ChoiceField, self.fields["to_status"])
        to_status.choices = [("", "—"), *((s, labels[s]) for s in following)]
        groups = [(s, labels[s], lifecycle.grounds_for(s)) for s in following]
        groups = [group for group in groups if group[2]]
        ground = cast(forms.ChoiceField, self.fields["ground"])
        ground.choices = [("", "—"), *((label, g) for _s, label, g in groups)]
        widget = cast(GroundSelect, ground.widget)
        widget.group_status = {str(label): status for status, label, _g in groups}

    def clean(self):
        data = super().clean()
        status, ground = data.get("to_status"), data.get("ground") or ""
        if status:
            allowed = [value for value, _label in lifecycle.grounds_for(status)]
            if allowed and ground not in allowed:
                label = CaseStatus(status).label
                self.add_error("ground", _("Choose a ground of “%(status)s”.") % {"status": label})
            elif not allowed and ground:
                self.add_error(
                    "ground", _("A ground is given only for a termination or a suspension.")
                )
        return data


class ReportForm(ScopedForm):
    scope_action = "report.create"
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeInput)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region"))
    receiving_body = forms.ModelChoiceField(
        Body.objects.all(),
        label=_("Receiving body"),
        help_text=_("A body of the report's region, or a national body."),
    )
    suggested_article = forms.ModelChoiceField(
        Article.objects.all(), label=_("Article suggested"), required=False
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("No names, ID numbers, phone numbers, e-mail or home addresses."),
        validators=[privacy.validate],
    )

    def clean(self):
        data = super().clean()
        show_problems(
            self,
            services.report_problems(
                data.get("region"),
                received_at=data.get("received_at"),
                receiving_body=data.get("receiving_body"),
                suggested_article=data.get("suggested_article"),
            ),
        )
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            c for c in Decision.choices if c[0] not in (Decision.PENDING, Decision.REGISTERED)
        ],
    )
    note = forms.CharField(
        label=_("Note (for “sent to another body”: which body)"), required=False,
        max_length=NOTE_MAX, validators=[privacy.validate],
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
        self.report = report
        self.fields["investigating_body"].queryset = policy.bodies_for(user, "case.create").filter(
            region=report.region
        )
        if report.suggested_article_id:
            self.fields["article_part"].initial = (
                ArticlePart.objects.filter(article=report.suggested_article)
                .order_by("number")
                .first()
            )

    def clean(self):
        data = super().clean()
        show_problems(
            self,
            services.registration_problems(
                self.report.region,
                article_part=data.get("article_part"),
                registered_at=data.get("registered_at"),
                investigating_body=data.get("investigating_body"),
            ),
        )
        return data


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
        label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        validators=[privacy.validate],
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        show_problems(self, services.requalify_problems(data.get("article_part"), reason=None))
        return data


class ExtensionForm(forms.Form):
    """An extension of ``case``'s term; ``clean`` checks it against the law's longest term."""

    amount = forms.IntegerField(label=_("Length"), min_value=1)
    unit = forms.ChoiceField(
        label=pgettext_lazy("time", "unit"),
        choices=ExtensionUnit.choices,
        initial=ExtensionUnit.MONTHS,
    )
    authorised_by = forms.CharField(
        label=_("Authorised by"),
        max_length=AUTHORISED_BY_MAX,
        help_text=_("Post of the official who authorised it, and the decision."),
        validators=[privacy.validate],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        validators=[privacy.validate],
    )  # fmt: skip

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean(self):
        data = super().clean()
        show_problems(
            self,
            services.extension_problems(
                self.case, amount=data.get("amount"), unit=data.get("unit")
            ),
        )
        return data
