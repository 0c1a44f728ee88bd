from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qorgau.core.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only view of the trail (search and export also on the staff page /audit/)."""

    list_display = ["at", "username", "source", "action", "what", "object_repr", "region_code"]
    list_filter = ["action", "region_code"]
    search_fields = ["username", "object_repr", "object_id", "action"]
    date_hierarchy = "at"

    @admin.display(description=_("What happened"))
    def what(self, entry: AuditEntry) -> str:
        return entry.action_label
