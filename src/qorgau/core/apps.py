from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qorgau.core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import pre_save

        from . import filetypes  # noqa: F401 - registers its start-up check (libmagic)
        from .privacy import refuse_on_save

        pre_save.connect(refuse_on_save, dispatch_uid="qorgau-privacy-refuse-on-save")
