from django.contrib import admin

from .models import Inquiry, ReplyDraft, ReplyVersion


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["number", "dated", "status", "due_on", "sent_on", "is_demo"]
    filter_horizontal = ["articles"]


@admin.register(ReplyDraft)
class ReplyDraftAdmin(admin.ModelAdmin):
    list_display = ["inquiry", "lang", "period_end", "updated_at"]


@admin.register(ReplyVersion)
class ReplyVersionAdmin(admin.ModelAdmin):
    list_display = ["inquiry", "number", "lang", "format", "created_at", "created_by"]
    exclude = ["content"]
    readonly_fields = [
        "inquiry",
        "number",
        "lang",
        "format",
        "blocks",
        "figures",
        "created_at",
        "created_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
