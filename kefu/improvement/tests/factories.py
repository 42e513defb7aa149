"""Factories for corrective action notices: made and moved through the real services."""

from datetime import timedelta

from django.utils import timezone

from kefu.improvement.services import (
    corrective_action_create,
    corrective_action_propose,
    corrective_action_transition,
)


def make_notice(*, actor, owner, department, due_in_days: int = 14, **kwargs):
    kwargs.setdefault("title", "前台接听超时")
    kwargs.setdefault("nonconformity", "本月前台电话三声内接听率低于标准。")
    return corrective_action_create(actor_user=actor, owner=owner, responsible_department=department,
                                    due_date=timezone.localdate() + timedelta(days=due_in_days), **kwargs)


def make_proposal(*, reference: str = "survey:7:cleaning", **kwargs):
    kwargs.setdefault("source", "survey")
    kwargs.setdefault("nonconformity", "保洁服务满意度 82%，低于目标 95%。")
    kwargs.setdefault("evidence", [{"kind": "survey_item", "item_code": "cleaning", "label": "2026 上半年 保洁",
                                    "url": "/surveys/campaigns/7/"}])
    return corrective_action_propose(reference=reference, **kwargs)


def advance(notice, actor, *steps):
    """Run actions in order; each step is an action name or (action, data)."""
    for step in steps:
        action, data = (step, {}) if isinstance(step, str) else step
        notice = corrective_action_transition(notice=notice, action=action, actor_user=actor, **data)
    return notice


def taken(notice, owner):
    """Accept and record the action, as the owner."""
    return advance(notice, owner, "accept", ("record_action", {"root_cause": "排班不足", "action_taken": "高峰期加开两个席位"}))
