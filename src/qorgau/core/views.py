"""Staff home page."""

from django.shortcuts import render

from qorgau.access import policy
from qorgau.registry import queries

from . import navigation


@policy.requires("home.view")
def home(request):
    """The staff home page: headline counts (aggregate, of the user's scope) and links to what
    the user's role allows."""
    summary = queries.home_summary(
        policy.scoped(request.user, "home.view", queries.all_cases()),
        policy.scoped(request.user, "home.view", queries.all_reports()),
    )
    return render(
        request,
        "core/home.html",
        {"summary": summary, "shortcuts": navigation.links(request.user, navigation.SHORTCUTS)},
    )
