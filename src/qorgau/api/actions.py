"""What the API writes to the audit trail beyond the reads and actions of the other apps."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

CLIENT_CREATE = action("api.client.create", _("API client registered"))
CLIENT_REVOKE = action("api.client.revoke", _("API client key revoked"))
# A call that reads no record of its own kind (reference data, campaign activities).
READ = action("api.read", _("Read through the API"))
IDEMPOTENCY_PURGE = action("api.idempotency.purge", _("Expired idempotency keys deleted"))
WEBHOOK_CREATE = action("api.webhook.create", _("Webhook subscription made"))
WEBHOOK_DISABLE = action("api.webhook.disable", _("Webhook subscription disabled"))
WEBHOOK_SCAN = action("api.webhook.scan", _("Webhook events recorded and queued"))
WEBHOOK_DELIVER = action("api.webhook.deliver", _("Webhook delivery attempted"))
WEBHOOK_REDELIVER = action("api.webhook.redeliver", _("Webhook delivery tried again"))
