"""Every write of the front desk: bills and payments (which keep each unit's balance row in
step), release passes (create with the occupancy and fees checks, then approve → scan / cancel
through the kernel's gate). One transaction each; every pass change writes one immutable event.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import Conflict, NotAllowed, field_error, required_field
from kefu.core.numbering import next_number
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, run_transition
from kefu.customers.models import Asset, Customer, CustomerAsset
from kefu.customers.selectors import site_scope_q, visible_customers
from kefu.frontdesk import selectors, workflow
from kefu.frontdesk.choices import BillSource, FeeBasis, PassAction, PassStatus, PaymentKind
from kefu.frontdesk.models import Bill, FeeItem, Payment, ReleasePass, ReleasePassEvent, UnitBalance
from kefu.org.selectors import Actor, require_actor, user_display_name

MAX_AMOUNT = Decimal("10000000")
MAX_ITEMS = 50
MAX_ITEM_NAME = 100
MAX_QUANTITY = 9999
MAX_REASON = 500
CENT = Decimal("0.01")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _require_role(actor: Actor, roles: frozenset, message: str) -> None:
    if actor.role not in roles:
        raise NotAllowed(message, code="role_not_allowed")


def _visible_unit(actor: Actor, unit: Asset | int | None) -> Asset:
    if unit is None or unit == "":
        raise required_field("unit")
    found = selectors.unit_for(actor=actor, pk=unit.pk if isinstance(unit, Asset) else unit)
    if found is None:
        raise field_error("unit", _("Unknown unit."))
    return found


def _amount(value: Any, field: str = "amount") -> Decimal:
    if value is None or value == "":
        raise required_field(field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter an amount in yuan, e.g. 1280.50.")) from None
    if not amount.is_finite() or amount <= 0:
        raise field_error(field, _("The amount must be more than zero."))
    if amount >= MAX_AMOUNT:
        raise field_error(field, _("The amount must be less than ¥%(max)s.") % {"max": MAX_AMOUNT})
    if amount != amount.quantize(CENT):
        raise field_error(field, _("Amounts have at most two decimals (fen)."))
    return amount.quantize(CENT)


# --- fees ---------------------------------------------------------------------------------------

def _locked_balance(unit: Asset) -> UnitBalance:
    """The unit's balance row, created on first use, locked for the rest of the transaction:
    every writer of a unit's bills and payments queues here, so the totals never lose an update."""
    if not UnitBalance.objects.filter(unit=unit).exists():
        try:
            with transaction.atomic():
                UnitBalance.objects.create(unit=unit, site_id=unit.site_id)
        except IntegrityError:  # created by a concurrent writer: its lock orders us
            pass
    return UnitBalance.objects.select_for_update().get(unit=unit)


def balance_recompute(*, balance: UnitBalance, now=None) -> UnitBalance:
    """Totals of the unit's bills and payments (refunds negative) and the due date of the oldest
    bill the payments do not cover, paying bills oldest first. Called by the writers, locked."""
    unit_id = balance.unit_id
    bills = list(Bill.objects.filter(unit_id=unit_id).order_by("due_date", "id").values_list("due_date", "amount"))
    sums = {kind: total or Decimal("0") for kind, total in
            Payment.objects.filter(unit_id=unit_id).order_by().values_list("kind").annotate(t=Sum("amount"))}
    paid = sums.get(PaymentKind.PAYMENT, Decimal("0")) - sums.get(PaymentKind.REFUND, Decimal("0"))
    billed = sum((amount for _due, amount in bills), Decimal("0"))
    remaining, oldest = paid, None
    for due, amount in bills:
        if remaining >= amount:
            remaining -= amount
            continue
        oldest = due
        break
    UnitBalance.objects.filter(pk=unit_id).update(billed=billed, paid=paid, balance=billed - paid,
                                                  oldest_unpaid_due=oldest, updated_at=now or timezone.now())
    balance.refresh_from_db()
    return balance


