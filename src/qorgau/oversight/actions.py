"""The oversight app's actions as the audit trail names them (``audit.log.write``)."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

CONTROL_ADD = action("control.add", _("Control instruction given"))
CONTROL_RESULT = action("control.result", _("Result of a control recorded"))
CONTROL_LIST_VIEW = action("oversight.view", _("Control list viewed"))
CONTROL_LIST_EXPORT = action("oversight.export", _("Control list exported"))

# Changes made through the Django admin (oversight/admin.py).
CONTROL_ADMIN_ADD = action("control.admin.add", _("Control record added in the admin"))
CONTROL_ADMIN_CHANGE = action("control.admin.change", _("Control record changed in the admin"))
CONTROL_ADMIN_DELETE = action("control.admin.delete", _("Control record deleted in the admin"))

# In-app notifications of overdue items (oversight/notifications.py, ``qorgau notify-overdue``).
NOTIFY_OVERDUE = action("notification.create", _("Notifications of overdue items created"))
NOTIFICATION_READ = action("notification.read", _("Notification marked as read"))
NOTIFICATION_LIST = action("notification.search", _("Notifications listed"))
