"""The fees register: a fixture month with hand-calculated balances, ageing and arrears."""

from datetime import date
from decimal import Decimal

import pytest

from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.frontdesk import selectors
from kefu.frontdesk.models import Bill, Payment, UnitBalance
from kefu.frontdesk.tests.factories import bill, make_estate, make_unit, pay
from kefu.org.selectors import actor_for_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


@pytest.fixture
def month(org, cast):
    """Hand-calculated (today 2026-11-30):

    A: bills 250 (due 06-30) + 250 (07-31) + 250 (08-31) + 300 parking (09-30) = 1050; paid 400,
       refunded 50 → net 350 pays June (250) and 100 of July → balance 700, oldest unpaid 07-31,
       122 days → 91–180.
    B: 200 due 11-15, nothing paid → 200, 15 days → 0–30.
    C: 200 due 10-31, paid 200 → 0: not in arrears.
    D: 300 due 03-31, paid 100 → 200, 244 days → over 180.
    E: 250 due 12-31 (not yet due) → balance 250 but not in arrears.
    """
    estate = make_estate(org)
    clerk = cast["clerk"]
    units = {name: make_unit(estate, f"CH-1-{n}")[0] for n, name in enumerate("ABCDE", start=101)}
    m, p = estate["mgmt"], estate["parking"]
    bill(clerk, units["A"], m, "2026-06", "250.00", date(2026, 6, 30))
    bill(clerk, units["A"], m, "2026-07", "250.00", date(2026, 7, 31))
    bill(clerk, units["A"], m, "2026-08", "250.00", date(2026, 8, 31))
    bill(clerk, units["A"], p, "2026-09", "300.00", date(2026, 9, 30))
    pay(clerk, units["A"], "400.00", date(2026, 7, 15))
    pay(clerk, units["A"], "50.00", date(2026, 8, 1), kind="refund")
    bill(clerk, units["B"], m, "2026-11", "200.00", date(2026, 11, 15))
    bill(clerk, units["C"], m, "2026-10", "200.00", date(2026, 10, 31))
    pay(clerk, units["C"], "200", date(2026, 11, 2))
    bill(clerk, units["D"], m, "2026-03", "300.00", date(2026, 3, 31))
    pay(clerk, units["D"], "100.00", date(2026, 4, 10))
    bill(clerk, units["E"], m, "2026-12", "250.00", date(2026, 12, 31))
    return estate, units


def test_balances_follow_every_bill_and_payment(month):
    _estate, u = month
    rows = {b.unit_id: (b.billed, b.paid, b.balance, b.oldest_unpaid_due) for b in UnitBalance.objects.all()}
    assert rows == {
        u["A"].pk: (Decimal("1050.00"), Decimal("350.00"), Decimal("700.00"), date(2026, 7, 31)),
        u["B"].pk: (Decimal("200.00"), Decimal("0.00"), Decimal("200.00"), date(2026, 11, 15)),
        u["C"].pk: (Decimal("200.00"), Decimal("200.00"), Decimal("0.00"), None),
        u["D"].pk: (Decimal("300.00"), Decimal("100.00"), Decimal("200.00"), date(2026, 3, 31)),
        u["E"].pk: (Decimal("250.00"), Decimal("0.00"), Decimal("250.00"), date(2026, 12, 31)),
    }


def test_arrears_and_ageing_are_the_hand_calculated_ones(month, cast):
    estate, u = month
    actor = actor_for_user(cast["supervisor"])
    rows = selectors.arrears_rows(list(selectors.arrears_queryset(actor=actor, site_id=estate["site"].pk,
                                                                  today=TODAY)), today=TODAY)
    assert [(r.unit_code, r.balance, r.oldest_due_date, r.age_days, r.age_bucket) for r in rows] == [
        ("CH-1-104", Decimal("200.00"), date(2026, 3, 31), 244, "180+"),
        ("CH-1-101", Decimal("700.00"), date(2026, 7, 31), 122, "91-180"),
        ("CH-1-102", Decimal("200.00"), date(2026, 11, 15), 15, "0-30"),
    ]
    ageing = selectors.ageing(actor=actor, site_id=estate["site"].pk, today=TODAY)
    assert [(a["bucket"], a["units"], a["amount"]) for a in ageing] == [
        ("0-30", 1, Decimal("200.00")), ("31-90", 0, Decimal("0.00")), ("91-180", 1, Decimal("700.00")),
        ("180+", 1, Decimal("200.00"))]