@transaction.atomic
def bill_create(*, actor_user, unit: Asset | int | None, item: FeeItem | int | None, period: str, amount: Any,
                due_date: date | None, source: str = BillSource.MANUAL) -> Bill:
    """A bill for one unit, fee item and month (one per unit, item and period: a second one is
    409 `bill_exists`); the unit's balance follows in the same transaction."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.FEE_ROLES, _("Your role may not enter bills."))
    unit = _visible_unit(actor, unit)
    if item is None or item == "":
        raise required_field("item")
    item_id = item.pk if isinstance(item, FeeItem) else item
    fee_item = (FeeItem.objects.filter(pk=item_id, site=unit.site, is_active=True).first()
                if unit.site is not None else None)
    if fee_item is None:
        raise field_error("item", _("Choose an active fee item of the unit's site."))
    period = (period or "").strip()
    if not period:
        raise required_field("period")
    if not _PERIOD.match(period):
        raise field_error("period", _("Enter the period as YYYY-MM, e.g. 2026-11."))
    amount = _amount(amount)
    if due_date is None:
        raise required_field("due_date")
    if source not in BillSource.values:
        raise field_error("source", _("Unknown source."))
    balance = _locked_balance(unit)
    if Bill.objects.filter(unit=unit, item=fee_item, period=period).exists():
        raise Conflict(_("The unit already has a bill for %(item)s in %(period)s.") % {
            "item": fee_item, "period": period}, code="bill_exists")
    now = timezone.now()
    bill = Bill.objects.create(unit=unit, item=fee_item, period=period, amount=amount, due_date=due_date,
                               source=source, created_by=actor_user, created_at=now)
    balance_recompute(balance=balance, now=now)
    return bill


def bill_amount(*, item: FeeItem, unit: Asset) -> Decimal | None:
    """A month of `item` for `unit` from its rate: area × rate (rounded to the fen, half up), or
    the fixed rate; None for an area-based fee on a unit without an area."""
    if item.basis == FeeBasis.FIXED:
        return item.rate.quantize(CENT, rounding=ROUND_HALF_UP)
    if unit.area is None:
        return None
    return (unit.area * item.rate).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def bills_generate(*, actor_user, item: FeeItem | int, period: str, due_date: date) -> int:
    """The month's bills of one fee item for every unit of its site that has none yet (units
    without an area skip area-based fees), generated from the rate; each unit's balance follows.
    Idempotent: a second run for the same period adds nothing. Returns the number of bills made."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.FEE_ROLES, _("Your role may not enter bills."))
    item_id = item.pk if isinstance(item, FeeItem) else item
    fee_item = FeeItem.objects.filter(site_scope_q(actor, "site__"), pk=item_id,
                                      is_active=True).select_related("site").first()
    if fee_item is None:
        raise field_error("item", _("Choose an active fee item of the unit's site."))
    if not _PERIOD.match(period or ""):
        raise field_error("period", _("Enter the period as YYYY-MM, e.g. 2026-11."))
    billed = Bill.objects.filter(item=fee_item, period=period).values("unit_id")
    units = list(Asset.objects.filter(site=fee_item.site, kind="unit").exclude(pk__in=billed).order_by("pk"))
    now = timezone.now()
    made = []
    for unit in units:
        amount = bill_amount(item=fee_item, unit=unit)
        if amount is None or amount <= 0:
            continue
        made.append(Bill(unit=unit, item=fee_item, period=period, amount=amount, due_date=due_date,
                         source=BillSource.GENERATED, created_by=actor_user, created_at=now))
    Bill.objects.bulk_create(made, batch_size=2000)
    for bill in made:
        balance_recompute(balance=_locked_balance(bill.unit), now=now)
    return len(made)


