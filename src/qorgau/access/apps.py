from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    default = True
    name = "qorgau.access"
    verbose_name = _("Access")


class QorgauAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open only to administrators (see access.policy)."""

    default = False
    default_site = "qorgau.access.admin_site.QorgauAdminSite"
