"""SLA clocks for the demo generator's bulk orders: the rows the SLA hook (`kefu.sla.clocks.
clocks_on_events`) and the sweeper (`sla_sweep`) would have written had each order gone through
`work_order_transition` at the generator's times, replayed in memory and inserted in bulk.

The replay follows the hook's table (docs/sla.md): create starts first response, dispatch, arrival
(repairs) and resolution on the policy `policy_for` picks; accept/dispatch/start/resolve stop first
response; dispatch stops dispatch and starts the promise; start stops arrival; a hold waiting for a
reason in the policy's `pause_reasons` pauses; resolve stops everything and starts the callback
clock (cancelled at once when a sample/none callback rule matches, as the callbacks hook does);
cancel cancels. Deadlines, warnings, ladder steps and minutes used are computed with the SLA
app's own business-time function on the policy's calendar. Every ladder step whose time came
before the clock stopped or paused (or before "now", for a running clock) is recorded as fired
at its time, with its `Escalation` row and internal `escalate` event, as the sweeper would have
done (no notifications: those went out at the time), so the first sweep after loading fires only
what is due then.

Two modelling choices where the generator writes nothing to replay: it records no callbacks, so
a closed order's callback clock stops when the order was closed (the close stands for the call
that confirmed the fix), and a resolved order's runs (the callback is owed); a ladder step that
would change the order (`raise_priority`, `reassign_to`…) is recorded as fired without changing it.
The seeded policies have neither team calendars nor such steps.

Times: each step that stops a clock is placed at a share of that clock's target counted on its
calendar, with `LATE_SHARE` of them after the deadline, so the breach rates come from the times.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import timedelta
from types import SimpleNamespace

from kefu.sla.choices import TARGET_FIELDS, ClockKind, ClockState
from kefu.sla.clocks import RESPONSE_ACTIONS, ClockEngine
from kefu.sla.models import SlaClock, WorkCalendar
from kefu.sla.selectors import escalation_ladder, policy_for

# Share of clock-stopping steps placed after the clock's deadline (first response, dispatch,
# arrival, resolution): the breach rates of the demo land around 5–15%.
LATE_SHARE = 0.08
# The clock each step of the generator's paths stops (its time is drawn against that target).
STEP_CLOCK = {"accept": ClockKind.FIRST_RESPONSE, "dispatch": ClockKind.DISPATCH, "start": ClockKind.ARRIVAL,
              "resolve": ClockKind.RESOLUTION}
CREATE_KINDS = (ClockKind.FIRST_RESPONSE, ClockKind.DISPATCH, ClockKind.ARRIVAL, ClockKind.RESOLUTION)


class DemoClocks:
    """Clock replay for one generator run: policies, calendars and callback rules read once."""

    def __init__(self, *, now, seed: int):
        from kefu.customers.models import Customer

        self.now = now
        # Its own random stream: the generator's draws (customers, states, types…) stay those of
        # a run without clocks.
        self.rng = random.Random(f"demo-clocks-{seed}")
        self.tiers = dict(Customer.objects.values_list("pk", "tier"))
        self.always_open = WorkCalendar.objects.filter(always_open=True).order_by("id").first()
        self._policies: dict = {}
        self.engine = ClockEngine()  # the SLA app's arithmetic (calendar specs built once)
        from kefu.callbacks.models import CallbackRule

        self.rules = list(CallbackRule.objects.filter(is_active=True).order_by("precedence", "id"))

    # --- the SLA app's own choices and arithmetic -------------------------------------------

    def _standin(self, order):
        """What `policy_for` and `rule_for` read of an order, without a query for its customer."""
        tier = self.tiers.get(order.customer_id, "")
        return SimpleNamespace(type=order.type, priority=order.priority, channel=order.channel,
                               complaint_level=order.complaint_level, category_id=order.category_id,
                               category=order.category, customer_id=order.customer_id,
                               customer=SimpleNamespace(tier=tier))

    def policy(self, order):
        """`policy_for(order=…)`, memoised on everything it reads."""
        key = (order.type, order.priority, order.channel, order.complaint_level, order.category_id,
               self.tiers.get(order.customer_id, ""))
        if key not in self._policies:
            self._policies[key] = policy_for(order=self._standin(order))
        return self._policies[key]

    def _callback_cancelled(self, order) -> bool:
        """The callbacks hook cancels the callback clock on resolve when a sample/none rule matches."""
        from kefu.callbacks.choices import RuleMode
        from kefu.callbacks.selectors import rule_for

        rule = rule_for(order=self._standin(order), rules=self.rules)
        return rule is not None and rule.mode in (RuleMode.SAMPLE, RuleMode.NONE)

    def add(self, calendar, business: bool, start, minutes: float):
        return self.engine.add(calendar, business, start, minutes)

    def between(self, clock, start, end) -> float:
        return self.engine.between(clock, start, end)

    def target(self, policy, kind, order):
        """(minutes, business) of the policy's target of `kind` for this order, or None."""
        if policy is None:
            return None
        field = TARGET_FIELDS[kind]
        minutes = getattr(policy, f"{field}_minutes")
        if minutes is None or (kind == ClockKind.ARRIVAL and order.type != "repair"):
            return None
        return minutes, getattr(policy, f"{field}_business")

    # --- times ----------------------------------------------------------------------------------

    def step_at(self, *, order, policy, step: str, received, prev, delay: timedelta):
        """When `step` happens: steps that stop a clock land at a share of its target after
        `received` (late for LATE_SHARE of them); other steps `delay` after the previous one."""
        kind = STEP_CLOCK.get(step)
        target = self.target(policy, kind, order) if kind else None
        if target is None:
            return prev + delay
        minutes, business = target
        late = self.rng.random() < LATE_SHARE
        share = self.rng.uniform(1.05, 2.0) if late else self.rng.uniform(0.1, 0.9)
        at, _missing = self.add(policy.calendar, business, received, minutes * share)
        return max(at, prev + timedelta(minutes=1))

    def settle_promise(self, order) -> None:
        """A resolved order's promised time mostly covers its resolution (the dispatcher promised
        what the team then kept); open orders keep the time drawn at dispatch."""
        if order.promised_at and order.resolved_at and self.rng.random() >= LATE_SHARE:
            order.promised_at = max(order.promised_at,
                                    order.resolved_at + timedelta(minutes=self.rng.randrange(20, 120)))

    # --- the replay -----------------------------------------------------------------------------

    def replay(self, *, order, policy, history, waiting_for: str = "") -> list[SlaClock]:
        """The order's clocks after its `history` [(step, at)], each with `fired` [(step, notify,
        at, event data)]; sets `order.sla_due_at` as the hook leaves it."""
        live: dict[str, SlaClock] = {}
        made: list[SlaClock] = []

        def start(kind, *, calendar, business, minutes, started_at, due_at=None):
            clock = self.engine.new_clock(kind=kind, policy=policy, calendar=calendar, business=business,
                                          minutes=minutes, started_at=started_at, due_at=due_at)
            clock.fired = []
            live[kind] = clock
            made.append(clock)

        def stop(clock, at, *, cancelled=False):
            self._fire(clock, until=at, inclusive=False)
            clock.stopped_at = at
            clock.elapsed_minutes = max(self.between(clock, clock.started_at, at) - clock.paused_minutes, 0)
            if cancelled:
                clock.state = ClockState.CANCELLED
            elif at <= clock.due_at:
                clock.state = ClockState.MET
            else:
                clock.state = ClockState.BREACHED
                clock.breached_at = clock.breached_at or clock.due_at

        if policy is not None:
            for kind in CREATE_KINDS:
                target = self.target(policy, kind, order)
                if target is not None:
                    start(kind, calendar=policy.calendar, business=target[1], minutes=target[0],
                          started_at=order.received_at)
        for step, at in history:
            if step in RESPONSE_ACTIONS and ClockKind.FIRST_RESPONSE in live:
                stop(live.pop(ClockKind.FIRST_RESPONSE), at)
            if step == "dispatch":
                if ClockKind.DISPATCH in live:
                    stop(live.pop(ClockKind.DISPATCH), at)
                calendar = policy.calendar if policy else self.always_open
                if order.promised_at and calendar is not None:
                    if ClockKind.PROMISE in live:
                        stop(live.pop(ClockKind.PROMISE), at, cancelled=True)
                    start(ClockKind.PROMISE, calendar=calendar, business=False, minutes=None, started_at=at,
                          due_at=order.promised_at)
            elif step == "start":
                if ClockKind.ARRIVAL in live:
                    stop(live.pop(ClockKind.ARRIVAL), at)
            elif step == "hold":
                if policy is not None and waiting_for in policy.pause_reasons:
                    for kind, clock in live.items():  # type: ignore[assignment]  # values of several types in one dict or variable
                        if kind != ClockKind.PROMISE and clock.paused_at is None:
                            self._fire(clock, until=at, inclusive=False)
                            clock.paused_at, clock.state = at, ClockState.PAUSED
            elif step == "resolve":
                for kind, clock in list(live.items()):  # type: ignore[assignment]  # values of several types in one dict or variable
                    stop(clock, at, cancelled=kind in (ClockKind.DISPATCH, ClockKind.ARRIVAL))
                live.clear()
                target = self.target(policy, ClockKind.CALLBACK, order)
                if target is not None:
                    start(ClockKind.CALLBACK, calendar=policy.calendar, business=target[1], minutes=target[0],
                          started_at=at)
                    if self._callback_cancelled(order):
                        stop(live.pop(ClockKind.CALLBACK), at, cancelled=True)
            elif step == "close":
                if ClockKind.CALLBACK in live:
                    stop(live.pop(ClockKind.CALLBACK), at)
            elif step == "cancel":
                for clock in live.values():
                    stop(clock, at, cancelled=True)
                live.clear()
        for clock in live.values():
            if clock.paused_at is None:
                self._fire(clock, until=self.now, inclusive=True)
        dues = [c.due_at for c in live.values() if c.paused_at is None and c.kind != ClockKind.CALLBACK]
        order.sla_due_at = min(dues) if dues else None
        return made

    def step_time(self, clock, step: int):
        """When step `step` of the clock's ladder is due (the SLA app's own rule)."""
        return self.engine.step_time(clock, step)

    def _fire(self, clock, *, until, inclusive: bool) -> None:
        """The steps a sweeper running all along would have fired before `until` (at `until` too
        for a clock still running): each at its time, or at the previous step's when it was late."""
        previous = None
        while True:
            at = self.step_time(clock, clock.next_step)
            if at is None:
                break
            if previous is not None:
                at = max(at, previous)
            if at > until or (at == until and not inclusive):
                break
            step = clock.next_step
            ladder = escalation_ladder(clock)
            rung = ladder[step - 1] if 1 <= step <= len(ladder) else {}
            notify = "assignee" if step == 0 else rung.get("notify", "supervisor")
            clock.fired.append((step, notify, at, {
                "clock": clock.kind, "step": step, "kind": "warning" if step == 0 else "escalation",
                "notify": notify, "due_at": clock.due_at.astimezone(dt.UTC).isoformat()}))
            clock.next_step = step + 1
            if step >= 1 and clock.breached_at is None:
                clock.breached_at = clock.due_at
            previous = at
        clock.next_step_at = self.step_time(clock, clock.next_step)
