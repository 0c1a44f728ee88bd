"""Domain errors shown in forms: the one place a :class:`~qorgau.core.errors.QorgauError`
becomes a form error."""

from django import forms

from .errors import QorgauError


def add_error(form: forms.BaseForm, error: QorgauError) -> None:
    """Put ``error``'s message next to its field when the form has that field, else above the
    form. What the user typed stays in the form (it is bound), so nothing is lost."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))
