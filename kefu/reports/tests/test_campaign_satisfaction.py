"""Survey campaigns in the service analysis (`campaign_satisfaction`): every number equals the hand
calculation below, equals kefu.surveys' campaign_results for a one-campaign period, follows the
site scope and the reader's campaign visibility, links to a list whose count is the number, costs
one query per period, and is in the xlsx.

Questionnaire: two 5-point questions, customer service (required) and cleaning (optional); the NPS
question is not a scale question and never counts. Sites S1 (units a1–a4) and S2 (units b1, b2).

    A  "一季度"  S1+S2  03-01–03-31, closed 04-02 (after the end: counts in March)   satisfied ≥ 4
         a1 5,4   a2 3,5   a3 2,—   a4 —      b1 4,4   b2 —
         → invited 6, responded 4, valid 7, satisfied 5 (S1: 4, 3, 5, 3; S2: 2, 1, 2, 2)
    B  "二月"    S1     02-01–02-28, closed 02-28 (February: not March)             satisfied ≥ 4
         a1 1,1   a2 5,5  → invited 4, responded 2, valid 4, satisfied 2
    C  "专项"    S2     03-01–04-30, closed early 03-20 (answering ended in March)  satisfied ≥ 5
         b1 5,5   b2 4,5  → invited 2, responded 2, valid 4, satisfied 3
    X  "外部"    S1, owned by the other company (the manager may not see it)       satisfied ≥ 4
                 03-01–03-31, open          a1 5,5  → invited 4, responded 1, valid 2, satisfied 2

March, the manager (A + C): 满意率 8/11, 参评率 6/8. The director sees X too: 10/13, 7/12.
"""

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kefu.org.selectors import actor_for_user
from kefu.reports import selectors
from kefu.reports.metrics import Period
from kefu.reports.models import GeneratedReport
from kefu.surveys import selectors as survey_selectors
from kefu.surveys import services as survey_services
from kefu.surveys.choices import CampaignStatus
from kefu.surveys.tests.factories import answers_for, make_estate, make_questionnaire

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "Asia/Shanghai")
MARCH_PARAMS = {"start": "2026-03-01", "end": "2026-03-31"}


def _campaign(actor, questionnaire, sites, name, starts_on, ends_on, **kwargs):
    campaign = survey_services.campaign_create(actor_user=actor, name=name, questionnaire=questionnaire,
                                               starts_on=starts_on, ends_on=ends_on, sites=sites, **kwargs)
    return survey_services.campaign_open(actor_user=actor, campaign=campaign, send_links=False)


def _answer(campaign, unit_code, customer_service, cleaning=None):
    invitation = campaign.invitations.get(asset__code=unit_code)
    scores = {"customer_service": customer_service, "cleaning": cleaning}
    survey_services.response_submit(invitation=invitation, channel="paper", answers=answers_for(campaign, scores))


