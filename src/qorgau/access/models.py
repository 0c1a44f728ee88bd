"""Who a user is in the system: their role and their scope (the whole country or one region)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qorgau.reference.models import Region


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("registrar (police)")
    INVESTIGATOR = "investigator", _("investigator")
    PROSECUTOR = "prosecutor", _("prosecutor")
    ANALYST = "analyst", _("analyst")
    CAMPAIGN = "campaign", _("campaign coordinator")
    TRAINING = "training", _("training officer")
    ADMINISTRATOR = "administrator", _("administrator")


class Profile(models.Model):
    """A user's role and scope. A user without a profile may do nothing but log in and out,
    except a superuser, who is a national administrator."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region"), help_text=_("Empty: the whole country."),
    )  # fmt: skip
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True,
        help_text=_("The language of the e-mails sent to the user. Empty: Kazakh."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        scope = self.region.code if self.region is not None else "KZ"
        return f"{self.user} ({self.role}, {scope})"


class EnrolmentCode(models.Model):
    """A single-use code an administrator issues so that a user may set up an authenticator
    (a one-time password device) for the first time: the password alone is not enough to see
    the key. Only a keyed hash of the code is kept; it expires, and wrong tries cancel it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="otp_enrolment_codes",
        verbose_name=_("user"),
    )  # fmt: skip
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("issued by"),
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self) -> str:
        return f"{self.user} ({self.issued_at:%Y-%m-%d %H:%M})"
