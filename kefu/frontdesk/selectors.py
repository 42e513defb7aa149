"""Reads of the front desk, scoped to what the actor may see: a unit's site lies in the actor's
department scope (the same rule as the customers app), otherwise 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kefu.customers.models import Asset, CustomerAsset, Site
from kefu.customers.selectors import asset_visibility_q, sees_all_customers, site_scope_q
from kefu.frontdesk import workflow
from kefu.frontdesk.choices import AgeBucket, LoanStatus, ParcelStatus, age_bucket
from kefu.frontdesk.models import (
    Bill,
    DunningTask,
    FeeItem,
    ItemLoan,
    Key,
    KeyLoan,
    LendItem,
    Parcel,
    Payment,
    ReleasePass,
    ReleasePassEvent,
    Renovation,
    UnitBalance,
    Violation,
    VisitorPass,
)
from kefu.org.selectors import Actor

ZERO = Decimal("0.00")


def unit_scope_q(actor: Actor | None, prefix: str = "unit__") -> Q:
    """Rows whose unit (through `prefix`) is on a site the actor may see (or on no site)."""
    if sees_all_customers(actor):
        return Q()
    return Q(**{f"{prefix}site__isnull": True}) | site_scope_q(actor, f"{prefix}site__")


def unit_for(*, actor: Actor | None, pk: Any) -> Asset | None:
    """A unit the actor may see, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Asset.objects.filter(asset_visibility_q(actor), pk=pk, kind="unit").select_related("site").first()


def is_occupant(*, customer_id: int, unit_id: int) -> bool:
    """The customer holds an open occupancy (owner, tenant, family, authorised…) of the unit."""
    return CustomerAsset.objects.filter(customer_id=customer_id, asset_id=unit_id, ended_on=None,
                                        customer__deleted_at=None).exists()


# --- fees ---------------------------------------------------------------------------------------

def fee_items(*, actor: Actor | None, site_id: Any = None) -> QuerySet[FeeItem]:
    qs = FeeItem.objects.filter(site_scope_q(actor, "site__")).select_related("site").order_by("site__code", "code")
    if site_id not in (None, ""):
        qs = qs.filter(site_id=site_id)
    return qs


def unit_arrears(*, unit_id: int, today: date | None = None) -> UnitBalance | None:
    """The unit's balance row when it has bills past due and unpaid, else None."""
    today = today or timezone.localdate()
    return UnitBalance.objects.filter(unit_id=unit_id, balance__gt=0, oldest_unpaid_due__lt=today).first()


@dataclass(frozen=True)
class ArrearsRow:
    unit: int
    unit_code: str
    site: int | None
    balance: Decimal
    oldest_due_date: date
    age_days: int
    age_bucket: str


def arrears_queryset(*, actor: Actor | None, site_id: Any = None, today: date | None = None) -> QuerySet[UnitBalance]:
    """Balances of units in scope with bills past due and unpaid, oldest first (the partial index
    on (site, oldest_unpaid_due) serves it)."""
    today = today or timezone.localdate()
    qs = UnitBalance.objects.filter(unit_scope_q(actor), oldest_unpaid_due__lt=today, balance__gt=0)
    if site_id not in (None, ""):
        qs = qs.filter(site_id=site_id)
    return qs.select_related("unit").order_by("oldest_unpaid_due", "unit_id")


def arrears_rows(balances: list[UnitBalance], *, today: date | None = None) -> list[ArrearsRow]:
    today = today or timezone.localdate()
    rows = []
    for b in balances:
        days = (today - b.oldest_unpaid_due).days  # type: ignore[operator]  # filtered not null
        rows.append(ArrearsRow(unit=b.unit_id, unit_code=b.unit.code, site=b.site_id, balance=b.balance,
                               oldest_due_date=b.oldest_unpaid_due, age_days=days,  # type: ignore[arg-type]  # filtered not null
                               age_bucket=age_bucket(days)))
    return rows


def ageing(*, actor: Actor | None, site_id: Any = None, today: date | None = None) -> list[dict]:
    """Units and amounts in arrears per age bucket (0–30, 31–90, 91–180, >180 days past the
    oldest unpaid due date): one grouped query over the balance rows."""
    today = today or timezone.localdate()
    qs = arrears_queryset(actor=actor, site_id=site_id, today=today).order_by()
    edges = [(AgeBucket.D0_30, 1, 30), (AgeBucket.D31_90, 31, 90), (AgeBucket.D91_180, 91, 180),
             (AgeBucket.D180_PLUS, 181, None)]
    aggregates: dict[str, Any] = {}
    for bucket, low, high in edges:
        q = Q(oldest_unpaid_due__lte=today - timedelta(days=low))
        if high is not None:
            q &= Q(oldest_unpaid_due__gte=today - timedelta(days=high))
        aggregates[f"n_{bucket}"] = Count("pk", filter=q)
        aggregates[f"a_{bucket}"] = Sum("balance", filter=q)
    totals = qs.aggregate(**aggregates)
    return [{"bucket": bucket, "label": AgeBucket(bucket).label, "units": totals[f"n_{bucket}"],
             "amount": totals[f"a_{bucket}"] or ZERO} for bucket, _low, _high in edges]


