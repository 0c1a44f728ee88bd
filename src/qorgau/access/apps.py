from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    default = True
    name = "qorgau.access"
    verbose_name = _("Access")

    def ready(self):
        from . import checks, enrolment_admin  # noqa: F401 - checks registers the deploy checks

        # The admin site has discovered every admin module by now (its app comes first).
        enrolment_admin.register()


class QorgauAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open only to administrators (see access.policy)."""

    default = False
    default_site = "qorgau.access.admin_site.QorgauAdminSite"