def build_campaigns(cast, org) -> dict:
    supervisor = cast["supervisor"]
    questionnaire = make_questionnaire(actor=supervisor, items=("customer_service", "cleaning"),
                                       optional_items=("cleaning",))
    s1, s2 = make_estate(units=4, buildings=2, code="S1"), make_estate(units=2, buildings=1, code="S2")
    a1, a2, a3, a4 = (u.code for u in s1.assets.order_by("code"))
    b1, b2 = (u.code for u in s2.assets.order_by("code"))

    a = _campaign(supervisor, questionnaire, [s1, s2], "一季度满意度调查", dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    for unit, scores in ((a1, (5, 4)), (a2, (3, 5)), (a3, (2, None)), (b1, (4, 4))):
        _answer(a, unit, *scores)
    survey_services.campaign_close(actor_user=supervisor, campaign=a, today=dt.date(2026, 4, 2))

    b = _campaign(supervisor, questionnaire, [s1], "二月满意度调查", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    for unit, scores in ((a1, (1, 1)), (a2, (5, 5))):
        _answer(b, unit, *scores)
    survey_services.campaign_close(actor_user=supervisor, campaign=b, today=dt.date(2026, 2, 28))

    c = _campaign(supervisor, questionnaire, [s2], "维修专项调查", dt.date(2026, 3, 1), dt.date(2026, 4, 30),
                  satisfied_min=5)
    for unit, scores in ((b1, (5, 5)), (b2, (4, 5))):
        _answer(c, unit, *scores)
    survey_services.campaign_close(actor_user=supervisor, campaign=c, today=dt.date(2026, 3, 20))

    x = _campaign(supervisor, questionnaire, [s1], "外部项目调查", dt.date(2026, 3, 1), dt.date(2026, 3, 31),
                  department=org["other"])
    _answer(x, a1, 5, 5)
    # A draft ending in March was never asked: it never counts.
    survey_services.campaign_create(actor_user=supervisor, name="草稿", questionnaire=questionnaire,
                                    starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31), sites=[s1])
    return {"A": a, "B": b, "C": c, "X": x, "S1": s1, "S2": s2, "questionnaire": questionnaire}


@pytest.fixture
def campaigns(cast, org):
    return build_campaigns(cast, org)


def _analysis(user, period=MARCH, scope=None, **kwargs):
    with time_machine.travel(NOW, tick=False):
        return selectors.service_analysis(actor=actor_for_user(user), period=period,
                                          scope=scope or selectors.Scope(), **kwargs)


def _pair(figure):
    return figure["numerator"], figure["denominator"]


def _site(site):
    return selectors.parse_scope({"site": str(site.pk)})


def test_march_figure_equals_the_hand_calculation(campaigns, cast):
    figure = _analysis(cast["manager"])["campaign_satisfaction"]
    assert _pair(figure) == (8, 11)  # A 5 of 7, C 3 of 4 (C counts only 5 as satisfied)
    assert figure["rate"] == 0.7273
    assert _pair(figure["response_rate"]) == (6, 8)
    assert figure["response_rate"]["rate"] == 0.75
    rows = figure["campaigns"]
    # Ordered by end date; C's window ended when it was closed early (20 March), A's on its end date.
    assert [r["id"] for r in rows] == [campaigns["C"].pk, campaigns["A"].pk]
    c, a = rows
    assert (c["window_end"], c["closed_on"], c["ends_on"]) == ("2026-03-20", "2026-03-20", "2026-04-30")
    assert (a["window_end"], a["closed_on"], a["status"]) == ("2026-03-31", "2026-04-02", "closed")
    assert (_pair(a["satisfaction_rate"]), _pair(a["response_rate"])) == ((5, 7), (4, 6))
    assert (a["satisfaction_rate"]["rate"], a["response_rate"]["rate"]) == (0.7143, 0.6667)
    assert (_pair(c["satisfaction_rate"]), _pair(c["response_rate"])) == ((3, 4), (2, 2))
    assert a["url"] == reverse("surveys:detail", args=[campaigns["A"].pk])
    # The per-order ratings figure is untouched (no orders here).
    assert _pair(_analysis(cast["manager"])["satisfaction_rate"]) == (0, 0)


def test_a_one_campaign_period_equals_campaign_results(campaigns, cast):
    for period, campaign in ((Period(dt.date(2026, 3, 21), dt.date(2026, 3, 31)), campaigns["A"]),
                             (Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28)), campaigns["B"]),
                             (Period(dt.date(2026, 3, 20), dt.date(2026, 3, 20)), campaigns["C"])):
        figure = _analysis(cast["manager"], period)["campaign_satisfaction"]
        results = survey_selectors.campaign_results(campaign=campaign)
        assert [r["id"] for r in figure["campaigns"]] == [campaign.pk]
        overall, response = results["overall"], results["response_rate"]
        assert _pair(figure) == (overall["numerator"], overall["denominator"])
        assert Decimal(str(figure["rate"])) == overall["rate"]
        assert _pair(figure["response_rate"]) == (response["numerator"], response["denominator"])
        assert Decimal(str(figure["response_rate"]["rate"])) == response["rate"]
        assert (results["population"], results["responses"]) == (figure["response_rate"]["denominator"],
                                                                 figure["response_rate"]["numerator"])


def test_periods_without_campaigns_and_comparison_columns(campaigns, cast):
    april = _analysis(cast["manager"], Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30)))["campaign_satisfaction"]
    assert (_pair(april), april["rate"], april["campaigns"]) == ((0, 0), None, [])
    assert _pair(april["response_rate"]) == (0, 0) and april["response_rate"]["rate"] is None
    with time_machine.travel(NOW, tick=False):
        compared = selectors.service_analysis_compared(actor=actor_for_user(cast["manager"]), period=MARCH,
                                                       scope=selectors.Scope())
    # The previous period (February, the calendar month before March) holds B: 2 of 4 satisfied, 2 of 4 invitations answered.
    assert _pair(compared["previous"]["campaign_satisfaction"]) == (2, 4)
    assert _pair(compared["previous"]["campaign_satisfaction"]["response_rate"]) == (2, 4)
    assert _pair(compared["last_year"]["campaign_satisfaction"]) == (0, 0)


