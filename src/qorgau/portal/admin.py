from django.contrib import admin

from .models import HelpContact, Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["slug", "order", "title_kk", "title_ru", "title_en", "updated_at"]


@admin.register(HelpContact)
class HelpContactAdmin(admin.ModelAdmin):
    list_display = ["name_kk", "kind", "region", "phone", "hours"]
    list_filter = ["kind", "region"]
