"""Registering API clients and revoking their keys: shell or administrator actions, audited."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.access.models import Role
from qorgau.audit import log
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.reference.models import Region

from . import actions
from .models import PREFIX_CHARS, ApiClient, hash_key, new_key


def create_client(
    actor: Actor, name: str, role: str, *, region: str = "", expires_on: dt.date | None = None
) -> tuple[ApiClient, str]:
    """Register a system that may call the API with ``role`` over ``region`` (an ISO code; ""
    for the whole country). Returns the client and its key: the key is shown this once, only
    its SHA-256 is kept (``api.client.create``)."""
    policy.ensure(actor, "admin.site")
    name = name.strip()
    if not name:
        raise Invalid("name", _("Name the client."))
    if role not in Role.values:
        raise Invalid("role", _("Unknown role “%(role)s”.") % {"role": role})
    region_obj = None
    if region:
        region_obj = Region.objects.filter(code=region).first()
        if region_obj is None:
            raise Invalid("region", _("Unknown region: %(codes)s") % {"codes": region})
    if expires_on is not None and expires_on < timezone.localdate():
        raise Invalid("expires", _("The expiry date has passed."))
    key = new_key()
    with transaction.atomic():
        if ApiClient.objects.filter(name=name).exists():
            raise Conflict(_("A client with this name exists."), field="name")
        client = ApiClient.objects.create(
            name=name, role=role, region=region_obj, key_prefix=key[: 3 + PREFIX_CHARS],
            key_hash=hash_key(key), expires_on=expires_on,
        )  # fmt: skip
        log.write(actor, actions.CLIENT_CREATE, client,
                  after={"name": name, "role": role, "region": region,
                         "expires_on": expires_on.isoformat() if expires_on else None,
                         "key_prefix": client.key_prefix}, region_code=region)  # fmt: skip
    return client, key


def revoke_client(actor: Actor, name: str) -> ApiClient:
    """Revoke a client's key from now on (``api.client.revoke``); revoking twice changes nothing."""
    policy.ensure(actor, "admin.site")
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().filter(name=name).first()
        if client is None:
            raise Invalid("name", _("No API client “%(name)s”.") % {"name": name})
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            log.write(actor, actions.CLIENT_REVOKE, client,
                      region_code=client.region.code if client.region else "")  # fmt: skip
    return client
