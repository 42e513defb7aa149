"""The demo-sized estate of the front desk tests, made through the real services."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kefu.customers.tests.factories import make_asset, make_building, make_customer, make_site
from kefu.frontdesk.models import FeeItem
from kefu.frontdesk.services import bill_create, payment_record, release_pass_create


def make_estate(org, *, code: str = "CH"):
    """A site of the company (the cast's scope), a building, a management fee by area and a
    parking fee; `other` is a site of the other company (outside most of the cast's scope)."""
    site = make_site(code=code, name="翠湖花园", name_en="Green Lake Garden", department=org["company"])
    building = make_building(site=site, code="1", name="1栋")
    mgmt = FeeItem.objects.create(site=site, code="MGMT", name="物业管理费", name_en="Management fee", basis="area",
                                  rate=Decimal("2.5000"))
    parking = FeeItem.objects.create(site=site, code="PARK", name="车位管理费", name_en="Parking", basis="fixed",
                                     rate=Decimal("300.0000"))
    return {"site": site, "building": building, "mgmt": mgmt, "parking": parking}


def make_unit(estate, code: str, *, occupant: str = "", relation: str = "owner"):
    unit = make_asset(site=estate["site"], building=estate["building"], code=code, area=Decimal("100.00"))
    customer = None
    if occupant:
        customer = make_customer(name=occupant, assets=[unit])
        if relation != "owner":
            customer.asset_links.update(relation=relation)
    return unit, customer


def bill(actor, unit, item, period: str, amount: str, due: date):
    return bill_create(actor_user=actor, unit=unit, item=item, period=period, amount=amount, due_date=due)


def pay(actor, unit, amount: str, paid: date, kind: str = "payment"):
    return payment_record(actor_user=actor, unit=unit, amount=amount, paid_at=paid, kind=kind)


def in_arrears(actor, estate, unit, *, amount: str = "250.00", days_ago: int = 40):
    """A bill past due and unpaid."""
    due = timezone.localdate() - timedelta(days=days_ago)
    return bill(actor, unit, estate["mgmt"], due.strftime("%Y-%m"), amount, due)


def make_pass(actor, unit, requester, **kwargs):
    kwargs.setdefault("items", [{"name": "沙发", "quantity": 1}, {"name": "纸箱", "quantity": 12}])
    kwargs.setdefault("moving_date", timezone.localdate())
    return release_pass_create(actor_user=actor, unit=unit, requester=requester, **kwargs)
