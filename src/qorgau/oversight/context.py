"""Context processor: the number of the user's unread notifications, for the link in the
header of every staff page (``notifications_unread``; none for anonymous visitors)."""

from . import notifications


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": notifications.unread(user).count()}
