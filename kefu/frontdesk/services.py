"""Every write of the front desk: bills and payments (which keep each unit's balance row in
step), release passes (create with the occupancy and fees checks, then approve → scan / cancel
through the kernel's gate). One transaction each; every pass change writes one immutable event.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, field_error, required_field
from kefu.core.numbering import next_number
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, run_transition
from kefu.customers.models import Asset, Customer, CustomerAsset, Site
from kefu.customers.phones import normalize_phone
from kefu.customers.selectors import site_scope_q, visible_customers
from kefu.frontdesk import selectors, workflow
from kefu.frontdesk.choices import (
    DUNNING_LADDER,
    RENOVATION_CHECKLIST,
    BillSource,
    DunningAction,
    DunningMethod,
    DunningStatus,
    FeeBasis,
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
from kefu.frontdesk.models import (
    Bill,
    BlacklistEntry,
    DunningEvent,
    DunningTask,
    FeeItem,
    ItemLoan,
    ItemLoanEvent,
    Key,
    KeyLoan,
    KeyLoanEvent,
    LendItem,
    Parcel,
    ParcelEvent,
    Payment,
    ReleasePass,
    ReleasePassEvent,
    Renovation,
    RenovationEvent,
    UnitBalance,
    Violation,
    ViolationEvent,
    VisitorPass,
    VisitorPassEvent,
)
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


# --- visitors and contractors ----------------------------------------------------------------------

MAX_VISIT_HOURS = 24 * 31


def _visible_site(actor: Actor, site: Site | int | None) -> Site:
    if site is None or site == "":
        raise required_field("site")
    site_id = site.pk if isinstance(site, Site) else site
    found = Site.objects.filter(site_scope_q(actor), pk=site_id).first()
    if found is None:
        raise field_error("site", _("Unknown site."))
    return found


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise required_field(field)
    if len(text) > limit:
        raise field_error(field, _("Keep this under %(n)s characters.") % {"n": limit})
    return text


def _phone(value: Any, field: str = "phone") -> str:
    if not value:
        return ""
    normalised = normalize_phone(str(value))
    if not normalised:
        raise field_error(field, _("Enter a phone number."))
    return normalised


def blacklist_add(*, actor_user, site: Site | int, name: str, phone: str = "", reason: str) -> BlacklistEntry:
    """Refuse a person at the site's gate from now on (supervisor or above, with a reason)."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.BLACKLIST_ROLES, _("Only a supervisor or above may refuse a person."))
    found = _visible_site(actor, site)
    return BlacklistEntry.objects.create(site=found, name=_text(name, "name", 100, required=True),
                                         phone=_phone(phone), reason=_text(reason, "reason", 500, required=True),
                                         added_by=actor_user)


def blacklisted(*, site: Site, name: str, phone: str) -> BlacklistEntry | None:
    """The active refusal matching the phone, or the name when no phone is given."""
    entries = BlacklistEntry.objects.filter(site=site, is_active=True)
    if phone:
        return entries.filter(phone=phone).first()
    return entries.filter(name=name, phone="").first()


