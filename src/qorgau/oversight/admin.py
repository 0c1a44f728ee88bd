from django.contrib import admin

from .models import ControlRecord, DeadlineRule


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "category", "amount", "unit", "legal_source"]


@admin.register(ControlRecord)
class ControlRecordAdmin(admin.ModelAdmin):
    list_display = ["kind", "case", "report", "due_on", "result_at", "created_by"]
    list_filter = ["kind"]
    readonly_fields = ["result_at", "created_at", "created_by"]
    raw_id_fields = ["case", "report"]  # ids, not a list of every case and report on the form
