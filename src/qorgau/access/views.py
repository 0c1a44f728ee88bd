"""The one-time password page: set up an authenticator (after an enrolment code), then confirm
each login."""

import base64
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import otp


@login_required
def otp_view(request):
    """Three steps, by what the user has: no authenticator and no enrolment code used in this
    session — ask for the enrolment code; a code used — show the QR code and key, then ask
    for the first 6-digit code; an authenticator — ask for its current code."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    device = otp.confirmed_device(request.user) or otp.enrolling_device(request)
    step = "code" if device is None else ("setup" if not device.confirmed else "verify")
    error, status = "", 200
    if request.method == "POST" and step == "code":
        code = request.POST.get("enrolment_code", "").strip()
        # A form sent without a code is no guess: neither counted nor audited.
        outcome = otp.start_enrolment(request, code) if code else "wrong"
        if outcome == "ok":
            return redirect(f"{request.path}?{urlencode({'next': next_url})}")
        if outcome == "cancelled":
            error, status = _("Too many wrong enrolment codes: the code is cancelled. Ask an administrator for a new one."), 429  # fmt: skip
        else:
            error, status = _("The enrolment code is wrong, used or expired. Ask an administrator for a new one if needed."), 400  # fmt: skip
    elif request.method == "POST":
        if otp.verify(request, request.POST.get("token", "")):
            return redirect(next_url)
        error, status = _("The code is wrong or has expired. Enter the current code from the app."), 400  # fmt: skip
    context = {"next": next_url, "error": error, "step": step}
    if step == "setup":
        context["qr"] = otp.qr_svg(device)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "access/otp.html", context, status=status)
