"""Input limits (issue #15): body size, JSON depth, NUL characters, text and list lengths, time
ranges — each refused with a 400 naming the field, nothing written."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kefu.core.limits import bad_offset, json_depth_exceeds
from kefu.customers.models import Customer
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import category_for, make_work_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-orders/"


def _body(**overrides):
    body = {"type": "repair", "channel": "phone", "category": category_for("repair").pk, "title": "客厅灯不亮",
            "description": "客户来电"}
    body.update(overrides)
    return body


@pytest.fixture
def agent_client(cast):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast["agent"])
    return client


def _post_json(client, url, raw):
    return client.post(url, raw, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def _refused(response, field, code="invalid"):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert (body["code"], list(body["fields"])) == (code, [field])
    return body["fields"][field][0]


def test_a_json_body_over_1_mb_is_refused_before_it_is_read(agent_client, settings):
    raw = json.dumps(_body(description="x" * (1024 * 1024)))
    message = _refused(_post_json(agent_client, URL, raw), "body", "too_large")
    assert message == "请求内容超过 1024 KB。"  # the agent's profile language (zh) wins
    assert WorkOrder.objects.count() == 0


def test_deeply_nested_json_is_a_400_not_a_500(agent_client):
    for depth in (21, 100_000):  # the second made Python's parser recurse until RecursionError
        raw = "[" * depth + "]" * depth
        message = _refused(_post_json(agent_client, URL, raw), "body", "too_deep")
        assert message == "JSON 内容嵌套超过 20 层。"
    assert WorkOrder.objects.count() == 0


def test_json_depth():
    assert not json_depth_exceeds({"a": [1, {"b": []}]}, 4)
    assert json_depth_exceeds({"a": [1, {"b": []}]}, 3)
    assert not json_depth_exceeds("text", 0)


def test_a_nul_anywhere_in_json_is_refused_naming_its_path(agent_client):
    message = _refused(_post_json(agent_client, URL, json.dumps(_body(tags=["夜间", "a\x00b"]))), "tags.1",
                       "control_characters")
    assert message == "tags.1：不允许包含控制字符（如 NUL）。"
    _refused(_post_json(agent_client, URL, json.dumps({**_body(), "x\x00": 1})), "x\x00", "control_characters")
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/work-orders/?search=%00ab", "/api/v1/customers/?search=a%00",
                                  "/api/v1/search/?q=%00", "/api/v1/units/?search=%1b"],
                         ids=["orders", "customers", "search", "units_escape"])
def test_control_characters_in_the_query_are_refused_by_the_api(agent_client, path):
    field = path.split("?")[1].split("=")[0]
    _refused(agent_client.get(path), field, "control_characters")


@pytest.mark.parametrize("path", ["/work-orders/?search=%00ab", "/customers/?q=%00", "/search/?q=%00",
                                  "/customers/lookup/?q=%00"], ids=["queue", "customers", "search", "lookup"])
def test_control_characters_in_the_query_are_refused_by_pages(agent_client, path):
    response = agent_client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    field = path.split("?")[1].split("=")[0]
    assert f"{field}：不允许包含控制字符（如 NUL）。".encode() in response.content
    assert b"\x00" not in response.content


def test_a_nul_in_a_form_post_is_refused(cast, agent_client):
    order = make_work_order(actor=cast["agent"])
    before = WorkOrderEvent.objects.filter(work_order=order).count()
    response = agent_client.post(f"/work-orders/{order.pk}/actions/comment/", {"body": "a\x00b", "version": 1})
    assert response.status_code == 400
    assert WorkOrderEvent.objects.filter(work_order=order).count() == before


@pytest.mark.parametrize(("overrides", "field"), [
    ({"description": "长" * 10_001}, "description"),
    ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
    ({"received_at": "1999-12-31T23:59:59+08:00"}, "received_at"),
    ({"received_at": "2026-01-01T00:00:00+25:00"}, "received_at"),
    ({"received_at": "2026-01-01T00:00:00+15:60"}, "received_at"),
    ({"promised_at": "2026-01-01T00:00:00-16:00"}, "promised_at"),
], ids=["description", "tags", "before_2000", "offset_25h", "offset_minutes", "offset_minus_16h"])
def test_work_order_limits_name_the_field(agent_client, overrides, field):
    _refused(_post_json(agent_client, URL, json.dumps(_body(**overrides))), field)
    assert WorkOrder.objects.count() == 0


def test_received_at_a_minute_ahead_is_accepted_and_beyond_is_refused(agent_client):
    now = timezone.now()
    _refused(_post_json(agent_client, URL, json.dumps(_body(received_at=(now + timedelta(minutes=5)).isoformat()))),
             "received_at")
    ok = _post_json(agent_client, URL, json.dumps(_body(received_at=(now + timedelta(seconds=30)).isoformat())))
    assert ok.status_code == 201
    earliest = _post_json(agent_client, URL, json.dumps(_body(received_at="2000-01-01T00:00:00+00:00")))
    assert earliest.status_code == 201
    assert WorkOrder.objects.count() == 2


@pytest.mark.parametrize(("text", "bad"), [
    ("2026-01-01T00:00:00+15:59", False), ("2026-01-01T00:00:00-1559", False), ("2026-01-01T00:00+08:00", False),
    ("2026-01-01T00:00:00.123+16:00", True), ("2026-01-01 00:00:00-16:00", True), ("2026-01-01T00:00:00+08:60", True),
    ("2026-01-01T00:00:00Z", False), ("not a date +99:99", False)])
def test_offsets(text, bad):
    assert bad_offset(text) is bad


def test_a_bad_offset_in_a_filter_is_refused(agent_client):
    message = _refused(agent_client.get(URL, {"received_after": "2026-01-01T00:00:00+16:00"}), "received_after")
    assert message == "received_after：时区偏移须在 -15:59 至 +15:59 之间。"


def test_customer_list_limits(cast):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast["manager"])
    body = {"kind": "person", "name": "张三", "phones": ["13800138000"], "tags": [f"t{i}" for i in range(21)]}
    _refused(_post_json(client, "/api/v1/customers/", json.dumps(body)), "tags")
    body = {"kind": "person", "name": "张三", "phones": [f"1380013{i:04d}" for i in range(11)]}
    _refused(_post_json(client, "/api/v1/customers/", json.dumps(body)), "phones")
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/surveys/campaigns/null,null/", "/api/v1/surveys/campaigns/1.5/results/",
                                  "/api/v1/work-orders/abc/", "/api/v1/customers/-1/"],
                         ids=["campaign_list_literal", "campaign_decimal", "order_word", "customer_negative"])
def test_a_non_integer_id_in_a_path_is_a_json_404(agent_client, path):
    response = agent_client.get(path)  # the first two were 500s (found by the schemathesis run)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
