"""Time-based one-time passwords (TOTP, RFC 6238) through django-otp: device set-up and checks."""

import io

import qrcode
import qrcode.image.svg
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up for ``user`` (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Qorgau", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as an inline SVG QR code, drawn here (no external service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode("utf-8").split("?>", 1)[-1]


def verify(request, token: str) -> bool:
    """Check ``token`` against the user's device (confirming a new one); on success the
    session is marked as verified."""
    user = request.user
    token = token.strip().replace(" ", "")
    device = confirmed_device(user)
    if device is None:
        device = pending_device(user)
        if not device.verify_token(token):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    elif not device.verify_token(token):
        return False
    otp_login(request, device)
    return True
