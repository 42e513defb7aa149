"""Channel figures (how the standards measure the channels), per line and per agent:

- answered within N s: answered calls whose ring time ≤ the line's target N (default 15 s ≈ 3
  rings, `config.answer_target_seconds`) ÷ all calls that rang;
- abandon rate: missed calls (unanswered, reported missed or ended before an answer) ÷ all calls;
- calls per hour: all calls ÷ hours in the period;
- average ring time: mean ring seconds of answered calls;
- intake per channel: conversations received per account kind.

Each figure links to its drill-down: the calls behind it (`/channels/calls/?…`).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, QuerySet

from kefu.channels.choices import CallStatus
from kefu.channels.cti import answer_target
from kefu.channels.models import Call, Conversation


@dataclass
class Figures:
    key: str
    label: str
    target_seconds: int
    calls: int = 0
    answered: int = 0
    answered_within: int = 0
    missed: int = 0
    ring_total: int = 0
    hours: float = 1.0
    account_id: int | None = None
    agent_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def answered_within_rate(self) -> float | None:
        return round(100 * self.answered_within / self.calls, 1) if self.calls else None

    @property
    def abandon_rate(self) -> float | None:
        return round(100 * self.missed / self.calls, 1) if self.calls else None

    @property
    def calls_per_hour(self) -> float:
        return round(self.calls / self.hours, 2) if self.hours else 0.0

    @property
    def average_ring_seconds(self) -> float | None:
        return round(self.ring_total / self.answered, 1) if self.answered else None

    def add(self, call: Call, target: int) -> None:
        self.calls += 1
        if call.status in (CallStatus.ANSWERED, CallStatus.ENDED) and call.answered_at:
            self.answered += 1
            self.ring_total += call.ring_seconds or 0
            if call.ring_seconds is not None and call.ring_seconds <= target:
                self.answered_within += 1
        elif call.status == CallStatus.MISSED:
            self.missed += 1


def call_figures(calls: QuerySet[Call], *, start: datetime, end: datetime) -> dict[str, list[Figures]]:
    """{"lines": [...], "agents": [...]} over the calls that rang in [start, end)."""
    hours = max((end - start).total_seconds() / 3600, 1 / 60)
    lines: dict[int, Figures] = {}
    agents: dict[int, Figures] = {}
    rows = (calls.filter(created_at__gte=start, created_at__lt=end)
            .select_related("account", "agent_user__staff").order_by())
    for call in rows:
        target = answer_target(call.account)
        line = lines.get(call.account_id)
        if line is None:
            line = lines[call.account_id] = Figures(key=f"line-{call.account_id}", label=call.account.name,
                                                    target_seconds=target, hours=hours, account_id=call.account_id)
        line.add(call, target)
        if call.agent_user_id:
            agent = agents.get(call.agent_user_id)
            if agent is None:
                staff = getattr(call.agent_user, "staff", None)
                name = staff.display_name if staff else str(call.agent_user)
                agent = agents[call.agent_user_id] = Figures(key=f"agent-{call.agent_user_id}", label=name,
                                                             target_seconds=target, hours=hours,
                                                             agent_id=call.agent_user_id)
            agent.add(call, target)
    return {"lines": sorted(lines.values(), key=lambda f: f.label),
            "agents": sorted(agents.values(), key=lambda f: f.label)}


def intake_per_channel(conversations: QuerySet[Conversation], *, start: datetime, end: datetime) -> list[dict]:
    return list(conversations.filter(created_at__gte=start, created_at__lt=end).order_by()
                .values("account__kind").annotate(count=Count("id")).order_by("account__kind"))