def sites_for(*, actor: Actor | None) -> QuerySet[Site]:
    return Site.objects.filter(site_scope_q(actor)).order_by("code")


# --- release passes -----------------------------------------------------------------------------

def pass_base_queryset() -> QuerySet[ReleasePass]:
    return ReleasePass.objects.select_related("unit", "unit__site", "requester", "approved_by", "used_by",
                                              "overridden_by", "created_by")


def pass_visible(actor: Actor | None, release_pass: ReleasePass) -> bool:
    if sees_all_customers(actor):
        return True
    site = release_pass.unit.site
    return site is None or Site.objects.filter(site_scope_q(actor), pk=site.pk).exists()


def pass_list(*, actor: Actor | None) -> QuerySet[ReleasePass]:
    return pass_base_queryset().filter(unit_scope_q(actor)).order_by("-created_at", "-id")


def pass_get(*, actor: Actor | None, pk: Any) -> ReleasePass | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pass_list(actor=actor).filter(pk=pk).first()


def pass_by_token(*, actor: Actor | None, token: str) -> ReleasePass | None:
    return pass_list(actor=actor).filter(token=token).first() if token else None


def pass_events(*, release_pass: ReleasePass) -> QuerySet[ReleasePassEvent]:
    return release_pass.events.select_related("actor", "actor__staff").order_by("created_at", "id")


def pass_actions(*, actor: Actor, release_pass: ReleasePass) -> list[str]:
    return workflow.TABLE.allowed(status=release_pass.status, role=actor.role)


def unit_by_code(*, actor: Actor | None, code: str) -> Asset | None:
    code = (code or "").strip()
    if not code:
        return None
    return Asset.objects.filter(asset_visibility_q(actor), code=code, kind="unit").select_related("site").first()


def occupants(*, actor: Actor | None, unit: Asset) -> list[CustomerAsset]:
    """Open occupancies of the unit by customers the actor may see (the requester choices)."""
    from kefu.customers.selectors import visible_customers

    return list(CustomerAsset.objects.filter(asset=unit, ended_on=None, customer__in=visible_customers(actor))
                .select_related("customer").order_by("started_on", "id"))


def site_visible(actor: Actor | None, site_id: int | None) -> bool:
    if sees_all_customers(actor) or site_id is None:
        return True
    return Site.objects.filter(site_scope_q(actor), pk=site_id).exists()


# --- visitors, keys, parcels ---------------------------------------------------------------------

def visitor_pass_list(*, actor: Actor | None) -> QuerySet[VisitorPass]:
    return (VisitorPass.objects.filter(site_scope_q(actor, "site__")).select_related("site", "unit")
            .order_by("-created_at", "-id"))


def visitor_pass_get(*, actor: Actor | None, pk: Any) -> VisitorPass | None:
    try:
        return visitor_pass_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def key_list(*, actor: Actor | None) -> QuerySet[Key]:
    return Key.objects.filter(site_scope_q(actor, "site__"), is_active=True).select_related("site").order_by("code")


def key_loan_list(*, actor: Actor | None, overdue: bool = False) -> QuerySet[KeyLoan]:
    """Loans of keys on the actor's sites, newest first; `overdue`: still out past their due time."""
    qs = KeyLoan.objects.filter(site_scope_q(actor, "key__site__")).select_related("key", "key__site")
    if overdue:
        qs = qs.filter(status=LoanStatus.OUT, due_at__lt=timezone.now())
    return qs.order_by("-created_at", "-id")


def key_loan_get(*, actor: Actor | None, pk: Any) -> KeyLoan | None:
    try:
        return key_loan_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def parcel_list(*, actor: Actor | None, waiting_days: int | None = None) -> QuerySet[Parcel]:
    """Parcels at units the actor may see; `waiting_days`: still at the desk after that many days
    (the reminder list)."""
    qs = Parcel.objects.filter(unit_scope_q(actor)).select_related("unit", "recipient")
    if waiting_days is not None:
        qs = qs.filter(status=ParcelStatus.RECEIVED, created_at__lt=timezone.now() - timedelta(days=waiting_days))
    return qs.order_by("-created_at", "-id")


def parcel_get(*, actor: Actor | None, pk: Any) -> Parcel | None:
    try:
        return parcel_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


