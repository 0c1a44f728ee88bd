"""The portal's actions as the audit trail names them (``audit.log.write``)."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

# The staff home page names the reports and cases of the user's worklist: a read.
WORKLIST_VIEW = action("worklist.view", _("Worklist viewed"))
# ``qorgau send-digest``: one entry per run (how many users, how many mails).
DIGEST_SEND = action("worklist.digest", _("Daily digest sent"))
