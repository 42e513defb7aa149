"""The desk (/workspace/): figures per role, each the count of the very list its link opens, in a
fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.callbacks.tests.factories import callback_of, make_resolved
from kefu.sla.models import SlaClock
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db


def _figures(client, user, section):
    client.force_login(user)
    response = client.get("/workspace/")
    assert response.status_code == 200
    return {f["label"]: f for f in response.context["figures"][section]}


def _listed(client, url):
    """How many rows the linked list shows (the queue's or the callbacks' paginator count)."""
    return client.get(url).context["page"].paginator.count


def _set_due(order, due):
    WorkOrder.objects.filter(pk=order.pk).update(sla_due_at=due)


def test_an_agent_sees_their_own_work_and_every_figure_opens_its_orders(client, cast, org):
    now = timezone.now()
    received = [make_work_order(actor=cast["agent"]) for _i in range(3)]
    _set_due(received[0], now - timedelta(hours=1))
    make_work_order(actor=cast["steward"])  # someone else's
    resolved = make_resolved(actor=cast["agent"])
    callback = callback_of(resolved)
    type(callback).objects.filter(pk=callback.pk).update(due_at=now - timedelta(minutes=5))
    mine = _figures(client, cast["agent"], "mine")
    today = _figures(client, cast["agent"], "today")
    assert {label: f["count"] for label, f in mine.items()} == {
        "我受理的未结工单": 4, "我的待办": 0, "今日到期回访": 1}
    assert {label: f["count"] for label, f in today.items()} == {"今日我受理": 4, "我的工单已超时": 1}
    for figure in [*mine.values(), *today.values()]:
        assert _listed(client, figure["url"]) == figure["count"], figure
    assert _figures(client, cast["agent"], "backlog") == {}  # agents dispatch nothing: no team backlog


def test_a_supervisor_sees_the_team_backlog_by_deadline_unassigned_and_overdue_callbacks(client, cast, org):
    now = timezone.now()
    dues = [now - timedelta(hours=3), now + timedelta(minutes=30), now + timedelta(days=3), None]
    for due in dues:
        order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("dispatch", {"team": org["front"]}))
        SlaClock.objects.filter(work_order=order).delete()
        _set_due(order, due)
    make_work_order(actor=cast["agent"])  # waiting for a team
    backlog = _figures(client, cast["supervisor"], "backlog")
    counts = {label: f["count"] for label, f in backlog.items()}
    assert counts["已超时"] == 1 and counts["2 小时内到期"] == 1 and counts["今天之后到期"] == 1
    team = _figures(client, cast["supervisor"], "team")
    assert team["待派班组"]["count"] == 1 and team["已超期及今日到期回访"]["count"] == 0
    for figure in [*backlog.values(), *team.values()]:
        assert _listed(client, figure["url"]) == figure["count"], figure


def test_a_manager_sees_the_site_trend_per_week_linking_to_the_orders(client, cast):
    for _i in range(2):
        make_work_order(actor=cast["agent"])
    trend = list(_figures(client, cast["manager"], "trend").values())
    assert len(trend) == 8 and trend[-1]["count"] == 2 and sum(f["count"] for f in trend) == 2
    assert _listed(client, trend[-1]["url"]) == 2


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager"])
def test_the_desk_has_a_query_budget(client, cast, role, django_assert_max_num_queries):
    client.force_login(cast[role])
    client.get("/workspace/")
    for _i in range(5):
        make_work_order(actor=cast["agent"])
    # A manager's desk, the largest: session, user, the actor, nine figures (five COUNTs, the backlog's
    # one aggregate, two callback COUNTs, the weekly trend), the department subtree and the page's
    # own reads (unread notices, navigation) — fixed, whatever the number of orders.
    with django_assert_max_num_queries(18):
        response = client.get("/workspace/")
    assert response.status_code == 200


def test_the_desk_in_english(client, cast):
    from kefu.org.models import Staff

    Staff.objects.filter(user=cast["agent"]).update(language="en")
    client.force_login(cast["agent"])
    html = client.get("/workspace/").content.decode()
    assert "My desk" in html and "My open orders (I received)" in html
