"""Who calls the API: a registered system with its key (``Authorization: Bearer qk_…``) or a
member of staff with their session. Either becomes an :class:`~qorgau.core.actors.Actor`, and
what it may do is asked of ``access.policy`` like for a page."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from qorgau.access import policy
from qorgau.core.actors import Actor
from qorgau.core.http import client_ip

from .models import ApiClient, hash_key


class ClientPrincipal:
    """``request.user`` of a call made with a key: authenticated, but no person. Services are
    never given it: they get :func:`actor_of`'s actor."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def get_username(self) -> str:
        return f"api:{self.client.name}"

    def __str__(self) -> str:
        return self.get_username()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>``: the key's SHA-256 looked up; a revoked or expired key
    is refused (401) like an unknown one."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiClient] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        client = (
            ApiClient.objects.select_related("region").filter(key_hash=hash_key(header[1])).first()
        )
        if client is None or not client.usable:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired API key."))
        return ClientPrincipal(client), client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


def actor_of(request: Request) -> Actor:
    """The actor of an API call: the client of its key, or the person of the session."""
    if isinstance(request.auth, ApiClient):
        return Actor.api_client(request.auth, client_ip(request._request))
    return Actor.of(request._request)


def caller_id(request: Request) -> str:
    """Who is calling, for the rate limit and the idempotency keys."""
    if isinstance(request.auth, ApiClient):
        return f"client:{request.auth.pk}"
    return f"user:{request.user.pk}"


class PolicyPermission(permissions.BasePermission):
    """The view's ``policy_action`` (or ``policy_actions[method]``) must be allowed to the
    caller by ``access.policy.can``; ``"public"`` lets anyone in. Records are then narrowed by
    the policy's scoped querysets inside the view (another region's record: 404)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        action = view_action(view, request.method or "GET")
        if action == "public":
            return True
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not policy.can(actor_of(request), action):
            raise exceptions.PermissionDenied()
        return True


def view_action(view: Any, method: str) -> str:
    """The policy action a view asks for ``method``."""
    per_method = getattr(view, "policy_actions", None) or {}
    return str(per_method.get(method, getattr(view, "policy_action", "")))


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the key: an HTTP bearer token."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "qk_… (docs/api.md)"}
