"""The front desk's registers: release passes (放行单) and the fees register they are checked
against (fee items, bills, payments and each unit's balance).

Nothing here changes a pass's status: that is `services.release_pass_transition`'s job (the
kernel's gate). Bills and payments are written only by `services.bill_create` / `payment_record`,
which keep `UnitBalance` in step in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.i18n import localised
from kefu.core.models import ImmutableEvent
from kefu.frontdesk.choices import (
    BillSource,
    DunningAction,
    DunningMethod,
    DunningStatus,
    FeeBasis,
    KeyKind,
    LendKind,
    LoanAction,
    LoanStatus,
    ParcelAction,
    ParcelStatus,
    PassAction,
    PassStatus,
    PaymentKind,
    RenovationAction,
    RenovationStatus,
    ViolationAction,
    ViolationKind,
    ViolationStatus,
    VisitAction,
    VisitorKind,
    VisitStatus,
)

# --- fees ---------------------------------------------------------------------------------------

class FeeItem(models.Model):
    """A fee a site charges its units every month (management fee by area, parking, shared
    utilities…): its basis and rate. Kefu is not the accounting system: the rate is what the
    desk needs to generate and explain a bill."""

    site = models.ForeignKey("customers.Site", verbose_name=_("site"), on_delete=models.PROTECT,
                             related_name="fee_items")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    basis = models.CharField(_("basis"), max_length=16, choices=FeeBasis.choices, default=FeeBasis.AREA)
    rate = models.DecimalField(_("rate (¥)"), max_digits=10, decimal_places=4)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["site", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="uniq_fee_item_code_per_site")]

    def __str__(self):
        return localised(self.name, self.name_en)


class Bill(models.Model):
    """What a unit owes for one fee item and month, due on a date, and where the number came from
    (generated from the rate, entered at the desk, imported from the finance system)."""

    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="bills")
    item = models.ForeignKey(FeeItem, verbose_name=_("fee item"), on_delete=models.PROTECT, related_name="bills")
    period = models.CharField(_("period"), max_length=7)  # YYYY-MM
    amount = models.DecimalField(_("amount (¥)"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("payment due date"))
    source = models.CharField(_("source"), max_length=16, choices=BillSource.choices, default=BillSource.MANUAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["unit", "due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "item", "period"], name="uniq_bill_per_unit_item_period")]
        indexes = [models.Index(fields=["unit", "due_date"], name="fd_bill_unit_due_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.item_id} {self.period} {self.amount}"


class Payment(models.Model):
    """Money received from (or refunded to) a unit on a date; refunds count negative in the balance."""

    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="fee_payments")
    kind = models.CharField(_("kind"), max_length=16, choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    amount = models.DecimalField(_("amount (¥)"), max_digits=12, decimal_places=2)
    paid_at = models.DateField(_("paid on"))
    reference = models.CharField(_("receipt number"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["unit", "paid_at", "id"]
        indexes = [models.Index(fields=["unit", "paid_at"], name="fd_payment_unit_paid_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.kind} {self.amount} {self.paid_at}"


class UnitBalance(models.Model):
    """A unit's running fee account, kept by the services that write bills and payments (never
    elsewhere): billed, paid (net of refunds), balance, and the due date of the oldest bill not
    covered by payments (paid oldest first). The arrears list and the release-pass check read
    only this row, so they stay fast over years of bills."""

    unit = models.OneToOneField("customers.Asset", verbose_name=_("unit"), primary_key=True,
                                on_delete=models.CASCADE, related_name="fee_balance")
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    billed = models.DecimalField(_("billed (¥)"), default=0, max_digits=12, decimal_places=2)
    paid = models.DecimalField(_("paid (¥)"), default=0, max_digits=12, decimal_places=2)
    balance = models.DecimalField(_("balance (¥)"), default=0, max_digits=12, decimal_places=2)
    oldest_unpaid_due = models.DateField(_("oldest unpaid due date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("unit balance")
        verbose_name_plural = _("unit balances")
        indexes = [
            models.Index(fields=["site", "oldest_unpaid_due"], condition=Q(oldest_unpaid_due__isnull=False),
                         name="fd_balance_arrears_idx"),
            # Every site in scope, oldest first: the list's order, walked with a LIMIT.
            models.Index(fields=["oldest_unpaid_due", "unit"], condition=Q(oldest_unpaid_due__isnull=False),
                         name="fd_balance_oldest_idx"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.balance}"


# --- release passes -----------------------------------------------------------------------------

class ReleasePass(models.Model):
    """A release pass (放行单): goods leaving a building from a unit, requested by an occupant (or
    the desk/steward for them), approved, then scanned once by the guard at the gate.

    `status`, `version`, the approval and exit fields change only through
    `release_pass_transition` (compare-and-swap on `version`). `token` is the secret in the QR
    code: the guard's page finds the pass by it. `override_reason`/`overridden_by`: a supervisor
    let it through although the unit was in arrears (`balance_at_request`)."""

    number = models.CharField(_("pass number"), max_length=32, unique=True, editable=False)
    token = models.CharField(max_length=48, unique=True, editable=False)
    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="release_passes")
    requester = models.ForeignKey("customers.Customer", verbose_name=_("requester"), on_delete=models.PROTECT,
                                  related_name="release_passes")
    items = models.JSONField(_("items"), default=list)  # [{"name": "沙发", "quantity": 1}]
    moving_date = models.DateField(_("moving date"))
    vehicle = models.CharField(_("vehicle"), max_length=32, blank=True)
    carrier = models.CharField(_("carried by"), max_length=100, blank=True)
    is_move_out = models.BooleanField(_("move-out"), default=False)
    override_reason = models.CharField(_("arrears override reason"), max_length=500, blank=True, editable=False)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("override by"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", editable=False)
    balance_at_request = models.DecimalField(_("balance at request (¥)"), default=0, editable=False, max_digits=12, decimal_places=2)

    status = models.CharField(_("status"), max_length=16, choices=PassStatus.choices, default=PassStatus.REQUESTED,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("exit recorded by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", editable=False)
    used_at = models.DateTimeField(_("exit recorded at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("release pass")
        verbose_name_plural = _("release passes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="fd_pass_status_idx"),
            models.Index(fields=["unit", "-created_at"], name="fd_pass_unit_idx"),
        ]

    def __str__(self):
        return self.number


class ReleasePassEvent(ImmutableEvent):
    """One immutable entry of a release pass's history."""

    release_pass = models.ForeignKey(ReleasePass, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=PassAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("release-pass event")
        verbose_name_plural = _("release-pass events")
        indexes = [models.Index(fields=["release_pass", "created_at"], name="fd_pass_event_idx")]


# --- visitors, keys, parcels ----------------------------------------------------------------------

class BlacklistEntry(models.Model):
    """A person the site refuses at the gate (by phone, or by name when no phone is known), with
    the reason and who decided; a visitor pass for them is refused with 409 `blacklisted`."""

    site = models.ForeignKey("customers.Site", verbose_name=_("site"), on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("refused person")
        verbose_name_plural = _("refused persons")
        ordering = ["-added_at", "-id"]

    def __str__(self):
        return self.name


class VisitorPass(models.Model):
    """A visitor's or contractor's pass (访客/施工人员登记): expected or walk-in, valid until a time,
    arrival and departure recorded at the desk. `status`/`version` change only through
    `visitor_pass_transition`."""

    number = models.CharField(_("pass number"), max_length=32, unique=True, editable=False)
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=VisitorKind.choices, default=VisitorKind.VISITOR)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    company = models.CharField(_("company"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    unit = models.ForeignKey("customers.Asset", verbose_name=_("visiting unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="visitor_passes")
    expected_at = models.DateTimeField(_("expected at"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"))
    status = models.CharField(_("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.EXPECTED,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True, editable=False)
    departed_at = models.DateTimeField(_("left at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("visitor pass")
        verbose_name_plural = _("visitor passes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "status", "-created_at"], name="fd_visit_site_status_idx")]

    def __str__(self):
        return self.number


class VisitorPassEvent(ImmutableEvent):
    """One immutable entry of a visitor pass's history."""

    visitor_pass = models.ForeignKey(VisitorPass, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=VisitAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("visitor-pass event")
        verbose_name_plural = _("visitor-pass events")


class Key(models.Model):
    """A key the center keeps (a unit's, a plant room's…)."""

    site = models.ForeignKey("customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("key number"), max_length=32)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=KeyKind.choices, default=KeyKind.UNIT)
    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("key")
        verbose_name_plural = _("keys")
        ordering = ["site", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="uniq_key_code_per_site")]

    def __str__(self):
        return f"{self.code} {self.label}"


class Loan(models.Model):
    """What every loan at the desk shares (keys, items): the borrower, the due time, the status
    (out → returned) with its version, and who lent it when. Abstract: each register keeps its own
    table and its one-open-loan constraint."""

    borrower = models.CharField(_("borrower"), max_length=100)
    due_at = models.DateTimeField(_("due back at"))
    status = models.CharField(_("status"), max_length=16, choices=LoanStatus.choices, default=LoanStatus.OUT,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("lent at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    @property
    def is_overdue(self) -> bool:
        return self.status == LoanStatus.OUT and self.due_at < timezone.now()


class KeyLoan(Loan):
    """A key lent with the borrower's signature and a due time; overdue while out past `due_at`.
    At most one open loan per key (a constraint). `status` changes only through `key_loan_transition`."""

    key = models.ForeignKey(Key, verbose_name=_("key"), on_delete=models.PROTECT, related_name="loans")
    borrower_phone = models.CharField(_("borrower's phone"), max_length=32, blank=True)
    company = models.CharField(_("company"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    signature = models.TextField(_("signature (PNG data URL)"), blank=True)

    class Meta:
        verbose_name = _("key loan")
        verbose_name_plural = _("key loans")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=Q(status="out"), name="uniq_open_key_loan")]
        indexes = [models.Index(fields=["status", "due_at"], name="fd_key_loan_due_idx")]

    def __str__(self):
        return f"{self.key_id} {self.borrower}"


class KeyLoanEvent(ImmutableEvent):
    """One immutable entry of a key loan's history."""

    loan = models.ForeignKey(KeyLoan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=LoanAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("key-loan event")
        verbose_name_plural = _("key-loan events")


class Parcel(models.Model):
    """A parcel or registered letter signed for an occupant at the desk: from whom, for whom, a
    pickup code; delivered by a steward (signature) or collected with the code. `status` changes
    only through `parcel_transition`."""

    number = models.CharField(_("register number"), max_length=32, unique=True, editable=False)
    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="parcels")
    recipient = models.ForeignKey("customers.Customer", verbose_name=_("recipient"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="parcels")
    sender = models.CharField(_("sender"), max_length=100, blank=True)
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    is_registered_mail = models.BooleanField(_("registered mail"), default=False)
    pickup_code = models.CharField(_("pickup code"), max_length=8, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=ParcelStatus.choices,
                              default=ParcelStatus.RECEIVED, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True, editable=False)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handed over by"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    signed_by = models.CharField(_("signed by"), max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("signed for at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="fd_parcel_status_idx")]

    def __str__(self):
        return self.number


class ParcelEvent(ImmutableEvent):
    """One immutable entry of a parcel's history."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=ParcelAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("parcel event")
        verbose_name_plural = _("parcel events")


# --- renovations ----------------------------------------------------------------------------------

class Renovation(models.Model):
    """A renovation permit (装修许可) of a unit: applied for by an occupant (through the desk),
    drawings reviewed against the checklist, deposit and fees paid, permit with working hours
    and rules, site checks (a violation orders rectification by a deadline, with a penalty),
    acceptance inspection, then the deposit refunded minus the penalties.

    `status`, `version` and the money fields change only through `renovation_transition`; every
    step writes a `RenovationEvent`, so the unit's archive holds the whole history."""

    number = models.CharField(_("permit number"), max_length=32, unique=True, editable=False)
    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="renovations")
    applicant = models.ForeignKey("customers.Customer", verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="renovations")
    contractor = models.CharField(_("contractor"), max_length=100, blank=True)
    description = models.CharField(_("works"), max_length=500)
    starts_on = models.DateField(_("works start"))
    ends_on = models.DateField(_("works end"))
    checklist = models.JSONField(_("review checklist"), default=dict, editable=False)
    deposit = models.DecimalField(_("deposit (¥)"), default=0, max_digits=12, decimal_places=2, editable=False)
    fee = models.DecimalField(_("fees (¥)"), default=0, max_digits=12, decimal_places=2, editable=False)
    working_hours = models.CharField(pgettext_lazy("renovation", "working hours"), max_length=100, blank=True, editable=False)
    rules = models.CharField(_("permit rules"), max_length=1000, blank=True, editable=False)
    penalties = models.DecimalField(_("penalties (¥)"), default=0, max_digits=12, decimal_places=2, editable=False)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True, editable=False)
    refund = models.DecimalField(_("refund (¥)"), null=True, blank=True, max_digits=12, decimal_places=2,
                                 editable=False)
    status = models.CharField(_("status"), max_length=16, choices=RenovationStatus.choices,
                              default=RenovationStatus.APPLIED, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("applied at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("renovation permit")
        verbose_name_plural = _("renovation permits")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-created_at"], name="fd_renovation_unit_idx"),
                   models.Index(fields=["status", "-created_at"], name="fd_renovation_status_idx")]

    def __str__(self):
        return self.number

    @property
    def is_overdue(self) -> bool:
        """A rectification order past its deadline."""
        return self.status == RenovationStatus.RECTIFYING and self.rectify_by is not None \
            and self.rectify_by < timezone.localdate()


class RenovationEvent(ImmutableEvent):
    """One immutable entry of a renovation's history (site checks keep their finding in `body`
    and the photo references in `data`)."""

    renovation = models.ForeignKey(Renovation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=RenovationAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("renovation event")
        verbose_name_plural = _("renovation events")
        indexes = [models.Index(fields=["renovation", "created_at"], name="fd_renovation_event_idx")]


# --- dunning ----------------------------------------------------------------------------------------

class DunningTask(models.Model):
    """A steward's task to chase one unit's arrears (催缴): made by a dunning round from the
    ladder (the age of the arrears decides the level and the first method), then attempts
    (SMS through the outbox, call, letter, visit) recorded like callbacks, a promise to pay with
    a date and amount, escalation to the manager, closing. At most one task per unit is not
    closed (a constraint). `status`/`version` change only through `dunning_transition`."""

    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="dunning_tasks")
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    method = models.CharField(_("next step"), max_length=8, choices=DunningMethod.choices)
    balance = models.DecimalField(_("balance when made (¥)"), max_digits=12, decimal_places=2)
    oldest_due = models.DateField(_("oldest unpaid due date"))
    due_on = models.DateField(_("chase by"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    promise_date = models.DateField(_("promised by"), null=True, blank=True, editable=False)
    promise_amount = models.DecimalField(_("promised amount (¥)"), null=True, blank=True, max_digits=12,
                                         decimal_places=2, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=DunningStatus.choices, default=DunningStatus.OPEN,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("dunning task")
        verbose_name_plural = _("dunning tasks")
        ordering = ["due_on", "-level", "id"]
        constraints = [models.UniqueConstraint(fields=["unit"], condition=~Q(status="closed"),
                                               name="uniq_open_dunning_task")]
        indexes = [models.Index(fields=["site", "status", "due_on"], name="fd_dunning_site_idx")]

    def __str__(self):
        return f"{self.unit_id} L{self.level}"


class DunningEvent(ImmutableEvent):
    """One immutable entry of a dunning task: each attempt (method, outcome), promise, escalation."""

    task = models.ForeignKey(DunningTask, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=DunningAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("dunning event")
        verbose_name_plural = _("dunning events")


# --- items lent to occupants, violations ----------------------------------------------------------------

class LendItem(models.Model):
    """An item the desk lends to occupants (an umbrella, a cart, a small tool)."""

    site = models.ForeignKey("customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("item number"), max_length=32)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=LendKind.choices, default=LendKind.OTHER)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("item to lend")
        verbose_name_plural = _("items to lend")
        ordering = ["site", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="uniq_lend_item_code_per_site")]

    def __str__(self):
        return f"{self.code} {self.label}"


class ItemLoan(Loan):
    """An item lent to an occupant until a due time; at most one open loan per item (a
    constraint). `status` changes only through `item_loan_transition`."""

    item = models.ForeignKey(LendItem, verbose_name=_("lent item"), on_delete=models.PROTECT, related_name="loans")
    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("item loan")
        verbose_name_plural = _("item loans")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item"], condition=Q(status="out"), name="uniq_open_item_loan")]
        indexes = [models.Index(fields=["status", "due_at"], name="fd_item_loan_due_idx")]

    def __str__(self):
        return f"{self.item_id} {self.borrower}"


class ItemLoanEvent(ImmutableEvent):
    """One immutable entry of an item loan's history."""

    loan = models.ForeignKey(ItemLoan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=LoanAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("item-loan event")
        verbose_name_plural = _("item-loan events")


class Violation(models.Model):
    """An occupant's violation of their duties (damage while moving, illegal renovation, noise…)
    recorded against the unit with a rectification order (deadline) and a penalty; repeat
    offenders show on the register. `status` changes only through `violation_transition`."""

    number = models.CharField(_("register number"), max_length=32, unique=True, editable=False)
    unit = models.ForeignKey("customers.Asset", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="violations")
    kind = models.CharField(_("kind"), max_length=16, choices=ViolationKind.choices)
    description = models.CharField(_("what happened"), max_length=500)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    penalty = models.DecimalField(_("penalty (¥)"), default=0, max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=ViolationStatus.choices,
                              default=ViolationStatus.OPEN, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-created_at"], name="fd_violation_unit_idx")]

    def __str__(self):
        return self.number


class ViolationEvent(ImmutableEvent):
    """One immutable entry of a violation's history."""

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=ViolationAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("violation event")
        verbose_name_plural = _("violation events")
