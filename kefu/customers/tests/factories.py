import itertools

from kefu.customers.models import Asset, Building, Customer, Site
from kefu.customers.services import customer_create

_seq = itertools.count(1)


def make_site(**kwargs) -> Site:
    n = next(_seq)
    return Site.objects.create(code=kwargs.pop("code", f"S{n}"), name=kwargs.pop("name", f"小区{n}"), **kwargs)


def make_asset(*, site: Site | None = None, code: str = "", kind: str = "unit") -> Asset:
    n = next(_seq)
    site = site or make_site()
    building = Building.objects.get_or_create(site=site, code="1", defaults={"name": "1栋"})[0]
    return Asset.objects.create(kind=kind, code=code or f"U{n}", site=site, building=building, floor=1)


def make_customer(*, name: str = "", phones: list[str] | None = None, assets: list[Asset] | None = None) -> Customer:
    n = next(_seq)
    return customer_create(name=name or f"客户{n}", phones=phones if phones is not None else [f"1380000{n:04d}"],
                           assets=assets or [])
