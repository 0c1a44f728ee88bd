from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only view of the trail (search and export also on the staff page /audit/)."""

    list_display = ["at", "username", "source", "action", "object_repr", "region_code"]
    list_filter = ["action", "region_code"]
    search_fields = ["username", "object_repr", "object_id", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
