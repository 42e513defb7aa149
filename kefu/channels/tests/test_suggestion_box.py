"""Suggestion-box rounds: business days from the work calendar (a statutory holiday has no round,
a make-up Sunday has one), wall-clock deadlines of the same day, on-time and missed rounds, items
logged as orders of channel suggestion_box received when the box was opened."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.channels.models import SuggestionRound
from kefu.channels.suggestion_box import round_figures, round_log_item, round_record, rounds_ensure
from kefu.channels.tests.factories import make_account
from kefu.core.errors import Conflict
from kefu.workorders.models import Category, WorkOrder

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def box(org):
    return make_account(department=org["cs"], kind="suggestion_box", name="1号楼意见箱", secret="")


def test_rounds_follow_holidays_and_make_up_workdays(box):
    assert rounds_ensure(day=date(2026, 9, 25)) == []  # Friday, Mid-Autumn holiday (seeded 2026 data)
    assert rounds_ensure(day=date(2026, 9, 19)) == []  # an ordinary Saturday
    [sunday] = rounds_ensure(day=date(2026, 9, 20))  # Sunday, make-up workday (调休)
    assert (sunday.open_due, sunday.at_center_due, sunday.handled_due) == (
        datetime(2026, 9, 20, 15, 0, tzinfo=SH), datetime(2026, 9, 20, 15, 30, tzinfo=SH),
        datetime(2026, 9, 20, 17, 30, tzinfo=SH))
    [friday] = rounds_ensure(day=date(2026, 10, 9))
    assert friday.handled_due == datetime(2026, 10, 9, 17, 30, tzinfo=SH)
    assert rounds_ensure(day=date(2026, 10, 9)) == [friday]  # idempotent
    assert SuggestionRound.objects.count() == 2


def test_box_times_are_configurable(org):
    box = make_account(department=org["cs"], kind="suggestion_box", name="东门意见箱", secret="",
                       config={"open_at": "14:00", "at_center_by": "14:20", "handled_by": "16:00"})
    [r] = rounds_ensure(day=date(2026, 10, 9))
    assert (r.account, r.open_due.astimezone(SH).time().isoformat(), r.handled_due.astimezone(SH).hour) == (
        box, "14:00:00", 16)


def test_on_time_late_and_missed_rounds(box, cast):
    [on_time] = rounds_ensure(day=date(2026, 10, 9))
    for step, minute in (("open", 0), ("at_center", 25), ("handled", 120)):
        on_time = round_record(round=on_time, step=step, at=datetime(2026, 10, 9, 15, minute % 60, tzinfo=SH)
                               + timedelta(hours=minute // 60))
    assert on_time.on_time()
    with pytest.raises(Conflict):
        round_record(round=on_time, step="open")
    [late] = rounds_ensure(day=date(2026, 10, 12))
    late = round_record(round=late, step="open", at=datetime(2026, 10, 12, 15, 0, tzinfo=SH))
    late = round_record(round=late, step="at_center", at=datetime(2026, 10, 12, 15, 45, tzinfo=SH))
    late = round_record(round=late, step="handled", at=datetime(2026, 10, 12, 17, 0, tzinfo=SH))
    assert not late.on_time()
    [missed] = rounds_ensure(day=date(2026, 10, 13))
    now = datetime(2026, 10, 13, 18, 0, tzinfo=SH)
    assert missed.missed(now)
    assert round_figures(rounds=SuggestionRound.objects.all(), now=now) == {
        "rounds": 3, "due": 3, "on_time": 1, "missed": 1, "on_time_rate": 33.3}


def test_items_become_orders_received_when_the_box_was_opened(box, cast):
    [r] = rounds_ensure(day=date(2026, 10, 9))
    category = next(c for c in Category.objects.filter(is_active=True) if c.allows_type("suggestion"))
    with pytest.raises(Conflict):
        round_log_item(round=r, actor_user=cast["agent"], type="suggestion", category=category, title="t",
                       description="d")
    opened = datetime(2026, 10, 9, 15, 2, tzinfo=SH)
    r = round_record(round=r, step="open", at=opened)
    order = round_log_item(round=r, actor_user=cast["agent"], type="suggestion", category=category,
                           title="建议增加快递柜", description="小区快递柜太少，建议在2号楼旁增加一组。")
    assert (order.channel, order.received_at) == ("suggestion_box", opened)
    assert SuggestionRound.objects.get(pk=r.pk).items == 1 and WorkOrder.objects.count() == 1
