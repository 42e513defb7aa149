"""Vendors (外包供方), their contracts and assessment forms, nonconformities and monthly scorecards.

A `Vendor` works as a team of the organisation (`team`: orders dispatched there are theirs, its
staff with the vendor role are the vendor's users) and may be assessed on patrol routes
(`routes`). A `Contract` carries the monthly fee, the pass mark, the penalty per nonconformity,
the deduction when the month's score is below the pass mark, and the assessment form
(`AssessmentItem`s whose weights add up to 100). A `Nonconformity` (from a patrol finding, a
complaint or a QA check) has a rectification deadline, the vendor's reply and the verification.
A `VendorWorker` is one of the vendor's staff on site (post, site, start and end), with
`Qualification`s (certificates with their expiry) and one `Attendance` row per day worked or
missed (summarised by month). A `Scorecard` is one vendor's month: lines computed from records (explained line by line, each
with the URL of the records behind it) plus manual lines; signed off by a manager, it fixes the
settlement (fee − penalties − shortfall deduction). Changes go through `services.py`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import ImmutableEvent
from kefu.vendors.choices import (
    AttendanceStatus,
    Metric,
    NonconformityAction,
    NonconformitySource,
    NonconformityStatus,
    ScorecardAction,
    ScorecardStatus,
    ServiceScope,
)


class Vendor(models.Model):
    """An outsourced contractor: licence, contact, service scope, its team in the organisation."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    licence_no = models.CharField(_("business licence no."), max_length=32, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    service_scope = models.CharField(_("service scope"), max_length=16, choices=ServiceScope.choices)
    team = models.OneToOneField("org.Department", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="vendor")
    routes = models.ManyToManyField("patrols.PatrolRoute", verbose_name=_("patrol routes assessed"), blank=True,
                                    related_name="vendors")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A service contract: items, term, monthly fee, penalties and the assessment form."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("contract no."), max_length=32, unique=True)
    service_items = models.JSONField(_("service items"), default=list)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    monthly_fee = models.DecimalField(_("monthly fee (¥)"), max_digits=12, decimal_places=2)
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=2, default=Decimal("80"))
    penalty_per_nonconformity = models.DecimalField(_("penalty per nonconformity (¥)"), default=Decimal("0"), max_digits=12, decimal_places=2)
    shortfall_deduction_percent = models.DecimalField(_("deduction below the pass mark (percent of the fee)"), max_digits=5,
                                                      decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["vendor", "-starts_on"]

    def __str__(self) -> str:
        return self.number


class AssessmentItem(models.Model):
    """A line of the contract's monthly assessment form: what it measures and its weight."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="items")
    sequence = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("item"), max_length=100)
    metric = models.CharField(_("measured by"), max_length=24, choices=Metric.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["contract", "sequence"]

    def __str__(self) -> str:
        return self.name


class Nonconformity(models.Model):
    """A vendor's nonconformity: what, from where, the rectification deadline, reply, verification."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="nonconformities")
    source = models.CharField(_("source"), max_length=12, choices=NonconformitySource.choices)
    finding = models.OneToOneField("patrols.Finding", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="nonconformity")
    work_order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    description = models.TextField(_("nonconformity"))
    found_at = models.DateTimeField(_("found at"))
    deadline = models.DateField(_("rectify by"))
    penalty = models.DecimalField(_("penalty (¥)"), default=Decimal("0"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=NonconformityStatus.choices,
                              default=NonconformityStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    reply = models.TextField(_("vendor's reply"), blank=True)
    verification = models.TextField(_("verification"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        ordering = ["-found_at", "id"]
        indexes = [models.Index(fields=["vendor", "found_at"])]

    def __str__(self) -> str:
        return f"{self.vendor_id}: {self.description[:30]}"


class NonconformityEvent(ImmutableEvent):
    """What happened to a nonconformity (raised, replied, verified, rejected)."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=NonconformityAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("nonconformity event")
        verbose_name_plural = _("nonconformity events")


class Scorecard(models.Model):
    """One vendor's month (`month`: its first day): total score and the settlement it fixes."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="scorecards")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="scorecards")
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=8, choices=ScorecardStatus.choices,
                              default=ScorecardStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    total = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=Decimal("0"))
    fee = models.DecimalField(_("monthly fee (¥)"), default=Decimal("0"), max_digits=12, decimal_places=2)
    penalties = models.DecimalField(_("penalties (¥)"), default=Decimal("0"), max_digits=12, decimal_places=2)
    shortfall = models.DecimalField(_("deduction below the pass mark (¥)"), default=Decimal("0"), max_digits=12, decimal_places=2)
    payable = models.DecimalField(_("payable (¥)"), default=Decimal("0"), max_digits=12, decimal_places=2)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vendor scorecard")
        verbose_name_plural = _("vendor scorecards")
        ordering = ["-month", "vendor"]
        constraints = [models.UniqueConstraint(fields=["vendor", "month"], name="vendor_scorecard_month")]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.month:%Y-%m}"


class ScorecardLine(models.Model):
    """One line: the value measured (0–100, None without records), its weight and score, how it
    was computed (`explanation`, `numerator`/`denominator`) and where its records are (`url`)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(AssessmentItem, null=True, on_delete=models.SET_NULL, related_name="+")
    sequence = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    metric = models.CharField(max_length=24, choices=Metric.choices)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    score = models.DecimalField(max_digits=6, decimal_places=2)
    explanation = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["scorecard", "sequence"]

    def __str__(self) -> str:
        return f"{self.scorecard_id}/{self.sequence}"


class ScorecardEvent(ImmutableEvent):
    """What happened to a scorecard (computed, signed off)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=ScorecardAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("scorecard event")
        verbose_name_plural = _("scorecard events")


class VendorWorker(models.Model):
    """One of the vendor's staff on site: name, post, where they work, from when until when."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="workers")
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=50)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("on site since"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vendor worker")
        verbose_name_plural = _("vendor staff on site")
        ordering = ["vendor", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """A worker's certificate (e.g. a lift maintenance operator's licence) and its expiry."""

    worker = models.ForeignKey(VendorWorker, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField(_("qualification"), max_length=100)
    certificate_no = models.CharField(_("certificate no."), max_length=50, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["worker", "expires_on", "id"]
        indexes = [models.Index(fields=["expires_on"], name="vendor_qual_expiry_idx")]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """A worker's day on site (one row per worker and day; recorded again, it is corrected)."""

    worker = models.ForeignKey(VendorWorker, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField(_("day"))
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["day", "worker"]
        constraints = [models.UniqueConstraint(fields=["worker", "day"], name="vendor_attendance_day")]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.day}"
