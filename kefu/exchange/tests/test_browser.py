"""Real Chromium (Debian's, through Playwright), in Chinese: the import page from upload through
mapping, dry run and import, its progress bar; a reveal click that writes an access-log row.

ORM set-up and assertions happen outside the `sync_playwright()` block (Django refuses database
access from inside its event loop); the one change made while the browser waits runs in a thread.
"""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kefu.customers.models import Customer
from kefu.customers.tests.factories import make_customer, make_site
from kefu.exchange.choices import JobStatus
from kefu.exchange.models import ImportJob
from kefu.exchange.sample import occupants_xlsx
from kefu.privacy.models import AccessLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 10000

if not Path(CHROMIUM).exists():  # never download a browser: skip where Debian's is missing
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _page(p, base, session, **context_args):
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce",
                                  **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return browser, context.new_page()


def _in_thread(fn):
    thread = threading.Thread(target=fn)
    thread.start()
    thread.join()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_upload_mapping_dry_run_and_import_in_chinese(live_server, cast, tmp_path, media):
    from playwright.sync_api import expect, sync_playwright

    make_site(code="S1")
    path = tmp_path / "住户名册.xlsx"
    bad = occupants_xlsx(path, 40, site="S1", bad_every=10)
    session = _session_cookie(cast["clerk"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser, page = _page(p, base, session)
        page.goto(f"{base}/exchange/imports/")
        expect(page.locator("h1")).to_have_text("导入客户")
        page.set_input_files("#id_file", str(path))
        page.click("#import-upload button[type=submit]")
        # mapping step: the Chinese headers are recognised
        expect(page.locator("#import-status")).to_have_text("已上传：请对应列")
        expect(page.locator("#column_3")).to_have_value("id_number")
        expect(page.locator("#column_7")).to_have_value("unit")
        page.screenshot(path=str(ARTIFACTS / "import_mapping_zh.png"), full_page=True)
        page.click("#dry-run")
        # dry run: what would change, and the rejected rows with reasons in Chinese
        expect(page.locator("#import-status")).to_have_text("试运行完成")
        expect(page.locator("#import-counts tr[data-entity=customers] td").first).to_have_text("36")
        expect(page.locator("#row-errors tbody tr")).to_have_count(4)
        expect(page.locator("#row-errors")).to_contain_text("居民身份证号码的校验位不正确。")
        page.screenshot(path=str(ARTIFACTS / "import_dry_run_zh.png"), full_page=True)
        page.check("#skip_rejected")
        page.click("#commit")
        expect(page.locator("#import-status")).to_have_text("已导入")
        expect(page.locator("#import-result h2")).to_have_text("3. 已导入")
        browser.close()

    assert Customer.objects.count() == 36
    assert set(ImportJob.objects.get().row_errors.values_list("row", flat=True)) == bad


def test_progress_bar_polls_until_the_run_ends(live_server, cast, media):
    from playwright.sync_api import expect, sync_playwright

    job = ImportJob.objects.create(created_by=cast["clerk"], created_at=timezone.now(), original_name="月度.xlsx",
                                   headers=["姓名"], mapping={"0": "name"}, status=JobStatus.IMPORTING,
                                   total_rows=1000, processed_rows=500)
    session = _session_cookie(cast["clerk"])
    base = live_server.url

    def finish():
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, processed_rows=1000, rejected_rows=0,
            counts={"customers": {"created": 1000, "updated": 0, "unchanged": 0}, "rows": {"accepted": 1000}})

    with sync_playwright() as p:
        browser, page = _page(p, base, session, viewport={"width": 390, "height": 844})
        page.goto(f"{base}/exchange/imports/{job.pk}/")
        expect(page.locator("#import-progress .progress-bar")).to_have_text("50%")
        expect(page.locator("#import-progress")).to_contain_text("已读取 500 / 1000 行")
        page.screenshot(path=str(ARTIFACTS / "import_progress_phone_zh.png"), full_page=True)
        _in_thread(finish)
        expect(page.locator("#import-status")).to_have_text("已导入")
        expect(page.locator("#import-counts tr[data-entity=customers] td").first).to_have_text("1000")
        browser.close()


def test_reveal_click_writes_an_access_log_row(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    keep = make_customer(name="张三", phones=["13800138000"])
    make_customer(name="张三", phones=["13800138000"])
    session = _session_cookie(cast["supervisor"])
    base = live_server.url

    with sync_playwright() as p:
        browser, page = _page(p, base, session)
        page.goto(f"{base}/exchange/duplicates/")
        first = page.locator(".kefu-personal").first
        expect(first).to_contain_text("138****8000")
        first.locator("summary").click()
        first.locator("input[name=reason]").fill("客户来电核实身份")
        first.locator("button[type=submit]").click()
        revealed = page.locator(".kefu-revealed")
        expect(revealed).to_have_count(1)
        expect(revealed).to_contain_text("13800138000")
        expect(page.locator(".kefu-personal:not(.kefu-revealed)").first).to_contain_text("138****8000")
        browser.close()

    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.customer_id, log.field, log.reason) == (
        cast["supervisor"], "reveal", keep.pk, "phone", "客户来电核实身份")
