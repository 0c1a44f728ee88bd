"""Enrolment codes in the admin (``access.enrolment``): the users' action that issues them, and
a read-only list of the codes issued (never the codes themselves). Registered by
``access/admin.py``: the action joins whichever admin the user model has."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from qorgau.core.actors import Actor
from qorgau.core.admin import ReadOnlyAdminMixin
from qorgau.core.errors import QorgauError

from . import enrolment
from .models import EnrolmentCode


class EnrolmentCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who was given a code, by whom, until when, and what became of it; issued only by the
    action or the command, changed only by its use."""

    list_display = ["user", "issued_by", "issued_at", "expires_at", "used_at", "cancelled_at",
                    "failed_attempts"]  # fmt: skip
    list_filter = ["issued_at", "used_at"]
    search_fields = ["user__username"]
    exclude = ["code_hash"]
    ordering = ["-issued_at"]


@admin.action(description=_("Issue a one-time password enrolment code"))
def issue_enrolment_codes(modeladmin, request, queryset):
    """Issue a code for each selected user and show the codes, this once, on a page of their
    own (not in a message, which would travel in a cookie)."""
    issued, refused = [], []
    for user in queryset.order_by("username"):
        try:
            code, row = enrolment.issue(Actor.of(request), user)
        except QorgauError as error:
            refused.append((user, str(error)))
        else:
            issued.append((user, code, row.expires_at))
    return TemplateResponse(
        request,
        "access/enrolment_codes.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("One-time password enrolment codes"),
            "opts": modeladmin.model._meta,
            "issued": issued,
            "refused": refused,
        },
    )


def register(site=None) -> None:
    """List the codes in the admin ``site`` (the default one) and offer the action on its users'
    list."""
    site = site or admin.site
    if not site.is_registered(EnrolmentCode):
        site.register(EnrolmentCode, EnrolmentCodeAdmin)
    model_admin = (
        site.get_model_admin(get_user_model()) if site.is_registered(get_user_model()) else None
    )
    if model_admin is not None and issue_enrolment_codes not in (model_admin.actions or ()):
        model_admin.actions = [*(model_admin.actions or ()), issue_enrolment_codes]
