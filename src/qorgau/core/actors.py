"""Who acts: one type for people and for the system.

Every service takes an :class:`Actor` first. A person acting through a page is
``Actor.of(request)``; a person named by a command's ``--as-user`` is ``Actor.person(user,
source)``; the system itself (a command run without ``--as-user``, a loader, a migration) is
``Actor.system("load-demo")``, audited under that name. The policy decides what each may do
(``access.policy``): the system has a national administrator's rights, because shell access to
the server already gives every right.
"""

from __future__ import annotations

import contextvars
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .http import client_ip


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Actor:
    """``user`` is the person (None for the system), ``source`` where the action came from (the
    client's address for a web request, ``cli:<os user>`` for a command), ``name`` what the
    trail calls a system actor (``system:load-demo``)."""

    user: Any | None
    source: str
    name: str = ""
    # A registered system calling the API (``api.ApiClient``): no person, no system's rights;
    # the policy gives it the role and region it was registered with (``access.policy``).
    client: Any | None = None

    @classmethod
    def person(cls, user: Any, source: str = "") -> Actor:
        return cls(user=user, source=source or f"cli:{_os_user()}")

    @classmethod
    def of(cls, request: HttpRequest) -> Actor:
        """The person behind a web request, from the client's address."""
        return cls(user=request.user, source=client_ip(request))

    @classmethod
    def system(cls, name: str, source: str = "") -> Actor:
        return cls(user=None, source=source or f"cli:{_os_user()}", name=f"system:{name}")

    @classmethod
    def api_client(cls, client: Any, source: str) -> Actor:
        """A registered system calling the API with its key, audited as ``api:<name>``."""
        return cls(user=None, source=source, name=f"api:{client.name}", client=client)

    @property
    def is_system(self) -> bool:
        return self.user is None and self.client is None

    @property
    def username(self) -> str:
        """What the trail shows as the actor: the login name, or the system actor's name."""
        if self.user is None:
            return self.name or "system"
        return str(self.user.get_username())

    def __str__(self) -> str:
        return self.username


def as_actor(who: Actor | Any | None, source: str = "") -> Actor:
    """``who`` as an :class:`Actor`: an actor as it is; a user as a person (a page's
    ``request.user``); None is not accepted — the system must be named."""
    if isinstance(who, Actor):
        return who
    if who is None:
        raise TypeError("the system acts as a named Actor.system(...), not as None")
    return Actor.person(who, source)


# Who is acting now: set per request by the audit middleware and per command by
# ``core.commands.QorgauCommand``; read where no actor is passed down (signal receivers).
_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "qorgau_actor", default=None
)


def current() -> Actor:
    """The actor of the running request or command; outside both, an unnamed system actor
    from the command line."""
    actor = _current.get()
    return actor if actor is not None else Actor(None, f"cli:{_os_user()}")


@contextmanager
def acting(actor: Actor) -> Iterator[Actor]:
    """Run a block as ``actor``."""
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
