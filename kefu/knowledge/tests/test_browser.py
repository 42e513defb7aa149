"""A real browser (Debian's Chromium) drives the search box, the knowledge panels of the order page
and the similar cases of the intake form, in Chinese and English, at desktop and phone width.

ORM set-up and assertions stay outside the `sync_playwright()` block (see
kefu/workorders/tests/test_browser.py, whose helpers this reuses).
"""

import pytest
from django.test import Client

from kefu.customers.tests.factories import make_asset, make_customer, make_site
from kefu.knowledge import services
from kefu.knowledge.keywords import keywords
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def _world(cast, org):
    site = make_site(code="CH", name="翠湖花园", department=org["company"])
    unit = make_asset(site=site, code="CH-3-2-1201")
    customer = make_customer(name="王小明", phones=["13912345678"], assets=[unit])
    order = make_work_order(actor=cast["agent"], customer=customer, asset=unit, title="卫生间漏水到楼下",
                            description="楼下天花板渗水", contact_phone="13912345678")
    article = services.article_create(actor_user=cast["agent"], title="漏水报修口径", category=order.category,
                                      body="先关闭**总阀**。", answer="您好，请先关闭总阀，我们马上安排师傅上门。")
    services.article_transition(article=article, action="submit", actor_user=cast["agent"])
    services.article_transition(article=article, action="publish", actor_user=cast["supervisor"])
    keywords("预热分词词典")  # jieba loads its dictionary once per process (~1 s): not inside a 5 s wait
    warm = Client()  # templates compiled and static finders loaded before the browser's 5 s waits
    warm.force_login(cast["agent"])
    for url in ("/work-orders/", f"/work-orders/{order.pk}/", "/work-orders/new/", "/search/?q=x"):
        warm.get(url)
    return {"order": order, "customer": customer, "article": article}


def _set_language(user, language):
    user.staff.language = language
    user.staff.save(update_fields=["language"])


@pytest.mark.parametrize(("language", "device"), [("zh-hans", DESKTOP), ("en", PHONE)])
def test_slash_finds_an_order_by_phone_tail_a_customer_by_initials_and_an_article(live_server, cast, org,
                                                                                  language, device):
    from playwright.sync_api import expect, sync_playwright

    world = _world(cast, org)
    _set_language(cast["agent"], language)
    session = _session_cookie(cast["agent"])
    ARTIFACTS.mkdir(exist_ok=True)
    name = "phone" if device is PHONE else "desktop"

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **device)
        page.goto(f"{live_server.url}/work-orders/")
        page.keyboard.press("/")
        box = page.locator("#header-search")
        expect(box).to_be_focused()
        box.type("5678")
        results = page.locator("#header-search-results")
        expect(results.locator("[data-group=orders]")).to_contain_text(world["order"].number)
        expect(results.locator("[data-group=customers]")).to_contain_text("王小明")
        box.fill("")
        box.type("wxm")
        expect(results.locator("[data-group=customers]").first).to_contain_text("王小明")
        box.fill("")
        box.type("总阀")
        article_item = results.locator("[data-group=articles]").first
        expect(article_item).to_contain_text("漏水报修口径")
        expect(article_item.locator("mark").first).to_have_text("总阀")
        page.screenshot(path=str(ARTIFACTS / f"header_search_{name}_{language}.png"))
        box.press("Enter")
        page.wait_for_url("**/search/?q=*")
        expect(page.locator("#search-articles")).to_contain_text("漏水报修口径")
        heading = "Results for" if language == "en" else "的结果"
        expect(page.locator("h1")).to_contain_text(heading)
        browser.close()


@pytest.mark.parametrize(("language", "device"), [("en", DESKTOP), ("zh-hans", PHONE)])
def test_agent_inserts_an_article_answer_and_a_canned_reply(live_server, cast, org, language, device):
    from playwright.sync_api import expect, sync_playwright

    world = _world(cast, org)
    order = advance(world["order"], cast["supervisor"], "accept", ("dispatch", {"team": org["mep"]}))
    order = advance(order, cast["technician"], "start")
    services.canned_reply_create(actor_user=cast["technician"], title="上门通知",
                                 body="{customer_name}您好，工单{order_number}已处理。")
    _set_language(cast["technician"], language)
    session = _session_cookie(cast["technician"])
    name = "phone" if device is PHONE else "desktop"

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **device)
        page.goto(f"{live_server.url}/work-orders/{order.pk}/")
        panel = page.locator("#order-assist")
        expect(panel.locator("#suggested-articles")).to_contain_text("漏水报修口径")
        panel.locator("#suggested-articles [data-kefu-insert='#id_comment_body']").first.click()
        expect(page.locator("#id_comment_body")).to_have_value("您好，请先关闭总阀，我们马上安排师傅上门。")
        reply = panel.locator(".kefu-reply").first
        reply.locator("[data-kefu-insert='#id_resolve_resolution']").click()
        resolution = page.locator("#id_resolve_resolution")
        expect(resolution).to_be_visible()
        expect(resolution).to_have_value(f"王小明您好，工单{order.number}已处理。")
        page.screenshot(path=str(ARTIFACTS / f"insert_reply_{name}_{language}.png"))
        page.locator("#form-resolve button[type=submit]").click()
        page.wait_for_selector(".kefu-event[data-action=resolve]")
        browser.close()

    order.refresh_from_db()
    assert (order.status, order.resolution) == ("resolved", f"王小明您好，工单{order.number}已处理。")


@pytest.mark.parametrize(("language", "device"), [("zh-hans", PHONE), ("en", DESKTOP)])
def test_similar_cases_appear_while_typing_on_intake(live_server, cast, org, language, device):
    from playwright.sync_api import expect, sync_playwright

    world = _world(cast, org)
    _set_language(cast["agent"], language)
    session = _session_cookie(cast["agent"])
    before = WorkOrder.objects.count()
    name = "phone" if device is PHONE else "desktop"

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **device)
        page.goto(f"{live_server.url}/work-orders/new/")
        page.locator("#id_title").type("卫生间又漏水")
        page.locator("#id_description").type("天花板渗水")
        similar = page.locator("#similar-orders")
        expect(similar).to_contain_text(world["order"].number)
        page.screenshot(path=str(ARTIFACTS / f"intake_similar_{name}_{language}.png"), full_page=True)
        similar.locator(f"[data-add-call='{world['order'].pk}']").click()
        page.wait_for_url(f"**/work-orders/{world['order'].pk}/")
        browser.close()

    assert WorkOrder.objects.count() == before  # linked, not created
    event = WorkOrderEvent.objects.filter(work_order=world["order"]).latest("id")
    assert event.action == "comment" and "卫生间又漏水 天花板渗水" in event.body
