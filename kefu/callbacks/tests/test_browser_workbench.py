"""A real browser (Debian's Chromium) on the callback workbench (issue #20), in Chinese on a phone
and in English on a desktop: the tabs carry counts, a not-reached attempt takes a quick reason
and the next attempt time, and "save and next" opens the next callback of the tab.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.callbacks.models import Callback, CallbackAttempt
from kefu.callbacks.tests.factories import callback_of, make_resolved
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not __import__("os").path.exists(CHROMIUM):
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SLOW_MS = 30_000


@pytest.mark.parametrize(("language", "device"), [("zh-hans", PHONE), ("en", DESKTOP)])
def test_save_and_next_through_the_due_tab(live_server, cast, language, device):
    from playwright.sync_api import expect, sync_playwright

    now = timezone.now()
    first, second = (callback_of(make_resolved(actor=cast["agent"])) for _ in range(2))
    Callback.objects.filter(pk=first.pk).update(due_at=now - timedelta(hours=2))
    Callback.objects.filter(pk=second.pk).update(due_at=now - timedelta(hours=1))
    WorkOrder.objects.filter(pk__in=[first.work_order_id, second.work_order_id]).update(contact_phone="13800001234")
    cast["agent"].staff.language = language
    cast["agent"].staff.save(update_fields=["language"])
    session = _session_cookie(cast["agent"])
    name = f"{'phone' if device is PHONE else 'desktop'}_{language}"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **device)
        page.set_default_timeout(SLOW_MS)  # a shared, busy machine: generous waits (no sleeps)
        expect.set_options(timeout=SLOW_MS)
        page.goto(f"{live_server.url}/callbacks/?queue=due")
        expect(page.locator("#callback-tabs [data-queue=due] .kefu-tab-count")).to_have_text("2")
        expect(page.locator("#callback-tabs [data-queue=overdue] .kefu-tab-count")).to_have_text("2")
        page.goto(f"{live_server.url}/callbacks/{first.pk}/?queue=due")
        expect(page.locator("#callback-contact a[href^='tel:']")).to_be_visible()
        expect(page.locator("#order-history .kefu-order-event[data-action=resolve]")).to_have_count(1)
        expect(page.locator("#not-reached-fields")).to_be_hidden()
        page.check("#id_reached_1")  # not reached
        expect(page.locator("#not-reached-fields")).to_be_visible()
        page.click("label[for=id_not_reached_reason_1]")  # busy
        next_at = page.input_value("#id_next_attempt_at")
        assert next_at  # offered: in two hours
        if device is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / f"callback_workbench_{name}.png"), full_page=True)
        page.click("#attempt-submit-next")
        page.wait_for_url(f"**/callbacks/{second.pk}/?queue=due")
        expect(page.locator("h1")).to_contain_text(f"#{second.pk}")
        expect(page.locator("#callback-tabs [data-queue=due] .kefu-tab-count")).to_have_text("2")  # still open
        browser.close()

    attempt = CallbackAttempt.objects.get(callback=first)
    assert (attempt.reached, attempt.not_reached_reason) == (False, "busy")
    assert timezone.localtime(attempt.next_attempt_at).strftime("%Y-%m-%dT%H:%M") == next_at
    first.refresh_from_db()
    assert (first.status, first.attempts_count, first.next_attempt_at) == ("open", 1, attempt.next_attempt_at)
