"""Notices: the API contract, approval above the limit, chunked resumable expansion (each
customer once), delivery figures, cancellation, and bad input refused naming the field."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.customers.models import CustomerAsset
from kefu.customers.tests.factories import make_asset, make_building, make_customer, make_site
from kefu.notices.models import Notice, NoticeEvent, NoticeRecipient
from kefu.notices.services import notice_expand_chunk
from kefu.notifications.models import OutboundMessage

TZ = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/notices/"


@pytest.fixture
def estate(db):
    site = make_site(name="金桂苑")
    b1, b2, b3 = (make_building(site=site, code=c) for c in ("1", "2", "3"))
    people = {}
    for building, count in ((b1, 3), (b2, 2), (b3, 2)):
        for i in range(count):
            unit = make_asset(building=building, code=f"{building.code}-{i + 1}01")
            people[unit.code] = make_customer(name=f"业主{unit.code}", phones=[f"139{building.pk % 10}{i:07d}"],
                                              assets=[unit])
    # one moved out: not an occupant any more
    CustomerAsset.objects.filter(customer=people["1-301"]).update(ended_on=datetime(2026, 1, 1, tzinfo=TZ).date())
    # one without a mobile but with an email
    people["2-101"].phones.all().delete()
    people["2-101"].email = "owner201@example.com"
    people["2-101"].save()
    return {"site": site, "buildings": (b1, b2, b3), "people": people}


def _draft(client, estate, **overrides):
    b1, b2, _b3 = estate["buildings"]
    body = {"title": "停水通知", "body": "12月8日 9:00-12:00 1、2栋停水，请提前储水。", "channels": ["sms", "email"],
            "target": {"buildings": [b1.pk, b2.pk]}, **overrides}
    return client.post(URL, body, format="json")


def test_a_notice_to_two_buildings_goes_to_their_occupants_once(api, cast, estate, settings,
                                                                django_capture_on_commit_callbacks):
    settings.KEFU_NOTICE_APPROVAL_ABOVE = 2
    client = api(cast["steward"])
    response = _draft(client, estate)
    assert response.status_code == 201, response.json()
    notice = response.json()
    assert (notice["status"], notice["recipients"], notice["sent"], notice["sms_parts"]) == ("draft", 0, 0, 1)
    pk = notice["id"]
    assert client.post(f"{URL}{pk}/actions/submit/", {}, format="json").json()["status"] == "pending_approval"
    # four recipients are more than 2: the steward may not send before a supervisor approves
    refused = client.post(f"{URL}{pk}/actions/send/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "approval_required")
    assert client.post(f"{URL}{pk}/actions/approve/", {}, format="json").status_code == 403
    assert api(cast["supervisor"]).post(f"{URL}{pk}/actions/approve/", {}, format="json").json()["status"] == "approved"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{URL}{pk}/actions/send/", {}, format="json")
    assert sent.status_code == 200
    result = client.get(f"{URL}{pk}/").json()
    assert {k: result[k] for k in ("status", "recipients", "sent", "delivered", "failed", "logged", "queued")} == {
        "status": "sent", "recipients": 4, "sent": 1, "delivered": 0, "failed": 0, "logged": 3, "queued": 0}
    rows = {r.customer.name: r.message for r in NoticeRecipient.objects.select_related("customer", "message")}
    assert sorted(rows) == ["业主1-101", "业主1-201", "业主2-101", "业主2-201"]
    assert (rows["业主2-101"].channel, rows["业主2-101"].to_address) == ("email", "owner201@example.com")
    assert rows["业主1-101"].channel == "sms"
    assert rows["业主1-101"].body == "【停水通知】12月8日 9:00-12:00 1、2栋停水，请提前储水。"
    assert list(NoticeEvent.objects.filter(notice_id=pk).values_list("action", flat=True)) == [
        "create", "submit", "approve", "send", "finish"]


def test_expansion_resumes_after_a_crash_and_queues_nobody_twice(cast, estate):
    from kefu.notices.services import notice_create, notice_transition

    b1, b2, b3 = estate["buildings"]
    notice = notice_create(actor_user=cast["supervisor"], title="电梯维保", body="3栋电梯周二停用。", channels=["sms"],
                           target={"buildings": [b1.pk, b2.pk, b3.pk]})
    notice = notice_transition(notice=notice, action="submit", actor_user=cast["supervisor"])
    notice = notice_transition(notice=notice, action="approve", actor_user=cast["supervisor"])
    notice = notice_transition(notice=notice, action="send", actor_user=cast["supervisor"])
    assert notice_expand_chunk(notice_id=notice.pk, size=2) == 2
    # a worker that ran the same chunk again (it died before it saw the cursor move) adds nothing
    Notice.objects.filter(pk=notice.pk).update(cursor=0)
    assert notice_expand_chunk(notice_id=notice.pk, size=2) == 2
    Notice.objects.filter(pk=notice.pk).update(cursor=NoticeRecipient.objects.order_by("-customer_id")
                                               .values_list("customer_id", flat=True)[0])
    while notice_expand_chunk(notice_id=notice.pk, size=2):
        pass
    notice.refresh_from_db()
    # 6 occupants, one of them reachable only by email (not a channel of this notice)
    assert (notice.status, NoticeRecipient.objects.count(), OutboundMessage.objects.count()) == ("sent", 5, 5)
    assert len(set(OutboundMessage.objects.values_list("to_address", flat=True))) == 5


def test_cancel_stops_what_is_not_sent(cast, estate):
    from kefu.notices.services import notice_create, notice_transition

    b1, _b2, _b3 = estate["buildings"]
    notice = notice_create(actor_user=cast["supervisor"], title="台风预警", body="请关好门窗。", channels=["sms"],
                           target={"buildings": [b1.pk]}, urgent=True)
    for action in ("submit", "send"):
        notice = notice_transition(notice=notice, action=action, actor_user=cast["supervisor"])
    notice_expand_chunk(notice_id=notice.pk)
    notice = notice_transition(notice=notice, action="cancel", actor_user=cast["supervisor"], note="预警解除")
    assert set(OutboundMessage.objects.values_list("state", "reason")) == {("suppressed", "The notice was cancelled.")}
    assert notice.status == "cancelled"


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"),
    ({"channels": ["fax"]}, "channels"),
    ({"target": {"buildings": [999999]}}, "target"),
    ({"target": {"floors": [3]}}, "target"),
    ({"body": "长" * 501}, "body"),
])
def test_bad_input_names_the_field_and_writes_nothing(api, cast, estate, change, field):
    response = _draft(api(cast["steward"]), estate, **change)
    assert response.status_code == 400
    assert field in response.json().get("fields", response.json())
    assert not Notice.objects.exists()


def test_notices_of_another_company_are_404(api, cast, estate):
    pk = _draft(api(cast["steward"]), estate).json()["id"]
    assert api(cast["other_steward"]).get(f"{URL}{pk}/").status_code == 404
    assert api(cast["other_steward"]).post(f"{URL}{pk}/actions/submit/", {}, format="json").status_code == 404
    assert Notice.objects.get(pk=pk).status == "draft"


def test_list_query_budget(api, cast, estate, django_assert_max_num_queries):
    client = api(cast["steward"])
    for _ in range(3):
        _draft(client, estate)
    with django_assert_max_num_queries(16):
        response = client.get(URL)
    assert response.status_code == 200


def test_a_scheduled_notice_waits_for_its_time(cast, estate):
    from kefu.notices.services import notice_create, notice_transition

    b1, _b2, _b3 = estate["buildings"]
    notice = notice_create(actor_user=cast["supervisor"], title="节日问候", body="元旦快乐！", channels=["sms"],
                           target={"buildings": [b1.pk]}, send_at=datetime(2027, 1, 1, 9, tzinfo=TZ))
    for action in ("submit", "send"):
        notice = notice_transition(notice=notice, action=action, actor_user=cast["supervisor"])
    with time_machine.travel(datetime(2026, 12, 31, 9, tzinfo=TZ), tick=False):
        assert notice_expand_chunk(notice_id=notice.pk) == 0
    assert not OutboundMessage.objects.exists()
    with time_machine.travel(datetime(2027, 1, 1, 9, tzinfo=TZ), tick=False):
        assert notice_expand_chunk(notice_id=notice.pk) == 2


def test_demo_notices(cast, estate):
    from kefu.notices.demo import create_demo_notices

    # the busiest building: 1栋, three units, one of them moved out
    assert create_demo_notices() == "3 demo notices (2 recipients of the water stop)"
    assert set(Notice.objects.values_list("title", "status")) == {
        ("元旦问候", "draft"), ("台风预警", "pending_approval"), ("停水通知", "sent")}
    assert create_demo_notices() == "notices already present (or no demo staff)"