@transaction.atomic
def visitor_pass_create(*, actor_user, site: Site | int | None, name: str, valid_until: datetime | None,
                        kind: str = VisitorKind.VISITOR, phone: str = "", company: str = "", purpose: str = "",
                        unit: Asset | int | None = None, expected_at: datetime | None = None,
                        walk_in: bool = False) -> VisitorPass:
    """Register a visitor or contractor (expected, or a walk-in let in at once) with a pass valid
    until a time; a refused person (blacklist) is 409 `blacklisted`."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.DESK_ROLES, _("Your role may not register visitors."))
    found_site = _visible_site(actor, site)
    if kind not in VisitorKind.values:
        raise field_error("kind", _("Unknown kind."))
    name = _text(name, "name", 100, required=True)
    phone = _phone(phone)
    company = _text(company, "company", 100, required=kind == VisitorKind.CONTRACTOR)
    purpose = _text(purpose, "purpose", 200)
    found_unit = None
    if unit not in (None, ""):
        found_unit = _visible_unit(actor, unit)
        if found_unit.site_id != found_site.pk:
            raise field_error("unit", _("The unit is not on this site."))
    now = timezone.now()
    if valid_until is None:
        raise required_field("valid_until")
    if valid_until <= now:
        raise field_error("valid_until", _("The pass must be valid beyond now."))
    if valid_until > now + timedelta(hours=MAX_VISIT_HOURS):
        raise field_error("valid_until", _("A pass is valid for at most 31 days."))
    refused = blacklisted(site=found_site, name=name, phone=phone)
    if refused is not None:
        raise Conflict(_("This person is refused at this site: %(reason)s") % {"reason": refused.reason},
                       code="blacklisted")
    status = VisitStatus.ARRIVED if walk_in else VisitStatus.EXPECTED
    visit = VisitorPass.objects.create(
        number=next_number(prefix="FK", day=timezone.localdate(now)), site=found_site, kind=kind, name=name,
        phone=phone, company=company, purpose=purpose, unit=found_unit, expected_at=expected_at,
        valid_until=valid_until, status=status, arrived_at=now if walk_in else None, created_by=actor_user,
        created_at=now, updated_at=now)
    VisitorPassEvent.objects.create(visitor_pass=visit, action=VisitAction.CREATE, actor=actor_user, created_at=now,
                                    to_status=status, data={"walk_in": bool(walk_in)})
    return visit


def _visit_apply(visit: VisitorPass, actor: Actor, action: str, data: dict, now) -> Change:
    if action == VisitAction.ARRIVE:
        if visit.valid_until <= now:
            raise Conflict(_("The pass expired at %(when)s.") % {
                "when": formats.date_format(timezone.localtime(visit.valid_until), "DATETIME_FORMAT")},
                code="expired")
        refused = blacklisted(site=visit.site, name=visit.name, phone=visit.phone)
        if refused is not None:
            raise Conflict(_("This person is refused at this site: %(reason)s") % {"reason": refused.reason},
                           code="blacklisted")
        return Change(changes={"arrived_at": now})
    if action == VisitAction.DEPART:
        return Change(changes={"departed_at": now})
    return Change(body=_text(data.get("reason"), "reason", MAX_REASON))


def _visit_record(visit: VisitorPass, *, action: str, actor_user, now, from_status: str, to_status: str,
                  change: Change) -> VisitorPassEvent:
    return VisitorPassEvent.objects.create(visitor_pass=visit, action=action, actor=actor_user, created_at=now,
                                           from_status=from_status, to_status=to_status, body=change.body,
                                           data=change.data)


VISIT_FLOW: Workflow[VisitorPass] = Workflow(
    model=VisitorPass, table=workflow.VISIT_TABLE, subject=gettext_lazy("visitor pass"),
    not_found=gettext_lazy("Visitor pass not found."), action_label=choices_label(VisitAction),
    status_label=choices_label(VisitStatus), queryset=lambda: VisitorPass.objects.select_related("site"),
    can_see=lambda actor, visit: selectors.site_visible(actor, visit.site_id), apply=_visit_apply,
    record_event=_visit_record)


def visitor_pass_transition(*, visitor_pass: VisitorPass | int, action: str, actor_user,
                            expected_version: int | None = None, **data: Any) -> VisitorPass:
    """Arrive (within the validity, not refused meanwhile), leave, cancel — through the kernel's gate."""
    actor = require_actor(actor_user)
    return run_transition(VISIT_FLOW, obj=visitor_pass, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)


# --- keys ----------------------------------------------------------------------------------------

@transaction.atomic
def key_loan_create(*, actor_user, key: Key | int | None, borrower: str, due_at: datetime | None,
                    borrower_phone: str = "", company: str = "", purpose: str = "", signature: str = "") -> KeyLoan:
    """Lend a key with the borrower's signature and a due time; a key already out is 409 `key_out`."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.DESK_ROLES, _("Your role may not lend keys."))
    if key is None or key == "":
        raise required_field("key")
    key_id = key.pk if isinstance(key, Key) else key
    found = Key.objects.filter(site_scope_q(actor, "site__"), pk=key_id, is_active=True).first()
    if found is None:
        raise field_error("key", _("Unknown key."))
    signature = signature or ""
    if signature and (not signature.startswith("data:image/png;base64,") or len(signature) > 200_000):
        raise field_error("signature", _("The signature must be a PNG drawing."))
    now = timezone.now()
    if due_at is None:
        raise required_field("due_at")
    if due_at <= now:
        raise field_error("due_at", _("The due time must be in the future."))
    Key.objects.select_for_update().filter(pk=found.pk).first()  # two desks lending one key queue here
    if KeyLoan.objects.filter(key=found, status=LoanStatus.OUT).exists():
        raise Conflict(_("This key is out on loan."), code="key_out")
    loan = KeyLoan.objects.create(key=found, borrower=_text(borrower, "borrower", 100, required=True),
                                  borrower_phone=_phone(borrower_phone, "borrower_phone"),
                                  company=_text(company, "company", 100), purpose=_text(purpose, "purpose", 200),
                                  signature=signature, due_at=due_at, created_by=actor_user, created_at=now,
                                  updated_at=now)
    KeyLoanEvent.objects.create(loan=loan, action=LoanAction.CREATE, actor=actor_user, created_at=now,
                                to_status=LoanStatus.OUT)
    return loan


def _loan_record(loan: KeyLoan, *, action: str, actor_user, now, from_status: str, to_status: str,
                 change: Change) -> KeyLoanEvent:
    return KeyLoanEvent.objects.create(loan=loan, action=action, actor=actor_user, created_at=now,
                                       from_status=from_status, to_status=to_status, data=change.data)


LOAN_FLOW: Workflow[KeyLoan] = Workflow(
    model=KeyLoan, table=workflow.LOAN_TABLE, subject=gettext_lazy("key loan"),
    not_found=gettext_lazy("Key loan not found."), action_label=choices_label(LoanAction),
    status_label=choices_label(LoanStatus), queryset=lambda: KeyLoan.objects.select_related("key"),
    can_see=lambda actor, loan: selectors.site_visible(actor, loan.key.site_id),
    apply=lambda loan, actor, action, data, now: Change(changes={"returned_at": now},
                                                         data={"overdue": loan.due_at < now}),
    record_event=_loan_record)


def key_loan_transition(*, key_loan: KeyLoan | int, action: str, actor_user, expected_version: int | None = None,
                        **data: Any) -> KeyLoan:
    """Take a key back — through the kernel's gate (a second return is 409)."""
    actor = require_actor(actor_user)
    return run_transition(LOAN_FLOW, obj=key_loan, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)


