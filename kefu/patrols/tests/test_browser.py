"""A real browser (Debian's Chromium) walks a patrol round on a 390 px phone, in Chinese: three
checkpoints (one failed item; the second sent after the phone was offline), then the finding
becomes a work order in one tap. ORM set-up and assertions stay outside `sync_playwright()`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.patrols import services
from kefu.patrols.models import Finding, PatrolRound
from kefu.patrols.tests.factories import make_daily, make_route
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_round_on_the_phone_with_an_offline_checkpoint_and_a_finding_raised(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    route = make_route(actor=cast["supervisor"], department=org["cs"])
    now = timezone.localtime()
    due = max(now - timedelta(minutes=5), now.replace(hour=0, minute=0))  # today's slot, also just after midnight
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"], times=[due.strftime("%H:%M")])
    services.patrol_rounds_plan(day=due.date())
    round = PatrolRound.objects.get()
    cps = list(route.checkpoints.order_by("sequence"))
    items = [list(cp.items.order_by("sequence")) for cp in cps]
    session = _session_cookie(cast["steward"])
    url = f"{live_server.url}/patrols/rounds/{round.pk}/"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **PHONE)
        page.goto(url)
        expect(page.locator("h1")).to_contain_text("日常巡查路线")
        expect(page.locator("#round-progress")).to_contain_text("已巡 0 / 3 个点位")
        # the page fits the phone: nothing wider than the viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # 1: the lobby, lighting fails
        first = f"#checkpoint-{cps[0].pk}"
        page.fill(f"{first} input[name=tag]", cps[0].tag)
        page.click(f"{first} label[for=item-{items[0][0].pk}-pass]")
        page.click(f"{first} label[for=item-{items[0][1].pk}-fail]")
        page.fill(f"{first} input[name=item_{items[0][1].pk}_note]", "两盏灯不亮")
        page.click(f"{first} button[type=submit]")
        expect(page.locator(f"{first} .kefu-visited")).to_be_visible()
        expect(page.locator(".kefu-finding")).to_have_count(1)

        # 2: the pump room has no signal: kept on the phone, sent when the connection returns
        page.context.set_offline(True)
        second = f"#checkpoint-{cps[1].pk}"
        page.fill(f"{second} input[name=tag]", cps[1].tag)
        page.fill(f"{second} input[name=item_{items[1][0].pk}_value]", "0.45")
        page.click(f"{second} button[type=submit]")
        expect(page.locator("#patrol-offline")).to_be_visible()
        expect(page.locator(f"{second} .kefu-queued")).to_contain_text("已保存在本机")
        page.screenshot(path=str(ARTIFACTS / "patrol_round_offline_phone_zh.png"), full_page=True)
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator(f"{second} .kefu-visited")).to_be_visible()
        expect(page.locator("#patrol-offline")).to_be_hidden()

        # 3: the fire lane passes; the round completes
        third = f"#checkpoint-{cps[2].pk}"
        page.fill(f"{third} input[name=tag]", cps[2].tag)
        page.click(f"{third} label[for=item-{items[2][0].pk}-pass]")
        page.click(f"{third} button[type=submit]")
        expect(page.locator(f"{third} .kefu-visited")).to_be_visible()
        expect(page.locator("#round-status")).to_contain_text("已完成")

        # the finding becomes a work order in one tap
        page.click(".kefu-finding .kefu-raise-order")
        page.wait_for_url("**/work-orders/*/")
        expect(page.locator("body")).to_contain_text("1号楼大堂：照明正常")
        page.screenshot(path=str(ARTIFACTS / "patrol_finding_order_phone_zh.png"), full_page=True)
        browser.close()

    round.refresh_from_db()
    assert (round.status, round.is_late) == ("completed", False)
    assert round.visits.count() == 3
    finding = Finding.objects.get()
    order = WorkOrder.objects.get()
    assert (finding.status, finding.work_order_id) == ("work_order", order.pk)
    assert (order.channel, order.type, order.first_contact_owner_id) == ("patrol", "repair", cast["steward"].pk)
    assert "两盏灯不亮" in order.description
