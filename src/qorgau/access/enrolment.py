"""Enrolment codes: what a user needs, besides the password, to set up their authenticator.

A stolen password must not be enough to enrol the thief's own authenticator. So the first
set-up of a one-time password device needs a code that an administrator issues (``qorgau
otp-enrolment-code USER`` or the users' admin action) and hands over in person or through
another channel: shown once, kept only as a keyed hash, single use, expiring, cancelled after
a few wrong tries; issuing, using, wrong tries and cancelling are all in the audit trail.
"""

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from qorgau.audit import log
from qorgau.core.actors import Actor, as_actor
from qorgau.core.errors import Conflict, Invalid

from . import actions, policy
from .models import EnrolmentCode

# 16 characters from 29 that cannot be mistaken for one another (no 0/O, 1/I/L, U/V): 77 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LENGTH = 16
DEFAULT_HOURS = 24
MAX_HOURS = 7 * 24
# Wrong codes a user may type before the issued code is cancelled (a new one must be issued).
MAX_FAILED_ATTEMPTS = 5


def _hash(code: str) -> str:
    return salted_hmac("qorgau.access.enrolment", normalise(code), algorithm="sha256").hexdigest()


def normalise(code: str) -> str:
    """The code as stored: capitals, without the spaces and hyphens a person types."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue(
    actor: Actor | Any, user: Any, *, hours: int = DEFAULT_HOURS
) -> tuple[str, EnrolmentCode]:
    """Issue a new enrolment code for ``user`` (cancelling any earlier unused one) and return it
    in clear, the only time it exists so, with its row. Only an administrator (``actor``, or the
    system at the command line) may. Refused with ``Invalid`` (hours) or ``Conflict`` (an
    inactive user, or one who already has an authenticator)."""
    actor = as_actor(actor)
    policy.ensure(actor, "admin.site")
    if not 1 <= hours <= MAX_HOURS:
        raise Invalid(
            "hours", _("An enrolment code is valid from 1 to %(max)s hours.") % {"max": MAX_HOURS}
        )
    name = user.get_username()
    if not user.is_active:
        raise Conflict(_("The user “%(name)s” is not active.") % {"name": name})
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).first()  # one issuer at a time
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise Conflict(
                _(
                    "“%(name)s” already has an authenticator. If it is lost, delete the device in the administration first, then issue a code."
                )
                % {"name": name}
            )
        now = timezone.now()
        cancelled = _active(user).update(cancelled_at=now)
        code = "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))
        row = EnrolmentCode.objects.create(
            user=user,
            code_hash=_hash(code),
            issued_by=actor.user if getattr(actor.user, "pk", None) else None,
            issued_at=now,
            expires_at=now + dt.timedelta(hours=hours),
        )
        log.write(
            actor,
            actions.OTP_ENROLMENT_ISSUE,
            user,
            details={"username": name, "expires_at": row.expires_at.isoformat(),
                     "earlier_cancelled": cancelled},
        )  # fmt: skip
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4)), row


def redeem(actor: Actor | Any, code: str) -> str:
    """Check the code the person ``actor`` typed for themselves. Returns ``"ok"`` (the code is now used: the user may set
    up an authenticator in this session), ``"wrong"`` (wrong, expired or none issued), or
    ``"cancelled"`` (too many wrong tries: the code no longer works, a new one is needed)."""
    actor = as_actor(actor)
    user: Any = actor.user
    with transaction.atomic():
        active = _active(user).select_for_update().first()
        now = timezone.now()
        if active is not None and constant_time_compare(active.code_hash, _hash(code)):
            active.used_at = now
            active.save(update_fields=["used_at"])
            log.write(
                actor, actions.OTP_ENROLMENT_USE, user, details={"username": user.get_username()}
            )
            return "ok"
        details = {"username": user.get_username(), "code_issued": active is not None}
        outcome = "wrong"
        if active is not None:
            active.failed_attempts += 1
            if active.failed_attempts >= MAX_FAILED_ATTEMPTS:
                active.cancelled_at = now
                outcome = "cancelled"
            active.save(update_fields=["failed_attempts", "cancelled_at"])
            details["failed_attempts"] = active.failed_attempts
        # One entry: the wrong try, or the cancellation it caused (``failed_attempts`` says
        # which wrong try that was).
        action = (
            actions.OTP_ENROLMENT_CANCEL
            if outcome == "cancelled"
            else actions.OTP_ENROLMENT_WRONG_CODE
        )
        log.write(actor, action, user, details=details)
    return outcome


def _active(user):
    """The user's codes that may still be used (at most one)."""
    return EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
    )
