"""The one place that decides who may do what, and see which records.

Every page, export, command run for a user and (later) API endpoint asks this module:

- :func:`can` — may this user perform this action (on this record)?
- :func:`cases_for` / :func:`reports_for` — the records this user may see, as a queryset;
- :func:`get_case_or_404` — one record, or 404 when it is outside the user's scope, so that a
  user cannot learn that a record of another region exists;
- :func:`requires` — the view decorator; the URL × role test reads the rule it attaches.

A user's role and scope come from their :class:`~qorgau.access.models.Profile`; a superuser
without one is a national administrator; anyone else without one may do nothing.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qorgau.core.actors import Actor

from .models import Role

R = Role
CASE_WORK = {R.REGISTRAR, R.INVESTIGATOR, R.PROSECUTOR, R.ADMINISTRATOR}
EVERYONE = set(Role)

# action -> roles that may perform it (within their scope)
PERMISSIONS: dict[str, set[str]] = {
    "home.view": EVERYONE,
    # Case-level data: never for analysts (aggregate statistics only) or campaign/training staff.
    "case.view": CASE_WORK,
    "case.search": CASE_WORK,
    "case.export": CASE_WORK,
    "case.create": {R.REGISTRAR, R.ADMINISTRATOR},
    "case.change_status": {R.INVESTIGATOR, R.PROSECUTOR, R.ADMINISTRATOR},
    # Parties (and a victim's consent) are entered by the registrar and kept by the investigator.
    "case.edit_parties": {R.REGISTRAR, R.INVESTIGATOR, R.ADMINISTRATOR},
    # A requalification or a term extension is the investigator's, under the prosecutor's eye.
    "case.requalify": {R.INVESTIGATOR, R.PROSECUTOR, R.ADMINISTRATOR},
    "case.extend": {R.INVESTIGATOR, R.PROSECUTOR, R.ADMINISTRATOR},
    "report.view": CASE_WORK,
    "report.create": {R.REGISTRAR, R.ADMINISTRATOR},
    "report.decide": {R.REGISTRAR, R.ADMINISTRATOR},
    # Oversight of deadlines and the audit trail.
    "oversight.view": {R.PROSECUTOR, R.ADMINISTRATOR},
    "oversight.control": {R.PROSECUTOR, R.ADMINISTRATOR},
    "audit.view": {R.PROSECUTOR, R.ADMINISTRATOR},
    # Aggregate statistics (no case-level data).
    "stats.view": {R.ANALYST, R.PROSECUTOR, R.ADMINISTRATOR, R.REGISTRAR, R.INVESTIGATOR},
    # The awareness campaign and staff training.
    "campaigns.view": {R.CAMPAIGN, R.ANALYST, R.PROSECUTOR, R.ADMINISTRATOR},
    "campaigns.edit": {R.CAMPAIGN, R.ADMINISTRATOR},
    "training.view": {R.TRAINING, R.ANALYST, R.PROSECUTOR, R.ADMINISTRATOR},
    "training.edit": {R.TRAINING, R.ADMINISTRATOR},
    # Replies to deputies' inquiries, drafted from aggregate figures.
    "letters.draft": {R.ANALYST, R.PROSECUTOR, R.ADMINISTRATOR},
    # The Django admin (reference data, rules, users).
    "admin.site": {R.ADMINISTRATOR},
}
# Actions on national documents or on every record at once: only for a national scope. (A reply
# to Parliament must not carry one region's figures; the admin site is not narrowed by region.)
NATIONAL_ONLY = {"letters.draft", "admin.site"}
# Roles that must confirm their login with a one-time password (TOTP).
OTP_ROLES = {R.ADMINISTRATOR, R.PROSECUTOR}


@dataclass(frozen=True)
class Scope:
    """A user's role and region (``region_id`` None: the whole country)."""

    role: str | None
    region_id: int | None

    @property
    def national(self) -> bool:
        return self.region_id is None


NOBODY = Scope(None, None)


