"""Internal notes with @mentions: the staff named (who may see the order) are told in the app;
customer-visible comments and internal notes are marked apart on the timeline."""

import pytest

from kefu.notifications.models import Notification
from kefu.org.models import Staff
from kefu.workorders.models import WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db


def test_mentioned_staff_who_may_see_the_order_are_notified_in_the_app(cast, org, django_capture_on_commit_callbacks):
    Staff.objects.filter(user=cast["technician"]).update(display_name="王师傅")
    Staff.objects.filter(user=cast["other_technician"]).update(display_name="外司李工")
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("dispatch", {"team": org["mep"]}))
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["agent"], ("comment", {"body": "@王师傅，请今天上门；@外司李工 @nobody @supervisor 知悉",
                                                   "internal": True}))
    event = WorkOrderEvent.objects.get(work_order=order, action="comment")
    # the other company's technician may not see the order: not mentioned, not told
    assert sorted(m["id"] for m in event.data["mentions"]) == sorted([cast["technician"].pk, cast["supervisor"].pk])
    assert {"id": cast["technician"].pk, "name": "王师傅"} in event.data["mentions"]
    told = set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))
    assert told == {cast["technician"].pk, cast["supervisor"].pk}
    assert not Notification.objects.filter(recipient=cast["other_technician"]).exists()


def test_a_note_without_mentions_keeps_no_mention_data(cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("comment", {"body": "a@b 邮件已发"}))
    assert "mentions" not in WorkOrderEvent.objects.get(work_order=order, action="comment").data


def test_the_timeline_marks_internal_notes_and_customer_visible_comments_apart(client, cast, org):
    Staff.objects.filter(user=cast["technician"]).update(display_name="王师傅")
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("dispatch", {"team": org["mep"]}))
    advance(order, cast["agent"], ("comment", {"body": "内部：@王师傅 注意", "internal": True}),
            ("comment", {"body": "已安排师傅上门", "internal": False}))
    client.force_login(cast["agent"])
    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert html.count("kefu-internal") == 1 and html.count("kefu-customer-visible") == 1
    assert "内部备注" in html and "客户可见" in html
    assert "提及: 王师傅" in html
