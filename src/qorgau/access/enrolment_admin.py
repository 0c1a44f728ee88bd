"""The users' admin action that issues one-time password enrolment codes
(``access.enrolment``). Added to whichever admin the user model has (``AccessConfig.ready``)."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import enrolment


@admin.action(description=_("Issue a one-time password enrolment code"))
def issue_enrolment_codes(modeladmin, request, queryset):
    """Issue a code for each selected user and show the codes, this once, on a page of their
    own (not in a message, which would travel in a cookie)."""
    issued, refused = [], []
    for user in queryset.order_by("username"):
        try:
            code, row = enrolment.issue(request.user, user)
        except enrolment.EnrolmentError as error:
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


def add_to_user_admin(site=None) -> None:
    """Offer the action on the users' list of the admin ``site`` (the default one)."""
    from django.contrib.auth import get_user_model

    site = site or admin.site
    model_admin = (
        site.get_model_admin(get_user_model()) if site.is_registered(get_user_model()) else None
    )
    if model_admin is not None and issue_enrolment_codes not in (model_admin.actions or ()):
        model_admin.actions = [*(model_admin.actions or ()), issue_enrolment_codes]