# --- parcels -------------------------------------------------------------------------------------

@transaction.atomic
def parcel_receive(*, actor_user, unit: Asset | int | None, recipient: Customer | int | None = None,
                   sender: str = "", carrier: str = "", tracking_number: str = "",
                   is_registered_mail: bool = False) -> Parcel:
    """Sign for a parcel or registered letter for an occupant of the unit; a six-digit pickup code
    is issued for collection."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.DESK_ROLES, _("Your role may not sign for parcels."))
    found_unit = _visible_unit(actor, unit)
    customer = None
    if recipient is not None and recipient != "":
        recipient_id = recipient.pk if isinstance(recipient, Customer) else recipient
        customer = visible_customers(actor).filter(pk=recipient_id).first()
        if customer is None or not selectors.is_occupant(customer_id=customer.pk, unit_id=found_unit.pk):
            raise field_error("recipient", _("The recipient is not an occupant of this unit."), "not_occupant")
    now = timezone.now()
    parcel = Parcel.objects.create(
        number=next_number(prefix="KD", day=timezone.localdate(now)), unit=found_unit, recipient=customer,
        sender=_text(sender, "sender", 100), carrier=_text(carrier, "carrier", 50),
        tracking_number=_text(tracking_number, "tracking_number", 64), is_registered_mail=bool(is_registered_mail),
        pickup_code=f"{secrets.randbelow(10**6):06d}", created_by=actor_user, created_at=now, updated_at=now)
    ParcelEvent.objects.create(parcel=parcel, action=ParcelAction.CREATE, actor=actor_user, created_at=now,
                               to_status=ParcelStatus.RECEIVED)
    return parcel


def _parcel_apply(parcel: Parcel, actor: Actor, action: str, data: dict, now) -> Change:
    if action == ParcelAction.COLLECT:
        code = str(data.get("pickup_code") or "").strip()
        if not secrets.compare_digest(code, parcel.pickup_code):
            raise field_error("pickup_code", _("The pickup code does not match."), "wrong_code")
        signed = _text(data.get("signed_by"), "signed_by", 100) or (parcel.recipient.name if parcel.recipient else "")
    else:
        signed = _text(data.get("signed_by"), "signed_by", 100, required=True)
    return Change(changes={"handed_over_at": now, "handed_over_by_id": actor.user_id, "signed_by": signed},
                  data={"signed_by": signed})


def _parcel_record(parcel: Parcel, *, action: str, actor_user, now, from_status: str, to_status: str,
                   change: Change) -> ParcelEvent:
    return ParcelEvent.objects.create(parcel=parcel, action=action, actor=actor_user, created_at=now,
                                      from_status=from_status, to_status=to_status, data=change.data)


PARCEL_FLOW: Workflow[Parcel] = Workflow(
    model=Parcel, table=workflow.PARCEL_TABLE, subject=gettext_lazy("parcel"),
    not_found=gettext_lazy("Parcel not found."), action_label=choices_label(ParcelAction),
    status_label=choices_label(ParcelStatus),
    queryset=lambda: Parcel.objects.select_related("unit", "unit__site", "recipient"),
    can_see=lambda actor, parcel: selectors.site_visible(actor, parcel.unit.site_id), apply=_parcel_apply,
    record_event=_parcel_record)


def parcel_transition(*, parcel: Parcel | int, action: str, actor_user, expected_version: int | None = None,
                      **data: Any) -> Parcel:
    """Deliver (a steward, with who signed) or collect (with the pickup code) — once, through the gate."""
    actor = require_actor(actor_user)
    return run_transition(PARCEL_FLOW, obj=parcel, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)


# --- renovations ------------------------------------------------------------------------------------

DEFAULT_WORKING_HOURS = "08:00–12:00, 14:00–18:00"
MAX_RENOVATION_DAYS = 366


def _money(value: Any, field: str, *, required: bool = False) -> Decimal:
    """A non-negative amount in yuan (zero when left empty and not required)."""
    if value is None or value == "":
        if required:
            raise required_field(field)
        return Decimal("0.00")
    if str(value).strip() in ("0", "0.0", "0.00"):
        if required:
            raise field_error(field, _("The amount must be more than zero."))
        return Decimal("0.00")
    return _amount(value, field)


def _date(value: Any, field: str, *, required: bool = True) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            raise required_field(field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise field_error(field, _("Enter a date as YYYY-MM-DD.")) from None


@transaction.atomic
def renovation_apply(*, actor_user, unit: Asset | int | None, applicant: Customer | int | None, description: str,
                     starts_on: Any, ends_on: Any, contractor: str = "") -> Renovation:
    """A renovation application for an occupant of the unit (the desk or the steward enters it)."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.DESK_ROLES, _("Your role may not take renovation applications."))
    found_unit = _visible_unit(actor, unit)
    if applicant is None or applicant == "":
        raise required_field("applicant")
    applicant_id = applicant.pk if isinstance(applicant, Customer) else applicant
    customer = visible_customers(actor).filter(pk=applicant_id).first()
    if customer is None or not selectors.is_occupant(customer_id=customer.pk, unit_id=found_unit.pk):
        raise field_error("applicant", _("The applicant is not an occupant of this unit."), "not_occupant")
    description = _text(description, "description", 500, required=True)
    start = _date(starts_on, "starts_on")
    end = _date(ends_on, "ends_on")
    assert start is not None and end is not None  # required
    if start < timezone.localdate():
        raise field_error("starts_on", _("The works cannot start in the past."))
    if end < start:
        raise field_error("ends_on", _("The works end before they start."))
    if (end - start).days > MAX_RENOVATION_DAYS:
        raise field_error("ends_on", _("A permit covers at most a year of works."))
    now = timezone.now()
    renovation = Renovation.objects.create(
        number=next_number(prefix="ZX", day=timezone.localdate(now)), unit=found_unit, applicant=customer,
        contractor=_text(contractor, "contractor", 100), description=description, starts_on=start, ends_on=end,
        created_by=actor_user, created_at=now, updated_at=now)
    RenovationEvent.objects.create(renovation=renovation, action=RenovationAction.CREATE, actor=actor_user,
                                   created_at=now, to_status=RenovationStatus.APPLIED, body=description)
    return renovation


