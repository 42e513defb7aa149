"""Patrol pages render for the right people, in Chinese and English, and the no-JS form works."""

from datetime import date

import pytest
from django.test import Client

from kefu.patrols import services
from kefu.patrols.models import PatrolRound
from kefu.patrols.tests.factories import make_daily, make_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(org, cast):
    route = make_route(actor=cast["supervisor"], department=org["cs"])
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"], times=["00:00"])
    services.patrol_rounds_plan(day=date.today())
    return PatrolRound.objects.get()


def client_for(user, language="zh-hans"):
    user.staff.language = language
    user.staff.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_round_page_in_chinese_and_english(round, cast):
    zh = client_for(cast["steward"]).get(f"/patrols/rounds/{round.pk}/")
    assert zh.status_code == 200
    text = zh.content.decode()
    assert "保存检查点" in text and "1号楼大堂" in text and "patrols/round.js" in text
    en = client_for(cast["steward"], "en").get(f"/patrols/rounds/{round.pk}/")
    assert "Save checkpoint" in en.content.decode()
    assert client_for(cast["vendor"]).get(f"/patrols/rounds/{round.pk}/").status_code == 404
    assert client_for(cast["other_steward"]).get(f"/patrols/rounds/{round.pk}/").status_code == 404


def test_list_and_standard_pages(round, cast, django_assert_max_num_queries):
    client = client_for(cast["supervisor"])
    with django_assert_max_num_queries(20):
        listed = client.get("/patrols/")
    assert listed.status_code == 200 and f'data-round="{round.pk}"' in listed.content.decode()
    standard = client.get("/patrols/standard/")
    assert standard.status_code == 200 and cast["steward"].staff.display_name in standard.content.decode()
    assert "巡查达标" in standard.content.decode()


def test_the_form_without_javascript_records_a_checkpoint(round, cast):
    cp = round.route.checkpoints.get(sequence=1)
    items = list(cp.items.order_by("sequence"))
    client = client_for(cast["steward"])
    response = client.post(f"/patrols/rounds/{round.pk}/checkpoints/{cp.pk}/", {
        "tag": cp.tag, f"item_{items[0].pk}_result": "pass", f"item_{items[1].pk}_result": "fail",
        f"item_{items[1].pk}_note": "灯不亮"})
    assert response.status_code == 302
    round.refresh_from_db()
    assert round.status == "in_progress" and round.findings.get().answer.note == "灯不亮"
    wrong = client.post(f"/patrols/rounds/{round.pk}/checkpoints/{round.route.checkpoints.get(sequence=3).pk}/",
                        {"tag": "nope"})
    assert wrong.status_code == 302 and round.visits.count() == 1
