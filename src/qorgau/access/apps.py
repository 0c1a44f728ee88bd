from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    default = True
    name = "qorgau.access"
    verbose_name = _("Access")

    def ready(self):
        from . import admin_actions, checks  # noqa: F401 - checks registers the deployment checks

        # The admin site has discovered every admin module by now (its app comes first).
        admin_actions.add_to_user_admin()


class QorgauAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open only to administrators (see access.policy)."""

    default = False
    default_site = "qorgau.access.admin_site.QorgauAdminSite"
