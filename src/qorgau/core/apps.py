from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

# The modules every app may have that must be loaded at start-up, found here for all apps at
# once (an app's ready() imports nothing of the project: that would hide imports from the
# floors' check, tests/test_architecture.py):
#   receivers — connects the app's signal receivers (an upper floor reacting to a lower one);
#   checks    — registers its system checks (``qorgau check --deploy``);
#   actions   — declares its audit action codes, so the trail names every entry in words.
STARTUP_MODULES = ("receivers", "checks", "actions")


class CoreConfig(AppConfig):
    name = "qorgau.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        autodiscover_modules(*STARTUP_MODULES)
