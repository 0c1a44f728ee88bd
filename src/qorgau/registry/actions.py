"""The registry's actions as the audit trail names them (``audit.log.write``): each service
writes exactly one entry with one of these codes, and its label is what the trail reads."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

REPORT_CREATE = action("report.create", _("Report entered"))
REPORT_DECIDE = action("report.decide", _("Decision on a report recorded"))
CASE_REGISTER = action("case.register", _("Case registered"))
CASE_IMPORT = action("case.import", _("Cases imported"))
CASE_STATUS_CHANGE = action("case.status.change", _("Case status changed"))
CASE_REQUALIFY = action("case.requalify", _("Case requalified"))
CASE_TERM_EXTEND = action("case.term.extend", _("Investigation term extended"))
CASE_TERM_RECOMPUTE = action(
    "case.term.recompute", _("Investigation term recomputed after a rule change")
)
PARTY_ADD = action("party.add", _("Party added to a case"))
PARTY_UPDATE = action("party.update", _("Party corrected"))
CASE_EXPORT = action("case.export", _("Cases exported"))
# A read: the case card printed (PDF), like ``case.view`` but for a document that leaves the page.
CASE_CARD_PRINT = action("case.card.print", _("Case card printed"))
# A read: a page of the change feed (registry.changes.feed).
CHANGE_FEED = action("change.feed", _("Change feed read"))
# The bulk upsert by ERDR number (registry.upsert): one entry per request.
CASE_UPSERT = action("case.upsert", _("Cases created or updated by ERDR number"))

# Changes made through the Django admin (registry/admin.py): the admin is no service, but what
# it changes is in the trail like what the services change.
CASE_ADMIN_CHANGE = action("case.admin.change", _("Case changed in the admin"))
REPORT_ADMIN_ADD = action("report.admin.add", _("Report added in the admin"))
REPORT_ADMIN_CHANGE = action("report.admin.change", _("Report changed in the admin"))
REPORT_ADMIN_DELETE = action("report.admin.delete", _("Report deleted in the admin"))
PARTY_ADMIN_ADD = action("party.admin.add", _("Party added in the admin"))
PARTY_ADMIN_CHANGE = action("party.admin.change", _("Party changed in the admin"))
PARTY_ADMIN_DELETE = action("party.admin.delete", _("Party deleted in the admin"))
