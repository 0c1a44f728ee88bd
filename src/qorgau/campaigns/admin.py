from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Activity, Evidence, Organisation, Plan


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_kk", "name_ru", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name_kk", "name_ru"]


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["title_kk", "kind", "responsible", "due_on", "stored_status"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title_kk", "kind", "approved_on", "region"]
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title_kk", "plan", "kind", "responsible", "due_on", "stored_status"]
    list_filter = ["plan", "kind", "stored_status"]
    filter_horizontal = ["regions", "co_executors"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    """Evidence files have no public URL: the admin links to the guarded download instead of
    offering the file field (whose widget would show a storage URL)."""

    list_display = ["activity", "url", "original_name", "added_at", "added_by"]
    exclude = ["file"]
    readonly_fields = ["download", "original_name", "added_at", "added_by"]
    raw_id_fields = ["activity"]
    # Links without a scheme are taken as https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        url = reverse("campaigns:evidence_file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)
