from django.contrib import admin

from .models import Activity, Organisation, Plan


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