def test_site_scope_counts_only_that_sites_invitations(campaigns, cast):
    s1 = _analysis(cast["manager"], scope=_site(campaigns["S1"]))["campaign_satisfaction"]
    assert (_pair(s1), _pair(s1["response_rate"])) == ((3, 5), (3, 4))  # A's a1–a4; C has no unit in S1
    assert [r["id"] for r in s1["campaigns"]] == [campaigns["A"].pk]
    s2 = _analysis(cast["manager"], scope=_site(campaigns["S2"]))["campaign_satisfaction"]
    assert (_pair(s2), _pair(s2["response_rate"])) == ((5, 6), (3, 4))  # A's b1 (2 of 2) + C (3 of 4)
    assert [(r["id"], _pair(r["satisfaction_rate"]), _pair(r["response_rate"])) for r in s2["campaigns"]] == [
        (campaigns["C"].pk, (3, 4), (2, 2)), (campaigns["A"].pk, (2, 2), (1, 2))]
    assert f"site={campaigns['S2'].pk}" in s2["numerator_url"]


def test_department_team_and_agent_scopes(campaigns, cast, org):
    director = cast["director"]
    everything = _analysis(director)["campaign_satisfaction"]
    assert (_pair(everything), _pair(everything["response_rate"])) == ((10, 13), (7, 12))  # X too
    own = _analysis(director, scope=selectors.parse_scope({"department": str(org["cs"].pk)}))
    assert _pair(own["campaign_satisfaction"]) == (8, 11)  # A and C are owned by 客服中心
    other = _analysis(director, scope=selectors.parse_scope({"department": str(org["other"].pk)}))
    assert [r["id"] for r in other["campaign_satisfaction"]["campaigns"]] == [campaigns["X"].pk]
    # Campaigns ask units and customers, not a team's or an agent's orders.
    assert _analysis(director, scope=selectors.parse_scope({"team": str(org["front"].pk)}))[
        "campaign_satisfaction"] is None
    assert _analysis(director, scope=selectors.parse_scope({"agent": str(cast["agent"].pk)}))[
        "campaign_satisfaction"] is None


def test_visibility_follows_the_survey_pages(campaigns, cast, client):
    # The other company's steward sees only the other company's campaign X (A and C are not theirs).
    other = _analysis(cast["other_steward"])["campaign_satisfaction"]
    assert (_pair(other), _pair(other["response_rate"])) == ((2, 2), (1, 4))
    assert [r["id"] for r in other["campaigns"]] == [campaigns["X"].pk]
    # The manager may not open X, so it is not in their figure (8 of 11 without it, see the top).
    assert campaigns["X"].pk not in [r["id"] for r in _analysis(cast["manager"])["campaign_satisfaction"]["campaigns"]]
    # A technician reads reports but not survey results: no figure, no list, nothing counted.
    assert _analysis(cast["technician"])["campaign_satisfaction"] is None
    client.force_login(cast["technician"])
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("reports:service_analysis"), MARCH_PARAMS)
        assert page.status_code == 200
        assert 'data-row="campaign_satisfaction"' not in page.content.decode()
        listing = client.get(reverse("reports:survey_records"), {**MARCH_PARAMS, "records": "valid"})
        assert listing.status_code == 403
        assert "一季度" not in listing.content.decode()
    # The manager may not open X: asking for its list is 404, as on the survey pages.
    client.force_login(cast["manager"])
    response = client.get(reverse("reports:survey_records"),
                          {**MARCH_PARAMS, "records": "invited", "campaign": campaigns["X"].pk})
    assert response.status_code == 404
    assert client.get(reverse("surveys:detail", args=[campaigns["X"].pk])).status_code == 404


def _urls(figure):
    yield figure["numerator"], figure["numerator_url"]
    yield figure["denominator"], figure["denominator_url"]
    yield figure["response_rate"]["numerator"], figure["response_rate"]["numerator_url"]
    yield figure["response_rate"]["denominator"], figure["response_rate"]["denominator_url"]
    for row in figure["campaigns"]:
        for key in ("satisfaction_rate", "response_rate"):
            yield row[key]["numerator"], row[key]["numerator_url"]
            yield row[key]["denominator"], row[key]["denominator_url"]


@pytest.mark.parametrize("user, scope", [("manager", None), ("director", None), ("manager", "S1"),
                                         ("manager", "S2")])
def test_every_list_count_equals_its_number(campaigns, cast, client, user, scope):
    figure = _analysis(cast[user], scope=_site(campaigns[scope]) if scope else None)["campaign_satisfaction"]
    client.force_login(cast[user])
    checked = 0
    for number, url in _urls(figure):
        assert urlparse(url).path == "/reports/survey-records/"
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["page"].paginator.count == number, (url, parse_qs(urlparse(url).query))
        checked += 1
    assert checked == 4 + 4 * len(figure["campaigns"])


