from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    # The checks are found by core's ready(). (The signal-based change logging is gone: every
    # service writes its own entry, audit.log.write.)
    name = "qorgau.audit"
    verbose_name = _("Audit trail")
