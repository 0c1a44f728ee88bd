from django.contrib import admin

from .models import Headcount, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["held_on", "body", "unit", "region", "format"]
    list_filter = ["body", "region", "format"]


@admin.register(Headcount)
class HeadcountAdmin(admin.ModelAdmin):
    list_display = ["region", "body", "as_of", "headcount"]
    list_filter = ["body", "region"]
