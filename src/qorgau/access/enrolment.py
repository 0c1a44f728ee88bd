"""Enrolment codes: what a user needs, besides the password, to set up their authenticator.

A stolen password must not be enough to enrol the thief's own authenticator. So the first
set-up of a one-time password device needs a code that an administrator issues (``qorgau
otp-enrolment-code USER`` or the users' admin action) and hands over in person or through
another channel: shown once, kept only as a keyed hash, single use, expiring, cancelled after
a few wrong tries; issuing, using, wrong tries and cancelling are all in the audit trail.
"""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from qorgau.access import policy
from qorgau.audit.log import record

from .models import EnrolmentCode

# 16 characters from 29 that cannot be mistaken for one another (no 0/O, 1/I/L, U/V): 77 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LENGTH = 16
DEFAULT_HOURS = 24
MAX_HOURS = 7 * 24
# Wrong codes a user may type before the issued code is cancelled (a new one must be issued).
MAX_FAILED_ATTEMPTS = 5


class EnrolmentError(Exception):
    """An enrolment code cannot be issued; the message says why, translated."""


def _hash(code: str) -> str:
    return salted_hmac("qorgau.access.enrolment", normalise(code), algorithm="sha256").hexdigest()


def normalise(code: str) -> str:
    """The code as stored: capitals, without the spaces and hyphens a person types."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue(actor, user, hours: int = DEFAULT_HOURS) -> tuple[str, EnrolmentCode]:
    """Issue a new enrolment code for ``user`` (cancelling any earlier unused one) and return it
    in clear, the only time it exists so, with its row. Only an administrator (``actor``) may;
    ``None`` is the operator at the command line."""
    policy.ensure(actor, "admin.site")
    if not 1 <= hours <= MAX_HOURS:
        raise EnrolmentError(
            _("An enrolment code is valid from 1 to %(max)s hours.") % {"max": MAX_HOURS}
        )
    name = user.get_username()
    if not user.is_active:
        raise EnrolmentError(_("The user “%(name)s” is not active.") % {"name": name})
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).first()  # one issuer at a time
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise EnrolmentError(
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
            issued_by=actor if getattr(actor, "pk", None) else None,
            issued_at=now,
            expires_at=now + dt.timedelta(hours=hours),
        )
        record(
            "access.otp_enrolment.issue",
            user,
            details={"username": name, "expires_at": row.expires_at.isoformat(),
                     "earlier_cancelled": cancelled},
        )  # fmt: skip
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4)), row


def redeem(user, code: str) -> str:
    """Check the code ``user`` typed. Returns ``"ok"`` (the code is now used: the user may set
    up an authenticator in this session), ``"wrong"`` (wrong, expired or none issued), or
    ``"cancelled"`` (too many wrong tries: the code no longer works, a new one is needed)."""
    with transaction.atomic():
        active = _active(user).select_for_update().first()
        now = timezone.now()
        if active is not None and constant_time_compare(active.code_hash, _hash(code)):
            active.used_at = now
            active.save(update_fields=["used_at"])
            record("access.otp_enrolment.use", user, details={"username": user.get_username()})
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
        record("access.otp_enrolment.wrong_code", user, details=details)
        if outcome == "cancelled":
            record("access.otp_enrolment.cancel", user, details=details)
    return outcome


def _active(user):
    """The user's codes that may still be used (at most one)."""
    return EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
    )
