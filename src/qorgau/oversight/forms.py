"""Forms of the prosecutor's control: they check their values with the services' own rules
(``services.control_problems``), so a page shows every error at once, next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qorgau.core import privacy
from qorgau.registry.forms import DateInput, show_problems
from qorgau.registry.limits import INSTRUCTION_MAX, RESULT_MAX

from . import services
from .models import ControlKind


class ControlForm(forms.Form):
    """An instruction (or a review) on a case or a report."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ControlKind.choices)
    instruction = forms.CharField(
        label=_("Instruction"), max_length=INSTRUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}), validators=[privacy.validate],
    )  # fmt: skip
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        show_problems(self, services.control_problems(due_on=data.get("due_on")))
        return data


class ResultForm(forms.Form):
    """The result of a control."""

    result = forms.CharField(
        label=_("Result"), max_length=RESULT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        validators=[privacy.validate],
    )  # fmt: skip
