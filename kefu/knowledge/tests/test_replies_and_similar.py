"""Canned replies (variables, personal and shared, macros through the gate), the order page's and
the intake form's panels (suggested answers, similar cases, adding a call to an existing order)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, NotAllowed, NotFound
from kefu.customers.tests.factories import make_asset, make_building, make_customer, make_site
from kefu.knowledge import selectors, services
from kefu.knowledge.models import CannedReply, SiteServicePhone
from kefu.org.selectors import actor_for_user
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

BODY = "{customer_name}您好，工单{order_number}已安排{technician}于{promised_time}上门，如有疑问请拨打{site_phone}。{other}"


@pytest.fixture
def order(cast, org):
    site = make_site(code="CH", name="翠湖花园")
    SiteServicePhone.objects.create(site=site, phone="0571-88886666")
    unit = make_asset(site=site, code="CH-1-1-101")
    customer = make_customer(name="李四", phones=["13700001111"], assets=[unit])
    order = make_work_order(actor=cast["agent"], customer=customer, asset=unit)
    promised = timezone.now() + timedelta(days=1)
    return advance(order, cast["supervisor"], "accept",
                   ("dispatch", {"team": org["mep"], "assignee": cast["technician"], "promised_at": promised}))


def test_render_fills_the_variables(cast, order):
    reply = services.canned_reply_create(actor_user=cast["agent"], title="上门通知", body=BODY)
    text = selectors.render_reply(reply, order=order, actor=actor_for_user(cast["agent"]))
    promised = timezone.localtime(order.promised_at).strftime("%Y-%m-%d %H:%M")
    technician = cast["technician"].staff.display_name
    assert text == f"李四您好，工单{order.number}已安排{technician}于{promised}上门，如有疑问请拨打0571-88886666。{{other}}"


def test_personal_and_shared_replies(cast, api):
    mine = services.canned_reply_create(actor_user=cast["agent"], title="我的", body="我的回复")
    shared = services.canned_reply_create(actor_user=cast["supervisor"], title="共享", body="共享回复", shared=True)
    with pytest.raises(NotAllowed):
        services.canned_reply_create(actor_user=cast["agent"], title="x", body="y", shared=True)
    # one's own first, then the shared ones
    assert [r["id"] for r in api(cast["agent"]).get("/api/v1/knowledge/replies/").json()] == [mine.pk, shared.pk]
    assert [r["id"] for r in api(cast["steward"]).get("/api/v1/knowledge/replies/").json()] == [shared.pk]
    with pytest.raises(NotFound):  # another's personal reply does not exist for them
        services.canned_reply_update(reply=mine, actor_user=cast["steward"], title="改")
    with pytest.raises(NotAllowed):
        services.canned_reply_update(reply=shared, actor_user=cast["agent"], title="改")
    updated = services.canned_reply_update(reply=shared, actor_user=cast["manager"], title="共享（改）",
                                           expected_version=1)
    assert (updated.title, updated.version) == ("共享（改）", 2)
    with pytest.raises(Conflict):
        services.canned_reply_update(reply=shared, actor_user=cast["manager"], title="旧", expected_version=1)
    assert CannedReply.objects.get(pk=shared.pk).title == "共享（改）"


def test_macros_act_through_the_gate(cast, order, api):
    hold = services.canned_reply_create(actor_user=cast["technician"], title="等客户", macro="hold",
                                        body="{customer_name}不在家，约定改期")
    comment = services.canned_reply_create(actor_user=cast["technician"], title="告知", macro="comment",
                                           body="工单{order_number}已处理中")
    plain = services.canned_reply_create(actor_user=cast["technician"], title="仅插入", body="文本")
    order = advance(order, cast["technician"], "start")
    client = api(cast["technician"])
    response = client.post(f"/api/v1/knowledge/replies/{comment.pk}/apply/", {"work_order": order.pk}, format="json")
    assert response.status_code == 200, response.json()
    event = WorkOrderEvent.objects.filter(work_order=order).latest("id")
    assert (event.action, event.internal, event.body) == ("comment", False, f"工单{order.number}已处理中")
    response = client.post(f"/api/v1/knowledge/replies/{hold.pk}/apply/",
                           {"work_order": order.pk, "version": order.version + 5}, format="json")
    assert response.status_code == 409  # a stale version: nothing happens
    assert WorkOrder.objects.get(pk=order.pk).status == "in_progress"
    response = client.post(f"/api/v1/knowledge/replies/{hold.pk}/apply/", {"work_order": order.pk}, format="json")
    assert response.status_code == 200
    order = WorkOrder.objects.get(pk=order.pk)
    assert (order.status, order.hold_reason) == ("on_hold", "customer")
    assert WorkOrderEvent.objects.filter(work_order=order).latest("id").body == "李四不在家，约定改期"
    assert client.post(f"/api/v1/knowledge/replies/{plain.pk}/apply/", {"work_order": order.pk},
                       format="json").status_code == 400
    # the other company's technician sees neither the reply nor the order
    assert api(cast["other_technician"]).post(f"/api/v1/knowledge/replies/{comment.pk}/apply/",
                                              {"work_order": order.pk}, format="json").status_code == 404


def test_order_page_panel_offers_answers_and_replies(client, cast, order):
    article = services.article_create(actor_user=cast["agent"], title="漏水处理口径", answer="请先关闭总阀",
                                      category=order.category)
    services.article_transition(article=article, action="submit", actor_user=cast["agent"])
    services.article_transition(article=article, action="publish", actor_user=cast["supervisor"])
    services.canned_reply_create(actor_user=cast["agent"], title="上门通知", body="{customer_name}您好")
    client.force_login(cast["agent"])
    html = client.get(f"/knowledge/orders/{order.pk}/assist/").content.decode()
    assert "请先关闭总阀" in html and 'data-text="李四您好"' in html
    assert 'data-kefu-insert="#id_comment_body"' in html and 'id="make-case"' not in html
    assert client.get(f"/work-orders/{order.pk}/").status_code == 200
    client.force_login(cast["other_steward"])
    assert client.get(f"/knowledge/orders/{order.pk}/assist/").status_code == 404


def test_similar_cases_unit_then_building_then_words(cast, client):
    site = make_site(code="JY", name="锦园")
    building = make_building(site=site, code="5")
    unit, neighbour = make_asset(site=site, building=building, code="JY-5-101"), make_asset(
        site=site, building=building, code="JY-5-202")
    same_unit = make_work_order(actor=cast["agent"], asset=unit, title="阳台推拉门坏了", description="门关不上")
    same_building = make_work_order(actor=cast["agent"], asset=neighbour, title="楼道灯不亮", description="五楼")
    by_words = make_work_order(actor=cast["agent"], title="卫生间漏水", description="天花板渗水到楼下")
    unrelated = make_work_order(actor=cast["agent"], title="快递柜建议", description="建议增加快递柜")
    found = selectors.similar_orders(actor=actor_for_user(cast["agent"]), text="卫生间天花板渗水", asset_id=unit.pk)
    assert [o.pk for o in found] == [same_unit.pk, same_building.pk, by_words.pk]
    assert [o.similar_reason for o in found] == ["unit", "building", "text"]
    assert unrelated.pk not in [o.pk for o in found]
    # the other company sees none of them
    assert selectors.similar_orders(actor=actor_for_user(cast["other_steward"]), text="卫生间天花板渗水") == []
    client.force_login(cast["agent"])
    html = client.get("/knowledge/intake-assist/", {"title": "卫生间", "description": "天花板渗水",
                                                     "asset": unit.pk}).content.decode()
    assert same_unit.number in html and by_words.number in html and f'data-add-call="{by_words.pk}"' in html


def test_adding_a_call_to_an_existing_order_instead_of_a_duplicate(client, cast):
    order = make_work_order(actor=cast["agent"], title="电梯异响")
    client.force_login(cast["agent"])
    before = WorkOrder.objects.count()
    response = client.post(f"/knowledge/orders/{order.pk}/add-call/", {"title": "电梯又响了", "description": "三号梯"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == f"/work-orders/{order.pk}/"
    assert WorkOrder.objects.count() == before
    event = WorkOrderEvent.objects.filter(work_order=order).latest("id")
    assert event.action == "comment" and "电梯又响了 三号梯" in event.body
    client.force_login(cast["other_steward"])
    assert client.post(f"/knowledge/orders/{order.pk}/add-call/", {"title": "x"}).status_code == 404
