"""Channel figures: answered within the line's N seconds, abandon rate, calls per hour, ring time,
per line and per agent, with the drill-down behind them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kefu.channels.figures import call_figures
from kefu.channels.models import Call
from kefu.channels.tests.factories import call_event, cti_post, make_account

pytestmark = pytest.mark.django_db


def test_figures_per_line_and_agent(cast, org):
    line = make_account(department=org["cs"], name="400热线", config={"answer_target_seconds": 10})
    client = Client()
    for call_id, ring, answered in (("a", 5, True), ("b", 10, True), ("c", 20, True), ("d", 30, False)):
        cti_post(client, line, call_event("ringing", call_id=call_id, at="2026-12-07T10:00:00+08:00"))
        at = f"2026-12-07T10:00:{ring:02d}+08:00"
        cti_post(client, line, call_event("answered" if answered else "missed", call_id=call_id, at=at,
                                          agent="agent" if answered else ""))
    now = timezone.now()
    figures = call_figures(Call.objects.all(), start=now - timedelta(hours=2), end=now + timedelta(hours=2))
    [per_line] = figures["lines"]
    assert (per_line.calls, per_line.answered, per_line.answered_within, per_line.missed) == (4, 3, 2, 1)
    assert (per_line.answered_within_rate, per_line.abandon_rate, per_line.calls_per_hour,
            per_line.average_ring_seconds, per_line.target_seconds) == (50.0, 25.0, 1.0, 11.7, 10)
    [per_agent] = figures["agents"]
    assert (per_agent.calls, per_agent.answered_within_rate, per_agent.abandon_rate) == (3, 66.7, 0.0)


def test_figures_page_and_drill_down(cast, org):
    line = make_account(department=org["cs"], name="400热线")
    cti_post(Client(), line, call_event("missed", call_id="m1", caller="13911112222"))
    cti_post(Client(), line, call_event("ringing", call_id="r1", caller="13933334444"))
    client = Client()
    client.force_login(cast["supervisor"])
    page = client.get("/channels/figures/").content.decode()
    assert f'data-figures="line-{line.pk}"' in page and "50.0%" in page and "figure-definitions" in page
    drill = client.get(f"/channels/calls/?account={line.pk}&status=missed").content.decode()
    assert "13911112222" in drill and "13933334444" not in drill
