"""A real browser (Debian's Chromium) drives the KPI pages: a manager opens the team's
scorecards, enters a manual item of a supervisor's scorecard, signs it off, and finds it locked.

ORM set-up and assertions stay outside the `sync_playwright()` block.
"""

import pytest

from kefu.kpi.models import Scorecard
from kefu.kpi.selectors import current_quarter
from kefu.kpi.services import scorecard_enter_value
from kefu.kpi.tests.factories import make_scorecard
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def test_manager_enters_a_manual_item_and_signs_off(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    year, quarter = current_quarter()
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q", year=year, quarter=quarter)
    for code in ("internal_satisfaction", "report_timeliness"):
        card = scorecard_enter_value(scorecard=card, indicator_code=code, value="80", actor_user=cast["manager"])
    session = _session_cookie(cast["manager"])
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session)
        page.goto(f"{live_server.url}/kpi/team/")
        expect(page.locator(".kefu-scorecard-row")).to_have_count(1)
        page.click(f".kefu-scorecard-row[data-scorecard='{card.pk}'] a")
        expect(page.locator("h1")).to_contain_text("受理组主管季度考核")
        expect(page.locator("#scorecard-total")).to_have_text("24.00")
        page.click("#sign-off")  # MBO still missing: refused, nothing locked
        expect(page.locator(".kefu-error")).to_contain_text("MBO管理")
        page.fill("#form-enter-mbo input[name=value]", "90")
        page.fill("#form-enter-mbo input[name=note]", "目标达成")
        page.click("#form-enter-mbo button[type=submit]")
        page.wait_for_selector(".alert-success")
        expect(page.locator(".kefu-line[data-indicator=mbo] .kefu-line-weighted")).to_have_text("9.00")
        expect(page.locator("#scorecard-total")).to_have_text("33.00")
        page.click("#sign-off")
        page.wait_for_selector("#scorecard-locked")
        expect(page.locator("#scorecard-status")).to_contain_text("已签核")
        expect(page.locator(".kefu-enter-form")).to_have_count(0)
        expect(page.locator("#sign-off")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "kpi_scorecard_signed_off_zh.png"), full_page=True)
        browser.close()

    card = Scorecard.objects.get(pk=card.pk)
    assert (card.status, str(card.total_score), card.signed_off_by) == ("signed_off", "33.00", cast["manager"])
    assert card.lines.get(indicator__code="mbo").note == "目标达成"


def test_drilldown_and_semi_annual_review_in_english_on_a_phone(live_server, cast):
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from kefu.kpi.models import CompetencyReview
    from kefu.quality.sampling import week_start_of
    from kefu.quality.services import qa_check_transition
    from kefu.quality.tests.factories import ALL_FULL, FAILING, sample_checks

    # Checks count in the quarter their sample week starts in: in a quarter's first days that is
    # the quarter before.
    year, quarter = current_quarter(week_start_of(timezone.localdate()))
    first, second = sample_checks(agent=cast["agent"], orders=2, per_agent=2)
    qa_check_transition(check=first, action="score", actor_user=cast["qa"], scores=ALL_FULL)
    qa_check_transition(check=second, action="score", actor_user=cast["qa"], scores=FAILING)
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q", year=year, quarter=quarter)
    expected = card.lines.get(indicator__code="team_skill").denominator
    cast["manager"].staff.language = "en"
    cast["manager"].staff.save(update_fields=["language"])
    session = _session_cookie(cast["manager"])
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **phone)
        page.goto(f"{live_server.url}/kpi/scorecards/{card.pk}/")
        page.click(".kefu-line[data-indicator=team_skill] a.kefu-drilldown")
        expect(page.locator("h1")).to_have_text("Team skill improvement")
        expect(page.locator(".kefu-record-row")).to_have_count(expected)
        expect(page.locator(".kefu-total")).to_have_attribute("data-count", str(expected))
        page.goto(f"{live_server.url}/kpi/reviews/")
        page.click(".kefu-reviewable")
        page.click("#submit-review")  # nothing chosen: refused, fields marked
        expect(page.locator(".kefu-error")).to_be_visible()
        for select in page.locator("select[name^=item_]").all():
            select.select_option("4")
        page.fill("#id_comment", "Reliable")
        page.click("#submit-review")
        page.wait_for_selector(".kefu-review-row")
        page.screenshot(path=str(ARTIFACTS / "kpi_review_phone_en.png"), full_page=True)
        browser.close()

    assert expected == 2
    review = CompetencyReview.objects.get()
    assert (review.person, str(review.average), review.reviewer) == (cast["supervisor"], "4.00", cast["manager"])


