"""Training page: sessions and coverage (trained / headcount) per region and body."""

from django.shortcuts import render

from qorgau.access import policy

from . import services


@policy.requires("training.view")
def training_page(request):
    rows = services.coverage(request.user)
    return render(request, "training/page.html", {
        "sessions": services.sessions_for(request.user)[:200], "rows": rows, "regions": services.by_region(rows),
    })  # fmt: skip