@transaction.atomic
def payment_record(*, actor_user, unit: Asset | int | None, amount: Any, paid_at: date | None,
                   kind: str = PaymentKind.PAYMENT, reference: str = "") -> Payment:
    """Money received from a unit (or refunded to it) on a day; the balance follows."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.FEE_ROLES, _("Your role may not record payments."))
    unit = _visible_unit(actor, unit)
    amount = _amount(amount)
    if paid_at is None:
        raise required_field("paid_at")
    if paid_at > timezone.localdate():
        raise field_error("paid_at", _("The payment date is in the future."))
    if kind not in PaymentKind.values:
        raise field_error("kind", _("Unknown kind."))
    reference = (reference or "").strip()
    if len(reference) > 64:
        raise field_error("reference", _("Keep this under %(n)s characters.") % {"n": 64})
    balance = _locked_balance(unit)
    now = timezone.now()
    payment = Payment.objects.create(unit=unit, kind=kind, amount=amount, paid_at=paid_at, reference=reference,
                                     created_by=actor_user, created_at=now)
    balance_recompute(balance=balance, now=now)
    return payment


# --- release passes -----------------------------------------------------------------------------

def _clean_items(items: Any) -> list[dict]:
    if not isinstance(items, list | tuple) or not items:
        raise field_error("items", _("List at least one item leaving the building."), "required")
    if len(items) > MAX_ITEMS:
        raise field_error("items", _("At most %(n)s lines per pass.") % {"n": MAX_ITEMS})
    out = []
    for row in items:
        name = str((row or {}).get("name") or "").strip() if isinstance(row, dict) else ""
        if not name:
            raise field_error("items", _("Every item needs a name."))
        if len(name) > MAX_ITEM_NAME:
            raise field_error("items", _("Keep item names under %(n)s characters.") % {"n": MAX_ITEM_NAME})
        try:
            quantity = int(row.get("quantity"))
        except (TypeError, ValueError):
            raise field_error("items", _("Every item needs a quantity from 1 to %(n)s.") % {"n": MAX_QUANTITY}) from None
        if not 1 <= quantity <= MAX_QUANTITY:
            raise field_error("items", _("Every item needs a quantity from 1 to %(n)s.") % {"n": MAX_QUANTITY})
        out.append({"name": name, "quantity": quantity})
    return out


def arrears_error(balance: UnitBalance) -> Conflict:
    return Conflict(_("The unit has unpaid fees past due (¥%(balance)s, oldest due %(due)s): settle them first, "
                      "or a supervisor gives an override reason.") % {
        "balance": balance.balance, "due": balance.oldest_unpaid_due}, code="arrears",
        fields={"override_reason": [_("Needed while the unit is in arrears.")]})


def _override(actor: Actor, reason: str, balance: UnitBalance | None) -> str:
    """The accepted override reason ("" when the unit is not in arrears); 409 `arrears` without
    one, 403 when the actor's role may not override."""
    if balance is None:
        return ""
    if not reason:
        raise arrears_error(balance)
    if actor.role not in workflow.OVERRIDE_ROLES:
        raise NotAllowed(_("Only a supervisor or above may let a unit in arrears through."),
                         code="override_not_allowed", fields={"override_reason": [_("Supervisor or above only.")]})
    if len(reason) > MAX_REASON:
        raise field_error("override_reason", _("Keep this under %(n)s characters.") % {"n": MAX_REASON})
    return reason


def _event(release_pass: ReleasePass, *, action: str, actor_user, now, from_status: str, body: str = "",
           data: dict | None = None) -> ReleasePassEvent:
    return ReleasePassEvent.objects.create(release_pass=release_pass, action=action, actor=actor_user, created_at=now,
                                           from_status=from_status, to_status=release_pass.status, body=body,
                                           data=data or {})


