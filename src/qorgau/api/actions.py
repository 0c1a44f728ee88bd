"""What the API writes to the audit trail beyond the reads and actions of the other apps."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

CLIENT_CREATE = action("api.client.create", _("API client registered"))
CLIENT_REVOKE = action("api.client.revoke", _("API client key revoked"))
# A call that reads no record of its own kind (reference data, campaign activities).
READ = action("api.read", _("Read through the API"))
IDEMPOTENCY_PURGE = action("api.idempotency.purge", _("Expired idempotency keys deleted"))
