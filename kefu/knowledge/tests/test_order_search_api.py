"""`GET /api/v1/work-orders/?search=` and the queue page's search box: combined with every other
filter, visibility applied, ranked (title matches first, then newest), numbers found by prefix,
bad input a 400 naming the field, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-orders/"


@pytest.fixture
def orders(cast, org):
    agent = cast["agent"]
    now = timezone.now()
    made = {
        "title": make_work_order(actor=agent, title="卫生间漏水", description="楼下天花板有水渍",
                                 received_at=now - timedelta(hours=5)),
        "desc_new": make_work_order(actor=agent, title="天花板渗水", description="客户说上次漏水没修好",
                                    received_at=now - timedelta(hours=1)),
        "desc_old": make_work_order(actor=agent, title="墙面发霉", description="疑似漏水引起",
                                    received_at=now - timedelta(hours=9)),
        "other": make_work_order(actor=agent, title="电梯异响", description="三号梯运行有噪音",
                                 received_at=now - timedelta(hours=2)),
        "vendor_job": make_work_order(actor=agent, title="电梯困人", description="二号梯困人已解救",
                                      received_at=now - timedelta(hours=3)),
    }
    advance(made["vendor_job"], cast["supervisor"], "accept", ("dispatch", {"team": org["vend"]}))
    advance(made["vendor_job"], cast["agent"], ("comment", {"body": "业主要求赔偿漏水损失", "internal": True}))
    advance(made["other"], cast["agent"], ("comment", {"body": "ＷＩＦＩ也断了", "internal": False}))
    return made  # indexed by the gate's hook as they were written


def _numbers(response):
    return [row["number"] for row in response.json()["results"]]


def test_search_is_ranked_title_first_then_newest(api, cast, orders):
    response = api(cast["agent"]).get(URL, {"search": "漏水"})
    assert response.status_code == 200
    body = response.json()
    # the title match first; then the description matches newest first; then the internal comment's
    assert _numbers(response) == [orders[k].number for k in ("title", "desc_new", "vendor_job", "desc_old")]
    assert (body["count"], body["count_capped"]) == (4, False)


def test_search_with_an_ordering_follows_it(api, cast, orders):
    response = api(cast["agent"]).get(URL, {"search": "漏水", "ordering": "-received_at"})
    assert _numbers(response) == [orders[k].number for k in ("desc_new", "vendor_job", "title", "desc_old")]


def test_search_combines_with_other_filters(api, cast, orders):
    response = api(cast["agent"]).get(URL, {"search": "漏水", "status": "dispatched"})
    assert _numbers(response) == [orders["vendor_job"].number]
    response = api(cast["agent"]).get(URL, {"search": "电梯", "status": "new"})
    assert _numbers(response) == [orders["other"].number]


def test_width_and_case_and_several_terms(api, cast, orders):
    assert _numbers(api(cast["agent"]).get(URL, {"search": "wifi"})) == [orders["other"].number]
    assert _numbers(api(cast["agent"]).get(URL, {"search": "Wi"})) == [orders["other"].number]
    assert _numbers(api(cast["agent"]).get(URL, {"search": "电梯 噪音"})) == [orders["other"].number]
    assert _numbers(api(cast["agent"]).get(URL, {"search": "电梯 漏水"})) == [orders["vendor_job"].number]


def test_vendor_sees_only_dispatched_work_and_no_internal_comment(api, cast, orders):
    assert _numbers(api(cast["vendor"]).get(URL, {"search": "困人"})) == [orders["vendor_job"].number]
    assert _numbers(api(cast["vendor"]).get(URL, {"search": "赔偿"})) == []
    assert _numbers(api(cast["agent"]).get(URL, {"search": "赔偿"})) == [orders["vendor_job"].number]
    # another company's steward sees none of these orders
    assert _numbers(api(cast["other_steward"]).get(URL, {"search": "漏水"})) == []


def test_an_order_number_or_its_start_finds_the_order(api, cast, orders):
    number = orders["other"].number
    assert _numbers(api(cast["agent"]).get(URL, {"search": number})) == [number]
    assert _numbers(api(cast["agent"]).get(URL, {"search": number.lower()})) == [number]
    without_prefix = number[2:]
    assert _numbers(api(cast["agent"]).get(URL, {"search": without_prefix})) == [number]


def test_too_long_or_too_many_terms_is_400_naming_the_field(api, cast, orders):
    response = api(cast["agent"]).get(URL, {"search": "漏" * 101})
    assert response.status_code == 400
    assert "search" in response.json()["fields"]
    response = api(cast["agent"]).get(URL, {"search": " ".join("abcdefghi")})
    assert response.status_code == 400
    assert "search" in response.json()["fields"]


def test_search_list_has_a_query_budget(api, cast, orders, django_assert_max_num_queries):
    client = api(cast["supervisor"])
    with django_assert_max_num_queries(14):
        response = client.get(URL, {"search": "漏水 楼", "status": ["new", "dispatched"]})
    assert response.status_code == 200


def test_queue_page_search_box(client, cast, orders):
    client.force_login(cast["agent"])
    response = client.get("/work-orders/", {"queue": "all", "search": "漏水"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="search"' in html
    for key in ("title", "desc_new", "desc_old", "vendor_job"):
        assert orders[key].number in html
    assert orders["other"].number not in html
    assert "<mark>漏水</mark>" in html  # the match is highlighted
    response = client.get("/work-orders/", {"queue": "all", "search": "漏" * 101})
    assert response.status_code == 200
    assert orders["other"].number in response.content.decode()  # the filter is shown as invalid, ignored
