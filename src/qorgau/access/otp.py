"""Time-based one-time passwords (TOTP, RFC 6238) through django-otp: device set-up and checks.

A user without a confirmed device sets one up only in a session that has first used an
enrolment code (``access.enrolment``): the key is shown to that session and no other."""

import io

import qrcode
import qrcode.image.svg
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from qorgau.audit import log
from qorgau.core.actors import Actor

from . import actions, enrolment

# The session's right to set up a device: the id of the unconfirmed device it was given.
ENROLMENT_SESSION_KEY = "qorgau_otp_enrolment_device"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolling_device(request) -> TOTPDevice | None:
    """The unconfirmed device this session may set up (after an enrolment code), if any."""
    device_id = request.session.get(ENROLMENT_SESSION_KEY)
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()


def start_enrolment(request, code: str) -> str:
    """Check the enrolment code; when right, give this session a new device with a fresh key
    (any other unconfirmed device of the user is dropped). Returns :func:`enrolment.redeem`'s
    outcome."""
    outcome = enrolment.redeem(Actor.of(request), code)
    if outcome == "ok":
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=request.user, name="Qorgau", confirmed=False)
        request.session[ENROLMENT_SESSION_KEY] = device.pk
    return outcome


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as an inline SVG QR code, drawn here (no external service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode("utf-8").split("?>", 1)[-1]


def verify(request, token: str) -> bool:
    """Check ``token`` against the user's device, or against the device this session is
    setting up (which it then confirms); on success the session is marked as verified."""
    user = request.user
    token = token.strip().replace(" ", "")
    device = confirmed_device(user)
    if device is None:
        device = enrolling_device(request)
        if device is None or not device.verify_token(token):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        log.write(
            Actor.of(request),
            actions.OTP_DEVICE_CONFIRM,
            user,
            details={"username": user.get_username()},
        )
    elif not device.verify_token(token):
        return False
    otp_login(request, device)
    return True