def test_on_time_drilldown_lists_the_orders_in_chinese_and_on_an_english_phone(live_server, cast, org):
    """ADR 0007: the on-time line's records are the work orders (the reports' fixture month, 4 of
    7 on time in 2026 Q1), each with its resolution clocks of the period."""
    import time_machine
    from playwright.sync_api import expect, sync_playwright

    from kefu.kpi.services import scorecard_generate, scorecard_template_create
    from kefu.reports.tests.fixtures import NOW, build_month

    month = build_month(cast, org)
    rows = [{"code": "ontime", "name": "处理及时率", "name_en": "Resolution on time", "weight": "100",
             "source": "on_time_rate", "rule": "linear", "floor": "50", "target": "100"}]
    template = scorecard_template_create(actor_user=cast["administrator"], code="AG-OT", name="客服员及时率",
                                         role="agent", indicators=rows)
    with time_machine.travel(NOW, tick=False):
        card = scorecard_generate(template=template, staff=cast["agent"].staff, year=2026, quarter=1)
    a5 = month["orders"]["A5"].number
    url = f"{live_server.url}/kpi/scorecards/{card.pk}/lines/ontime/"
    chinese = _session_cookie(cast["agent"])
    cast["manager"].staff.language = "en"
    cast["manager"].staff.save(update_fields=["language"])
    english = _session_cookie(cast["manager"])  # the agent's department lies under the manager's
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, chinese)
        page.goto(f"{live_server.url}/kpi/scorecards/{card.pk}/")
        page.click(".kefu-line[data-indicator=ontime] a.kefu-drilldown")
        expect(page.locator("h1")).to_have_text("处理及时率")
        expect(page.locator("#drilldown-value")).to_have_text("57.14%")
        expect(page.locator(".kefu-total")).to_have_text("共 7 张工单")
        expect(page.locator(".kefu-record-row")).to_have_count(7)
        expect(page.locator(".kefu-record-row[data-on-time='1']")).to_have_count(4)
        a5_row = page.locator(f".kefu-record-row[data-order='{a5}']")
        expect(a5_row).to_contain_text("超时")
        expect(a5_row.locator(".kefu-period-clock")).to_have_count(2)
        expect(a5_row.locator(".kefu-period-clock").first).to_contain_text("已超时")
        expect(a5_row.locator(".kefu-period-clock").last).to_contain_text("已达标")
        page.screenshot(path=str(ARTIFACTS / "kpi_on_time_drilldown_zh.png"), full_page=True)

        page = _page_as(browser, live_server.url, english, **phone)
        page.goto(url)
        expect(page.locator("h1")).to_have_text("Resolution on time")
        expect(page.locator(".kefu-total")).to_have_text("7 work orders")
        expect(page.locator("thead")).to_contain_text("Resolution clocks in the period")
        expect(page.locator(f".kefu-record-row[data-order='{a5}']")).to_contain_text("Late")
        # The table scrolls inside its own box on a phone: the page itself does not get wider.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "kpi_on_time_drilldown_phone_en.png"), full_page=True)
        page.click(f".kefu-record-row[data-order='{a5}'] a")
        expect(page.locator("h1")).to_contain_text(a5)
        browser.close()
