"""Access's actions as the audit trail names them (``audit.log.write``): refusals, the
one-time password's enrolment, and what a person looked at (the reads of records, which the
policy lets them see). The registry's and the admin's pages write the reads."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

ACCESS_DENIED = action("access.denied", _("Access refused"))

# One-time passwords (access/enrolment.py, access/otp.py, ``qorgau totp-code``).
OTP_ENROLMENT_ISSUE = action("access.otp_enrolment.issue", _("Enrolment code issued"))
OTP_ENROLMENT_USE = action("access.otp_enrolment.use", _("Enrolment code used"))
OTP_ENROLMENT_WRONG_CODE = action(
    "access.otp_enrolment.wrong_code", _("Wrong enrolment code typed")
)
OTP_ENROLMENT_CANCEL = action(
    "access.otp_enrolment.cancel", _("Enrolment code cancelled after wrong tries")
)
OTP_DEVICE_CONFIRM = action("access.otp_device.confirm", _("Authenticator set up"))
TOTP_CODE = action("access.totp_code", _("One-time code printed on the server"))

# Reads: one record opened (``.view``) or a list shown (``.search``), on the staff pages or in
# the admin (access/admin_site.py files an admin page under the record's subject).
CASE_VIEW = action("case.view", _("Case opened"))
CASE_SEARCH = action("case.search", _("Cases listed"))
REPORT_VIEW = action("report.view", _("Report opened"))
REPORT_SEARCH = action("report.search", _("Reports listed"))
USER_VIEW = action("user.view", _("User opened in the admin"))
USER_SEARCH = action("user.search", _("Users listed in the admin"))
ADMIN_VIEW = action("admin.view", _("Record opened in the admin"))
ADMIN_SEARCH = action("admin.search", _("Records listed in the admin"))