def test_a_payment_moves_the_oldest_unpaid_date(month, cast):
    _estate, u = month
    pay(cast["clerk"], u["A"], "250.00", date(2026, 11, 20))  # July paid (100 + 150), 100 toward August
    balance = UnitBalance.objects.get(unit=u["A"])
    assert (balance.balance, balance.oldest_unpaid_due) == (Decimal("450.00"), date(2026, 8, 31))


def test_other_company_sees_no_arrears_and_may_not_bill_its_units(month, cast):
    estate, u = month
    outsider = actor_for_user(cast["other_steward"])
    assert list(selectors.arrears_queryset(actor=outsider, today=TODAY)) == []
    before = Bill.objects.count()
    with pytest.raises(InvalidInput) as refused:
        bill(cast["other_steward"], u["B"], estate["mgmt"], "2026-12", "1.00", date(2026, 12, 15))
    assert refused.value.fields.keys() == {"unit"}
    assert Bill.objects.count() == before


@pytest.mark.parametrize(("field", "kwargs"), [
    ("period", {"period": "2026-13"}),
    ("amount", {"amount": "-5"}),
    ("amount", {"amount": "1.005"}),
    ("amount", {"amount": "abc"}),
    ("due_date", {"due_date": None}),
])
def test_bad_bills_are_refused_naming_the_field(month, cast, field, kwargs):
    estate, u = month
    values = {"period": "2026-12", "amount": "10.00", "due_date": date(2026, 12, 15), **kwargs}
    before = (Bill.objects.count(), UnitBalance.objects.get(unit=u["B"]).balance)
    with pytest.raises(InvalidInput) as refused:
        bill(cast["clerk"], u["B"], estate["mgmt"], values["period"], values["amount"], values["due_date"])
    assert list(refused.value.fields) == [field]
    assert (Bill.objects.count(), UnitBalance.objects.get(unit=u["B"]).balance) == before


def test_a_second_bill_for_the_same_month_is_409_and_agents_may_not_bill(month, cast):
    estate, u = month
    with pytest.raises(Conflict) as refused:
        bill(cast["clerk"], u["B"], estate["mgmt"], "2026-11", "200.00", date(2026, 11, 15))
    assert refused.value.code == "bill_exists"
    with pytest.raises(NotAllowed):
        pay(cast["agent"], u["B"], "200.00", date(2026, 11, 20))
    assert Bill.objects.filter(unit=u["B"]).count() == 1
    assert not Payment.objects.filter(unit=u["B"]).exists()


def test_bills_generated_from_rate_and_area_once(org, cast):
    estate = make_estate(org)
    small, _ = make_unit(estate, "CH-9-101")
    make_unit(estate, "CH-9-102")
    small.area = Decimal("89.35")
    small.save(update_fields=["area"])
    from kefu.customers.tests.factories import make_asset
    make_asset(site=estate["site"], building=estate["building"], code="CH-9-103")  # no area: skipped
    from kefu.frontdesk.services import bills_generate

    made = bills_generate(actor_user=cast["clerk"], item=estate["mgmt"], period="2026-10", due_date=date(2026, 10, 31))
    assert made == 2
    assert sorted(Bill.objects.values_list("unit__code", "amount", "source")) == [
        ("CH-9-101", Decimal("223.38"), "generated"), ("CH-9-102", Decimal("250.00"), "generated")]
    assert UnitBalance.objects.get(unit=small).balance == Decimal("223.38")  # 89.35 × 2.5 = 223.375 → 223.38
    assert bills_generate(actor_user=cast["clerk"], item=estate["mgmt"], period="2026-10",
                          due_date=date(2026, 10, 31)) == 0
    with pytest.raises(NotAllowed):
        bills_generate(actor_user=cast["agent"], item=estate["mgmt"], period="2026-11", due_date=date(2026, 11, 30))
    assert Bill.objects.count() == 2
