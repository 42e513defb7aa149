import itertools

from kefu.customers.models import Asset, Building, Customer, Site
from kefu.customers.services import customer_create

_seq = itertools.count(1)

VALID_RESIDENT_ID = "11010519491231002X"
VALID_CREDIT_CODE = "91350100M000100Y43"


def make_site(**kwargs) -> Site:
    n = next(_seq)
    return Site.objects.create(code=kwargs.pop("code", f"S{n}"), name=kwargs.pop("name", f"小区{n}"), **kwargs)


def make_building(*, site: Site | None = None, code: str = "1", name: str = "") -> Building:
    site = site or make_site()
    return Building.objects.get_or_create(site=site, code=code, defaults={"name": name or f"{code}栋"})[0]


def make_asset(*, site: Site | None = None, code: str = "", kind: str = "unit", building: Building | None = None,
               **fields) -> Asset:
    n = next(_seq)
    site = site or (building.site if building else make_site())
    building = building or make_building(site=site)
    return Asset.objects.create(kind=kind, code=code or f"U{n}", site=site, building=building,
                                floor=fields.pop("floor", 1), **fields)


def make_customer(*, name: str = "", phones: list[str] | None = None, assets: list[Asset] | None = None,
                  **fields) -> Customer:
    n = next(_seq)
    return customer_create(name=name or f"客户{n}", phones=phones if phones is not None else [f"1380000{n:04d}"],
                           assets=assets or [], **fields)