@transaction.atomic
def release_pass_create(*, actor_user, unit: Asset | int | None, requester: Customer | int | None, items: Any,
                        moving_date: date | None, vehicle: str = "", carrier: str = "", is_move_out: bool = False,
                        override_reason: str = "") -> ReleasePass:
    """A release pass requested for an occupant of the unit. Refused with 409 `arrears` while the
    unit has bills past due and unpaid, unless a supervisor (or above) gives `override_reason`."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.DESK_ROLES, _("Your role may not request release passes."))
    unit = _visible_unit(actor, unit)
    if requester is None or requester == "":
        raise required_field("requester")
    requester_id = requester.pk if isinstance(requester, Customer) else requester
    customer = visible_customers(actor).filter(pk=requester_id).first()
    if customer is None:
        raise field_error("requester", _("Unknown customer."))
    if not selectors.is_occupant(customer_id=customer.pk, unit_id=unit.pk):
        raise field_error("requester", _("%(name)s is not an occupant of %(unit)s.") % {
            "name": customer.name, "unit": unit.code}, "not_occupant")
    clean_items = _clean_items(items)
    if moving_date is None:
        raise required_field("moving_date")
    today = timezone.localdate()
    if moving_date < today:
        raise field_error("moving_date", _("The moving date is in the past."))
    vehicle, carrier = (vehicle or "").strip(), (carrier or "").strip()
    if len(vehicle) > 32:
        raise field_error("vehicle", _("Keep this under %(n)s characters.") % {"n": 32})
    if len(carrier) > 100:
        raise field_error("carrier", _("Keep this under %(n)s characters.") % {"n": 100})
    arrears = selectors.unit_arrears(unit_id=unit.pk, today=today)
    reason = _override(actor, (override_reason or "").strip(), arrears)
    now = timezone.now()
    release_pass = ReleasePass.objects.create(
        number=next_number(prefix="FX", day=timezone.localdate(now)), token=secrets.token_urlsafe(24), unit=unit,
        requester=customer, items=clean_items, moving_date=moving_date, vehicle=vehicle, carrier=carrier,
        is_move_out=bool(is_move_out), override_reason=reason, overridden_by=actor_user if reason else None,
        balance_at_request=arrears.balance if arrears else Decimal("0"), created_by=actor_user, created_at=now,
        updated_at=now)
    _event(release_pass, action=PassAction.CREATE, actor_user=actor_user, now=now, from_status="",
           body=reason, data={"override": bool(reason), "balance": str(release_pass.balance_at_request)})
    return release_pass


def _authorize(actor: Actor, release_pass: ReleasePass, action: str, refusal: Refusal | None) -> None:
    if action == PassAction.SCAN and release_pass.status == PassStatus.USED:
        when = formats.date_format(timezone.localtime(release_pass.used_at), "DATETIME_FORMAT")
        raise Conflict(_("This pass was already used: the exit was recorded at %(when)s by %(who)s.") % {
            "when": when, "who": user_display_name(release_pass.used_by)}, code="already_used")


def _end_occupancy(release_pass: ReleasePass, today: date) -> None:
    """A move-out's exit ends the requester's occupancy of the unit, in the name of whoever
    approved the move-out (an approver may record move-outs; the guard may not)."""
    from kefu.customers.services import occupancy_end

    link = CustomerAsset.objects.filter(customer_id=release_pass.requester_id, asset_id=release_pass.unit_id,
                                        ended_on=None).first()
    if link is not None:
        occupancy_end(occupancy=link, actor_user=release_pass.approved_by, ended_on=today)


def _apply(release_pass: ReleasePass, actor: Actor, action: str, data: dict, now) -> Change:
    reason = (data.get("reason") or "").strip()
    if len(reason) > MAX_REASON:
        raise field_error("reason", _("Keep this under %(n)s characters.") % {"n": MAX_REASON})
    if action == PassAction.APPROVE:
        changes: dict[str, Any] = {"approved_by_id": actor.user_id, "approved_at": now}
        event_data: dict[str, Any] = {}
        if not release_pass.override_reason:
            arrears = selectors.unit_arrears(unit_id=release_pass.unit_id, today=timezone.localdate(now))
            override = _override(actor, (data.get("override_reason") or "").strip(), arrears)
            if override:
                changes.update(override_reason=override, overridden_by_id=actor.user_id,
                               balance_at_request=arrears.balance)  # type: ignore[union-attr]  # set when overridden
                event_data = {"override": True, "balance": str(arrears.balance)}  # type: ignore[union-attr]  # idem
        return Change(changes=changes, data=event_data, body=changes.get("override_reason", ""))
    if action == PassAction.SCAN:
        after = None
        if release_pass.is_move_out:
            def after() -> None:
                _end_occupancy(release_pass, timezone.localdate(now))
        return Change(changes={"used_by_id": actor.user_id, "used_at": now}, data={"move_out": release_pass.is_move_out},
                      after=after)
    return Change(body=reason)


def _record(release_pass: ReleasePass, *, action: str, actor_user, now, from_status: str, to_status: str,
            change: Change) -> ReleasePassEvent:
    release_pass.status = to_status
    return _event(release_pass, action=action, actor_user=actor_user, now=now, from_status=from_status,
                  body=change.body, data=change.data)


FLOW: Workflow[ReleasePass] = Workflow(
    model=ReleasePass, table=workflow.TABLE, subject=gettext_lazy("release pass"),
    not_found=gettext_lazy("Release pass not found."), action_label=choices_label(PassAction),
    status_label=choices_label(PassStatus), queryset=selectors.pass_base_queryset, can_see=selectors.pass_visible,
    apply=_apply, record_event=_record, authorize=_authorize)


def release_pass_transition(*, release_pass: ReleasePass | int, action: str, actor_user,
                            expected_version: int | None = None, **data: Any) -> ReleasePass:
    """Approve (the fees are checked again unless already overridden), scan at the gate (once:
    a second scan is 409 `already_used` saying when), cancel (with a reason) — through the
    kernel's gate: row lock, 404/403/409/400, compare-and-swap on `version`, one event."""
    actor = require_actor(actor_user)
    return run_transition(FLOW, obj=release_pass, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)
