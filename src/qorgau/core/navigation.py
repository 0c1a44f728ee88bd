"""The staff pages' menu and the home page's shortcuts: each link shows only to a user the
access policy lets do what the link leads to (the policy decides; this module only lists)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qorgau.access import policy

# (url name, label, the policy action the page requires)
MENU = [
    ("registry:case_list", _("Cases"), "case.view"),
    ("registry:report_list", _("Reports"), "report.view"),
    ("stats:dashboard", _("Statistics"), "stats.view"),
    ("oversight:control", _("Deadline control"), "oversight.view"),
    ("campaigns:progress", _("Campaign"), "campaigns.view"),
    ("training:page", _("Training"), "training.view"),
    ("letters:list", _("Replies to inquiries"), "letters.draft"),
    ("audit:list", _("Audit trail"), "audit.view"),
    ("admin:index", _("Administration"), "admin.site"),
]
SHORTCUTS = [
    ("registry:case_list", _("Search cases"), "case.search"),
    ("registry:case_new", _("Register a case"), "case.create"),
    ("registry:report_new", _("Enter a report"), "report.create"),
    ("registry:case_export", _("Export cases (CSV)"), "case.export"),
    ("stats:dashboard", _("Statistics"), "stats.view"),
    ("oversight:control", _("Deadline control"), "oversight.view"),
    ("campaigns:progress", _("Campaign progress"), "campaigns.view"),
    ("campaigns:import", _("Import a plan (XLSX)"), "campaigns.edit"),
    ("training:page", _("Training and coverage"), "training.view"),
    ("letters:list", _("Replies to deputies' inquiries"), "letters.draft"),
]


def links(user, items) -> list[tuple[str, str]]:
    """(address, label) of the items ``user`` may open."""
    return [(reverse(name), label) for name, label, action in items if policy.can(user, action)]


def menu(request):
    """Context processor: the menu of the staff pages (empty for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    return {"menu": [(href, label, path.startswith(href)) for href, label in links(user, MENU)]}
