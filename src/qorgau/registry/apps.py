from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    # registry/receivers.py (the registry's reactions to lower floors) is loaded by core's
    # ready(), with every app's receivers.
    name = "qorgau.registry"
    verbose_name = _("Registry")
