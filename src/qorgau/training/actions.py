"""What the training services write to the audit trail (codes declared once, with words)."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

SESSION_CREATE = action("training.session.create", _("Training session entered"))
HEADCOUNT_CREATE = action("training.headcount.create", _("Staff headcount recorded"))
HEADCOUNT_UPDATE = action("training.headcount.update", _("Staff headcount corrected"))
COVERAGE_EXPORT = action("training.export", _("Training coverage exported"))