class _Operator:
    """The operator of a command run without ``--as-user``: shell access to the server already
    gives every right, so the policy does not pretend otherwise (the audit names the OS user)."""

    is_authenticated = True
    is_active = True
    _qorgau_scope = Scope(R.ADMINISTRATOR, None)

    def __str__(self) -> str:
        return "operator"


OPERATOR = _Operator()


def scope_of(user) -> Scope:
    """The role and region of ``user`` (cached on the user object for the request)."""
    if isinstance(user, Actor):
        user = OPERATOR if user.is_system else user.user
    if user is OPERATOR:
        return OPERATOR._qorgau_scope
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_qorgau_scope", None)
    if cached is not None:
        return cached
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    if profile is not None:
        scope = Scope(profile.role, profile.region_id)
    elif user.is_superuser:
        scope = Scope(R.ADMINISTRATOR, None)
    else:
        scope = NOBODY
    user._qorgau_scope = scope
    return scope


def _region_id(obj) -> int | None:
    if obj._meta.label_lower == "reference.region":
        return obj.pk
    return getattr(obj, "region_id", None)


def in_scope(user, obj) -> bool:
    """Is ``obj`` (anything with a region) within the user's region?"""
    scope = scope_of(user)
    return scope.role is not None and (scope.national or _region_id(obj) == scope.region_id)


def can(user, action: str, obj=None) -> bool:
    """May ``user`` perform ``action`` (on ``obj``, when given)?"""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}: add it to access.policy.PERMISSIONS")
    scope = scope_of(user)
    if scope.role not in PERMISSIONS[action]:
        return False
    if action in NATIONAL_ONLY and not scope.national:
        return False
    return obj is None or in_scope(user, obj)


def needs_otp(user) -> bool:
    return scope_of(user).role in OTP_ROLES


def scoped(user, action: str, queryset: QuerySet, region_field: str = "region") -> QuerySet:
    """``queryset`` narrowed to what ``user`` may see for ``action`` (empty if nothing)."""
    scope = scope_of(user)
    if scope.role not in PERMISSIONS[action]:
        return queryset.none()
    if scope.national:
        return queryset
    return queryset.filter(**{f"{region_field}_id": scope.region_id})


