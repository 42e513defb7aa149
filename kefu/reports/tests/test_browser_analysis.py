"""The service analysis draws its charts in a real Chromium (ECharts from our own server, under the
page's Content-Security-Policy): trend per day, Pareto of categories, by type, by channel, on-time
rates — in Chinese and English, at desktop and 390 px phone width, with no console error, and
again after the htmx period picker swaps the results.

ORM set-up happens outside the `sync_playwright()` block (Django refuses database access from
inside Playwright's event loop)."""

import pytest

from kefu.reports.tests.fixtures import build_month
from kefu.reports.tests.test_browser import ARGS, ARTIFACTS, CHROMIUM, _page, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-trend", "chart-pareto", "chart-type", "chart-channel", "chart-on-time")
MARCH = "/reports/?start=2026-03-01&end=2026-03-31"


def _option(page, chart_id: str) -> dict:
    return page.evaluate(
        "id => { const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();"
        " return {x: o.xAxis.map(a => a.data || []), y: o.yAxis.map(a => a.data || []),"
        " series: o.series.map(s => ({name: s.name, data: s.data}))}; }", chart_id)


def _watch(page, errors: list):
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))


def _charts_drawn(page):
    from playwright.sync_api import expect

    for chart in CHARTS:
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
        box = page.locator(f"#{chart}").bounding_box()
        assert box and box["width"] > 150 and box["height"] >= 200, (chart, box)


def test_the_analysis_charts_render_in_both_languages_on_desktop_and_phone(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.org.models import Staff

    build_month(cast, org)
    Staff.objects.filter(user=cast["manager"]).update(language="zh-hans")
    Staff.objects.filter(user=cast["director"]).update(language="en")
    sessions = {"zh": _session_cookie(cast["manager"]), "en": _session_cookie(cast["director"])}
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    seen: dict = {}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language, session in sessions.items():
            for width in ("desktop", "phone"):
                args = {"viewport": {"width": 390, "height": 844}, "is_mobile": True} if width == "phone" else {}
                page = _page(browser, base, session, **args)
                _watch(page, errors)
                page.goto(base + MARCH)
                _charts_drawn(page)
                if width == "phone":
                    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
                trend = _option(page, "chart-trend")
                seen[(language, width)] = {
                    "trend_days": len(trend["x"][0]), "trend_total": sum(trend["series"][0]["data"]),
                    "pareto": _option(page, "chart-pareto")["x"][0], "type": _option(page, "chart-type")["y"][0],
                    "channel": _option(page, "chart-channel")["y"][0],
                    "on_time": [s["name"] for s in _option(page, "chart-on-time")["series"]],
                    "on_time_now": _option(page, "chart-on-time")["series"][0]["data"],
                    "h_trend": page.locator("#analysis-charts h2").first.inner_text(),
                }
                page.screenshot(path=str(ARTIFACTS / f"reports_analysis_charts_{language}_{width}.png"), full_page=True)
                if language == "zh" and width == "desktop":
                    # the htmx period picker swaps the results; the charts are drawn again for February
                    page.fill("#id_start", "2026-02-01")
                    page.fill("#id_end", "2026-02-28")
                    page.click("#report-filters button[type=submit]")
                    expect(page.locator("[data-figure=total]")).to_have_text("1")
                    _charts_drawn(page)
                    february = _option(page, "chart-trend")
                    seen["february"] = (len(february["x"][0]), sum(february["series"][0]["data"]))
                    # the ⓘ beside a figure opens its definition
                    page.click("tr[data-row=fcr_rate] .kefu-definition")
                    expect(page.locator("#def-fcr_rate")).to_be_visible()
                    expect(page.locator("#def-fcr_rate [data-part=formula]")).to_have_text("首接解决数 ÷ 受理数 × 100%")
                    assert page.url.endswith("/reports/definitions/#def-fcr_rate")
                page.context.close()
        browser.close()

    assert errors == []
    for key in (("zh", "desktop"), ("zh", "phone"), ("en", "desktop"), ("en", "phone")):
        figures = seen[key]
        assert figures["trend_days"] == 31 and figures["trend_total"] == 7, key
        assert figures["on_time_now"] == [83.3, 50.0], key
    zh, en = seen[("zh", "desktop")], seen[("en", "desktop")]
    assert zh["h_trend"].startswith("每日受理工单数") and en["h_trend"].startswith("Orders received per day")
    assert zh["on_time"] == ["本期", "上期", "去年同期"]
    assert en["on_time"] == ["This period", "Previous period", "Same period last year"]
    assert sorted(zh["type"]) == sorted(["投诉", "报修", "咨询"]) and sorted(en["type"]) == ["Complaint", "Inquiry",
                                                                                      "Repair"]
    for labels in (zh["channel"], en["channel"], zh["pareto"], en["pareto"]):
        assert labels and not any("_" in label or "." in label for label in labels), labels  # no internal codes
    assert seen["february"] == (28, 1)
