from django import forms
from django.utils.translation import gettext_lazy as _


class PopulationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: region, reference_date, population, precision, source (UTF-8)."),
    )
