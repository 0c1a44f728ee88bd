"""Shared pieces of the Django admin. (The trail every admin page leaves is written by the
admin site itself: ``access.admin_site``.)"""


class ReadOnlyAdminMixin:
    """For records that only the services write (history rows, the audit trail, counters,
    produced documents): the admin shows them and nothing else."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
