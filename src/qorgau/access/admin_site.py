from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qorgau.core.admin import AuditedAdminSite

from . import policy


class QorgauAdminSite(AuditedAdminSite, admin.AdminSite):
    """The admin site; the policy decides who may enter (administrators only); every page and
    refusal is audited (``core.admin.AuditedAdminSite``)."""

    site_header = _("Qorgau administration")
    site_title = _("Qorgau")

    def has_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and policy.can(request.user, "admin.site")
        )
