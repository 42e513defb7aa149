"""The notification-preferences page in real Chromium: reached from the user menu (Chinese, desktop)
and from the notification centre (English, phone width); SMS/WeChat plainly marked log only.

ORM set-up and assertions stay outside the `sync_playwright()` block (see
kefu/workorders/tests/test_browser.py for why).
"""

import pytest

from kefu.notifications.models import NotificationPreference
from kefu.workorders.tests.test_browser import ARTIFACTS, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _saved(user):
    pref = NotificationPreference.objects.get(user=user)
    return (pref.email_enabled, pref.email_actions, pref.sms_enabled, pref.wechat_enabled)


def test_preferences_from_the_user_menu_in_chinese(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    user = cast["supervisor"]
    user.email = "supervisor@example.com"
    user.save()
    user.staff.phone = "13900001234"
    user.staff.save()
    session = _session_cookie(user)
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/work-orders/")
        page.click(".kefu-navbar .bi-person-circle")
        page.click("#nav-notification-preferences")
        expect(page.locator("h1")).to_have_text("通知偏好设置")
        # the defaults, before anything is saved
        expect(page.locator("#id_email_enabled")).to_be_checked()
        expect(page.locator("input[name=email_actions]:checked")).to_have_count(3)
        expect(page.locator("#email-address")).to_contain_text("supervisor@example.com")
        # log only, said next to each toggle, with the adapter's name
        for key in ("sms", "wechat"):
            badge = page.locator(f"#{key}-log-only")
            expect(badge).to_be_visible()
            expect(badge).to_have_text("仅记录，不实际发送 · LogOnlyAdapter")
            expect(page.locator(f"#id_{key}_enabled")).to_have_attribute("aria-describedby", f"{key}-log-only")
        expect(page.locator("#preferences-form")).to_contain_text("尚未接入网关")
        expect(page.locator("#preferences-form")).to_contain_text("13900001234")

        page.uncheck("#id_email_enabled")
        page.get_by_label("派给我或我所在班组的工作").uncheck()
        page.get_by_label("我受理或处理的工单有新备注").check()
        page.check("#id_sms_enabled")
        page.screenshot(path=str(ARTIFACTS / "notification_preferences_zh.png"), full_page=True)
        page.click("#preferences-form button[type=submit]")
        expect(page.locator(".alert-success")).to_contain_text("通知偏好设置已保存。")
        # the page shows what was stored
        expect(page.locator("#id_email_enabled")).not_to_be_checked()
        expect(page.locator("#id_sms_enabled")).to_be_checked()
        expect(page.locator("#id_wechat_enabled")).not_to_be_checked()
        browser.close()

    assert _saved(user) == (False, ["escalate", "submit_plan", "comment"], True, False)


def test_preferences_on_a_phone_in_english(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    user = cast["technician"]
    user.staff.language = "en"
    user.staff.save()
    session = _session_cookie(user)
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, **PHONE)
        page.goto(f"{base}/work-orders/")
        # the bell is outside the collapsed menu on a phone: notification centre → preferences
        page.click(".navbar a[aria-label=Notifications].d-lg-none")
        page.get_by_role("link", name="Preferences").click()
        expect(page.locator("h1")).to_have_text("Notification preferences")
        for key in ("sms", "wechat"):
            expect(page.locator(f"#{key}-log-only")).to_have_text("Log only — not sent · LogOnlyAdapter")
            # next to its toggle and fully on screen once scrolled to, not cut off at the right
            badge = page.locator(f"#{key}-log-only")
            badge.scroll_into_view_if_needed()
            expect(badge).to_be_in_viewport(ratio=1)
            toggle = page.locator(f"#id_{key}_enabled").bounding_box()
            assert abs(badge.bounding_box()["y"] - toggle["y"]) < 60
        expect(page.locator("#preferences-form")).to_contain_text("No phone number on your staff record")
        # nothing wider than the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # a tampered event name is refused, the field marked, nothing saved
        page.locator("input[name=email_actions]").first.evaluate("el => { el.value = 'create'; el.checked = true }")
        page.check("#id_wechat_enabled")
        page.click("#preferences-form button[type=submit]")
        expect(page.locator("#email-actions .invalid-feedback")).to_contain_text("create")
        expect(page.locator("#email-actions input.is-invalid")).not_to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "notification_preferences_phone_en_error.png"), full_page=True)

        # the honest choice saves
        page.goto(f"{base}/notifications/preferences/")
        page.get_by_label("Work dispatched to me or my team").check()
        page.get_by_label("SLA warnings and escalations").uncheck()
        page.check("#id_wechat_enabled")
        page.click("#preferences-form button[type=submit]")
        expect(page.locator(".alert-success")).to_have_text("Notification preferences saved.")
        expect(page.locator("#id_wechat_enabled")).to_be_checked()
        page.screenshot(path=str(ARTIFACTS / "notification_preferences_phone_en.png"), full_page=True)
        browser.close()

    assert _saved(user) == (True, ["dispatch", "submit_plan"], False, True)
