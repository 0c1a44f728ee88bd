"""Staff home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from qorgau.registry import queries


@login_required
def home(request):
    """The staff home page: headline counts of the registry and where to go next."""
    return render(request, "core/home.html", {"summary": queries.home_summary()})
