"""Acceptance: a campaign over 300 units answered through personal links, building QR codes and
paper forms reproduces, in the UI, the API and the xlsx, the satisfaction rates of a hand
calculation (satisfied = 4 or 5 among valid answers; response rate = respondents ÷ 300)."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kefu.callbacks.models import Callback
from kefu.surveys.models import BuildingCode, Invitation, Response
from kefu.surveys.tests.factories import (
    ITEM_CODES,
    answers_for,
    make_campaign,
    make_estate,
    make_questionnaire,
)

pytestmark = pytest.mark.django_db

UNITS = 300


def score(i: int, k: int) -> int | None:
    """Respondent i's score for item k; repairs (k=4) is optional and every 4th skips it."""
    if k == 4 and i % 4 == 0:
        return None
    return (i * (k + 2) + k) % 5 + 1


def answered(i: int) -> bool:
    return i % 10 < 8  # 240 of 300 answer


def q4(num: int, den: int) -> Decimal:
    return (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def hand_calculation() -> dict:
    per_item = {code: {"num": 0, "den": 0, "resp": 0} for code in ITEM_CODES}
    responses = 0
    for i in range(UNITS):
        if not answered(i):
            continue
        responses += 1
        for k, code in enumerate(ITEM_CODES):
            s = score(i, k)
            if s is None:
                continue
            per_item[code]["den"] += 1
            per_item[code]["resp"] += 1
            per_item[code]["num"] += s >= 4
    return {"items": per_item, "responses": responses,
            "overall_num": sum(v["num"] for v in per_item.values()),
            "overall_den": sum(v["den"] for v in per_item.values())}


def test_300_units_links_qr_paper_match_hand_calculation(cast, api):
    supervisor, clerk = cast["supervisor"], cast["clerk"]
    questionnaire = make_questionnaire(actor=supervisor, optional_items=("repairs",))
    site = make_estate(units=UNITS, buildings=5)
    campaign = make_campaign(actor=supervisor, questionnaire=questionnaire, site=site,
                             name="2026年下半年满意度调查", starts_on=date(2026, 1, 1), ends_on=date(2099, 12, 31))
    invitations = list(Invitation.objects.filter(campaign=campaign).select_related("asset").order_by("asset__code"))
    assert len(invitations) == UNITS
    codes = {c.building_id: c.token for c in BuildingCode.objects.filter(campaign=campaign)}
    assert len(codes) == 5

    public, staff = Client(), Client()
    staff.force_login(clerk)
    channel_counts = {"link": 0, "qr": 0, "paper": 0}
    for i, invitation in enumerate(invitations):
        if not answered(i):
            continue
        scores = {code: score(i, k) for k, code in enumerate(ITEM_CODES)}
        data = answers_for(campaign, scores, nps=i % 11, text=f"第{i}号意见" if i % 7 == 0 else "")
        data = {k: v for k, v in data.items() if v not in ("", [])}
        if i % 3 == 0:
            r = public.post(reverse("surveys:respond", args=[invitation.token]), data)
            channel_counts["link"] += 1
        elif i % 3 == 1:
            r = public.post(reverse("surveys:building", args=[codes[invitation.building_id]]),
                            {**data, "unit": str(invitation.pk)})
            channel_counts["qr"] += 1
        else:
            r = staff.post(reverse("surveys:paper", args=[campaign.pk]),
                           {**data, "unit": invitation.asset.code, "paper_reference": f"P{i}"})
            channel_counts["paper"] += 1
        assert r.status_code in (200, 302), (i, r.status_code)

    expected = hand_calculation()
    assert Response.objects.filter(campaign=campaign).count() == expected["responses"] == 240
    assert dict(Response.objects.filter(campaign=campaign).values_list("channel").annotate(n=Count("id"))) \
        == channel_counts == {"link": 80, "qr": 80, "paper": 80}

    # API
    body = api(supervisor).get(f"/api/v1/surveys/campaigns/{campaign.pk}/results/").json()
    assert body["population"] == UNITS
    assert body["responses"] == 240
    assert body["response_rate"] == {"rate": "0.8000", "numerator": 240, "denominator": 300}
    assert body["overall"]["numerator"] == expected["overall_num"]
    assert body["overall"]["denominator"] == expected["overall_den"]
    assert body["overall"]["rate"] == str(q4(expected["overall_num"], expected["overall_den"]))
    api_items = {item["code"]: item for item in body["items"]}
    for code, e in expected["items"].items():
        item = api_items[code]
        assert (item["numerator"], item["denominator"]) == (e["num"], e["den"]), code
        assert item["rate"] == str(q4(e["num"], e["den"])), code
        assert item["response_rate"] == {"rate": str(q4(e["resp"], UNITS)), "numerator": e["resp"],
                                         "denominator": UNITS}
        assert item["target"] == "0.9500"
    assert api_items["repairs"]["denominator"] == 180  # a quarter of 240 skipped the optional item

    # UI
    page = Client()
    page.force_login(supervisor)
    html = page.get(reverse("surveys:detail", args=[campaign.pk])).content.decode()
    overall_pct = f"{q4(expected['overall_num'], expected['overall_den']) * 100:.2f}%"
    assert re.search(r'id="overall-rate">\s*' + re.escape(overall_pct), html)
    for code, e in expected["items"].items():
        row = re.search(rf'data-item="{code}">(.*?)</tr>', html, re.S).group(1)
        assert f"{q4(e['num'], e['den']) * 100:.2f}%" in row, code
        assert f"{e['num']} / {e['den']}" in row, code
    assert re.search(r'id="response-rate">\s*80\.00%', html)

    # xlsx
    wb = load_workbook(BytesIO(page.get(reverse("surveys:xlsx", args=[campaign.pk])).content))
    rows = {r[0]: r for r in wb.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    for code, e in expected["items"].items():
        assert rows[code][3:5] == (e["num"], e["den"]), code
        assert rows[code][2] == pytest.approx(float(q4(e["num"], e["den"])), abs=1e-9)
    assert rows["overall"][3:5] == (expected["overall_num"], expected["overall_den"])
    comments = list(wb.worksheets[1].iter_rows(values_only=True))
    assert len(comments) == 1 + sum(1 for i in range(UNITS) if answered(i) and i % 7 == 0)

    # every respondent with a dissatisfied (≤ 2) answer has one follow-up callback
    dissatisfied = sum(1 for i in range(UNITS) if answered(i)
                       and any((s := score(i, k)) is not None and s <= 2 for k in range(5)))
    assert Callback.objects.filter(source="survey").count() == dissatisfied