def test_the_lists_show_the_answers_and_invitations(campaigns, cast, client):
    client.force_login(cast["manager"])
    figure = _analysis(cast["manager"], scope=_site(campaigns["S1"]))["campaign_satisfaction"]
    page = client.get(figure["numerator_url"])  # the satisfied answers of A in S1: a1 5 and 4, a2 5
    assert sorted(a.score for a in page.context["rows"]) == [4, 5, 5]
    body = page.content.decode()
    assert "共 3 条评价" in body and "一季度满意度调查" in body
    invited = client.get(figure["response_rate"]["denominator_url"])
    assert sorted(bool(getattr(i, "response", None)) for i in invited.context["rows"]) == [False, True, True, True]
    assert "共 4 份邀请" in invited.content.decode()


@pytest.mark.parametrize("params, field", [
    ({**MARCH_PARAMS}, "records"),
    ({**MARCH_PARAMS, "records": "everything"}, "records"),
    ({**MARCH_PARAMS, "records": "valid", "campaign": "x"}, "campaign"),
    ({**MARCH_PARAMS, "records": "valid", "team": "1"}, "team"),
    ({"start": "2026-03-31", "end": "2026-03-01", "records": "valid"}, "end"),
])
def test_bad_list_parameters_are_400_naming_the_field(campaigns, cast, client, org, params, field):
    if field == "team":
        params = {**params, "team": str(org["front"].pk)}
    client.force_login(cast["manager"])
    response = client.get(reverse("reports:survey_records"), params)
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()


