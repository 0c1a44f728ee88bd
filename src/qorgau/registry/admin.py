"""Admin of the registry. Lifecycle fields (status, qualification, term) are read-only here:
they change only through the services and the lifecycle module (staff pages, CLI).

The admin is a window on case data like the staff pages, so it leaves the same trail: opening
a record is a ``case.view`` / ``report.view``, a list (search, filters) a ``case.search`` /
``report.search`` with the records shown; changes are logged with before/after by
``audit.signals``. A case and its history are never deleted here (nor a report a case came
from): the registry keeps what happened."""

from django.contrib import admin

from qorgau.audit.log import _code_of, record
from qorgau.core.admin import ReadOnlyAdminMixin

from .models import (
    Case,
    CaseNumberSequence,
    Party,
    Qualification,
    Report,
    StatusChange,
    TermExtension,
)


class AuditedAdmin(admin.ModelAdmin):
    """Record every change page opened and every list shown, as the staff pages do."""

    view_action = "case.view"
    search_action = "case.search"

    def audited(self, obj):
        """The record an entry names: the case itself, or the case a history row belongs to."""
        return getattr(obj, "case", obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if obj is not None:  # the page was shown (not a redirect after saving, not a 404)
            details = {"via": "admin"}
            if self.audited(obj) is not obj:
                details[obj._meta.model_name] = obj.pk
            record(self.view_action, self.audited(obj), details=details)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            region_id = request.GET.get("region__id__exact", "")
            # The audit log's cached id -> code table (no query per page view).
            region_code = _code_of(int(region_id)) if region_id.isdigit() else ""
            record(
                self.search_action,
                details={
                    "via": "admin",
                    "model": self.model._meta.label_lower,
                    "filters": dict(request.GET.items()),
                    "results": changelist.result_count,
                    "shown": [str(obj) for obj in changelist.result_list],
                },
                region_code=region_code,
            )
        return response


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QualificationInline(ReadOnlyInline):
    model = Qualification


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange


class TermExtensionInline(ReadOnlyInline):
    model = TermExtension


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


@admin.register(Case)
class CaseAdmin(AuditedAdmin):
    list_display = [
        "number",
        "registered_at",
        "region",
        "article_part",
        "status",
        "term_ends_on",
        "is_demo",
    ]
    list_filter = ["status", "article_part__article", "region", "is_demo"]
    search_fields = ["number"]
    date_hierarchy = "registered_at"
    readonly_fields = [
        "number",
        "registered_at",
        "region",
        "article_part",
        "status",
        "status_at",
        "termination_ground",
        "suspension_ground",
        "joined_to",
        "term_ends_on",
        "is_demo",
        "created_at",
        "created_by",
    ]
    filter_horizontal = ["reports"]
    inlines = [PartyInline, QualificationInline, StatusChangeInline, TermExtensionInline]

    def has_add_permission(self, request):
        # Registration gives a number and records the initial state: use the staff page.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a case would take its qualification, status and term history with it.
        return False


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    view_action = "report.view"
    search_action = "report.search"

    list_display = [
        "received_at",
        "channel",
        "region",
        "receiving_body",
        "decision",
        "decided_at",
        "is_demo",
    ]
    list_filter = ["decision", "channel", "region", "is_demo"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "decision",
        "decided_at",
        "decided_by",
        "decision_note",
        "created_at",
        "created_by",
    ]

    def has_delete_permission(self, request, obj=None):
        # A report a case came from is part of that case's record.
        if obj is not None and obj.cases.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    list_display = [
        "case",
        "role",
        "sex",
        "age_band",
        "is_minor",
        "relationship",
        "consent_further_use",
    ]
    list_filter = ["role", "sex", "age_band", "relationship"]


class HistoryAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """History rows are written by the services only; the admin shows them."""


@admin.register(Qualification)
class QualificationAdmin(HistoryAdmin):
    list_display = ["case", "article_part", "qualified_at", "qualified_by"]


@admin.register(StatusChange)
class StatusChangeAdmin(HistoryAdmin):
    list_display = ["case", "from_status", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_status"]


@admin.register(TermExtension)
class TermExtensionAdmin(HistoryAdmin):
    list_display = ["case", "previous_end", "new_end", "extended_at", "authorised_by"]


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Counters, not case data (so not audited as a look at cases); changed by numbering only."""

    list_display = ["region", "year", "last_value"]