def national_aggregate(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` over the whole country, for national aggregate rates only (the funnel
    plot's reference rate): every user who may see statistics may know them, because the
    national figures are published anyway (the public statistics page). Empty for anyone
    else. Callers must not show the records or a per-region figure outside the user's scope."""
    if not can(user, "stats.view"):
        return queryset.none()
    return queryset


def scoped_or_national(
    user, action: str, queryset: QuerySet, region_field: str = "region"
) -> QuerySet:
    """Like :func:`scoped`, but records without a region (national ones, e.g. the national
    media plan) are visible to every scope."""
    scope = scope_of(user)
    if scope.role not in PERMISSIONS[action]:
        return queryset.none()
    if scope.national:
        return queryset
    return queryset.filter(
        Q(**{f"{region_field}__isnull": True}) | Q(**{f"{region_field}_id": scope.region_id})
    )


def scoped_by_code(
    user, action: str, queryset: QuerySet, code_field: str = "region_code"
) -> QuerySet:
    """Like :func:`scoped`, for records that name their region by ISO code (the audit trail)."""
    scope = scope_of(user)
    if scope.role not in PERMISSIONS[action]:
        return queryset.none()
    if scope.national:
        return queryset
    from qorgau.reference.models import Region

    return queryset.filter(**{code_field: Region.objects.get(pk=scope.region_id).code})


def regions_for(user, action: str) -> QuerySet:
    """The regions ``user`` may act on or see for ``action``: all twenty for a national scope,
    their own for a regional one, none without the right. Forms (region choices), statistics
    and imports ask this instead of restating the scope rule."""
    from qorgau.reference.models import Region

    if not can(user, action):
        return Region.objects.none()
    scope = scope_of(user)
    if scope.national:
        return Region.objects.all()
    return Region.objects.filter(pk=scope.region_id)


def bodies_for(user, action: str) -> QuerySet:
    """The bodies (police departments, investigative committees…) ``user`` may pick for
    ``action``: those of :func:`regions_for`, and the national bodies (no region) for a national
    scope only; none without the right. Forms ask this instead of restating the rule."""
    from qorgau.reference.models import Body

    if not can(user, action):
        return Body.objects.none()
    regions = regions_for(user, action)
    if scope_of(user).national:
        return Body.objects.filter(Q(region__in=regions) | Q(region__isnull=True))
    return Body.objects.filter(region__in=regions)


class NotAllowed(PermissionDenied):
    """A service was asked to act for a user the policy does not allow (a view answers 403)."""


def ensure(user, action: str, obj=None) -> None:
    """Raise :class:`NotAllowed` unless ``user`` may ``action`` (on ``obj``). For services,
    which take the acting user: ``None`` is the system itself (migrations, seed and demo
    loaders, commands run without ``--as-user``) and is not checked."""
    if user is not None and not can(user, action, obj):
        raise NotAllowed(_("You are not allowed to do this."))


def cases_for(user, action: str = "case.view") -> QuerySet:
    from qorgau.registry.models import Case

    return scoped(user, action, Case.objects.all())


def reports_for(user, action: str = "report.view") -> QuerySet:
    from qorgau.registry.models import Report

    return scoped(user, action, Report.objects.all())


def get_case_or_404(user, number: str, action: str = "case.view", queryset: QuerySet | None = None):
    """The case with ``number`` if ``user`` may ``action`` it; else 404, never a hint."""
    from qorgau.registry.models import Case

    base = scoped(user, action, queryset if queryset is not None else Case.objects.all())
    case = base.filter(number=number).first()
    if case is None:
        raise Http404
    return case


def get_report_or_404(user, pk: int, action: str = "report.view", queryset: QuerySet | None = None):
    from qorgau.registry.models import Report

    base = scoped(user, action, queryset if queryset is not None else Report.objects.all())
    report = base.filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


# Longest path and query kept in a denial's entry (an address typed by hand can be long).
_DENIAL_PATH_CHARS = 500


def refused(request, action: str, status: int, ref: dict | None = None) -> None:
    """Leave a trace of a refused request: one ``access.denied`` entry with the path, the action
    asked, the answer (403: no right; 404: no such record in the user's scope) and the record
    reference the request named (the URL's parameters), never the record's data. Whether the
    record exists elsewhere is not written either: the region's prosecutor, who reads the
    entries of their officials, must learn no more than the page said."""
    from qorgau.audit.log import record

    record(
        "access.denied",
        details={
            "status": status,
            "asked": action,
            "method": request.method,
            "path": request.get_full_path()[:_DENIAL_PATH_CHARS],
            "ref": {key: str(value) for key, value in (ref or {}).items()},
        },
        user=request.user,
    )


def requires(action: str):
    """View decorator: log in, then hold ``action`` (else 403). Object scope is checked by
    the ``get_*_or_404`` helpers and ``scoped`` querysets inside the view. Every refusal —
    the missing right here, a :class:`NotAllowed` from a service, a 404 for a record outside
    the scope (or for none at all: the user cannot tell, nor can the trail) — is recorded by
    :func:`refused`, here in one place rather than in each view."""
    if action not in PERMISSIONS:
        raise KeyError(action)

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if not can(request.user, action):
                    raise PermissionDenied
                return view(request, *args, **kwargs)
            except PermissionDenied:
                refused(request, action, 403, kwargs)
                raise
            except Http404:
                refused(request, action, 404, kwargs)
                raise

        guarded = login_required(wrapper)
        guarded.qorgau_action = action
        return guarded

    return decorate


def public(view):
    """Mark a view as open to everyone (login page, language switch, public pages)."""
    view.qorgau_action = "public"
    return view
