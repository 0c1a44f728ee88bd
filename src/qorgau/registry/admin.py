"""Admin of the registry. Lifecycle fields (status, qualification, term) are read-only here:
they change only through the services and the lifecycle module (staff pages, CLI).

The admin is a window on case data like the staff pages, so it leaves the same trail (written
for every admin page by ``access.admin_site.AuditedAdminSite``): opening a case, a party or a
history row is a ``case.view`` of its case, a report a ``report.view``, a list (search, filters) a
``case.search`` / ``report.search`` with the records shown; what an administrator changes here
is written by :class:`AuditedChangesAdmin` (one entry per record added, changed or deleted, with
the changed fields before and after, declared in ``registry.actions``). A case and its history
are never deleted here (nor a report a case came from): the registry keeps what happened."""

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from qorgau.audit.log import write
from qorgau.core.actors import Actor
from qorgau.core.admin import ReadOnlyAdminMixin

from . import actions, trail
from .models import (
    Case,
    CaseNumberSequence,
    ImportJob,
    Party,
    Qualification,
    Report,
    StatusChange,
    TermExtension,
)

Codes = dict[str, str]  # "add", "change", "delete" -> a declared action code


def _stored(obj: models.Model) -> trail.Values | None:
    """``obj``'s values as stored now (before the admin saves its form)."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return trail.values(stored) if stored is not None else None


class AuditedChangesAdmin(admin.ModelAdmin):
    """A model admin whose saves and deletes (its own and its inlines') each leave one audit
    entry with the changed fields before and after: the admin is no service, but what it
    changes must be in the trail as well. ``audit_codes`` names the entry of each change; an
    inline's record is written with the codes of its own model's admin."""

    audit_codes: Codes = {}

    def _audit(
        self, request: HttpRequest, what: str, obj: models.Model, before: trail.Values | None
    ) -> None:
        owner = self.admin_site._registry.get(type(obj))
        code = getattr(owner, "audit_codes", {}).get(what)
        if code is None:
            return
        actor, via = Actor.of(request), {"via": "admin"}
        if what == "add":
            write(actor, code, obj, after=trail.created(obj), details=via)
        elif what == "delete":
            write(actor, code, obj, before=trail.created(obj), details=via)
        else:
            old, new = trail.changes(before or {}, obj)
            if old or new:
                write(actor, code, obj, before=old, after=new, details=via)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before = _stored(obj) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._audit(request, "change" if change else "add", obj, before)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit(request, "delete", obj, None)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, "delete", obj, None)
            super().delete_queryset(request, queryset)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        stored = {
            f.instance.pk: _stored(f.instance)
            for f in formset.forms
            if f.instance.pk is not None and f.has_changed()
        }
        with transaction.atomic():
            for deleted in formset.deleted_forms:
                if deleted.instance.pk is not None:
                    self._audit(request, "delete", deleted.instance, None)
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                self._audit(request, "add", obj, None)
            for obj, _fields in formset.changed_objects:
                self._audit(request, "change", obj, stored.get(obj.pk))


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
class CaseAdmin(AuditedChangesAdmin):
    audit_codes = {"change": actions.CASE_ADMIN_CHANGE}
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
class ReportAdmin(AuditedChangesAdmin):
    audit_codes = {
        "add": actions.REPORT_ADMIN_ADD,
        "change": actions.REPORT_ADMIN_CHANGE,
        "delete": actions.REPORT_ADMIN_DELETE,
    }
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
class PartyAdmin(AuditedChangesAdmin):
    audit_codes = {
        "add": actions.PARTY_ADMIN_ADD,
        "change": actions.PARTY_ADMIN_CHANGE,
        "delete": actions.PARTY_ADMIN_DELETE,
    }
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
    list_display = ["case", "article_part", "qualified_at", "qualified_by", "recorded_at"]


@admin.register(StatusChange)
class StatusChangeAdmin(HistoryAdmin):
    list_display = ["case", "from_status", "to_status", "changed_at", "changed_by", "recorded_at"]
    list_filter = ["to_status"]


@admin.register(TermExtension)
class TermExtensionAdmin(HistoryAdmin):
    list_display = ["case", "previous_end", "new_end", "extended_at", "authorised_by"]


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Counters, not case data (audited as ``admin.view``); changed by numbering only."""

    list_display = ["region", "year", "last_value"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Case imports uploaded in the browser (registry/imports.py): what happened to each, read
    only; the file itself is not shown (it is emptied when the import ends)."""

    list_display = ["created_at", "created_by", "region", "status", "total", "imported"]
    list_filter = ["status"]
    exclude = ["data"]
