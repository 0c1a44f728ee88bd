from django.contrib import admin

from qorgau.registry.admin import AuditedChangesAdmin

from . import actions
from .models import ControlRecord


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
