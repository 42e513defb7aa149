"""Every write of vendors: vendors and contracts, nonconformities (raised from a patrol finding,
a complaint or a QA check; replied by the vendor; verified), monthly scorecards (computed from
records, manual lines, signed off by a manager) and the settlement they fix.

Nonconformities and scorecards change state only through the kernel's gate (`run_transition`:
row lock, table, compare-and-swap on `version`, one event each)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import Conflict, NotAllowed, NotFound, field_error, required_field
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, run_transition
from kefu.org.choices import DepartmentKind, RoleCode
from kefu.org.models import Department
from kefu.org.selectors import Actor, require_actor
from kefu.vendors import scorecards, selectors, workflow
from kefu.vendors.choices import (
    Metric,
    NonconformityAction,
    NonconformitySource,
    NonconformityStatus,
    ScorecardAction,
    ScorecardStatus,
    ServiceScope,
)
from kefu.vendors.models import (
    AssessmentItem,
    Contract,
    Nonconformity,
    NonconformityEvent,
    Scorecard,
    ScorecardEvent,
    ScorecardLine,
    Vendor,
)

MAX_MONEY = Decimal("9999999999.99")


def _require(actor_user: Any, roles: frozenset[str], message: str) -> Actor:
    actor = require_actor(actor_user)
    if actor.role not in roles:
        raise NotAllowed(message)
    return actor


def _money(field: str, value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter a valid amount.")) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONEY or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise field_error(field, _("Enter an amount between 0 and 9999999999.99 with at most two decimals."))
    return amount


# --- vendors and contracts -------------------------------------------------------------------------

@transaction.atomic
def vendor_create(*, actor_user: Any, name: str, service_scope: str, team: Department, licence_no: str = "",
                  contact_name: str = "", contact_phone: str = "", routes: list[Any] | None = None) -> Vendor:
    """A vendor working as `team` (its staff with the vendor role are its users)."""
    _require(actor_user, workflow.MANAGER_ROLES, _("Only supervisors and above may manage vendors."))
    name = (name or "").strip()
    if not name:
        raise required_field("name")
    if len(name) > 100:
        raise field_error("name", _("Keep the name under 100 characters."))
    if Vendor.objects.filter(name=name).exists():
        raise field_error("name", _("A vendor with this name exists."), "duplicate")
    if service_scope not in ServiceScope.values:
        raise field_error("service_scope", _("Choose a service scope."))
    if not isinstance(team, Department) or team.kind != DepartmentKind.TEAM or not team.is_active:
        raise field_error("team", _("Choose an active team."))
    if Vendor.objects.filter(team=team).exists():
        raise field_error("team", _("This team already belongs to a vendor."))
    vendor = Vendor.objects.create(name=name, service_scope=service_scope, team=team,
                                   licence_no=(licence_no or "").strip()[:32],
                                   contact_name=(contact_name or "").strip()[:50],
                                   contact_phone=(contact_phone or "").strip()[:32])
    if routes:
        vendor.routes.set(routes)
    return vendor


@transaction.atomic
def contract_create(*, actor_user: Any, vendor: Vendor, number: str, starts_on: date, ends_on: date,
                    monthly_fee: Any, items: list[dict[str, Any]], service_items: list[str] | None = None,
                    pass_mark: Any = "80", penalty_per_nonconformity: Any = "0",
                    shortfall_deduction_percent: Any = "0") -> Contract:
    """A contract with its assessment form (weights add up to 100)."""
    _require(actor_user, workflow.MANAGER_ROLES, _("Only supervisors and above may manage vendors."))
    number = (number or "").strip()
    if not number or len(number) > 32:
        raise field_error("number", _("Give the contract number (up to 32 characters)."))
    if Contract.objects.filter(number=number).exists():
        raise field_error("number", _("A contract with this number exists."), "duplicate")
    if ends_on < starts_on:
        raise field_error("ends_on", _("The end must not be before the start."))
    if not items or len(items) > 30:
        raise field_error("items", _("The assessment form needs 1 to 30 items."))
    weights = []
    for n, item in enumerate(items, start=1):
        if item.get("metric") not in Metric.values:
            raise field_error("items", _("Item %(n)s: choose what it is measured by.") % {"n": n})
        try:
            weight = Decimal(str(item.get("weight")))
        except (InvalidOperation, ValueError):
            raise field_error("items", _("Item %(n)s: enter its weight.") % {"n": n}) from None
        if not weight.is_finite() or weight <= 0:
            raise field_error("items", _("Item %(n)s: enter its weight.") % {"n": n})
        weights.append(weight)
    if sum(weights) != 100:
        raise field_error("items", _("The weights add up to %(sum)s, not 100.") % {"sum": sum(weights)})
    pass_value = Decimal(str(pass_mark))
    percent = Decimal(str(shortfall_deduction_percent))
    if not (0 <= pass_value <= 100) or not (0 <= percent <= 100):
        raise field_error("pass_mark", _("Between 0 and 100."))
    contract = Contract.objects.create(
        vendor=vendor, number=number, starts_on=starts_on, ends_on=ends_on,
        monthly_fee=_money("monthly_fee", monthly_fee), pass_mark=pass_value,
        penalty_per_nonconformity=_money("penalty_per_nonconformity", penalty_per_nonconformity),
        shortfall_deduction_percent=percent, service_items=[str(s)[:100] for s in (service_items or [])][:50])
    for n, (item, weight) in enumerate(zip(items, weights, strict=True), start=1):
        AssessmentItem.objects.create(contract=contract, sequence=n, name=str(item.get("name") or "")[:100]
                                      or str(Metric(item["metric"]).label), metric=item["metric"], weight=weight)
    return contract


def contract_for_month(vendor: Vendor, month: date) -> Contract | None:
    start, end = scorecards.month_bounds(month)
    return (Contract.objects.filter(vendor=vendor, starts_on__lt=end.date(), ends_on__gte=start.date())
            .order_by("-starts_on").first())


# --- nonconformities ---------------------------------------------------------------------------------

@transaction.atomic
def nonconformity_create(*, actor_user: Any, vendor: Vendor, description: str, deadline: date,
                         source: str = NonconformitySource.QA, finding: Any = None, work_order: Any = None,
                         penalty: Any = None, found_at: datetime | None = None) -> Nonconformity:
    """Raise a nonconformity (penalty: the contract's per-nonconformity amount unless given). From
    a patrol finding, the finding is marked handled in the same transaction."""
    actor = _require(actor_user, workflow.INSPECTOR_ROLES | {RoleCode.STEWARD},
                     _("Your role may not raise vendor nonconformities."))
    description = (description or "").strip()
    if not description:
        raise required_field("description")
    if len(description) > 5000:
        raise field_error("description", _("Keep the description under 5000 characters."))
    if source not in NonconformitySource.values:
        raise field_error("source", _("Choose where it was found."))
    now = timezone.now()
    found_at = found_at or now
    if deadline < timezone.localtime(found_at).date():
        raise field_error("deadline", _("The deadline cannot be before the day it was found."))
    if finding is not None:
        from kefu.patrols.selectors import round_list_for_actor
        from kefu.patrols.services import finding_mark_nonconformity

        if not round_list_for_actor(actor=actor).filter(pk=finding.round_id).exists():
            raise NotFound(_("Finding not found."))
        finding_mark_nonconformity(finding_id=finding.pk)
        source = NonconformitySource.PATROL
    contract = contract_for_month(vendor, timezone.localtime(found_at).date())
    amount = _money("penalty", penalty) if penalty not in (None, "") else (
        contract.penalty_per_nonconformity if contract else Decimal("0"))
    nc = Nonconformity.objects.create(vendor=vendor, source=source, finding=finding, work_order=work_order,
                                      description=description, found_at=found_at, deadline=deadline, penalty=amount,
                                      created_by=actor_user, updated_at=now)
    NonconformityEvent.objects.create(nonconformity=nc, action=NonconformityAction.CREATE, actor=actor_user,
                                      created_at=now, to_status=NonconformityStatus.OPEN, body=description,
                                      data={"source": source, "penalty": str(amount), "deadline": deadline.isoformat()})
    return nc


def finding_nonconformity_prefill(finding: Any) -> dict[str, Any]:
    from kefu.patrols.services import finding_prefill

    values = finding_prefill(finding)
    return {"description": values["description"], "deadline": timezone.localdate() + timedelta(days=3)}


def _nc_apply(nc: Nonconformity, actor: Actor, action: str, data: dict[str, Any], now: datetime) -> Change:
    if action == NonconformityAction.REPLY:
        text = data["reply"].strip()[:5000]
        return Change(changes={"reply": text}, body=text)
    text = data["verification"].strip()[:5000]
    changes: dict[str, Any] = {"verification": text}
    if action == NonconformityAction.VERIFY:
        changes["closed_at"] = now
    return Change(changes=changes, body=text)


def _nc_can_see(actor: Actor, nc: Nonconformity) -> bool:
    return selectors.nonconformity_list_for_actor(actor=actor).filter(pk=nc.pk).exists()


def _nc_record(nc: Nonconformity, *, action: str, actor_user: Any, now: datetime, from_status: str, to_status: str,
               change: Change) -> NonconformityEvent:
    return NonconformityEvent.objects.create(nonconformity=nc, action=action, actor=actor_user, created_at=now,
                                             from_status=from_status, to_status=to_status, body=change.body,
                                             data=change.data)


NONCONFORMITY_FLOW = Workflow(
    model=Nonconformity, table=workflow.NONCONFORMITY_TABLE, subject=gettext_lazy("nonconformity"),
    not_found=gettext_lazy("Nonconformity not found."), action_label=choices_label(NonconformityAction),
    status_label=choices_label(NonconformityStatus), queryset=lambda: Nonconformity.objects.all(),
    can_see=_nc_can_see, apply=_nc_apply, record_event=_nc_record)


def nonconformity_transition(*, nonconformity: Nonconformity | int, action: str, actor_user: Any,
                             expected_version: int | None = None, **data: Any) -> Nonconformity:
    """Reply (the vendor), verify or reject (inspectors) through the kernel's gate."""
    return run_transition(NONCONFORMITY_FLOW, obj=nonconformity, action=action, actor=require_actor(actor_user),
                          actor_user=actor_user, expected_version=expected_version, data=data)


# --- scorecards ------------------------------------------------------------------------------------

@transaction.atomic
def scorecard_compute(*, actor_user: Any, vendor: Vendor, month: date,
                      manual: dict[int, Any] | None = None) -> Scorecard:
    """Compute (or recompute, while a draft) the vendor's scorecard for `month` from the records:
    one line per item of the contract's form, and the settlement. `manual`: values (0–100) of
    manual lines by sequence; a manual line keeps its earlier value unless given."""
    actor = _require(actor_user, workflow.MANAGER_ROLES, _("Only supervisors and above may compute scorecards."))
    if not selectors.can_see_vendor(actor, vendor.pk):
        raise NotFound(_("Vendor not found."))
    month = month.replace(day=1)
    contract = contract_for_month(vendor, month)
    if contract is None:
        raise field_error("month", _("The vendor has no contract for this month."))
    now = timezone.now()
    card, _created = Scorecard.objects.get_or_create(vendor=vendor, month=month,
                                                     defaults={"contract": contract, "updated_at": now})
    card = Scorecard.objects.select_for_update().get(pk=card.pk)
    if card.status == ScorecardStatus.SIGNED:
        raise Conflict(_("This scorecard is signed off and can no longer change."), code="signed")
    earlier = {line.sequence: line.value for line in card.lines.filter(metric=Metric.MANUAL)}
    manual = manual or {}
    start, end = scorecards.month_bounds(month)
    card.lines.all().delete()
    total = Decimal("0")
    for item in contract.items.order_by("sequence"):
        given = manual.get(item.sequence, earlier.get(item.sequence))
        if given not in (None, ""):
            try:
                given = Decimal(str(given))
            except InvalidOperation:
                raise field_error("manual", _("Enter a score between 0 and 100.")) from None
            if not given.is_finite() or not (0 <= given <= 100):
                raise field_error("manual", _("Enter a score between 0 and 100."))
        measured = scorecards.measure(item.metric, vendor=vendor, start=start, end=end)
        values = scorecards.line_values(measured, item.weight, given if item.metric == Metric.MANUAL else None)
        if measured is None:
            explanation = (_("Entered by the manager.") if values["value"] is not None
                           else _("Not entered yet: scores 0."))
        elif values["denominator"] == 0:
            explanation = _("No records this month: full weight.")
        else:
            explanation = _("%(n)s of %(d)s %(what)s") % {"n": values["numerator"], "d": values["denominator"],
                                                           "what": Metric(item.metric).label}
        line = ScorecardLine.objects.create(scorecard=card, item=item, sequence=item.sequence, name=item.name,
                                            metric=item.metric, weight=item.weight, explanation=explanation[:300],
                                            **values)
        ScorecardLine.objects.filter(pk=line.pk).update(
            url=f"/api/v1/vendor-scorecards/{card.pk}/records/?line={item.sequence}")
        total += values["score"]
    penalties = sum((nc.penalty for nc in Nonconformity.objects.filter(vendor=vendor, found_at__gte=start,
                                                                        found_at__lt=end)), Decimal("0"))
    fee = contract.monthly_fee
    shortfall = ((fee * contract.shortfall_deduction_percent / 100).quantize(scorecards.CENT)
                 if total < contract.pass_mark else Decimal("0"))
    payable = max(Decimal("0"), fee - penalties - shortfall)
    Scorecard.objects.filter(pk=card.pk).update(
        contract=contract, total=total, fee=fee, penalties=penalties, shortfall=shortfall, payable=payable,
        computed_at=now, updated_at=now, version=card.version + 1)
    ScorecardEvent.objects.create(scorecard=card, action=ScorecardAction.COMPUTE, actor=actor_user, created_at=now,
                                  from_status=card.status, to_status=card.status,
                                  data={"total": str(total), "payable": str(payable)})
    card.refresh_from_db()
    return card


def scorecard_records(*, scorecard: Scorecard, sequence: int) -> dict[str, Any]:
    """The records behind one line (what its numerator and denominator count)."""
    line = scorecard.lines.filter(sequence=sequence).first()
    if line is None:
        raise NotFound(_("Scorecard line not found."))
    start, end = scorecards.month_bounds(scorecard.month)
    measured = scorecards.measure(line.metric, vendor=scorecard.vendor, start=start, end=end)
    if measured is None:
        return {"line": sequence, "model": "manual", "ids": [], "counted": []}
    return {"line": sequence, "model": measured.model, "ids": measured.ids, "counted": measured.counted}


def _sc_apply(card: Scorecard, actor: Actor, action: str, data: dict[str, Any], now: datetime) -> Change:
    if card.lines.filter(metric=Metric.MANUAL, value__isnull=True).exists():
        raise Conflict(_("Enter every manual item before signing off."), code="manual_missing")
    return Change(changes={"signed_by_id": actor.user_id, "signed_at": now},
                  data={"total": str(card.total), "payable": str(card.payable)})


def _sc_authorize(actor: Actor, card: Scorecard, action: str, refusal: Refusal | None) -> None:
    return None


def _sc_record(card: Scorecard, *, action: str, actor_user: Any, now: datetime, from_status: str, to_status: str,
               change: Change) -> ScorecardEvent:
    return ScorecardEvent.objects.create(scorecard=card, action=action, actor=actor_user, created_at=now,
                                         from_status=from_status, to_status=to_status, data=change.data)


SCORECARD_FLOW = Workflow(
    model=Scorecard, table=workflow.SCORECARD_TABLE, subject=gettext_lazy("scorecard"),
    not_found=gettext_lazy("Scorecard not found."), action_label=choices_label(ScorecardAction),
    status_label=choices_label(ScorecardStatus), queryset=lambda: Scorecard.objects.select_related("vendor"),
    can_see=lambda actor, card: selectors.can_see_vendor(actor, card.vendor_id), authorize=_sc_authorize,
    apply=_sc_apply, record_event=_sc_record)


def scorecard_sign(*, scorecard: Scorecard | int, actor_user: Any, expected_version: int | None = None) -> Scorecard:
    """A manager signs the month off: the score and the settlement are then fixed."""
    return run_transition(SCORECARD_FLOW, obj=scorecard, action=ScorecardAction.SIGN, actor=require_actor(actor_user),
                          actor_user=actor_user, expected_version=expected_version)
