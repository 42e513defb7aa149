"""Automatic proposals: repeated complaints in a month, and the survey item's effect."""

import sys
import types
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kefu.improvement import selectors
from kefu.improvement.models import CorrectiveAction, ImprovementSettings
from kefu.improvement.services import corrective_action_propose_repeated_complaints
from kefu.improvement.tests.factories import advance as advance_notice
from kefu.improvement.tests.factories import make_notice, make_proposal
from kefu.workorders.tests.factories import advance, category_for, make_work_order

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 10, 20, 10, 0))


def _complaint(cast, day, team=None, category=None, cancel=False):
    order = make_work_order(actor=cast["agent"], type="complaint", category=category or category_for("complaint"),
                            received_at=timezone.make_aware(datetime(2026, 10, day, 9, 0)), title=f"投诉 {day}")
    if team is not None:
        order = advance(order, cast["agent"], ("dispatch", {"team": team}))
    if cancel:
        order = advance(order, cast["agent"], ("cancel", {"reason": "重复登记"}))
    return order


@time_machine.travel(NOW, tick=False)
def test_three_complaints_in_a_category_propose_one_notice(cast, org):
    orders = [_complaint(cast, 3, org["front"]), _complaint(cast, 5, org["mep"]), _complaint(cast, 9, org["mep"])]
    _complaint(cast, 11, org["mep"], cancel=True)  # cancelled: not counted, not evidence
    notices = corrective_action_propose_repeated_complaints(year=2026, month=10)
    assert len(notices) == 1
    notice = notices[0]
    notice.refresh_from_db()
    category = orders[0].category
    assert notice.status == "proposed"
    assert notice.source == "complaints"
    assert notice.reference == f"complaints:{category.code}:2026-10"
    assert notice.responsible_department == org["mep"]  # where most of them went
    assert [e["url"] for e in notice.evidence] == [f"/work-orders/{o.pk}/" for o in orders]
    assert [e["number"] for e in notice.evidence] == [o.number for o in orders]
    assert "3" in notice.nonconformity and category.name in notice.title
    # run again (the monthly task retried): still one
    assert [n.pk for n in corrective_action_propose_repeated_complaints(year=2026, month=10)] == [notice.pk]
    assert CorrectiveAction.objects.count() == 1
    # other months see nothing
    assert corrective_action_propose_repeated_complaints(year=2026, month=9) == []


@time_machine.travel(NOW, tick=False)
def test_more_complaints_than_the_evidence_limit_still_propose_a_notice(cast, org, monkeypatch):
    """A month with more complaints in a category than a notice may carry (200; 2 here) proposes the
    notice with the first ones as evidence instead of failing the monthly run."""
    from kefu.improvement import services

    monkeypatch.setattr(services, "MAX_EVIDENCE", 2)
    orders = [_complaint(cast, day) for day in (3, 5, 9)]
    notices = corrective_action_propose_repeated_complaints(year=2026, month=10)
    assert len(notices) == 1
    notice = notices[0]
    notice.refresh_from_db()
    assert [e["number"] for e in notice.evidence] == [o.number for o in orders[:2]]
    from django.utils.translation import gettext

    assert " 3 " in notice.nonconformity or notice.nonconformity.startswith("3 ")  # zh: "… 共有 3 件投诉"
    assert notice.nonconformity.endswith(gettext("The first %(n)s are attached as evidence.") % {"n": 2})


@time_machine.travel(NOW, tick=False)
def test_below_threshold_proposes_nothing_until_configured(cast, org):
    _complaint(cast, 3)
    _complaint(cast, 4)
    make_work_order(actor=cast["agent"], type="repair", received_at=timezone.make_aware(datetime(2026, 10, 4)))
    assert corrective_action_propose_repeated_complaints(year=2026, month=10) == []
    ImprovementSettings.objects.filter(pk=1).update(repeat_complaint_threshold=2)
    notices = corrective_action_propose_repeated_complaints(year=2026, month=10)
    assert len(notices) == 1
    assert notices[0].responsible_department is None  # nothing dispatched yet: QA picks the department


@time_machine.travel(NOW, tick=False)
def test_management_command(cast, capsys):
    for day in (1, 2, 3):
        _complaint(cast, day)
    call_command("improvement_check_complaints", "--month", "2026-10")
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "1"
    assert out[0].startswith("CA20261020-")


def test_management_command_refuses_a_bad_month(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("improvement_check_complaints", "--month", "2026-13")


# --- effect -------------------------------------------------------------------------------------

HISTORY = [
    {"campaign_id": 1, "campaign_name": "2025 下半年", "closed_on": date(2025, 12, 20), "rate": 0.90,
     "numerator": 90, "denominator": 100},
    {"campaign_id": 2, "campaign_name": "2026 上半年", "closed_on": date(2026, 6, 30), "rate": 0.82,
     "numerator": 82, "denominator": 100},
    {"campaign_id": 3, "campaign_name": "2026 下半年", "closed_on": "2026-12-20", "rate": 0.96,
     "numerator": 96, "denominator": 100},
]


@time_machine.travel(timezone.make_aware(datetime(2026, 7, 2, 10, 0)), tick=False)
def test_effect_before_and_after(cast, org):
    notice = make_proposal(responsible_department=org["front"])
    notice = advance_notice(notice, cast["qa"], ("issue", {"responsible_department": org["front"],
                                                           "owner": cast["agent"], "due_date": date(2026, 8, 1)}))
    effect = selectors.notice_effect(notice=notice, history=HISTORY)
    assert effect["before"]["campaign_id"] == 2
    assert effect["after"]["campaign_id"] == 3
    assert effect["after"]["closed_on"] == date(2026, 12, 20)
    assert round(effect["change"], 2) == 0.14
    assert selectors.notice_effect(notice=notice, history=HISTORY[:2])["after"] is None


def test_effect_without_an_item(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    assert selectors.notice_effect(notice=notice) is None  # no survey item


def test_effect_reads_the_surveys_selector(db, monkeypatch):
    fake = types.ModuleType("kefu.surveys.selectors")
    calls = []
    fake.item_rate_history = lambda code: calls.append(code) or HISTORY
    monkeypatch.setitem(sys.modules, "kefu.surveys.selectors", fake)
    proposal = make_proposal()
    effect = selectors.notice_effect(notice=proposal)
    assert calls == ["cleaning"]
    assert effect["item_code"] == "cleaning"
    assert len(effect["history"]) == 3


def test_effect_with_the_real_surveys_app(db):
    effect = selectors.notice_effect(notice=make_proposal(reference="survey:999:no-such-item"))
    assert effect["item_code"] == "cleaning"
    assert effect["history"] == [] and effect["before"] is None and effect["after"] is None
