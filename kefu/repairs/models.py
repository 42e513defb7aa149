"""The repair record (《维修工作单》) of a repair work order, the materials list and the estate's
equipment.

A `RepairRecord` belongs to one repair order: the appointment slot agreed with the customer, the
parts and materials used (`RepairPart`, each priced from the `Material` list when it was added),
the labour time and charge, whether the customer pays, the quote (submitted as the order's
handling plan, so its approval follows the existing ¥ authority limits of the roles), the charge
collected, and the customer's on-site sign-off (a signature PNG). Once signed, the record's work
is fixed; only the charge may still be recorded. `Equipment` (lifts, pumps, panels… of a site) may
be named on a record, which gives each piece of equipment its repair history. Records change only
through `services.py` (the kernel's gate), each change a `RepairEvent`.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import ImmutableEvent
from kefu.repairs.choices import EquipmentKind, PaymentMethod, RecordAction, RecordStatus


class Material(models.Model):
    """A part or material technicians may use, with its unit and unit price (the simple list)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    unit = models.CharField(_("unit"), max_length=8)
    unit_price = models.DecimalField(_("unit price (¥)"), max_digits=10, decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Equipment(models.Model):
    """A piece of the estate's equipment or facility (a lift, a pump, a panel) whose repairs are kept."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=EquipmentKind.choices)
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("customers.Building", verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    location = models.CharField(_("location"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def signature_path(instance: "RepairRecord", filename: str) -> str:
    return f"repairs/{instance.work_order_id}/{filename}"


class RepairRecord(models.Model):
    """The repair sheet of one repair order: appointment, parts, labour, charge, sign-off.

    `parts_total` is kept by the part actions (the sum of the parts' amounts); `quote_amount` is
    the amount last submitted for approval (the order's plan carries its decision)."""

    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                      related_name="repair_record")
    equipment = models.ForeignKey(Equipment, verbose_name=_("equipment"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="repair_records")
    appointment_start = models.DateTimeField(_("appointment from"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("appointment until"), null=True, blank=True)
    fault = models.TextField(_("fault found"), blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    labour_minutes = models.PositiveIntegerField(_("labour time (minutes)"), default=0)
    is_paid = models.BooleanField(_("paid repair"), default=False)
    labour_charge = models.DecimalField(_("labour charge (¥)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    parts_total = models.DecimalField(_("parts and materials (¥)"), max_digits=12, decimal_places=2,
                                      default=Decimal("0"))
    quote_amount = models.DecimalField(_("quote (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    quote_submitted_at = models.DateTimeField(_("quote submitted at"), null=True, blank=True)
    charge_collected = models.DecimalField(_("charge collected (¥)"), max_digits=12, decimal_places=2,
                                           null=True, blank=True)
    payment_method = models.CharField(_("paid by"), max_length=10, choices=PaymentMethod.choices, blank=True)
    receipt_no = models.CharField(_("receipt no."), max_length=32, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    signature = models.FileField(_("customer signature"), upload_to=signature_path, max_length=255, blank=True)
    signer_name = models.CharField(_("signed by (customer)"), max_length=50, blank=True)
    satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=RecordStatus.choices, default=RecordStatus.OPEN,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("repair record")
        verbose_name_plural = _("repair records")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["equipment", "-created_at"], name="repair_equipment_idx")]

    def __str__(self) -> str:
        return f"{self.work_order_id}"

    @property
    def total(self) -> Decimal:
        """What the customer is charged: parts and labour of a paid repair (nothing otherwise)."""
        return (self.parts_total + self.labour_charge) if self.is_paid else Decimal("0.00")


class RepairPart(models.Model):
    """A part or material used on the repair: copied from the list with its price at the time."""

    record = models.ForeignKey(RepairRecord, on_delete=models.CASCADE, related_name="parts")
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=8)
    unit_price = models.DecimalField(_("unit price (¥)"), max_digits=10, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (¥)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class RepairEvent(ImmutableEvent):
    """What happened to a repair record (opened, updated, parts, quote, charge, sign-off)."""

    record = models.ForeignKey(RepairRecord, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=RecordAction.choices)
    from_status = models.CharField(_("from"), max_length=8, choices=RecordStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=RecordStatus.choices, blank=True)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("repair record event")
        verbose_name_plural = _("repair record events")
        indexes = [models.Index(fields=["record", "created_at"], name="repair_event_idx")]
