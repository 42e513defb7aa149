"""Demo data of the front desk at the demo estate (翠湖花园, site CH): fee items, six months of
bills generated from the rates, payments (most units settled, some in each age bucket), and
release passes in every state (one let through on a supervisor's override). Called by
`manage.py demo_data`; idempotent (nothing happens when the estate already has fee items)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.customers.models import CustomerAsset, Site
from kefu.frontdesk import services
from kefu.frontdesk.models import Bill, FeeItem, UnitBalance


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _months_back(today: date, n: int) -> list[tuple[int, int]]:
    year, month, out = today.year, today.month, []
    for _i in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append((year, month))
    return list(reversed(out))


def create_demo_frontdesk(*, seed: int = 21, today: date | None = None) -> str:
    site = Site.objects.filter(code="CH").first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["clerk", "agent", "steward",
                                                                                  "supervisor"])}
    if site is None or len(users) < 4:
        return "front desk: no demo estate"
    if FeeItem.objects.filter(site=site).exists():
        return "front desk: demo registers already present"
    rng = random.Random(seed)
    today = today or timezone.localdate()
    mgmt = FeeItem.objects.create(site=site, code="MGMT", name="物业管理费", name_en="Management fee",
                                  basis="area", rate=Decimal("2.8000"))
    FeeItem.objects.create(site=site, code="PARK", name="车位管理费", name_en="Parking management", basis="fixed",
                           rate=Decimal("150.0000"))
    clerk = users["clerk"]
    months = _months_back(today, 6)
    bills = sum(services.bills_generate(actor_user=clerk, item=mgmt, period=f"{y}-{m:02d}",
                                        due_date=_month_end(y, m)) for y, m in months)
    # Payments: four units in five pay everything; the others stop paying 1–6 months ago.
    payments = 0
    for balance in UnitBalance.objects.filter(site=site).order_by("unit_id"):
        unit_bills = list(Bill.objects.filter(unit_id=balance.unit_id).order_by("due_date"))
        stop = len(unit_bills) if rng.random() < 0.8 else rng.randint(0, len(unit_bills) - 1)
        for bill in unit_bills[:stop]:
            services.payment_record(actor_user=clerk, unit=balance.unit_id, amount=bill.amount,
                                    paid_at=min(bill.due_date - timedelta(days=rng.randint(0, 20)), today))
            payments += 1
    # Release passes at occupied units: settled ones requested, approved and used; one in arrears
    # let through by the supervisor.
    in_arrears = set(UnitBalance.objects.filter(site=site, balance__gt=0, oldest_unpaid_due__lt=today)
                     .values_list("unit_id", flat=True))
    links = list(CustomerAsset.objects.filter(asset__site=site, ended_on=None).select_related("customer", "asset")
                 .order_by("asset_id")[:200])
    settled = [link for link in links if link.asset_id not in in_arrears][:4]
    owing = [link for link in links if link.asset_id in in_arrears][:1]
    goods = [[{"name": "沙发", "quantity": 1}, {"name": "纸箱", "quantity": 8}],
             [{"name": "冰箱", "quantity": 1}], [{"name": "办公桌", "quantity": 2}, {"name": "椅子", "quantity": 4}],
             [{"name": "钢琴", "quantity": 1}]]
    passes = []
    for i, link in enumerate(settled):
        passes.append(services.release_pass_create(actor_user=users["agent"], unit=link.asset, requester=link.customer,
                                                   items=goods[i % len(goods)], moving_date=today,
                                                   vehicle=f"浙A{10000 + i * 137}", carrier="顺达搬家"))
    if len(passes) >= 3:
        services.release_pass_transition(release_pass=passes[1], action="approve", actor_user=users["steward"])
        services.release_pass_transition(release_pass=passes[2], action="approve", actor_user=users["steward"])
        services.release_pass_transition(release_pass=passes[2], action="scan", actor_user=users["agent"])
    if len(passes) >= 4:
        services.release_pass_transition(release_pass=passes[3], action="cancel", actor_user=users["agent"],
                                         reason="业主改期")
    for link in owing:
        services.release_pass_create(actor_user=users["supervisor"], unit=link.asset, requester=link.customer,
                                     items=[{"name": "旧家具", "quantity": 3}], moving_date=today,
                                     override_reason="业主已签还款承诺书，月底前结清")
    return f"front desk: {bills} bills, {payments} payments, {len(passes) + len(owing)} release passes"
