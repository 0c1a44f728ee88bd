"""The third-party apps of the admin under names in the reader's language.

django-axes, django-otp's TOTP plugin and the database task backend name their apps in
English only ("Axes", "Otp_Totp", "Tasks Database Backend"), so the Kazakh admin showed them so.
INSTALLED_APPS names these configurations instead of the apps' own; nothing else changes.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpAppConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login attempts")


class TotpConfig(TotpAppConfig):
    verbose_name = _("One-time password devices")


class TasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]  # a lazy str is a str here
