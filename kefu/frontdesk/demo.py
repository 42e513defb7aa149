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
from kefu.frontdesk.models import Bill, FeeItem, Key, KeyLoan, Parcel, UnitBalance


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
    registers = _demo_registers(site, users, links, today)
    return (f"front desk: {bills} bills, {payments} payments, {len(passes) + len(owing)} release passes, "
            f"{registers}")


def _demo_registers(site, users, links, today) -> str:
    """Visitors (expected, on the premises, left), a refused person, keys (one loan overdue) and
    parcels (waiting, one for five days, collected)."""
    now = timezone.now()
    agent, clerk = users["agent"], users["clerk"]
    services.blacklist_add(actor_user=users["supervisor"], site=site, name="推销人员", phone="13900001111",
                           reason="多次进入楼栋推销，业主投诉")
    visits = [services.visitor_pass_create(actor_user=agent, site=site, name=name, phone=phone, kind=kind,
                                           company=company, purpose=purpose, valid_until=now + timedelta(hours=hours),
                                           walk_in=walk_in)
              for name, phone, kind, company, purpose, hours, walk_in in [
                  ("王先生", "13812345678", "visitor", "", "探亲", 4, False),
                  ("李师傅", "13698765432", "contractor", "顺达装修", "1栋1203 水电改造", 9, True),
                  ("快递员", "", "visitor", "", "送大件", 1, True)]]
    services.visitor_pass_transition(visitor_pass=visits[2], action="depart", actor_user=agent)
    keys = [Key.objects.create(site=site, code=code, label=label, kind=kind) for code, label, kind in [
        ("K-001", "1栋水泵房", "plant_room"), ("K-002", "2栋配电房", "plant_room"), ("K-003", "消防控制室备用", "other")]]
    overdue = services.key_loan_create(actor_user=clerk, key=keys[0], borrower="刘师傅", company="工程部水电组",
                                       purpose="水泵检修", due_at=now + timedelta(hours=2))
    KeyLoan.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=3), created_at=now - timedelta(hours=6))
    services.key_loan_create(actor_user=clerk, key=keys[1], borrower="电梯维保公司", purpose="月度保养",
                             due_at=now + timedelta(hours=4))
    parcels = [services.parcel_receive(actor_user=agent, unit=link.asset, recipient=link.customer, carrier=carrier,
                                       tracking_number=f"{carrier[:1]}{9000 + i}")
               for i, (link, carrier) in enumerate(zip(links[:3], ["顺丰", "京东", "中通"], strict=False))]
    if parcels:
        Parcel.objects.filter(pk=parcels[0].pk).update(created_at=now - timedelta(days=5))
    if len(parcels) > 2:
        services.parcel_transition(parcel=parcels[2], action="collect", actor_user=agent,
                                   pickup_code=parcels[2].pickup_code)
    return f"{len(visits)} visitors, {len(keys)} keys, {len(parcels)} parcels"
