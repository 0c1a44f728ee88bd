"""The one place that decides who may do what, and see which records.

Every page, export, command run for a user and (later) API endpoint asks this module:

- :func:`can` — may this actor (a person or the system) perform this action (on this record)?
- :func:`scoped` — the records of a queryset this actor may see, as a queryset;
- :func:`get_or_404` — one record, or 404 when it is outside the actor's scope, so that a
  user cannot learn that a record of another region exists (the registry's
  ``get_case_or_404``/``get_report_or_404`` hand it their querysets);
- :func:`requires` — the view decorator; the URL × role test and the menu read the rule it
  attaches.

Each function takes an :class:`~qorgau.core.actors.Actor` or a user. A person's role and scope
come from their :class:`~qorgau.access.models.Profile`; a superuser without one is a national
administrator; anyone else without one may do nothing. A system actor (``Actor.system(…)``:
a command run without ``--as-user``, a loader) has a national administrator's scope, because
shell access to the server already gives every right.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from qorgau.audit import log
from qorgau.core.actors import Actor
from qorgau.core.errors import NotAllowed
from qorgau.reference.models import Body, Region

from . import actions
from .models import Role

__all__ = ["NotAllowed"]  # the refusal services raise: core.errors.NotAllowed (a 403)

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponseBase]
# An actor, or a user (a page's ``request.user``). None is nobody: it may do nothing.
Who = Actor | Any

R = Role
CASE_WORK = {R.REGISTRAR, R.INVESTIGATOR, R.PROSECUTOR, R.ADMINISTRATOR}
EVERYONE = set(Role)

# action -> roles that may perform it (within their scope)
PERMISSIONS: dict[str, set[Role]] = {
    "home.view": EVERYONE,
    # Case-level data: never for analysts (aggregate statistics only) or campaign/training staff.
    "case.view": CASE_WORK,
    "case.search": CASE_WORK,
    "case.export": CASE_WORK,
    "case.create": {R.REGISTRAR, R.ADMINISTRATOR},
    # Everyone who may import follows their own imports; an administrator every import
    # uploaded in their scope (registry/imports.py).
    "case.import.oversee": {R.ADMINISTRATOR},
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
    # National tables for international bodies (UNODC's crime trends survey): national only.
    "stats.international": {R.ANALYST, R.PROSECUTOR, R.ADMINISTRATOR},
    # Publishing the public statistics releases, and correcting one (national figures).
    "stats.publish": {R.ANALYST, R.ADMINISTRATOR},
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
NATIONAL_ONLY = {"letters.draft", "admin.site", "stats.international", "stats.publish"}
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


# A system actor (``Actor.system(…)``: a command run without ``--as-user``, a loader): shell
# access to the server already gives every right, so the policy does not pretend otherwise.
SYSTEM_SCOPE = Scope(R.ADMINISTRATOR, None)


def scope_of(who: Who) -> Scope:
    """The role and region of an actor or a user (cached on the user object)."""
    user: Any = who
    if isinstance(who, Actor):
        if who.client is not None:
            # An API client (``api.ApiClient``): its registered role and region while its key
            # is valid (not revoked, not expired); nobody otherwise.
            client = who.client
            return Scope(client.role, client.region_id) if client.usable else NOBODY
        if who.is_system:
            return SYSTEM_SCOPE
        user = who.user
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_qorgau_scope", None)
    if isinstance(cached, Scope):
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


def region_of(who: Who) -> int | None:
    """The one region of a regional scope; None for a national scope or none at all. (The
    trail files a person's entries about no record under it: ``audit.log``.)"""
    scope = scope_of(who)
    return scope.region_id if scope.role is not None else None


def _region_id(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return int(obj.pk)
    region_id = getattr(obj, "region_id", None)
    return region_id if isinstance(region_id, int) else None


def in_scope(user: Who, obj: Any) -> bool:
    """Is ``obj`` (anything with a region) within the user's region?"""
    scope = scope_of(user)
    return scope.role is not None and (scope.national or _region_id(obj) == scope.region_id)


def can(user: Who, action: str, obj: Any = None) -> bool:
    """May ``user`` (an actor or a user) perform ``action`` (on ``obj``, when given)?"""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}: add it to access.policy.PERMISSIONS")
    scope = scope_of(user)
    if scope.role not in PERMISSIONS[action]:
        return False
    if action in NATIONAL_ONLY and not scope.national:
        return False
    return obj is None or in_scope(user, obj)


def needs_otp(user: Who) -> bool:
    return scope_of(user).role in OTP_ROLES


def scoped(
    user: Who, action: str, queryset: QuerySet[M], region_field: str = "region"
) -> QuerySet[M]:
    """``queryset`` narrowed to what ``user`` may see for ``action`` (empty if nothing)."""
    scope = scope_of(user)
    if scope.role not in PERMISSIONS[action]:
        return queryset.none()
    if scope.national:
        return queryset
    return queryset.filter(**{f"{region_field}_id": scope.region_id})


def national_aggregate(user: Who, queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` over the whole country, for national aggregate rates only (the funnel
    plot's reference rate): every user who may see statistics may know them, because the
    national figures are published anyway (the public statistics page). Empty for anyone
    else. Callers must not show the records or a per-region figure outside the user's scope."""
    if not can(user, "stats.view"):
        return queryset.none()
    return queryset


def scoped_or_national(
    user: Who, action: str, queryset: QuerySet[M], region_field: str = "region"
) -> QuerySet[M]:
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
    user: Who, action: str, queryset: QuerySet[M], code_field: str = "region_code"
) -> QuerySet[M]:
    """Like :func:`scoped`, for records that name their region by ISO code (the audit trail)."""
    scope = scope_of(user)
    if scope.role not in PERMISSIONS[action]:
        return queryset.none()
    if scope.region_id is None:  # national
        return queryset
    return queryset.filter(**{code_field: Region.objects.get(pk=scope.region_id).code})


def regions_for(user: Who, action: str) -> QuerySet[Region]:
    """The regions ``user`` may act on or see for ``action``: all twenty for a national scope,
    their own for a regional one, none without the right. Forms (region choices), statistics
    and imports ask this instead of restating the scope rule."""
    if not can(user, action):
        return Region.objects.none()
    region_id = scope_of(user).region_id
    if region_id is None:  # national
        return Region.objects.all()
    return Region.objects.filter(pk=region_id)


def bodies_for(user: Who, action: str) -> QuerySet[Body]:
    """The bodies (police departments, investigative committees…) ``user`` may pick for
    ``action``: those of :func:`regions_for`, and the national bodies (no region) for a national
    scope only; none without the right. Forms ask this instead of restating the rule."""
    if not can(user, action):
        return Body.objects.none()
    regions = regions_for(user, action)
    if scope_of(user).national:
        return Body.objects.filter(Q(region__in=regions) | Q(region__isnull=True))
    return Body.objects.filter(region__in=regions)


def ensure(user: Who, action: str, obj: Any = None) -> None:
    """Raise :class:`NotAllowed` unless ``user`` (an actor or a user) may ``action`` (on
    ``obj``). A system actor may do everything an administrator may; ``None`` is nobody (the
    system is named: ``Actor.system(…)``)."""
    if not can(user, action, obj):
        raise NotAllowed(_("You are not allowed to do this."))


def get_or_404(user: Who, action: str, queryset: QuerySet[M], **lookup: Any) -> M:
    """The record of ``queryset`` matching ``lookup`` if ``user`` may ``action`` it; else 404,
    never a hint that it exists elsewhere."""
    found = scoped(user, action, queryset).filter(**lookup).first()
    if found is None:
        raise Http404
    return found


# Longest path and query kept in a denial's entry (an address typed by hand can be long).
_DENIAL_PATH_CHARS = 500


def refused(
    request: HttpRequest, action: str, status: int, ref: dict[str, Any] | None = None
) -> None:
    """Leave a trace of a refused request: one ``access.denied`` entry with the path, the action
    asked, the answer (403: no right; 404: no such record in the user's scope) and the record
    reference the request named (the URL's parameters), never the record's data. Whether the
    record exists elsewhere is not written either: the region's prosecutor, who reads the
    entries of their officials, must learn no more than the page said."""
    log.write(
        Actor.of(request),
        actions.ACCESS_DENIED,
        details={
            "status": status,
            "asked": action,
            "method": request.method,
            "path": request.get_full_path()[:_DENIAL_PATH_CHARS],
            "ref": {key: str(value) for key, value in (ref or {}).items()},
        },
    )


def requires(action: str) -> Callable[[View], View]:
    """View decorator: log in, then hold ``action`` (else 403). Object scope is checked by
    the ``get_*_or_404`` helpers and ``scoped`` querysets inside the view. Every refusal —
    the missing right here, a :class:`NotAllowed` from a service, a 404 for a record outside
    the scope (or for none at all: the user cannot tell, nor can the trail) — is recorded by
    :func:`refused`, here in one place rather than in each view."""
    if action not in PERMISSIONS:
        raise KeyError(action)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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
        guarded.qorgau_action = action  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(view: View) -> View:
    """Mark a view as open to everyone (login page, language switch, public pages)."""
    view.qorgau_action = "public"  # type: ignore[attr-defined]
    return view
