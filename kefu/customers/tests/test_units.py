"""The unit list (`/customers/units/`, `GET /api/v1/units/`): scoped to the user's sites, filtered by
site, building, status, use, occupants and code/name, occupants' phones masked for roles without
the permission, bad filters answer 400 naming the field, and a query count that does not grow with
the number of units."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.customers.models import Asset, DocumentType
from kefu.customers.services import archive_document_upload, customer_delete, occupancy_end
from kefu.customers.tests.factories import (
    VALID_RESIDENT_ID,
    make_asset,
    make_building,
    make_customer,
    make_site,
)
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
URL = "/customers/units/"
API = "/api/v1/units/"


@pytest.fixture
def estate(cast, org):
    """Two company sites and a shared one; units with occupants (current, past, deleted), an
    account that is not a unit, archives and work orders."""
    ch = make_site(code="CH", name="翠湖花园", department=org["company"])
    b3 = make_building(site=ch, code="3", name="3栋")
    b5 = make_building(site=ch, code="5", name="5栋")
    hy = make_site(code="HY", name="华悦大厦", department=org["other"])
    gx = make_site(code="GX", name="共享小区")
    units = {
        "ch101": make_asset(code="CH-3-1-101", building=b3, unit_status="occupied", use="residential", area="89.50",
                            name="三房"),
        "ch102": make_asset(code="CH-3-1-102", building=b3, unit_status="vacant", use="residential", area="76.00"),
        "ch501": make_asset(code="CH-5-1-101", building=b5, unit_status="for_rent", use="commercial", area="120.00"),
        "ch502": make_asset(code="CH-5-1-102", building=b5, unit_status="occupied", use="office"),
        "hy101": make_asset(code="HY-1-101", site=hy, unit_status="occupied", use="office"),
        "gx101": make_asset(code="GX-1-101", site=gx, unit_status="renovating", use="residential"),
    }
    make_asset(code="BB100001", kind="account", site=ch, building=b3)  # an account: never in the unit list
    zhang = make_customer(name="张三", phones=["13800138000"], assets=[units["ch101"]], id_type="resident_id",
                          id_number=VALID_RESIDENT_ID)
    li = make_customer(name="李四", phones=["13900139000"], assets=[units["ch501"]], relation="tenant")
    past = make_customer(name="赵六", phones=["13700137000"], assets=[units["ch102"]])
    occupancy_end(occupancy=past.asset_links.get(), actor_user=cast["steward"])
    Asset.objects.filter(pk=units["ch102"].pk).update(unit_status="vacant")
    gone = make_customer(name="钱七", phones=["13600136000"], assets=[units["ch502"]])
    customer_delete(customer=gone, actor_user=cast["supervisor"])
    make_customer(name="王五", phones=["13500135000"], assets=[units["hy101"]])
    for t in DocumentType.objects.filter(scope="unit", required=True):
        archive_document_upload(document_type=t, unit=units["ch101"], actor_user=cast["steward"],
                                upload=SimpleUploadedFile("a.png", PNG))
    archive_document_upload(document_type=DocumentType.objects.get(code="floor_plan"), unit=units["ch102"],
                            actor_user=cast["steward"], upload=SimpleUploadedFile("a.png", PNG))
    make_work_order(actor=cast["agent"], customer=zhang, asset=units["ch101"])
    make_work_order(actor=cast["steward"], customer=zhang, asset=units["ch101"])
    advance(make_work_order(actor=cast["agent"], customer=zhang, asset=units["ch101"]), cast["agent"],
            ("cancel", {"reason": "重复报修"}))
    return {"units": units, "zhang": zhang, "li": li, "sites": {"ch": ch, "hy": hy, "gx": gx},
            "buildings": {"b3": b3, "b5": b5}}


def _codes(client, params=None):
    response = client.get(URL, params or {})
    assert response.status_code == 200, response.content.decode()[:500]
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('class="kefu-unit-row" data-unit="')[1:]]


def _api_codes(client, params=None):
    response = client.get(API, params or {})
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(("role", "expected"), [
    ("agent", ["CH-3-1-101", "CH-3-1-102", "CH-5-1-101", "CH-5-1-102", "GX-1-101", "HY-1-101"]),
    ("steward", ["CH-3-1-101", "CH-3-1-102", "CH-5-1-101", "CH-5-1-102", "GX-1-101"]),
    ("other_steward", ["GX-1-101", "HY-1-101"]),
], ids=lambda v: v if isinstance(v, str) else None)
def test_scope_is_the_users_sites(client, api, cast, estate, role, expected):
    client.force_login(cast[role])
    assert _codes(client) == expected
    assert _api_codes(api(cast[role])) == expected


def test_other_company_sees_none_of_this_companys_units(client, api, cast, estate):
    ch = estate["sites"]["ch"]
    client.force_login(cast["other_steward"])
    assert _codes(client, {"q": "CH"}) == []
    # choosing the unseen site is refused like a site that does not exist
    response = client.get(URL, {"site": ch.pk})
    assert response.status_code == 400
    assert api(cast["other_steward"]).get(API, {"site": ch.pk}).json()["fields"].keys() == {"site"}
    assert "翠湖花园" not in client.get(URL).content.decode()
    assert client.get(reverse("customers:unit", args=[estate["units"]["ch101"].pk])).status_code == 404


@pytest.mark.parametrize(("params", "expected"), [
    ({"site": "ch"}, ["CH-3-1-101", "CH-3-1-102", "CH-5-1-101", "CH-5-1-102"]),
    ({"building": "b5"}, ["CH-5-1-101", "CH-5-1-102"]),
    ({"status": "occupied"}, ["CH-3-1-101", "CH-5-1-102", "HY-1-101"]),
    ({"status": "vacant"}, ["CH-3-1-102"]),
    ({"use": "residential"}, ["CH-3-1-101", "CH-3-1-102", "GX-1-101"]),
    ({"use": "office", "site": "ch"}, ["CH-5-1-102"]),
    # occupants: current, of a customer not deleted (the past occupant and the deleted one do not count)
    ({"occupied": "true"}, ["CH-3-1-101", "CH-5-1-101", "HY-1-101"]),
    ({"occupied": "false"}, ["CH-3-1-102", "CH-5-1-102", "GX-1-101"]),
    ({"occupied": "false", "status": "occupied"}, ["CH-5-1-102", ]),  # recorded occupied, nobody lives there
    ({"q": "CH-3"}, ["CH-3-1-101", "CH-3-1-102"]),
    ({"q": "3栋1单元101"}, ["CH-3-1-101"]),  # 3-1-101: the tail of CH-3-1-101, typed without the site
    ({"q": "ch-3-1-101"}, ["CH-3-1-101"]),
    ({"q": "1-102"}, ["CH-3-1-102", "CH-5-1-102"]),  # the tail of a code, in every building
    ({"q": "三房"}, ["CH-3-1-101"]),  # part of the name
    ({"q": "  "}, ["CH-3-1-101", "CH-3-1-102", "CH-5-1-101", "CH-5-1-102", "GX-1-101", "HY-1-101"]),
], ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None)
def test_filters(client, api, cast, estate, params, expected):
    ids = {"site": estate["sites"], "building": estate["buildings"]}
    params = {k: ids[k][v].pk if k in ids else v for k, v in params.items()}
    client.force_login(cast["agent"])
    assert _codes(client, params) == expected
    assert _api_codes(api(cast["agent"]), params) == expected


def test_unit_code_spelled_the_chinese_way(client, cast, org):
    make_asset(code="3-2-1201", site=make_site(code="Z"))
    make_asset(code="3-2-1202", site=make_site(code="Y"))
    client.force_login(cast["agent"])
    assert _codes(client, {"q": "3栋2单元1201室"}) == ["3-2-1201"]
    assert _codes(client, {"q": "１２０２"}) == ["3-2-1202"]


def test_row_shows_occupants_status_area_use_archive_and_open_orders(client, cast, estate):
    client.force_login(cast["agent"])
    html = client.get(URL, {"q": "CH-3-1-101"}).content.decode()
    zhang = estate["zhang"]
    assert f'href="{reverse("customers:detail", args=[zhang.pk])}" class="kefu-occupant"' in html
    assert f'href="{reverse("customers:unit", args=[estate["units"]["ch101"].pk])}"' in html
    assert "张三" in html and "13800138000" in html and "89.50 m²" in html
    assert 'data-status="occupied"' in html and 'data-percent="100"' in html
    assert 'data-open="2"' in html  # the cancelled order does not count
    html = client.get(URL, {"q": "CH-3-1-102"}).content.decode()
    assert 'data-percent="17"' in html and 'data-open="0"' in html
    assert "赵六" not in html  # moved out
    assert "钱七" not in client.get(URL, {"q": "CH-5-1-102"}).content.decode()  # deleted


def test_open_orders_count_only_what_the_user_may_see(api, cast, estate):
    rows = api(cast["steward"]).get(API, {"q": "CH-3-1-101"}).json()["results"]
    assert [(r["code"], r["open_work_orders"]) for r in rows] == [("CH-3-1-101", 1)]  # the one they received
    rows = api(cast["agent"]).get(API, {"q": "CH-3-1-101"}).json()["results"]
    assert [(r["code"], r["open_work_orders"]) for r in rows] == [("CH-3-1-101", 2)]


def test_api_row_shape(api, cast, estate):
    body = api(cast["steward"]).get(API, {"q": "CH-5-1-101"}).json()
    li = estate["li"]
    unit = estate["units"]["ch501"]
    assert li.asset_links.get().started_on is None  # linked at creation, no move-in date
    assert body == {"count": 1, "count_capped": False, "next": None, "previous": None, "results": [{
        "id": unit.pk, "code": "CH-5-1-101", "name": "", "site": estate["sites"]["ch"].pk, "site_name": "翠湖花园",
        "building": estate["buildings"]["b5"].pk, "building_name": "5栋", "floor": 1, "area": "120.00",
        "use": "commercial", "unit_status": "for_rent", "occupied": True,
        "occupants": [{"customer": li.pk, "name": "李四", "relation": "tenant", "started_on": None,
                       "phones": ["13900139000"]}],
        "archive_percent": 0, "open_work_orders": 0}]}


@pytest.mark.parametrize(("role", "phone"), [
    ("steward", "13800138000"), ("agent", "13800138000"),
    ("clerk", "138****8000"), ("qa", "138****8000"),
])
def test_occupant_phones_masked_without_the_permission(client, api, cast, estate, role, phone):
    client.force_login(cast[role])
    html = client.get(URL, {"q": "CH-3-1-101"}).content.decode()
    assert phone in html
    if "*" in phone:
        assert "13800138000" not in html
    # the list never shows ID numbers, masked or not
    assert VALID_RESIDENT_ID not in html and VALID_RESIDENT_ID[-4:] not in html
    body = api(cast[role]).get(API, {"q": "CH-3-1-101"}).json()
    assert body["results"][0]["occupants"][0]["phones"] == [phone]
    assert VALID_RESIDENT_ID[-4:] not in str(body)


@pytest.mark.parametrize(("params", "field"), [
    ({"site": "999999"}, "site"),
    ({"site": "abc"}, "site"),
    ({"building": "999999"}, "building"),
    ({"status": "sold"}, "status"),
    ({"use": "castle"}, "use"),
    ({"occupied": "maybe"}, "occupied"),
])
def test_bad_filters_answer_400_naming_the_field(client, api, cast, estate, params, field):
    client.force_login(cast["agent"])
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}"' in html and "kefu-unit-row" not in html
    response = api(cast["agent"]).get(API, params)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_english_labels(client, cast, estate):
    from kefu.org.services import staff_set_language

    staff_set_language(staff=cast["clerk"].staff, language="en")
    client.force_login(cast["clerk"])
    html = client.get(URL, {"q": "CH-5-1-101"}).content.decode()
    assert "Units" in html and "Occupants" in html and "For rent" in html and "Shop" in html
    assert "Open orders" in html and "With occupants" in html


def test_chinese_labels(client, cast, estate):
    client.force_login(cast["agent"])
    html = client.get(URL, {"q": "CH-5-1-101"}).content.decode()
    assert "房屋" in html and "住户" in html and "待租" in html and "商铺" in html and "未完成工单" in html


def test_export_button_carries_the_filters_and_the_export_applies_them(client, cast, estate):
    from kefu.exchange.tests.test_export import _rows

    client.force_login(cast["steward"])
    html = client.get(URL, {"occupied": "true", "use": ""}).content.decode()
    assert 'id="export-units"' in html and "/exchange/export/units.xlsx?occupied=true&amp;use=" in html
    rows = _rows(client.get(reverse("exchange:export", args=["units"]), {"occupied": "true"}))
    assert [r[0] for r in rows[1:]] == ["CH-3-1-101", "CH-5-1-101"]
    rows = _rows(client.get(reverse("exchange:export", args=["units"]), {"q": "1-102"}))
    assert [r[0] for r in rows[1:]] == ["CH-3-1-102", "CH-5-1-102"]


def test_customer_list_links_to_the_unit_list(client, cast):
    client.force_login(cast["agent"])
    assert f'href="{URL}" id="units-link"' in client.get(reverse("customers:list")).content.decode()


def _fill(start: int, stop: int, building):
    for i in range(start, stop):
        unit = make_asset(code=f"Q-{i:03d}", building=building, unit_status="occupied")
        make_customer(name=f"住户{i}", phones=[f"1370000{i:04d}"], assets=[unit])


@pytest.mark.parametrize("role", ["steward", "clerk"])
def test_query_count_does_not_grow_with_units(client, api, cast, org, role, django_assert_max_num_queries):
    site = make_site(code="QC", department=org["company"])
    building = make_building(site=site, code="1")
    _fill(0, 5, building)
    client.force_login(cast[role])
    client.get(URL)  # warm the per-process caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _fill(5, 40, building)  # more than a page
    with CaptureQueriesContext(connection) as many:
        html = client.get(URL).content.decode()
    assert html.count("kefu-unit-row") == 25
    assert len(many) == len(few) <= 18
    with django_assert_max_num_queries(20):
        assert client.get(URL, {"occupied": "true", "q": "Q-"}).status_code == 200
    client_api = api(cast[role])
    with django_assert_max_num_queries(12):
        assert len(client_api.get(API).json()["results"]) == 25
