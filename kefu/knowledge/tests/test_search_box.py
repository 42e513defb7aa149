"""The header search (`GET /api/v1/search/?q=`, `/search/`, `/search/suggest/`): grouped answers,
each group scoped to the user; orders by number, phone tail and words; customers by pinyin
initials; units in any spelling; published articles only; a query budget."""

import pytest

from kefu.customers.tests.factories import make_asset, make_customer, make_site
from kefu.knowledge import services
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"


@pytest.fixture
def world(cast, org):
    site = make_site(code="CH", name="翠湖花园", department=org["company"])
    unit = make_asset(site=site, code="CH-3-2-1201")
    customer = make_customer(name="王小明", phones=["13912345678"], assets=[unit])
    order = make_work_order(actor=cast["agent"], customer=customer, asset=unit, title="卫生间漏水到楼下",
                            contact_phone="139 1234 5678")
    other = make_work_order(actor=cast["other_steward"], title="其他项目漏水", contact_phone="13800005678")
    article = services.article_create(actor_user=cast["agent"], title="漏水报修怎么处理", answer="先关闭总阀，再报修。")
    services.article_transition(article=article, action="submit", actor_user=cast["agent"])
    services.article_transition(article=article, action="publish", actor_user=cast["supervisor"])
    draft = services.article_create(actor_user=cast["steward"], title="漏水草稿", answer="未发布")
    return {"order": order, "other": other, "customer": customer, "unit": unit, "article": article, "draft": draft}


def _ids(body, group):
    return [row["id"] for row in body[group]]


def test_words_find_orders_and_articles_each_scoped(api, cast, world):
    body = api(cast["supervisor"]).get(URL, {"q": "漏水"}).json()
    assert _ids(body, "orders") == [world["order"].pk]  # not the other company's order
    assert _ids(body, "articles") == [world["article"].pk]  # published only, not the draft they could approve
    assert body["orders"][0]["title_html"] == "卫生间<mark>漏水</mark>到楼下"
    body = api(cast["other_steward"]).get(URL, {"q": "漏水"}).json()
    assert _ids(body, "orders") == [world["other"].pk]


def test_phone_tail_finds_the_order_and_the_customer(api, cast, world):
    body = api(cast["agent"]).get(URL, {"q": "5678"}).json()
    assert _ids(body, "orders") == sorted([world["order"].pk, world["other"].pk], reverse=True)
    assert _ids(body, "customers") == [world["customer"].pk]
    assert body["customers"][0]["phone"] == "13912345678"  # agents have the personal-data permission
    body = api(cast["qa"]).get(URL, {"q": "5678"}).json()
    assert body["customers"][0]["phone"] == "139****5678"  # QA has not: masked
    body = api(cast["supervisor"]).get(URL, {"q": "1234 5678"}).json()
    assert _ids(body, "orders") == [world["order"].pk]


def test_pinyin_initials_number_and_unit_spellings(api, cast, world):
    client = api(cast["agent"])
    assert _ids(client.get(URL, {"q": "wxm"}).json(), "customers") == [world["customer"].pk]
    assert _ids(client.get(URL, {"q": world["order"].number}).json(), "orders") == [world["order"].pk]
    body = client.get(URL, {"q": "3栋2单元1201"}).json()
    assert _ids(body, "units") == [world["unit"].pk]
    assert _ids(body, "customers") == [world["customer"].pk]


def test_bad_query_and_budget(api, cast, world, django_assert_max_num_queries):
    client = api(cast["agent"])
    response = client.get(URL, {"q": "漏" * 101})
    assert response.status_code == 400 and "q" in response.json()["fields"]
    assert client.get(URL, {"q": ""}).json() == {"q": "", "orders": [], "customers": [], "units": [], "articles": []}
    with django_assert_max_num_queries(16):
        assert client.get(URL, {"q": "漏水"}).status_code == 200
    assert api().get(URL, {"q": "漏水"}).status_code in (401, 403)


def test_pages_render_the_groups(client, cast, world):
    client.force_login(cast["agent"])
    html = client.get("/search/suggest/", {"q": "漏水"}, HTTP_HX_REQUEST="true").content.decode()
    assert world["order"].number in html and "漏水报修怎么处理" in html.replace("<mark>", "").replace("</mark>", "")
    html = client.get("/search/", {"q": "wxm"}).content.decode()
    assert "王小明" in html and 'id="search-customers"' in html
    assert client.get("/search/", {"q": "漏" * 101}).status_code == 400
    page = client.get("/work-orders/").content.decode()
    assert 'id="header-search"' in page  # the box is in the header of every staff page