def test_one_query_per_period_whatever_the_number_of_campaigns(campaigns, cast, django_assert_num_queries):
    actor = actor_for_user(cast["manager"])
    with django_assert_num_queries(1):
        selectors.campaign_satisfaction(actor=actor, period=MARCH, scope=selectors.Scope())
    s2 = _site(campaigns["S2"])
    with django_assert_num_queries(1):
        selectors.campaign_satisfaction(actor=actor, period=MARCH, scope=s2)
    def analysis():
        with time_machine.travel(NOW, tick=False):
            return selectors.service_analysis(actor=actor, period=MARCH, scope=selectors.Scope())

    analysis()  # warm the actor's cached department lookups
    with CaptureQueriesContext(connection) as before:
        analysis()
    # Three more campaigns with answers in March: the analysis asks the database as often.
    for n in range(3):
        extra = _campaign(cast["supervisor"], campaigns["questionnaire"], [campaigns["S1"]], f"加测{n}",
                          dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        for unit in extra.invitations.values_list("asset__code", flat=True):
            _answer(extra, unit, 4, 5)
    with CaptureQueriesContext(connection) as after:
        figure = analysis()["campaign_satisfaction"]
    assert len(figure["campaigns"]) == 5
    assert _pair(figure) == (8 + 3 * 8, 11 + 3 * 8)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_api_json_keeps_satisfaction_rate_and_adds_the_campaigns(campaigns, cast, api):
    with time_machine.travel(NOW, tick=False):
        data = api(cast["manager"]).get("/api/v1/reports/service-analysis/", MARCH_PARAMS).json()
    assert set(data["satisfaction_rate"]) >= {"numerator", "denominator", "rate", "response_rate"}
    figure = data["campaign_satisfaction"]
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (8, 11, 0.7273)
    assert (figure["response_rate"]["numerator"], figure["response_rate"]["denominator"]) == (6, 8)
    assert [c["name"] for c in figure["campaigns"]] == ["维修专项调查", "一季度满意度调查"]
    assert figure["campaigns"][1]["satisfaction_rate"]["numerator_url"].startswith("/reports/survey-records/?")
    with time_machine.travel(NOW, tick=False):
        technician = api(cast["technician"]).get("/api/v1/reports/service-analysis/", MARCH_PARAMS).json()
    assert technician["campaign_satisfaction"] is None


def test_page_shows_the_figure_and_links_each_campaign(campaigns, cast, client):
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        body = client.get(reverse("reports:service_analysis"), MARCH_PARAMS).content.decode()
    assert 'data-row="campaign_satisfaction"' in body and 'data-row="campaign_response_rate"' in body
    assert "72.7%" in body and "75.0%" in body
    assert f'href="{reverse("surveys:detail", args=[campaigns["A"].pk])}"' in body
    assert 'data-figure="campaign_satisfaction-numerator"' in body
    assert "campaign_satisfaction" in body  # the definition in "How each figure is counted"


def _xlsx(content):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def test_xlsx_and_pdf_contain_the_figure(campaigns, cast, client, settings, tmp_path):
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reports:export", args=["service_analysis", "xlsx"]), MARCH_PARAMS)
        pdf = client.get(reverse("reports:export", args=["service_analysis", "pdf"]), MARCH_PARAMS)
    assert response.status_code == 200
    book = _xlsx(b"".join(response.streaming_content))
    summary = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    # rates are number cells formatted as percentages (tests/test_exports.py checks the formats)
    assert summary["满意率（满意度调查）"][:3] == (pytest.approx(8 / 11, abs=1e-4), 8, 11)
    assert summary["满意度调查参评率"][:3] == (0.75, 6, 8)
    assert summary["满意度调查参评率"][3] == 0.5  # the previous period: B, 2 of 4
    sheet = book["满意度调查"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    with translation.override("zh-hans"):
        closed = str(CampaignStatus.CLOSED.label)
    assert rows == [("维修专项调查", closed, "2026-03-01", "2026-03-20", 2, 2, 1.0, 3, 4, 0.75),
                    ("一季度满意度调查", closed, "2026-03-01", "2026-03-31", 6, 4, pytest.approx(4 / 6, abs=1e-4), 5, 7,
                     pytest.approx(5 / 7, abs=1e-4))]
    assert GeneratedReport.objects.filter(report="service_analysis", file_format="xlsx").count() == 1
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    # The summary row, and the campaigns table (names wrap inside their cells).
    assert "满意率（满意度调查）\n72.7%\n8\n11" in text
    assert "2026-03-20\n2\n2\n100.0%\n3\n4\n75.0%" in text


def test_page_asks_one_query_per_period_for_the_campaigns(campaigns, cast, client):
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:service_analysis"), MARCH_PARAMS).status_code == 200
    # This period, the previous one and the same period last year.
    assert sum(1 for q in queries.captured_queries if '"surveys_' in q["sql"]) == 3


# --- in a real Chromium ------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")
def test_browser_figure_list_and_campaign_link_in_both_languages(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.org.models import Staff
    from kefu.reports.tests.test_browser import ARGS, ARTIFACTS, _page, _session_cookie

    data = build_campaigns(cast, org)
    a = data["A"]
    Staff.objects.filter(user=cast["director"]).update(language="en")
    manager, director = _session_cookie(cast["manager"]), _session_cookie(cast["director"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = _page(browser, base, manager)
        page.goto(f"{base}/reports/?start=2026-03-01&end=2026-03-31")
        row = page.locator("tr[data-row=campaign_satisfaction]")
        expect(row).to_contain_text("满意率（满意度调查）")
        expect(row.locator(".kefu-rate").first).to_have_text("72.7%")
        expect(page.locator("tr[data-row=campaign_response_rate] .kefu-rate").first).to_have_text("75.0%")
        expect(page.locator(f"#campaigns tr[data-campaign='{a.pk}']")).to_contain_text("71.4%")
        page.screenshot(path=str(ARTIFACTS / "reports_campaign_satisfaction_zh.png"), full_page=True)

        # the number opens the answers behind it
        page.click("[data-figure=campaign_satisfaction-numerator]")
        expect(page.locator("#survey-records-total")).to_have_text("共 8 条评价")
        expect(page.locator("#survey-records tbody tr")).to_have_count(8)
        page.go_back()
        page.click(f"[data-figure=campaign-{a.pk}-invited]")
        expect(page.locator("#survey-records-total")).to_have_text("共 6 份邀请")
        page.go_back()
        # the campaign's name opens its results page
        page.click(f"#campaigns tr[data-campaign='{a.pk}'] .kefu-campaign-link")
        expect(page.locator("h1")).to_contain_text("一季度满意度调查")

        # English at phone width: the figure and the list fit the screen
        phone = _page(browser, base, director, viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(f"{base}/reports/?start=2026-03-01&end=2026-03-31")
        expect(phone.locator("tr[data-row=campaign_satisfaction]")).to_contain_text(
            "Satisfaction rate (survey campaigns)")
        expect(phone.locator("tr[data-row=campaign_satisfaction] .kefu-rate").first).to_have_text("76.9%")  # 10/13
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.screenshot(path=str(ARTIFACTS / "reports_campaign_satisfaction_phone_en.png"), full_page=True)
        phone.click("[data-figure=campaign_response_rate-denominator]")
        expect(phone.locator("#survey-records-total")).to_have_text("12 invitations")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        browser.close()
