from django.contrib import admin

from qorgau.core.admin import ReadOnlyAdminMixin

from .models import Inquiry, ReplyDraft, ReplyVersion, RowVersion


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
        "figures_as_of",
        "created_at",
        "created_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RowVersion)
class RowVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The history of the campaign and training rows a reply counts (``letters.history``):
    written by the receivers only, shown here."""

    list_display = ["model", "object_id", "recorded_at"]
    list_filter = ["model"]
