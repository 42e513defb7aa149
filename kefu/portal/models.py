"""The customer portal's records: who signs in (a portal account per phone number), the one-time
sign-in codes, the attempts that rate limits and lockouts count, portal tokens (never staff
tokens), what a customer reported through the portal and how they confirmed the work."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PortalAccount(models.Model):
    """One person who signed in to the portal with a phone number (normalised, unique).

    `customer` is the customer record with that number when there is one; a number without a
    customer record may still sign in (so no answer tells whether a number is registered) and
    then sees only what it reported itself. `consent_at` records the PIPL consent notice
    accepted on the first sign-in (and its `consent_version`)."""

    phone = models.CharField(_("phone"), max_length=32, unique=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent version"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.phone


class SignInCode(models.Model):
    """A 6-digit sign-in code sent to a number by SMS. Only its hash is kept; it expires after
    KEFU_PORTAL_CODE_MINUTES and is used once. A new code for the number ends the previous one
    (`used_at` set), so at most one code per number is active."""

    phone = models.CharField(_("phone"), max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phone", "-created_at"], name="portal_code_phone_idx")]
        constraints = [models.UniqueConstraint(fields=["phone"], condition=Q(used_at=None),
                                               name="portal_one_active_code")]

    def __str__(self):
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class AuthAttempt(models.Model):
    """One sign-in step (a code requested, a wrong code, a success) with the number and the
    address it came from: what the per-number and per-address limits and the lockout count."""

    class Kind(models.TextChoices):
        CODE_SENT = "code_sent", _("Code requested")
        FAILED = "failed", _("Wrong code")
        SIGNED_IN = "signed_in", _("Signed in")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    phone = models.CharField(_("phone"), max_length=32)
    ip = models.CharField(_("address"), max_length=64, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["phone", "kind", "-at"], name="portal_attempt_phone_idx"),
                   models.Index(fields=["ip", "kind", "-at"], name="portal_attempt_ip_idx")]

    def __str__(self):
        return f"{self.kind} {self.phone}"


class PortalToken(models.Model):
    """A portal credential: the API's `Bearer` token or the /m/ pages' cookie. Only a SHA-256 hash
    is kept. Separate from staff tokens (kefu.tokens): the staff API never finds a portal token
    and the portal API never finds a staff token."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal token")
        verbose_name_plural = _("portal tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.account_id} {self.created_at:%Y-%m-%d}"


class PortalRequest(models.Model):
    """What a customer reported through the portal, beside the work order it became: who (the
    account), the unit or the building (a public-area report from a building's QR code), the
    preferred visit time slots, and what they saw when they sent it (`shown`)."""

    work_order = models.OneToOneField("workorders.WorkOrder", on_delete=models.CASCADE,
                                      related_name="portal_request")
    account = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="requests")
    building = models.ForeignKey("customers.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("building"))
    public_area = models.BooleanField(_("public area"), default=False)
    preferred_slots = models.JSONField(_("preferred visit times"), default=list, blank=True)
    shown = models.JSONField(_("what the customer saw"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("portal request")
        verbose_name_plural = _("portal requests")
        indexes = [models.Index(fields=["account", "-created_at"], name="portal_request_account_idx")]

    def __str__(self):
        return str(self.work_order_id)


def confirmation_path(instance, filename):
    return f"portal/signatures/{instance.work_order_id}/{filename}"


class Confirmation(models.Model):
    """The customer's answer to a resolved order: solved (with an optional signature) or not
    solved (the order was reopened with their words), or confirmed automatically after
    KEFU_PORTAL_AUTO_CONFIRM_DAYS business days (`automatic`, no account)."""

    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE,
                                   related_name="portal_confirmations")
    account = models.ForeignKey(PortalAccount, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="confirmations")
    solved = models.BooleanField(_("solved"))
    automatic = models.BooleanField(_("automatic"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    signature = models.FileField(upload_to=confirmation_path, max_length=255, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"))
    created_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["-created_at", "-id"]
        # One answer per resolution: a reopened and resolved-again order may be confirmed again.
        constraints = [models.UniqueConstraint(fields=["work_order", "resolved_at"],
                                               name="portal_one_confirmation_per_resolve")]

    def __str__(self):
        return f"{self.work_order_id} {'solved' if self.solved else 'not solved'}"
