"""The supervisor's day in a real browser (Debian's Chromium through Playwright), in Chinese and
English, on a desktop and a 390 px phone: they land on "to dispatch" with counts on every tab, save
a view, and dispatch three selected orders at once — one refused and listed.

ORM set-up and assertions happen outside the `sync_playwright()` block (Django refuses database
access from inside its event loop)."""

import pytest

from kefu.org.models import Staff
from kefu.workorders.choices import Status
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order
from kefu.workorders.tests.test_browser import ARTIFACTS, _browser, _page_as, _session_cookie
from kefu.workspace.models import SavedView

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {"dispatch": "待派单", "all": "全部", "done": "3 张工单中 2 张已完成", "refused": "被拒绝"},
    "en": {"dispatch": "To dispatch", "all": "All", "done": "2 of 3 work orders done", "refused": "refused"},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_supervisor_lands_on_to_dispatch_saves_a_view_and_bulk_dispatches(live_server, cast, org, language, phone):
    from playwright.sync_api import expect, sync_playwright

    Staff.objects.filter(user=cast["supervisor"]).update(language=language)
    new = [make_work_order(actor=cast["agent"], title=title) for title in ("新单甲", "新单乙")]
    cancelled = advance(make_work_order(actor=cast["agent"], title="已取消单"), cast["agent"],
                        ("cancel", {"reason": "重复"}))
    session = _session_cookie(cast["supervisor"])
    team_id = org["mep"].pk
    text = TEXT[language]
    base = live_server.url
    size = {"viewport": {"width": 390, "height": 844}, "is_mobile": True} if phone else {}
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, **size)
        # lands on "to dispatch": the two new orders, counted on the tab
        page.goto(f"{base}/work-orders/")
        active = page.locator(".kefu-queue-tabs .nav-link.active")
        expect(active).to_have_attribute("data-queue", "dispatch")
        expect(active).to_contain_text(text["dispatch"])
        expect(active.locator(".kefu-count")).to_have_text("2")
        expect(page.locator(".kefu-queue-tabs [data-queue=all] .kefu-count")).to_have_count(0)  # "all" is not counted
        expect(page.locator("#queue-results")).to_contain_text("新单甲")
        expect(page.locator("#queue-results tbody tr")).to_have_count(2)

        # every order, by number: saved as a view, which then opens from the menu
        page.goto(f"{base}/work-orders/?queue=all&ordering=number")
        page.click("#saved-views > button")
        page.fill("#id_view_name", "全部按编号")
        page.click("#saved-view-form button[type=submit]")
        expect(page.locator("#saved-views > button")).to_contain_text("全部按编号")
        expect(page.locator("#queue-results tbody tr")).to_have_count(3)
        page.screenshot(path=str(ARTIFACTS / f"queue_{language}_{'phone' if phone else 'desktop'}.png"),
                        full_page=True)

        # all three selected and dispatched to the repair team: the cancelled one is refused, listed
        for box in page.locator(".kefu-bulk-check").all():
            box.check()
        page.select_option("#id_bulk_action", "dispatch")
        page.select_option("#id_bulk_team", str(team_id))
        page.click("#bulk-apply")
        expect(page.locator(".kefu-bulk-summary")).to_contain_text(text["done"])
        refused = page.locator(".kefu-bulk-refused")
        expect(refused).to_have_count(1)
        expect(refused).to_have_attribute("data-number", cancelled.number)
        expect(refused).to_contain_text(text["refused"])
        expect(page.locator(".kefu-bulk-done")).to_have_count(2)
        page.screenshot(path=str(ARTIFACTS / f"bulk_{language}_{'phone' if phone else 'desktop'}.png"),
                        full_page=True)
        # back on the queue, "to dispatch" is empty now
        page.goto(f"{base}/work-orders/")
        expect(page.locator(".kefu-queue-tabs .nav-link.active .kefu-count")).to_have_text("0")
        browser.close()

    assert list(SavedView.objects.values_list("name", "query")) == [("全部按编号", "ordering=number&queue=all")]
    states = dict(WorkOrder.objects.values_list("title", "status"))
    assert states == {"新单甲": Status.DISPATCHED, "新单乙": Status.DISPATCHED, "已取消单": Status.CANCELLED}
    assert sorted(WorkOrderEvent.objects.filter(action="dispatch").values_list("work_order_id", flat=True)) == \
        sorted(o.pk for o in new)
