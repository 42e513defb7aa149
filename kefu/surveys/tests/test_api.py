from datetime import date

import pytest

from kefu.org.tests.factories import make_staff
from kefu.surveys import services
from kefu.surveys.tests.factories import answers_for, make_campaign, make_questionnaire

pytestmark = pytest.mark.django_db


def test_campaign_list_is_scoped_and_counts_answers(cast, org, api):
    q = make_questionnaire(actor=cast["supervisor"])
    mine = make_campaign(actor=cast["supervisor"], questionnaire=q, name="本项目调查", units=4,
                         starts_on=date(2026, 1, 1), ends_on=date(2099, 1, 1))
    services.response_submit(invitation=mine.invitations.first(), channel="link", answers=answers_for(mine, 5))
    outsider = make_staff(role="manager", department=org["other"], username="other_mgr").user
    theirs = make_campaign(actor=outsider, questionnaire=q, name="其他项目调查", units=2)

    body = api(cast["supervisor"]).get("/api/v1/surveys/campaigns/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["name"], row["status"], row["population_count"], row["response_count"]) == (
        mine.pk, "本项目调查", "open", 4, 1)
    assert row["target_rate"] == "0.9500"
    assert api(cast["director"]).get("/api/v1/surveys/campaigns/").json()["count"] == 2
    r = api(cast["supervisor"]).get(f"/api/v1/surveys/campaigns/{theirs.pk}/results/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_results_shape(cast, api):
    campaign = make_campaign(actor=cast["supervisor"], units=4, starts_on=date(2026, 1, 1), ends_on=date(2099, 1, 1))
    invitations = list(campaign.invitations.order_by("id"))
    services.response_submit(invitation=invitations[0], channel="link", answers=answers_for(campaign, 5, nps=10))
    services.response_submit(invitation=invitations[1], channel="paper", answers=answers_for(campaign, 3, nps=6))
    services.response_submit(invitation=invitations[2], channel="qr", answers=answers_for(campaign, 4, nps=8))
    body = api(cast["qa"]).get(f"/api/v1/surveys/campaigns/{campaign.pk}/results/").json()
    assert body["response_rate"] == {"rate": "0.7500", "numerator": 3, "denominator": 4}
    assert body["by_channel"] == {"link": 1, "qr": 1, "paper": 1}
    assert body["overall"] == {"rate": "0.6667", "numerator": 10, "denominator": 15, "target": "0.9500",
                               "meets_target": False, "previous_rate": None}
    assert body["items"][0] == {
        "code": "customer_service", "name": "客户服务", "rate": "0.6667", "numerator": 2, "denominator": 3,
        "response_rate": {"rate": "0.7500", "numerator": 3, "denominator": 4}, "target": "0.9500",
        "meets_target": False, "previous_rate": None, "distribution": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}}
    assert body["nps"][0]["score"] == 0.0 and body["nps"][0]["promoters"] == 1 and body["nps"][0]["detractors"] == 1


def test_roles_without_survey_access_get_403(cast, api):
    campaign = make_campaign(actor=cast["supervisor"], units=2)
    for role in ("technician", "vendor"):
        r = api(cast[role]).get(f"/api/v1/surveys/campaigns/{campaign.pk}/results/")
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert api().get("/api/v1/surveys/campaigns/").status_code in (401, 403)
