"""The admin site: the policy decides who may enter, and every page leaves its trail.

The admin is a window on every record, so it leaves the same trail as the staff pages, from one
place (:class:`AuditedAdminSite`, which wraps every view of the site): a list is a
``<subject>.search`` with the filters and the records shown, one record (its change, history or
delete page) a ``<subject>.view``, and a refusal an ``access.denied``. The subject is what the
record is about: a case's party, history row or control record is a look at its case (or at
the report a control record is about)."""

from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from qorgau.audit import log
from qorgau.core.actors import Actor

from . import policy

# The subject an admin page's entry is filed under (``case.view``, ``user.search``…), by the
# model of the record it names. Users, their profiles, one-time password devices, enrolment
# codes and login records are all a look at users. Any other model — reference data, deadline
# rules, campaign, training, letters and portal records — is filed under ``admin``.
SUBJECTS = {
    "registry.case": "case",
    "registry.report": "report",
    "audit.auditentry": "audit",
    "auth.user": "user",
    "auth.group": "user",
    "access.profile": "user",
    "access.enrolmentcode": "user",
    "otp_totp.totpdevice": "user",
    "axes.accessattempt": "user",
    "axes.accesslog": "user",
    "axes.accessfailurelog": "user",
}
# Foreign keys that make a record part of another one's file, in the order asked: a party or a
# history row belongs to its case, a control record to its case or else its report.
PART_OF = ("case", "report")


def named(obj):
    """The record an entry about ``obj`` names: the case (or report) it belongs to, else itself."""
    fields = {f.name for f in obj._meta.concrete_fields if f.is_relation}
    for name in PART_OF:
        if name in fields and getattr(obj, f"{name}_id") is not None:
            return getattr(obj, name)
    return obj


def subject(model) -> str:
    return SUBJECTS.get(model._meta.label_lower, "admin")


def _region_code(obj) -> str:
    """The region an entry about ``obj`` is filed under when the trail cannot tell it by itself
    (an audit entry carries its own; a user is of their profile's region); "" lets it decide."""
    if obj._meta.label_lower == "audit.auditentry":
        return obj.region_code
    profile = getattr(obj, "profile", None) if obj._meta.label_lower == "auth.user" else None
    if profile is not None and profile.region_id is not None:
        return profile.region.code
    return ""


def _list_region_code(request) -> str:
    """The region a list is narrowed to by its filter, for the entry's region."""
    region_id = request.GET.get("region__id__exact", "")
    if region_id.isdigit():
        return log.region_code_of(int(region_id))  # the trail's cached table: no query
    return request.GET.get("region_code__exact", "")


def _shown(records) -> list:
    """The records a list showed, by the reference a reader searches the trail with: a case by
    its number, anything else by its id (a UUID as its text: the trail is JSON)."""
    return [r.number if r._meta.label_lower == "registry.case" else _ref(r.pk) for r in records]


def _ref(pk: Any) -> int | str:
    """A primary key as the trail keeps it: an integer as is, anything else as text."""
    return pk if isinstance(pk, int) else str(pk)


def record_admin_page(request, model_admin, page: str, response, kwargs: dict) -> None:
    """Record what the admin page ``page`` (``change``, ``history``, ``delete``…) of
    ``model_admin`` showed; nothing for a page without a record (an empty add form, a redirect
    after saving, the index). A page of one record that does not hand it to its template (a
    one-time password device's key and QR code) is named by the id in its address."""
    context = getattr(response, "context_data", None) or {}
    if response.status_code != 200 or model_admin is None:
        return
    model = model_admin.model
    details: dict[str, Any] = {"via": "admin"}
    changelist, queryset = context.get("cl"), context.get("queryset")
    if changelist is not None or queryset is not None:
        records: Any = changelist.result_list if changelist is not None else queryset
        details.update(
            model=model._meta.label_lower,
            filters=dict(request.GET.items()),
            results=changelist.result_count if changelist is not None else len(records),
            shown=_shown(records),
        )
        if changelist is None:
            details["action"] = request.POST.get("action", "")
        log.write(
            Actor.of(request),
            f"{subject(model)}.search",
            details=details,
            region_code=_list_region_code(request),
        )
        return
    obj = context.get("original") or context.get("object")
    object_id = kwargs.get("object_id", kwargs.get("pk"))
    if obj is None and object_id is not None:
        try:
            obj = model_admin.model._default_manager.filter(pk=object_id).first()
        except (ValueError, ValidationError):  # not an id of this model
            obj = None
    if obj is None or not hasattr(obj, "_meta"):
        return
    if page != "change":
        details["page"] = page
    target = named(obj)
    if target is not obj:
        details[obj._meta.model_name] = obj.pk
    log.write(
        Actor.of(request),
        f"{subject(type(target))}.view",
        target,
        details=details,
        region_code=_region_code(target),
    )


class AuditedAdminSite:
    """Admin site mixin: every view of the site leaves its trail (see the module's text)."""

    # The right every page of the site asks (the menu reads it: access.navigation).
    qorgau_action = "admin.site"

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        if not hasattr(model_admin, "model"):
            model_admin = None  # a view of the site itself: index, app list, autocomplete
        name = getattr(view, "__name__", "view").removesuffix("_view")
        asked = f"{model_admin.model._meta.label_lower}.{name}" if model_admin else f"admin.{name}"

        @wraps(guarded)
        def audited(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                # Refused: the admin answers with its login page.
                policy.refused(request, self.qorgau_action, 403, kwargs)
                return guarded(request, *args, **kwargs)
            try:
                response = guarded(request, *args, **kwargs)
            except PermissionDenied:
                policy.refused(request, asked, 403, kwargs)
                raise
            record_admin_page(request, model_admin, name, response, kwargs)
            return response

        return audited


class QorgauAdminSite(AuditedAdminSite, admin.AdminSite):
    """The admin site; the policy decides who may enter (administrators only); every page and
    refusal is audited (:class:`AuditedAdminSite`)."""

    site_header = _("Qorgau administration")
    site_title = _("Qorgau")

    def has_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and policy.can(request.user, self.qorgau_action)
        )
