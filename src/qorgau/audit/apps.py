from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "qorgau.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from . import checks, signals  # noqa: F401 - deploy checks; the registry's change logging
