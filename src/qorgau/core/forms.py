"""Domain errors shown in forms: the one place a :class:`~qorgau.core.errors.QorgauError`
becomes a form error."""

from django import forms
from django.forms.renderers import TemplatesSetting

from .errors import Invalid, QorgauError


def add_error(form: forms.BaseForm, error: QorgauError) -> None:
    """Put ``error``'s message next to its field when the form has that field, else above the
    form; an :class:`Invalid` with several problems puts each next to its own field (one already
    shown there is not repeated). What the user typed stays in the form (it is bound), so
    nothing is lost."""
    problems = error.problems if isinstance(error, Invalid) else [(error.field, str(error))]
    for name, message in problems:
        field = name if name in form.fields else None
        shown = list(form.errors.get(field or "__all__", []))
        if str(message) not in shown:
            form.add_error(field, str(message))


class GovukFormRenderer(TemplatesSetting):
    """Every form in GOV.UK Frontend's markup (settings.FORM_RENDERER): ``{{ form }}`` gives an
    error summary above the form that links to each field, then each field with its label, hint
    and error next to it; ``{{ field.as_field_group }}`` gives one field. Widgets carry GOV.UK's
    classes (templates/django/forms/widgets/); an invalid one is marked ``aria-invalid``."""

    form_template_name = "forms/govuk.html"
    field_template_name = "forms/govuk_field.html"
