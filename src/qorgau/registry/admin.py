"""Admin of the registry. Lifecycle fields (status, qualification, term) are read-only here:
they change only through the services and the lifecycle module (staff pages, CLI).

The admin is a window on case data like the staff pages, so it leaves the same trail (written
for every admin page by ``core.admin.AuditedAdminSite``): opening a case, a party or a history
row is a ``case.view`` of its case, a report a ``report.view``, a list (search, filters) a
``case.search`` / ``report.search`` with the records shown; changes are logged with before/after
by ``audit.signals``. A case and its history are never deleted here (nor a report a case came
from): the registry keeps what happened."""

from django.contrib import admin

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
class CaseAdmin(admin.ModelAdmin):
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
    # Ids, not a list of every report (or case) in the country on each page.
    raw_id_fields = ["reports"]
    inlines = [PartyInline, QualificationInline, StatusChangeInline, TermExtensionInline]

    def has_add_permission(self, request):
        # Registration gives a number and records the initial state: use the staff page.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a case would take its qualification, status and term history with it.
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
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
class PartyAdmin(admin.ModelAdmin):
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
    raw_id_fields = ["case"]  # an id, not a list of every case number on the form


class HistoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    """Counters, not case data (audited as ``admin.view``); changed by numbering only."""

    list_display = ["region", "year", "last_value"]
