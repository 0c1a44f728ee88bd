"""The one-time password page: set up an authenticator app, then confirm each login."""

import base64

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import otp


@login_required
def otp_view(request):
    """Ask for the 6-digit code; on first use show the QR code and key to set the app up."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    error = ""
    if request.method == "POST":
        if otp.verify(request, request.POST.get("token", "")):
            return redirect(next_url)
        error = _("The code is wrong or has expired. Enter the current code from the app.")
    context = {
        "next": next_url,
        "error": error,
        "setup": otp.confirmed_device(request.user) is None,
    }
    if context["setup"]:
        device = otp.pending_device(request.user)
        context["qr"] = otp.qr_svg(device)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "access/otp.html", context, status=400 if error else 200)
