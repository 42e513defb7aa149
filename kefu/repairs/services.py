"""Writes of the repair record: open it on a repair order, then update it, add and remove parts,
submit the quote (as the order's handling plan, so the approval follows the roles' ¥ authority
limits), record the charge collected and the customer's sign-off — each through the kernel's gate
(`kefu.core.workflow.run_transition`) with one `RepairEvent` per change. Also the materials list
and the equipment register (managed by supervisors and above)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.callbacks.services import signature_png
from kefu.core.errors import Conflict, NotAllowed, NotFound, field_error
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, run_transition
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor, require_actor
from kefu.repairs import selectors, workflow
from kefu.repairs.choices import PaymentMethod, RecordAction, RecordStatus
from kefu.repairs.models import Equipment, Material, RepairEvent, RepairPart, RepairRecord
from kefu.workorders.choices import PlanStatus, Status, WorkOrderType
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import can_see as can_see_order
from kefu.workorders.selectors import can_work_on
from kefu.workorders.services import work_order_transition

# Limits (bad input is a 400 naming the field, never a truncated or overflowing row).
MAX_PARTS = 50
MAX_QUANTITY = Decimal("10000")
MAX_PRICE = Decimal("100000")
MAX_CHARGE = Decimal("1000000")
MAX_LABOUR_MINUTES = 7 * 24 * 60
MAX_APPOINTMENT = timedelta(hours=12)
TEXT_LIMIT = 2000
# Who keeps the materials list and the equipment register.
REGISTER_ROLES = frozenset({RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR, RoleCode.ADMINISTRATOR,
                            RoleCode.CLERK})
# The customer signs once the work has started (on site), or after it is resolved.
SIGNABLE_ORDER_STATUSES = frozenset({Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED})
EDITABLE_ORDER_STATUSES = frozenset({Status.NEW, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS,
                                     Status.ON_HOLD, Status.RESOLVED})
CENT = Decimal("0.01")


# --- input ----------------------------------------------------------------------------------------

def _money(field: str, value: Any, *, limit: Decimal, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise field_error(field, _("%(field)s must be an amount in yuan.") % {"field": field}) from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0) or amount > limit:
        raise field_error(field, _("%(field)s must be between 0 and %(limit)s.") % {"field": field, "limit": limit})
    if amount != amount.quantize(CENT):
        raise field_error(field, _("%(field)s has at most two decimals.") % {"field": field})
    return amount.quantize(CENT)


def _text(field: str, value: Any, limit: int = TEXT_LIMIT) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise field_error(field, _("%(field)s is longer than %(limit)s characters.") % {"field": field, "limit": limit})
    return text


def _when(field: str, value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        raise field_error(field, _("%(field)s must be a date and time.") % {"field": field})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "on", "yes"):
        return True
    if str(value).lower() in ("false", "0", "off", "no", ""):
        return False
    raise field_error(field, _("%(field)s must be true or false.") % {"field": field})


# --- registers ------------------------------------------------------------------------------------

def _register_actor(actor_user: Any) -> Actor:
    actor = require_actor(actor_user)
    if actor.role not in REGISTER_ROLES:
        raise NotAllowed(_("Your role may not change the materials list or the equipment register."),
                         code="role_not_allowed")
    return actor


def material_create(*, actor_user: Any, name: str, unit: str, unit_price: Any) -> Material:
    """Add a material to the list (name unique, unit, unit price)."""
    _register_actor(actor_user)
    name = _text("name", name, 100)
    unit = _text("unit", unit, 8)
    if not name:
        raise field_error("name", _("This field is required: %(field)s") % {"field": "name"}, "required")
    if not unit:
        raise field_error("unit", _("This field is required: %(field)s") % {"field": "unit"}, "required")
    price = _money("unit_price", unit_price, limit=MAX_PRICE)
    try:
        with transaction.atomic():
            return Material.objects.create(name=name, unit=unit, unit_price=price)
    except IntegrityError:
        raise field_error("name", _("A material with this name exists already."), "duplicate") from None


def equipment_create(*, actor_user: Any, code: str, name: str, kind: str, site: Any, building: Any = None,
                     location: str = "") -> Equipment:
    """Register a piece of equipment (code unique) at a site."""
    from kefu.repairs.choices import EquipmentKind

    _register_actor(actor_user)
    code, name = _text("code", code, 32), _text("name", name, 100)
    for field, value in (("code", code), ("name", name)):
        if not value:
            raise field_error(field, _("This field is required: %(field)s") % {"field": field}, "required")
    if kind not in EquipmentKind.values:
        raise field_error("kind", _("Choose a valid kind."))
    if building is not None and getattr(building, "site_id", None) != getattr(site, "pk", None):
        raise field_error("building", _("The building is not on this site."))
    try:
        with transaction.atomic():
            return Equipment.objects.create(code=code, name=name, kind=kind, site=site, building=building,
                                            location=_text("location", location, 200))
    except IntegrityError:
        raise field_error("code", _("Equipment with this code exists already."), "duplicate") from None


# --- opening the record ---------------------------------------------------------------------------

def repair_record_open(*, work_order: WorkOrder | int, actor_user: Any) -> tuple[RepairRecord, bool]:
    """The repair record of a repair order, opened on first use (True) or the existing one.

    Refused: an order the actor cannot see (404), a role that may not edit or work not dispatched
    to a technician's/vendor's team (403), an order that is not a repair (409). The order's row
    is locked first, so two people opening it at once get the same record."""
    actor = require_actor(actor_user)
    pk = work_order.pk if isinstance(work_order, WorkOrder) else work_order
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if order is None or not can_see_order(actor, order):
            raise NotFound(_("Work order not found."))
        if actor.role not in workflow.EDITORS or not can_work_on(actor, order):
            raise NotAllowed(_("Your role may not keep the repair record of this order."), code="role_not_allowed")
        if order.type != WorkOrderType.REPAIR:
            raise Conflict(_("Only a repair order has a repair record."), code="not_a_repair")
        existing = RepairRecord.objects.filter(work_order=order).first()
        if existing is not None:
            return existing, False
        now = timezone.now()
        record = RepairRecord.objects.create(work_order=order, updated_at=now)
        RepairEvent.objects.create(record=record, action=RecordAction.OPEN, actor=actor_user, created_at=now,
                                   to_status=record.status, data={"work_order": order.pk})
    return record, True


# --- the gate -------------------------------------------------------------------------------------

def _not_while_quote_pending(record: RepairRecord) -> None:
    if record.quote_amount is not None and record.work_order.plan_status == PlanStatus.PENDING:
        raise Conflict(_("The quote is awaiting approval: wait for the decision before changing the charge."),
                       code="quote_pending")


def _apply_update(record: RepairRecord, data: dict[str, Any]) -> Change:
    changes: dict[str, Any] = {}
    if "equipment" in data:
        value = data["equipment"]
        if value in (None, ""):
            changes["equipment"] = None
        else:
            equipment = Equipment.objects.filter(pk=getattr(value, "pk", value), is_active=True).first()
            if equipment is None:
                raise field_error("equipment", _("Choose equipment from the register."))
            changes["equipment"] = equipment
    start = _when("appointment_start", data["appointment_start"]) if "appointment_start" in data \
        else record.appointment_start
    end = _when("appointment_end", data["appointment_end"]) if "appointment_end" in data else record.appointment_end
    if "appointment_start" in data or "appointment_end" in data:
        if (start is None) != (end is None):
            raise field_error("appointment_end", _("An appointment has a start and an end."))
        if start is not None and end is not None and not (start < end <= start + MAX_APPOINTMENT):
            raise field_error("appointment_end", _("The appointment ends after it starts, within 12 hours."))
        changes.update(appointment_start=start, appointment_end=end)
    for field in ("fault", "work_done"):
        if field in data:
            changes[field] = _text(field, data[field])
    if "labour_minutes" in data:
        try:
            minutes = int(data["labour_minutes"])
        except (TypeError, ValueError):
            raise field_error("labour_minutes", _("labour_minutes must be a whole number of minutes.")) from None
        if not 0 <= minutes <= MAX_LABOUR_MINUTES:
            raise field_error("labour_minutes", _("labour_minutes must be between 0 and %(limit)s.") % {
                "limit": MAX_LABOUR_MINUTES})
        changes["labour_minutes"] = minutes
    if "is_paid" in data:
        changes["is_paid"] = _bool("is_paid", data["is_paid"])
    if "labour_charge" in data:
        changes["labour_charge"] = _money("labour_charge", data["labour_charge"], limit=MAX_CHARGE)
    changes = {k: v for k, v in changes.items() if getattr(record, k) != v}
    if not changes:
        raise Conflict(_("Nothing to change."), code="no_change")
    if {"is_paid", "labour_charge"} & set(changes):
        _not_while_quote_pending(record)
    shown = {k: (v.pk if isinstance(v, Equipment) else v.isoformat() if isinstance(v, datetime)
                 else str(v) if isinstance(v, Decimal) else v) for k, v in changes.items()}
    return Change(changes=changes, data=shown)


def _apply_add_part(record: RepairRecord, data: dict[str, Any]) -> Change:
    _not_while_quote_pending(record)
    if record.parts.count() >= MAX_PARTS:
        raise field_error("name", _("A record holds at most %(limit)s parts.") % {"limit": MAX_PARTS})
    material = None
    if data.get("material") not in (None, ""):
        material = Material.objects.filter(pk=getattr(data["material"], "pk", data["material"]),
                                           is_active=True).first()
        if material is None:
            raise field_error("material", _("Choose a material from the list."))
        name, unit, price = material.name, material.unit, material.unit_price
    else:
        name, unit = _text("name", data.get("name"), 100), _text("unit", data.get("unit") or "", 8)
        if not name:
            raise field_error("name", _("Choose a material from the list or name the part."), "required")
        if not unit:
            raise field_error("unit", _("This field is required: %(field)s") % {"field": "unit"}, "required")
        price = _money("unit_price", data.get("unit_price", ""), limit=MAX_PRICE)
    quantity = _money("quantity", data.get("quantity", ""), limit=MAX_QUANTITY, positive=True)
    amount = (price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)

    def write() -> None:
        RepairPart.objects.create(record=record, material=material, name=name, unit=unit, unit_price=price,
                                  quantity=quantity, amount=amount)

    return Change(changes={"parts_total": record.parts_total + amount}, after=write,
                  data={"material": material.pk if material else None, "name": name, "unit": unit,
                        "unit_price": str(price), "quantity": str(quantity), "amount": str(amount)})


def _apply_remove_part(record: RepairRecord, data: dict[str, Any]) -> Change:
    _not_while_quote_pending(record)
    part = record.parts.filter(pk=getattr(data["part"], "pk", data["part"])).first() \
        if str(getattr(data["part"], "pk", data["part"])).isdigit() else None
    if part is None:
        raise field_error("part", _("This part is not on the record."))
    return Change(changes={"parts_total": record.parts_total - part.amount}, after=part.delete,
                  data={"part": part.pk, "name": part.name, "amount": str(part.amount)})


def _apply_submit_quote(record: RepairRecord, actor_user: Any) -> Change:
    if not record.is_paid:
        raise Conflict(_("A free repair needs no quote."), code="not_paid")
    total = record.total
    if total <= 0:
        raise Conflict(_("The quote is empty: add parts or a labour charge first."), code="empty_quote")
    plan = _("Repair quote: parts and materials ¥%(parts)s, labour ¥%(labour)s, total ¥%(total)s.") % {
        "parts": record.parts_total, "labour": record.labour_charge, "total": total}
    # The order's own gate: the plan goes to the lowest role whose ¥ authority covers the amount.
    order = work_order_transition(work_order=record.work_order_id, action="submit_plan", actor_user=actor_user,
                                  plan=plan, compensation_amount=total)
    return Change(changes={"quote_amount": total, "quote_submitted_at": timezone.now()},
                  data={"amount": str(total), "required_role": order.plan_role.code if order.plan_role else None})


def _apply_collect(record: RepairRecord, data: dict[str, Any], now: datetime) -> Change:
    if not record.is_paid:
        raise Conflict(_("This repair is free: there is no charge to collect."), code="not_paid")
    if record.charge_collected is not None:
        raise Conflict(_("The charge is recorded already."), code="already_collected")
    if record.quote_amount != record.total or record.work_order.plan_status != PlanStatus.APPROVED:
        raise Conflict(_("The quote for the present charge must be approved before collecting it."),
                       code="quote_not_approved")
    amount = _money("amount", data["amount"], limit=record.total, positive=True)
    method = data["payment_method"]
    if method not in PaymentMethod.values:
        raise field_error("payment_method", _("Choose how the customer paid."))
    receipt = _text("receipt_no", data.get("receipt_no"), 32)
    return Change(changes={"charge_collected": amount, "payment_method": method, "receipt_no": receipt,
                           "collected_at": now},
                  data={"amount": str(amount), "payment_method": method, "receipt_no": receipt})


def _apply_sign(record: RepairRecord, data: dict[str, Any], now: datetime) -> Change:
    if record.work_order.status not in SIGNABLE_ORDER_STATUSES:
        raise Conflict(_("The customer signs off once the work has started."), code="work_not_started")
    name = _text("signer_name", data["signer_name"], 50)
    png = signature_png(data["signature"])
    satisfied = None if data.get("satisfied") in (None, "") else _bool("satisfied", data["satisfied"])
    path = default_storage.save(f"repairs/{record.work_order_id}/signature-{uuid.uuid4().hex}.png", ContentFile(png))
    return Change(changes={"signature": path, "signer_name": name, "satisfied": satisfied, "signed_at": now},
                  data={"signer_name": name, "satisfied": satisfied})


def _apply(record: RepairRecord, actor: Actor, action: str, data: dict[str, Any], now: datetime) -> Change:
    """The action's own validation and field changes (the kernel's gate did the rest)."""
    if action != RecordAction.COLLECT and record.work_order.status not in EDITABLE_ORDER_STATUSES | {Status.CLOSED}:
        raise Conflict(_("The order is cancelled: its repair record is closed."), code="order_cancelled")
    if action in (RecordAction.UPDATE, RecordAction.ADD_PART, RecordAction.REMOVE_PART) \
            and record.work_order.status not in EDITABLE_ORDER_STATUSES:
        raise Conflict(_("The order is closed: its repair record can no longer change."), code="order_closed")
    if action == RecordAction.UPDATE:
        return _apply_update(record, data)
    if action == RecordAction.ADD_PART:
        return _apply_add_part(record, data)
    if action == RecordAction.REMOVE_PART:
        return _apply_remove_part(record, data)
    if action == RecordAction.SUBMIT_QUOTE:
        return _apply_submit_quote(record, data["_actor_user"])
    if action == RecordAction.COLLECT:
        return _apply_collect(record, data, now)
    return _apply_sign(record, data, now)


def _authorize(actor: Actor, record: RepairRecord, action: str, refusal: Refusal | None) -> None:
    # Technicians and vendors keep the records of work dispatched to their team or to them only.
    if not can_work_on(actor, record.work_order):
        raise FLOW.refuse(Refusal.ROLE, action=action, status=record.status)


def _record(record: RepairRecord, *, action: str, actor_user: Any, now: datetime, from_status: str, to_status: str,
            change: Change) -> RepairEvent:
    return RepairEvent.objects.create(record=record, action=action, actor=actor_user, created_at=now,
                                      from_status=from_status, to_status=to_status, body=change.body,
                                      data=change.data)


FLOW: Workflow[RepairRecord] = Workflow(
    model=RepairRecord, table=workflow.TABLE, subject=gettext_lazy("repair record"),
    not_found=gettext_lazy("Repair record not found."), action_label=choices_label(RecordAction),
    status_label=choices_label(RecordStatus),
    queryset=lambda: RepairRecord.objects.select_related("work_order"),
    can_see=selectors.can_see, authorize=_authorize, apply=_apply, record_event=_record)


def repair_record_transition(*, record: RepairRecord | int, action: str, actor_user: Any,
                             expected_version: int | None = None, **data: Any) -> RepairRecord:
    """Take `action` on the repair record as `actor_user`: the only path that changes it.

    Raises NotFound (not visible), NotAllowed (role, or work not dispatched to the worker),
    Conflict (state, quote pending/not approved, signed, the record changed since
    `expected_version`), InvalidInput (a bad field, named). Nothing is written unless all passes."""
    data = {k: v for k, v in data.items() if not k.startswith("_")}
    data["_actor_user"] = actor_user
    return run_transition(FLOW, obj=record, action=action, actor=require_actor(actor_user), actor_user=actor_user,
                          expected_version=expected_version, data=data)
