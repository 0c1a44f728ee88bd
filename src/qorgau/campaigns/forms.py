"""Forms of the campaign pages. They parse input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qorgau.core import privacy
from qorgau.core.limits import COUNT_MAX

from .models import Activity


class DateInput(forms.DateInput):
    input_type = "date"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Plan workbook (XLSX)"))


class ActivityUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s.value, s.label) for s in Activity.STORED]
    )
    completed_on = forms.DateField(
        label=_("Completed on"), required=False, widget=DateInput,
        help_text=_("Required when the activity is done."),
    )  # fmt: skip
    cancel_reason = forms.CharField(
        label=_("Reason of cancellation"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Required when cancelled."),
        validators=[privacy.validate],
    )  # fmt: skip
    achieved_count = forms.IntegerField(
        label=_("Publications or events achieved"), min_value=0, max_value=COUNT_MAX
    )
    achieved_reach = forms.IntegerField(
        label=_("Reach/views achieved"), min_value=0, max_value=COUNT_MAX
    )
    achieved_participants = forms.IntegerField(
        label=_("Participants achieved"), min_value=0, max_value=COUNT_MAX
    )

    @classmethod
    def initial_for(cls, activity: Activity) -> dict:
        return {
            "status": activity.stored_status, "completed_on": activity.completed_on,
            "cancel_reason": activity.cancel_reason, "achieved_count": activity.achieved_count,
            "achieved_reach": activity.achieved_reach,
            "achieved_participants": activity.achieved_participants,
        }  # fmt: skip


class EvidenceForm(forms.Form):
    url = forms.CharField(label=pgettext_lazy("evidence", "Link"), required=False, max_length=500)
    file = forms.FileField(
        label=_("or a file"), required=False,
        help_text=_("PDF, PNG, JPEG, DOCX, XLSX or PPTX, up to 10 MB."),
    )  # fmt: skip
    note = forms.CharField(
        label=pgettext_lazy("evidence", "Note"), required=False, max_length=300,
        validators=[privacy.validate],
    )  # fmt: skip
