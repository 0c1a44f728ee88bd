"""Forms of the training officer's pages. They parse input; the services validate and write."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qorgau.access import policy
from qorgau.core.limits import COUNT_MAX
from qorgau.reference.models import BodyKind, Region

from .models import TrainingFormat, TrainingTopic


class DateInput(forms.DateInput):
    input_type = "date"


class ScopedRegionForm(forms.Form):
    """The region choice narrowed to the user's scope."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = policy.regions_for(user, "training.edit")


class SessionForm(ScopedRegionForm):
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    body = forms.ChoiceField(label=_("Body"), choices=BodyKind.choices)
    unit = forms.CharField(
        label=pgettext_lazy("organisation", "Unit"), required=False, max_length=200
    )
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region"))
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=TrainingTopic.choices, widget=forms.CheckboxSelectMultiple
    )
    format = forms.ChoiceField(label=_("Format"), choices=TrainingFormat.choices)
    participants = forms.CharField(
        label=_("Participants by position"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One position a line: the position, a colon, the number (investigator: 12)."),
    )

    def clean_participants(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for number, line in enumerate(self.cleaned_data["participants"].splitlines(), start=1):
            if not line.strip():
                continue
            match = re.fullmatch(r"\s*(.+?)\s*:\s*([0-9]+)\s*", line, flags=re.ASCII)
            if match is None:
                raise ValidationError(
                    _("Line %(line)d: write the position, a colon and a whole number."),
                    params={"line": number},
                )
            position = match.group(1)
            # Compared as text first: int() refuses a string of more than 4300 digits.
            digits = match.group(2).lstrip("0") or "0"
            if len(digits) > len(str(COUNT_MAX)) or int(digits) > COUNT_MAX:
                raise ValidationError(
                    _("Line %(line)d: the number is larger than %(max)d."),
                    params={"line": number, "max": COUNT_MAX},
                )
            result[position] = result.get(position, 0) + int(digits)
        if sum(result.values()) > COUNT_MAX:
            raise ValidationError(
                _("The participants add up to more than %(max)d."), params={"max": COUNT_MAX}
            )
        return result


class HeadcountForm(ScopedRegionForm):
    body = forms.ChoiceField(label=_("Body"), choices=BodyKind.choices)
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region"))
    as_of = forms.DateField(label=_("As of"), widget=DateInput)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=COUNT_MAX)
    source = forms.CharField(label=_("Source"), max_length=500)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