# --- renovations ------------------------------------------------------------------------------------

def renovation_list(*, actor: Actor | None, status: str | None = None) -> QuerySet[Renovation]:
    qs = Renovation.objects.filter(unit_scope_q(actor)).select_related("unit", "applicant")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def renovation_get(*, actor: Actor | None, pk: Any) -> Renovation | None:
    try:
        return renovation_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


# --- dunning ----------------------------------------------------------------------------------------

def dunning_list(*, actor: Actor | None, status: str | None = None) -> QuerySet[DunningTask]:
    """Dunning tasks on the actor's sites, the most urgent first (chase-by date, then level)."""
    qs = DunningTask.objects.filter(unit_scope_q(actor)).select_related("unit", "site")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "-level", "id")


def dunning_get(*, actor: Actor | None, pk: Any) -> DunningTask | None:
    try:
        return dunning_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


# --- collection rate ----------------------------------------------------------------------------------

def collection_rate(*, actor: Actor | None, site_id: Any, period: str, as_of: date | None = None) -> dict[str, Any]:
    """The collection rate (收缴率) of one site and month: collected ÷ billed for the bills of
    `period`, where each unit's payments up to `as_of` (net of refunds) pay its bills oldest due
    date first (the rule of the balances) and `collected` is what lands on the month's bills.
    Returns billed, collected, rate (percent, two decimals; None without bills) and the formula."""
    as_of = as_of or timezone.localdate()
    site = sites_for(actor=actor).filter(pk=site_id).first() if str(site_id or "").isdigit() else None
    empty = {"site": site, "period": period, "as_of": as_of, "billed": ZERO, "collected": ZERO, "rate": None}
    if site is None:
        return empty
    month_bills = Bill.objects.filter(unit__site=site, period=period)
    unit_ids = set(month_bills.values_list("unit_id", flat=True))
    if not unit_ids:
        return empty
    bills: dict[int, list[tuple[date, int, str, Decimal]]] = {}
    for unit_id, due, pk, bill_period, amount in (Bill.objects.filter(unit_id__in=unit_ids)
                                                  .values_list("unit_id", "due_date", "id", "period", "amount")):
        bills.setdefault(unit_id, []).append((due, pk, bill_period, amount))
    paid: dict[int, Decimal] = {}
    for unit_id, kind, total in (Payment.objects.filter(unit_id__in=unit_ids, paid_at__lte=as_of).order_by()
                                 .values_list("unit_id", "kind").annotate(t=Sum("amount"))):
        sign = Decimal("-1") if kind == "refund" else Decimal("1")
        paid[unit_id] = paid.get(unit_id, ZERO) + sign * (total or ZERO)
    billed = collected = ZERO
    for unit_id, rows in bills.items():
        remaining = max(paid.get(unit_id, ZERO), ZERO)
        for _due, _pk, bill_period, amount in sorted(rows):
            covered = min(remaining, amount)
            remaining -= covered
            if bill_period == period:
                billed += amount
                collected += covered
    rate = (collected * 100 / billed).quantize(Decimal("0.01")) if billed else None
    return {**empty, "billed": billed, "collected": collected, "rate": rate}


# --- items lent, violations -------------------------------------------------------------------------------

def lend_items(*, actor: Actor | None) -> QuerySet[LendItem]:
    return LendItem.objects.filter(site_scope_q(actor, "site__"), is_active=True).order_by("code")


def item_loan_list(*, actor: Actor | None, overdue: bool = False) -> QuerySet[ItemLoan]:
    """Loans of items on the actor's sites, newest first; `overdue`: still out past their due time."""
    qs = ItemLoan.objects.filter(site_scope_q(actor, "item__site__")).select_related("item", "unit")
    if overdue:
        qs = qs.filter(status=LoanStatus.OUT, due_at__lt=timezone.now())
    return qs.order_by("-created_at", "-id")


def item_loan_get(*, actor: Actor | None, pk: Any) -> ItemLoan | None:
    try:
        return item_loan_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def violation_list(*, actor: Actor | None, today: date | None = None) -> QuerySet[Violation]:
    """Violations at units the actor may see, newest first, each with `unit_violations`: how many
    the unit had in the year before (repeat offenders from REPEAT_OFFENDER_COUNT on)."""
    since = (today or timezone.localdate()) - timedelta(days=365)
    return (Violation.objects.filter(unit_scope_q(actor)).select_related("unit")
            .annotate(unit_violations=Count("unit__violations", filter=Q(unit__violations__created_at__date__gte=since)))
            .order_by("-created_at", "-id"))


def violation_get(*, actor: Actor | None, pk: Any) -> Violation | None:
    try:
        return violation_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
