from django.contrib import admin

from qorgau.core.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only view of the trail (search and export also on the staff page /audit/)."""

    list_display = ["at", "username", "source", "action", "object_repr", "region_code"]
    list_filter = ["action", "region_code"]
    search_fields = ["username", "object_repr", "object_id", "action"]
    date_hierarchy = "at"
