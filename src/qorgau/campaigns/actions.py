"""What the campaign's services write to the audit trail (codes declared once, with words)."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

PLAN_IMPORT = action("plan.import", _("Campaign plan imported"))
PLAN_EXPORT = action("plan.export", _("Campaign plan exported"))
PROGRESS_EXPORT = action("campaign.progress.export", _("Campaign progress report exported"))
ACTIVITY_UPDATE = action("activity.update", _("Campaign activity updated"))
EVIDENCE_ADD = action("evidence.add", _("Evidence added to a campaign activity"))
EVIDENCE_DOWNLOAD = action("evidence.download", _("Campaign evidence file downloaded"))
