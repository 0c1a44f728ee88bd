"""The filters of the control page and its CSV export (django-filter, kept in the URL).

The control list is built in Python from the deadline rules (``deadlines.control_list``), not
by one query, so the FilterSet here reads and checks the parameters — ``region``, ``body``,
``article``, ``kind``, ``without_control`` (docs/search.md) — and :meth:`ControlFilter.narrowing`
gives the ``deadlines.Filters`` that narrow the list. An invalid value (another region's code,
an unknown kind) is a message next to its field and a 400, never a silently empty list."""

from typing import Any

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from qorgau.access import policy
from qorgau.reference.models import Article, Body, Region
from qorgau.registry.models import Case

from . import deadlines


def _by_code(label, model, empty_label) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=label, queryset=model.objects.none(), to_field_name="code", empty_label=empty_label
    )


class ControlFilter(django_filters.FilterSet):
    """The control page's filters for one user: the regions and bodies offered are those of
    the user's scope (``policy.regions_for``, ``policy.bodies_for``)."""

    region = _by_code(_("Region"), Region, _("all regions"))
    body = _by_code(_("Investigating body"), Body, _("all bodies"))
    article = _by_code(_("Article"), Article, _("all articles"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=deadlines.FilterKind.choices, empty_label=_("all kinds")
    )
    without_control = django_filters.BooleanFilter(
        label=_("Without a control record"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data: QueryDict | None, *, user: Any) -> None:
        super().__init__(data, Case.objects.none())
        self.filters["region"].queryset = policy.regions_for(user, "oversight.view")
        self.filters["body"].queryset = policy.bodies_for(user, "oversight.view")
        self.filters["article"].queryset = Article.objects.all()

    def narrowing(self) -> deadlines.Filters | None:
        """The chosen filters; None when a value is not valid (the page answers 400)."""
        if not self.is_valid():
            return None
        data = self.form.cleaned_data
        return deadlines.Filters(
            region=data.get("region"),
            body=data.get("body"),
            article=data.get("article"),
            kind=data.get("kind") or "",
            without_control=bool(data.get("without_control")),
        )
