"""The capped count: exact up to the cap, "cap+" beyond, and the API says which."""

import pytest

from kefu.core import pagination
from kefu.workorders.tests.factories import make_work_order


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination, "CAP", 3)


def test_paginator_counts_exactly_below_the_cap(cast, small_cap):
    for _ in range(3):
        make_work_order(actor=cast["agent"])
    from kefu.workorders.models import WorkOrder

    paginator = pagination.CappedPaginator(WorkOrder.objects.order_by("id"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, False, 2)


def test_paginator_stops_counting_at_the_cap(cast, small_cap):
    for _ in range(5):
        make_work_order(actor=cast["agent"])
    from kefu.workorders.models import WorkOrder

    paginator = pagination.CappedPaginator(WorkOrder.objects.order_by("id"), 2)
    assert (paginator.count, paginator.capped) == (3, True)


def test_api_reports_a_capped_count(api, cast, small_cap):
    for _ in range(5):
        make_work_order(actor=cast["agent"])
    body = api(cast["agent"]).get("/api/v1/work-orders/?page_size=2").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (3, True, 2)
    body = api(cast["agent"]).get("/api/v1/work-orders/?page_size=2&type=inquiry").json()
    assert (body["count"], body["count_capped"]) == (0, False)


def test_queue_page_says_more_than(client, cast, small_cap):
    for _ in range(5):
        make_work_order(actor=cast["agent"])
    cast["agent"].staff.language = "en"
    cast["agent"].staff.save()
    client.force_login(cast["agent"])
    response = client.get("/work-orders/?queue=all")
    assert "more than 3 work orders" in response.content.decode()
