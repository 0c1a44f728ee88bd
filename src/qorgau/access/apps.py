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

    # Registered by apps' admin modules but not offered: the background tasks' queue
    # (django-tasks-db) is the worker's; an import's progress and outcome are on its own page.
    NOT_OFFERED = {"django_tasks_database.dbtaskresult"}

    def ready(self):
        super().ready()  # every app's admin module registers its models here
        for model in list(self.module.site._registry):
            if model._meta.label_lower in self.NOT_OFFERED:
                self.module.site.unregister(model)
