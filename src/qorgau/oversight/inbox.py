"""The notifications page (``/oversight/notifications/``): a user's own notices of overdue
items, and marking one as read. Thin callers of ``notifications``; apart from ``views.py``
because every role has it, not only the prosecutor's control."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qorgau.access import policy
from qorgau.audit.reads import record_page
from qorgau.core.actors import Actor

from . import actions, notifications
from .models import Notification

PER_PAGE = 50


@policy.requires("home.view")
def notification_list(request):
    """The user's notices, unread first, newest first; one read entry naming their records."""
    mine = Notification.objects.filter(user=request.user).select_related("case", "report")
    page = Paginator(mine.order_by("read_at", "-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    record_page(Actor.of(request), actions.NOTIFICATION_LIST, page, {}, [n.ref for n in page])
    return render(request, "oversight/notifications.html", {"page": page})


@policy.requires("home.view")
@require_POST
def notification_read(request, pk):
    """Mark one of the user's notices as read (another user's is a 404)."""
    notice = notifications.of_user(request.user, pk)
    notifications.mark_read(Actor.of(request), notice)
    return redirect("oversight:notifications")
