"""The monthly scorecard's lines, computed from records: one function per metric returns the
records behind the line and how many of them count, so the number and its drill-down are the
same query. Value = numerator ÷ denominator × 100 (None without records: the line then scores its
full weight — nothing stands against the vendor); score = weight × value ÷ 100; manual lines
score what the manager entered (0 until then)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from kefu.vendors.choices import Metric, NonconformityStatus
from kefu.vendors.models import Nonconformity, Vendor

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Measured:
    model: str  # what the records are: work_order, callback, nonconformity, patrol_answer
    ids: list[int]  # every record behind the line (the denominator's)
    counted: list[int]  # those that count for the vendor (the numerator's)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    first = month.replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(following, time.min, tzinfo=tz)


def _orders(vendor: Vendor) -> QuerySet[Any]:
    from kefu.workorders.models import WorkOrder

    return WorkOrder.objects.filter(team_id=vendor.team_id)


def _resolved_in(vendor: Vendor, start: datetime, end: datetime) -> QuerySet[Any]:
    from kefu.workorders.models import WorkOrderEvent

    resolved = WorkOrderEvent.objects.filter(work_order=OuterRef("pk"), action="resolve", created_at__gte=start,
                                             created_at__lt=end)
    return _orders(vendor).filter(Exists(resolved))


def measure(metric: str, *, vendor: Vendor, start: datetime, end: datetime) -> Measured | None:
    """The records behind a line (None for a manual line)."""
    if metric == Metric.ON_TIME:
        from kefu.sla.models import SlaClock
        from kefu.sla.selectors import clock_breached_q

        orders = list(_resolved_in(vendor, start, end).values_list("pk", flat=True))
        breached = set(SlaClock.objects.filter(work_order_id__in=orders, kind="resolution")
                       .filter(clock_breached_q(now=end)).values_list("work_order_id", flat=True))
        return Measured("work_order", sorted(orders), sorted(set(orders) - breached))
    if metric == Metric.NOT_REOPENED:
        from kefu.workorders.models import WorkOrderEvent

        orders = list(_resolved_in(vendor, start, end).values_list("pk", flat=True))
        reopened = set(WorkOrderEvent.objects.filter(work_order_id__in=orders, action="reopen", created_at__gte=start,
                                                     created_at__lt=end).values_list("work_order_id", flat=True))
        return Measured("work_order", sorted(orders), sorted(set(orders) - reopened))
    if metric == Metric.CALLBACK:
        from kefu.callbacks.models import Callback

        rows = list(Callback.objects.filter(work_order__team_id=vendor.team_id, completed_at__gte=start,
                                            completed_at__lt=end).exclude(outcome="")
                    .values_list("pk", "outcome"))
        return Measured("callback", sorted(pk for pk, _o in rows),
                        sorted(pk for pk, o in rows if o in ("very_satisfied", "satisfied")))
    if metric == Metric.NONCONFORMITY:
        ncs = list(Nonconformity.objects.filter(vendor=vendor, deadline__gte=start.date(), deadline__lt=end.date())
                   .only("pk", "status", "closed_at", "deadline"))
        closed = [nc.pk for nc in ncs if nc.status == NonconformityStatus.CLOSED and nc.closed_at is not None
                  and timezone.localtime(nc.closed_at).date() <= nc.deadline]
        return Measured("nonconformity", sorted(nc.pk for nc in ncs), sorted(closed))
    if metric == Metric.PATROL:
        from kefu.patrols.models import Answer

        rows = list(Answer.objects.filter(visit__round__route__in=vendor.routes.all(), visit__visited_at__gte=start,
                                          visit__visited_at__lt=end).values_list("pk", "result"))
        return Measured("patrol_answer", sorted(pk for pk, _r in rows), sorted(pk for pk, r in rows if r == "pass"))
    return None


def line_values(measured: Measured | None, weight: Decimal, manual: Decimal | None) -> dict[str, Any]:
    if measured is None:
        value = manual
        score = (weight * value / 100).quantize(CENT, ROUND_HALF_UP) if value is not None else Decimal("0.00")
        return {"numerator": None, "denominator": None, "value": value, "score": score}
    n, d = len(measured.counted), len(measured.ids)
    if d == 0:
        return {"numerator": 0, "denominator": 0, "value": None, "score": weight.quantize(CENT)}
    value = (Decimal(n) * 100 / d).quantize(CENT, ROUND_HALF_UP)
    return {"numerator": n, "denominator": d, "value": value,
            "score": (weight * Decimal(n) / d).quantize(CENT, ROUND_HALF_UP)}
