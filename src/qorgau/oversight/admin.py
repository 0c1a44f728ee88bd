from django.contrib import admin

from qorgau.core.admin import ReadOnlyAdminMixin
from qorgau.registry.admin import AuditedChangesAdmin

from . import actions
from .models import ControlRecord, Notification


@admin.register(ControlRecord)
class ControlRecordAdmin(AuditedChangesAdmin):
    audit_codes = {
        "add": actions.CONTROL_ADMIN_ADD,
        "change": actions.CONTROL_ADMIN_CHANGE,
        "delete": actions.CONTROL_ADMIN_DELETE,
    }
    list_display = ["kind", "case", "report", "due_on", "result_at", "created_by"]
    list_filter = ["kind"]
    readonly_fields = ["result_at", "created_at", "created_by"]
    raw_id_fields = ["case", "report"]  # ids, not a list of every case and report on the form


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The notices of overdue items: made by ``qorgau notify-overdue``, read by their users."""

    list_display = ["user", "kind", "ref", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["case", "report"]