def _tick(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def _renovation_apply_action(renovation: Renovation, actor: Actor, action: str, data: dict, now) -> Change:
    note = _text(data.get("reason") or data.get("note"), "reason", MAX_REASON)
    if action == RenovationAction.REVIEW:
        checklist = {code: _tick(data.get(code)) for code, _label in RENOVATION_CHECKLIST}
        for code, passed in checklist.items():
            if not passed:
                raise field_error(code, _("Every checklist point must pass before the deposit is asked for; "
                                          "otherwise reject the application."), "checklist")
        return Change(changes={"checklist": checklist}, data={"checklist": checklist}, body=note)
    if action == RenovationAction.PAY:
        deposit = _money(data.get("deposit"), "deposit", required=True)
        fee = _money(data.get("fee"), "fee")
        hours = _text(data.get("working_hours"), "working_hours", 100) or DEFAULT_WORKING_HOURS
        rules = _text(data.get("rules"), "rules", 1000)
        return Change(changes={"deposit": deposit, "fee": fee, "working_hours": hours, "rules": rules},
                      data={"deposit": str(deposit), "fee": str(fee), "working_hours": hours})
    if action in (RenovationAction.INSPECT, RenovationAction.ORDER):
        finding = _text(data.get("finding"), "finding", 1000, required=action == RenovationAction.ORDER)
        if action == RenovationAction.INSPECT:
            return Change(body=finding, data={"result": "ok"})
        deadline = _date(data.get("rectify_by"), "rectify_by")
        assert deadline is not None  # required
        if deadline < timezone.localdate(now):
            raise field_error("rectify_by", _("The deadline is in the past."))
        penalty = _money(data.get("penalty"), "penalty")
        if renovation.penalties + penalty > renovation.deposit:
            raise field_error("penalty", _("The penalties may not exceed the deposit (¥%(deposit)s).") % {
                "deposit": renovation.deposit})
        return Change(changes={"rectify_by": deadline, "penalties": renovation.penalties + penalty}, body=finding,
                      data={"result": "violation", "rectify_by": deadline.isoformat(), "penalty": str(penalty)})
    if action == RenovationAction.RECTIFIED:
        return Change(changes={"rectify_by": None}, body=note)
    if action == RenovationAction.REFUND:
        refund = max(renovation.deposit - renovation.penalties, Decimal("0.00"))
        return Change(changes={"refund": refund}, body=note,
                      data={"deposit": str(renovation.deposit), "penalties": str(renovation.penalties),
                            "refund": str(refund)})
    return Change(body=note)


def _renovation_record(renovation: Renovation, *, action: str, actor_user, now, from_status: str, to_status: str,
                       change: Change) -> RenovationEvent:
    return RenovationEvent.objects.create(renovation=renovation, action=action, actor=actor_user, created_at=now,
                                          from_status=from_status, to_status=to_status, body=change.body,
                                          data=change.data)


RENOVATION_FLOW: Workflow[Renovation] = Workflow(
    model=Renovation, table=workflow.RENOVATION_TABLE, subject=gettext_lazy("renovation permit"),
    not_found=gettext_lazy("Renovation permit not found."), action_label=choices_label(RenovationAction),
    status_label=choices_label(RenovationStatus),
    queryset=lambda: Renovation.objects.select_related("unit", "unit__site", "applicant"),
    can_see=lambda actor, renovation: selectors.site_visible(actor, renovation.unit.site_id),
    apply=_renovation_apply_action, record_event=_renovation_record)


def renovation_transition(*, renovation: Renovation | int, action: str, actor_user,
                          expected_version: int | None = None, **data: Any) -> Renovation:
    """Review (every checklist point), reject, deposit paid (permit issued), site check passed,
    rectification ordered (finding, deadline, penalty), rectified, acceptance, deposit refund
    (deposit minus penalties; only after acceptance), cancel — through the kernel's gate."""
    actor = require_actor(actor_user)
    return run_transition(RENOVATION_FLOW, obj=renovation, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)


# --- dunning ----------------------------------------------------------------------------------------

def dunning_step(age_days: int) -> tuple[int, str]:
    """The ladder's level and first method for arrears that old."""
    for limit, level, method in DUNNING_LADDER:
        if limit is None or age_days <= limit:
            return level, method
    raise AssertionError("the ladder ends with an open step")  # pragma: no cover


@transaction.atomic
def dunning_round(*, actor_user, site: Site | int | None, today: date | None = None,
                  min_balance: Any = "1") -> int:
    """A dunning round of one site: a task for every unit in arrears (past due, balance at least
    `min_balance`) that has none open, at the ladder's level for the age of its arrears, to
    chase within a day (level 4: escalated to the manager at once). Idempotent: a second round
    the same day adds nothing. Returns the number of tasks made."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.DUNNING_ROLES, _("Your role may not start dunning rounds."))
    found_site = _visible_site(actor, site)
    today = today or timezone.localdate()
    floor = _amount(min_balance, "min_balance")
    Site.objects.select_for_update().filter(pk=found_site.pk).first()  # two rounds of one site queue here
    open_units = DunningTask.objects.exclude(status=DunningStatus.CLOSED).values("unit_id")
    balances = list(UnitBalance.objects.filter(site=found_site, balance__gte=floor, oldest_unpaid_due__lt=today)
                    .exclude(unit_id__in=open_units).order_by("oldest_unpaid_due", "unit_id"))
    now = timezone.now()
    made = []
    for row in balances:
        assert row.oldest_unpaid_due is not None  # filtered
        level, method = dunning_step((today - row.oldest_unpaid_due).days)
        made.append(DunningTask(unit_id=row.unit_id, site=found_site, level=level, method=method,
                                balance=row.balance, oldest_due=row.oldest_unpaid_due, due_on=today + timedelta(days=1),
                                status=DunningStatus.ESCALATED if level >= 4 else DunningStatus.OPEN,
                                created_by=actor_user, created_at=now, updated_at=now))
    DunningTask.objects.bulk_create(made, batch_size=1000)
    DunningEvent.objects.bulk_create([DunningEvent(task=task, action=DunningAction.CREATE, actor=actor_user,
                                                   created_at=now, to_status=task.status,
                                                   data={"level": task.level, "balance": str(task.balance)})
                                      for task in made])
    return len(made)


def _occupant_phones(unit_id: int) -> list[str]:
    from kefu.customers.models import CustomerPhone

    occupants = CustomerAsset.objects.filter(asset_id=unit_id, ended_on=None, customer__deleted_at=None)
    return list(CustomerPhone.objects.filter(customer_id__in=occupants.values("customer_id"))
                .order_by("-is_primary", "id").values_list("number", flat=True)[:1])


def _dunning_apply(task: DunningTask, actor: Actor, action: str, data: dict, now) -> Change:
    note = _text(data.get("note") or data.get("reason"), "note", MAX_REASON)
    if action == DunningAction.ATTEMPT:
        method = str(data.get("method") or "")
        if method not in DunningMethod.values:
            raise field_error("method", _("Choose how the occupant was reminded."))
        event_data: dict[str, Any] = {"method": method}
        after = None
        if method == DunningMethod.SMS:
            phones = _occupant_phones(task.unit_id)
            if not phones:
                raise field_error("method", _("No occupant of the unit has a phone on file."), "no_phone")
            from kefu.notifications.services import outbox_enqueue

            balance = UnitBalance.objects.filter(pk=task.unit_id).values_list("balance", flat=True).first()
            text = _("Fee reminder: unit %(unit)s owes ¥%(balance)s (oldest due %(due)s). Please settle it at the "
                     "property office. Thank you.") % {"unit": task.unit.code, "balance": balance,
                                                        "due": task.oldest_due.isoformat()}

            def after() -> None:
                message = outbox_enqueue(channel="sms", to_address=phones[0], subject=text[:255], body=text,
                                         kind="notice", params={"unit": task.unit.code, "balance": str(balance)})
                event_data["outbox"] = message.pk
        return Change(changes={"attempts": task.attempts + 1}, data=event_data, body=note, after=after)
    if action == DunningAction.PROMISE:
        promised = _date(data.get("promise_date"), "promise_date")
        assert promised is not None  # required
        if promised < timezone.localdate(now):
            raise field_error("promise_date", _("The promised date is in the past."))
        amount = _money(data.get("promise_amount"), "promise_amount")
        return Change(changes={"promise_date": promised, "promise_amount": amount or None}, body=note,
                      data={"promise_date": promised.isoformat(), "promise_amount": str(amount)})
    if action == DunningAction.ESCALATE:
        return Change(changes={"level": max(task.level, 4)}, body=note)
    if task.status == DunningStatus.ESCALATED and actor.role not in workflow.REFUND_ROLES:
        raise NotAllowed(_("Only a manager closes an escalated task."), code="role_not_allowed")
    return Change(body=note)


def _dunning_record(task: DunningTask, *, action: str, actor_user, now, from_status: str, to_status: str,
                    change: Change) -> DunningEvent:
    return DunningEvent.objects.create(task=task, action=action, actor=actor_user, created_at=now,
                                       from_status=from_status, to_status=to_status, body=change.body,
                                       data=change.data)


DUNNING_FLOW: Workflow[DunningTask] = Workflow(
    model=DunningTask, table=workflow.DUNNING_TABLE, subject=gettext_lazy("dunning task"),
    not_found=gettext_lazy("Dunning task not found."), action_label=choices_label(DunningAction),
    status_label=choices_label(DunningStatus), queryset=lambda: DunningTask.objects.select_related("unit"),
    can_see=lambda actor, task: selectors.site_visible(actor, task.site_id), apply=_dunning_apply,
    record_event=_dunning_record)


def dunning_transition(*, task: DunningTask | int, action: str, actor_user, expected_version: int | None = None,
                       **data: Any) -> DunningTask:
    """Record an attempt (an SMS goes through the outbox to the occupant), a promise to pay (date,
    amount), escalate to the manager, close — through the kernel's gate."""
    actor = require_actor(actor_user)
    return run_transition(DUNNING_FLOW, obj=task, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)


# --- bill import (the finance system's xlsx) -------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
IMPORT_COLUMNS = ("unit", "item", "period", "amount", "due_date")


def _cell_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def _import_rows(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(sheet row number, values by column) of the first sheet; the first row names the columns."""
    from io import BytesIO

    from openpyxl import load_workbook

    if len(content) > MAX_IMPORT_BYTES:
        raise field_error("file", _("The file is larger than 5 MB."))
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not xlsx
        raise field_error("file", _("This is not an xlsx file.")) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v or "").strip().lower() for v in next(rows, ())]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise field_error("file", _("The first row must name the columns %(columns)s; missing: %(missing)s.") % {
            "columns": ", ".join(IMPORT_COLUMNS), "missing": ", ".join(missing)})
    out: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        if len(out) >= MAX_IMPORT_ROWS:
            raise field_error("file", _("At most %(n)s rows per file.") % {"n": MAX_IMPORT_ROWS})
        out.append((number, {name: values[i] if i < len(values) else None for i, name in enumerate(header)}))
    book.close()
    return out


@transaction.atomic
def bills_import(*, actor_user, content: bytes) -> dict[str, Any]:
    """Bills from the finance system's xlsx (columns unit, item, period, amount, due_date; unit
    and item by their codes). Every row is validated first; any error → nothing is written and
    the errors are returned per row (`{"row", "field", "message"}`). Otherwise a row with no bill
    yet creates one, a row whose amount or due date differs corrects the bill (source "import"),
    an equal row changes nothing — so importing the same file twice is harmless. Balances follow."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.FEE_ROLES, _("Your role may not enter bills."))
    rows = _import_rows(content)
    units = {a.code: a for a in Asset.objects.filter(selectors.unit_scope_q(actor, ""), kind="unit",
                                                     code__in={str(r["unit"] or "").strip() for _n, r in rows})}
    items: dict[tuple[int | None, str], FeeItem] = {(i.site_id, i.code): i for i in FeeItem.objects.filter(
        site_scope_q(actor, "site__"), is_active=True)}
    errors: list[dict[str, Any]] = []
    clean: list[tuple[Asset, FeeItem, str, Decimal, date]] = []
    seen: set[tuple[int, int, str]] = set()
    for number, row in rows:
        def fail(field: str, message: str, number: int = number) -> None:
            errors.append({"row": number, "field": field, "message": str(message)})

        unit = units.get(str(row.get("unit") or "").strip())
        if unit is None:
            fail("unit", _("Unknown unit."))
            continue
        item = items.get((unit.site_id, str(row.get("item") or "").strip()))
        if item is None:
            fail("item", _("Choose an active fee item of the unit's site."))
            continue
        period = str(row.get("period") or "").strip()
        if not _PERIOD.match(period):
            fail("period", _("Enter the period as YYYY-MM, e.g. 2026-11."))
            continue
        try:
            amount = _amount(row.get("amount"))
        except InvalidInput as error:
            fail("amount", error.message)
            continue
        due = _cell_date(row.get("due_date"))
        if due is None:
            fail("due_date", _("Enter a date as YYYY-MM-DD."))
            continue
        key = (unit.pk, item.pk, period)
        if key in seen:
            fail("period", _("The file lists this unit, item and period twice."))
            continue
        seen.add(key)
        clean.append((unit, item, period, amount, due))
    if errors:
        return {"created": 0, "corrected": 0, "unchanged": 0, "errors": errors}
    # Lock every unit's balance row first, in unit order (the writers' lock), then read the bills.
    locked = {unit.pk: _locked_balance(unit) for unit in sorted({u.pk: u for u, *_r in clean}.values(),
                                                                 key=lambda u: u.pk)}
    existing = {(b.unit_id, b.item_id, b.period): b for b in Bill.objects.filter(
        unit_id__in={u.pk for u, *_rest in clean}, period__in={p for _u, _i, p, _a, _d in clean})}
    now = timezone.now()
    created = corrected = unchanged = 0
    touched: set[int] = set()
    for unit, item, period, amount, due in sorted(clean, key=lambda r: r[0].pk):
        bill = existing.get((unit.pk, item.pk, period))
        if bill is None:
            Bill.objects.create(unit=unit, item=item, period=period, amount=amount, due_date=due,
                                source=BillSource.IMPORT, created_by=actor_user, created_at=now)
            created += 1
        elif (bill.amount, bill.due_date) != (amount, due):
            Bill.objects.filter(pk=bill.pk).update(amount=amount, due_date=due, source=BillSource.IMPORT)
            corrected += 1
        else:
            unchanged += 1
            continue
        touched.add(unit.pk)
    for unit_id in sorted(touched):
        balance_recompute(balance=locked[unit_id], now=now)
    return {"created": created, "corrected": corrected, "unchanged": unchanged, "errors": []}


# --- items lent to occupants ---------------------------------------------------------------------------

@transaction.atomic
def item_loan_create(*, actor_user, item: LendItem | int | None, borrower: str, due_at: datetime | None,
                     unit: Asset | int | None = None) -> ItemLoan:
    """Lend an item (umbrella, cart, tool) to an occupant until a due time; an item already out
    is 409 `item_out`."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.DESK_ROLES, _("Your role may not lend items."))
    if item is None or item == "":
        raise required_field("item")
    item_id = item.pk if isinstance(item, LendItem) else item
    found = LendItem.objects.filter(site_scope_q(actor, "site__"), pk=item_id, is_active=True).first()
    if found is None:
        raise field_error("item", _("Unknown item."))
    found_unit = None
    if unit not in (None, ""):
        found_unit = _visible_unit(actor, unit)
        if found_unit.site_id != found.site_id:
            raise field_error("unit", _("The unit is not on this site."))
    borrower = _text(borrower, "borrower", 100, required=True)
    now = timezone.now()
    if due_at is None:
        raise required_field("due_at")
    if due_at <= now:
        raise field_error("due_at", _("The due time must be in the future."))
    LendItem.objects.select_for_update().filter(pk=found.pk).first()  # two desks lending one item queue here
    if ItemLoan.objects.filter(item=found, status=LoanStatus.OUT).exists():
        raise Conflict(_("This item is out on loan."), code="item_out")
    loan = ItemLoan.objects.create(item=found, unit=found_unit, borrower=borrower, due_at=due_at,
                                   created_by=actor_user, created_at=now, updated_at=now)
    ItemLoanEvent.objects.create(loan=loan, action=LoanAction.CREATE, actor=actor_user, created_at=now,
                                 to_status=LoanStatus.OUT)
    return loan


def _item_loan_record(loan: ItemLoan, *, action: str, actor_user, now, from_status: str, to_status: str,
                      change: Change) -> ItemLoanEvent:
    return ItemLoanEvent.objects.create(loan=loan, action=action, actor=actor_user, created_at=now,
                                        from_status=from_status, to_status=to_status, data=change.data)


ITEM_LOAN_FLOW: Workflow[ItemLoan] = Workflow(
    model=ItemLoan, table=workflow.ITEM_LOAN_TABLE, subject=gettext_lazy("item loan"),
    not_found=gettext_lazy("Item loan not found."), action_label=choices_label(LoanAction),
    status_label=choices_label(LoanStatus), queryset=lambda: ItemLoan.objects.select_related("item"),
    can_see=lambda actor, loan: selectors.site_visible(actor, loan.item.site_id),
    apply=lambda loan, actor, action, data, now: Change(changes={"returned_at": now},
                                                         data={"overdue": loan.due_at < now}),
    record_event=_item_loan_record)


def item_loan_transition(*, item_loan: ItemLoan | int, action: str, actor_user,
                         expected_version: int | None = None, **data: Any) -> ItemLoan:
    """Take an item back — through the kernel's gate (a second return is 409)."""
    actor = require_actor(actor_user)
    return run_transition(ITEM_LOAN_FLOW, obj=item_loan, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)


# --- violations -------------------------------------------------------------------------------------------

@transaction.atomic
def violation_record(*, actor_user, unit: Asset | int | None, kind: str, description: str,
                     rectify_by: Any = None, penalty: Any = None) -> Violation:
    """Record an occupant's violation against the unit, with a rectification deadline and a
    penalty when given."""
    actor = require_actor(actor_user)
    _require_role(actor, workflow.APPROVER_ROLES, _("Your role may not record violations."))
    found_unit = _visible_unit(actor, unit)
    if kind not in ViolationKind.values:
        raise field_error("kind", _("Unknown kind."))
    description = _text(description, "description", 500, required=True)
    deadline = _date(rectify_by, "rectify_by", required=False)
    if deadline is not None and deadline < timezone.localdate():
        raise field_error("rectify_by", _("The deadline is in the past."))
    amount = _money(penalty, "penalty")
    now = timezone.now()
    violation = Violation.objects.create(
        number=next_number(prefix="WG", day=timezone.localdate(now)), unit=found_unit, kind=kind,
        description=description, rectify_by=deadline, penalty=amount, created_by=actor_user, created_at=now,
        updated_at=now)
    ViolationEvent.objects.create(violation=violation, action=ViolationAction.CREATE, actor=actor_user,
                                  created_at=now, to_status=ViolationStatus.OPEN, body=description,
                                  data={"penalty": str(amount)})
    return violation


def _violation_record_event(violation: Violation, *, action: str, actor_user, now, from_status: str,
                            to_status: str, change: Change) -> ViolationEvent:
    return ViolationEvent.objects.create(violation=violation, action=action, actor=actor_user, created_at=now,
                                         from_status=from_status, to_status=to_status, body=change.body)


VIOLATION_FLOW: Workflow[Violation] = Workflow(
    model=Violation, table=workflow.VIOLATION_TABLE, subject=gettext_lazy("violation"),
    not_found=gettext_lazy("Violation not found."), action_label=choices_label(ViolationAction),
    status_label=choices_label(ViolationStatus), queryset=lambda: Violation.objects.select_related("unit"),
    can_see=lambda actor, violation: selectors.site_visible(actor, violation.unit.site_id),
    apply=lambda violation, actor, action, data, now: Change(
        body=_text(data.get("reason"), "reason", MAX_REASON)),
    record_event=_violation_record_event)


def violation_transition(*, violation: Violation | int, action: str, actor_user,
                         expected_version: int | None = None, **data: Any) -> Violation:
    """Rectified (checked by the steward) or cancelled (a supervisor, with a reason) — through the gate."""
    actor = require_actor(actor_user)
    return run_transition(VIOLATION_FLOW, obj=violation, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)
