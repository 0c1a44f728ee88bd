"""The staff pages' menu and the home page's shortcuts: each link shows only to a user the
access policy lets open the page it leads to. The right asked is the one the page's view
declares (``policy.requires`` attaches it as ``qorgau_action``): this module lists addresses
and labels, never rights, so the menu cannot drift from the pages."""

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import policy

# (url name, label)
MENU: list[tuple[str, str | Promise]] = [
    ("registry:case_list", _("Cases")),
    ("registry:report_list", _("Reports")),
    ("stats:dashboard", _("Statistics")),
    ("oversight:control", _("Deadline control")),
    ("campaigns:progress", _("Campaign")),
    ("training:page", _("Training")),
    ("letters:list", _("Replies to inquiries")),
    ("audit:list", _("Audit trail")),
    ("admin:index", _("Administration")),
]
SEARCH = "registry:search"  # the page of the header's search box
SHORTCUTS: list[tuple[str, str | Promise]] = [
    ("registry:case_list", _("Search cases")),
    ("registry:case_new", _("Register a case")),
    ("registry:report_new", _("Enter a report")),
    ("registry:case_export", _("Export cases (CSV)")),
    ("registry:case_import", _("Import cases (CSV)")),
    ("stats:dashboard", _("Statistics")),
    ("oversight:control", _("Deadline control")),
    ("campaigns:progress", _("Campaign progress")),
    ("campaigns:import", _("Import a plan (XLSX)")),
    ("training:page", _("Training and coverage")),
    ("letters:list", _("Replies to deputies' inquiries")),
]


def right_of(url_name: str) -> str:
    """The right the view behind ``url_name`` declares (KeyError if it declares none). A page of
    the admin site asks the site's right."""
    view = resolve(reverse(url_name)).func
    action = getattr(view, "qorgau_action", None)
    if action is None and hasattr(view, "admin_site"):
        action = getattr(view.admin_site, "qorgau_action", None)
    if action is None:
        raise KeyError(f"the view of {url_name!r} declares no access rule")
    return str(action)


def links(user, items) -> list[tuple[str, str | Promise]]:
    """(address, label) of the items ``user`` may open."""
    return [(reverse(name), label) for name, label in items if policy.can(user, right_of(name))]


def menu(request):
    """Context processor: the menu of the staff pages (empty for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    context = {"menu": [(href, label, path.startswith(href)) for href, label in links(user, MENU)]}
    # The header's search box, for those who may open the search page.
    if policy.can(user, right_of(SEARCH)):
        context["search_url"] = reverse(SEARCH)
    return context
