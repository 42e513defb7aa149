"""SLA clocks: started, paused, resumed and stopped by work-order events (the gate's first hook).

This module is the SLA app's floor of the gate's hooks (ADR 0001): `clocks_on_events` runs in the
writer's transaction for every recorded order event, after the order row is locked, and reads
only work orders' models and choices — it never calls the gate back. The clock arithmetic
(`ClockEngine`) is shared with the sweeper (`kefu.sla.services.sla_sweep`) and the demo loader.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from kefu.sla import business_time
from kefu.sla.choices import TARGET_FIELDS, ClockKind, ClockState
from kefu.sla.models import SlaClock, SlaPolicy, WorkCalendar
from kefu.sla.selectors import calendar_spec, escalation_ladder, policy_for, team_calendar
from kefu.workorders.hooks import for_actions, order_row_update


def relayout(engine: "ClockEngine", clock: SlaClock, *, reference, used: float) -> bool:
    """Lay out what is left of a business-time clock's target (`used` minutes are spent) from
    `reference` on the clock's calendar: due, warning, next step, missing years. Returns whether
    anything changed; the caller saves."""
    target = clock.target_minutes
    if target is None:
        raise ValueError("a business-time clock has a target")  # only those are laid out
    policy = clock.policy if clock.policy_id else None
    warn_target = target * (policy.warn_percent if policy is not None else 80) / 100
    due, missing = engine.add(clock, True, reference, target - used)
    warn, _m = engine.add(clock, True, reference, warn_target - used)
    if target - used <= 0:  # already overdue: the deadline stays in the past
        due = min(clock.due_at, reference)
    if warn_target - used <= 0:
        warn = min(clock.warn_at or reference, reference)
    if (due, warn, list(missing)) == (clock.due_at, clock.warn_at, clock.missing_holiday_years):
        return False
    clock.due_at, clock.warn_at, clock.missing_holiday_years = due, warn, list(missing)
    clock.next_step_at = engine.step_time(clock, clock.next_step)
    return True


# The clocks that measure a team's own work (and so may follow the team's calendar).
TEAM_CLOCKS = (ClockKind.ARRIVAL, ClockKind.RESOLUTION)


def _follow_team_calendar(engine: "ClockEngine", *, team_id, live: dict, now) -> None:
    """After a dispatch: the arrival and resolution clocks of a policy with `use_team_calendar`
    continue on the new team's calendar. Business time used so far is counted on the calendar it
    ran on; what is left is laid out on the team's hours from now."""
    calendar = None
    for kind in TEAM_CLOCKS:
        clock = live.get(kind)
        if clock is None or not clock.business or not clock.target_minutes or not (
                clock.policy_id and clock.policy.use_team_calendar):
            continue
        calendar = calendar or team_calendar(team_id)
        if calendar is None or calendar.pk == clock.calendar_id:
            continue
        reference = clock.paused_at or now
        clock.carried_minutes = engine.used(clock, reference)
        clock.calendar, clock.calendar_since, clock.paused_minutes = calendar, reference, 0.0
        relayout(engine, clock, reference=reference, used=clock.carried_minutes)
        clock.save(update_fields=["calendar", "calendar_since", "carried_minutes", "paused_minutes", "due_at",
                                  "warn_at", "missing_holiday_years", "next_step_at"])



# --- policies and clocks ---------------------------------------------------------------------------

# Actions that count as the center's first response to the customer.
RESPONSE_ACTIONS = {"accept", "dispatch", "start", "resolve"}





class ClockEngine:
    """Clock arithmetic for one event (or one sweep), with the calendar specs built once. The demo
    loader's replay (kefu.workspace.demo_clocks) computes with it too, so its clocks are this app's."""

    def __init__(self):
        self.specs: dict[int, business_time.CalendarSpec] = {}
        self._policies: dict = {}
        self._calendars: dict = {}

    def policy(self, pk):
        if pk is None:
            return None
        if pk not in self._policies:
            self._policies[pk] = SlaPolicy.objects.get(pk=pk)
        return self._policies[pk]

    def calendar(self, pk):
        if pk not in self._calendars:
            self._calendars[pk] = WorkCalendar.objects.get(pk=pk)
        return self._calendars[pk]

    def spec(self, calendar: WorkCalendar) -> business_time.CalendarSpec:
        if calendar.pk not in self.specs:
            self.specs[calendar.pk] = calendar_spec(calendar=calendar)
        return self.specs[calendar.pk]

    def add(self, clock_or_calendar, business: bool, start, minutes: float):
        calendar = getattr(clock_or_calendar, "calendar", clock_or_calendar)
        if not business:
            return start + timedelta(minutes=minutes), ()
        result = business_time.add_business_minutes(self.spec(calendar), start, max(minutes, 0))
        return result.value, result.missing_years

    def between(self, clock, start, end) -> float:
        if end <= start:
            return 0.0
        if not clock.business:
            return (end - start).total_seconds() / 60
        return business_time.business_minutes_between(self.spec(clock.calendar), start, end).minutes

    def new_clock(self, *, kind, policy, calendar, business, minutes, started_at, due_at=None) -> SlaClock:
        """A clock starting now (unsaved): its deadline and warning time on its calendar."""
        missing: tuple = ()
        if due_at is None:
            due_at, missing = self.add(calendar, business, started_at, minutes)
        warn_percent = policy.warn_percent if policy else 80
        if minutes:
            warn_at, _m = self.add(calendar, business, started_at, minutes * warn_percent / 100)
        else:
            warn_at = started_at + (due_at - started_at) * (warn_percent / 100)
        return SlaClock(kind=kind, policy=policy, calendar=calendar, business=business, target_minutes=minutes,
                        started_at=started_at, due_at=due_at, warn_at=warn_at, next_step=0, next_step_at=warn_at,
                        missing_holiday_years=list(missing))

    def start(self, *, order, kind, policy, calendar, business, minutes, started_at, due_at=None):
        clock = self.new_clock(kind=kind, policy=policy, calendar=calendar, business=business, minutes=minutes,
                               started_at=started_at, due_at=due_at)
        clock.work_order = order
        clock.save(force_insert=True)
        return clock

    def stop(self, clock, now, *, cancelled: bool = False) -> None:
        if clock.paused_at is not None:
            self.resume(clock, now)
        clock.stopped_at = now
        clock.elapsed_minutes = self.used(clock, now)
        if cancelled:
            clock.state = ClockState.CANCELLED
        elif now <= clock.due_at:
            clock.state = ClockState.MET
        else:
            clock.state = ClockState.BREACHED
            clock.breached_at = clock.breached_at or clock.due_at
        clock.save(update_fields=["stopped_at", "elapsed_minutes", "state", "breached_at", "paused_at",
                                  "paused_minutes", "due_at", "warn_at", "next_step_at"])

    def used(self, clock, reference) -> float:
        """Business (or calendar) minutes of the target used up to `reference`, pauses excluded."""
        since = clock.calendar_since or clock.started_at
        return max(clock.carried_minutes + self.between(clock, since, reference) - clock.paused_minutes, 0)

    def pause(self, clock, now) -> None:
        clock.paused_at = now
        clock.state = ClockState.PAUSED
        clock.save(update_fields=["paused_at", "state"])

    def resume(self, clock, now) -> None:
        """Move due (and warning) by exactly the business time spent paused."""
        paused_at = clock.paused_at
        clock.paused_minutes += self.between(clock, paused_at, now)
        if clock.due_at > paused_at:
            clock.due_at, _m = self.add(clock, clock.business, now, self.between(clock, paused_at, clock.due_at))
        if clock.warn_at and clock.warn_at > paused_at:
            clock.warn_at, _m = self.add(clock, clock.business, now, self.between(clock, paused_at, clock.warn_at))
        clock.paused_at = None
        clock.state = ClockState.RUNNING
        # Steps already fired stay fired; the next one moves with the due time.
        clock.next_step_at = self.step_time(clock, clock.next_step)
        clock.save(update_fields=["paused_at", "paused_minutes", "due_at", "warn_at", "state", "next_step_at"])

    def step_time(self, clock, step: int):
        """When step `step` of the clock's ladder is due (None past the last step)."""
        if step == 0:
            return clock.warn_at
        ladder = escalation_ladder(clock)
        if step > len(ladder):
            return None
        at, _m = self.add(clock, clock.business, clock.due_at, ladder[step - 1].get("after_breach_minutes", 0))
        return at


def _policy_clocks(engine: ClockEngine, *, order, policy, started_at, kinds, batch: list | None = None) -> None:
    """Start the policy's clocks of these kinds; with `batch`, only build them (unsaved) into it,
    for the caller to insert in one statement."""
    for kind in kinds:
        field = TARGET_FIELDS[kind]
        minutes = getattr(policy, f"{field}_minutes")
        if minutes is None or (kind == ClockKind.ARRIVAL and order.type != "repair"):
            continue
        values = dict(kind=kind, policy=policy, calendar=policy.calendar, business=getattr(policy, f"{field}_business"),
                      minutes=minutes, started_at=started_at)
        if batch is None:
            engine.start(order=order, **values)
        else:
            clock = engine.new_clock(**values)
            clock.work_order = order
            batch.append(clock)


def _promise_clock(engine: ClockEngine, *, order, policy, promised_at, now) -> None:
    for old in SlaClock.objects.filter(work_order=order, kind=ClockKind.PROMISE, stopped_at=None):
        engine.stop(old, now, cancelled=True)  # a renegotiated promise replaces the old one
    calendar = policy.calendar if policy else WorkCalendar.objects.filter(always_open=True).first()
    if calendar is None:
        return
    engine.start(order=order, kind=ClockKind.PROMISE, policy=policy, calendar=calendar, business=False,
                 minutes=None, started_at=now, due_at=promised_at)


CLOCK_ACTIONS = {"create", "accept", "dispatch", "start", "hold", "resume", "resolve", "cancel", "reopen", "comment"}


# An escalation step that hands the order to another team moves its team-calendar clocks, as a
# dispatch does.
@for_actions(*CLOCK_ACTIONS, "escalate")
def clocks_on_events(*, events, orders) -> None:
    """The gate's SLA hook: start, pause, resume and stop each event's order clocks, in the
    writer's transaction, then store the earliest running due time on the order (`sla_due_at`,
    for "due soonest"). `orders` maps each event's order id to the order as the writer holds it
    (before the event's changes, as the gate read it)."""
    for event in events:
        if event.action == "escalate" and not event.data.get("team"):
            continue  # a warning or a step that did not hand the order to another team
        if event.action == "comment" and event.internal:
            continue  # only a reply the customer sees is a first response
        order = orders[event.work_order_id]
        started = _apply_event(order=order, event=event)
        # The callback clock runs after resolution and is tracked in the callback queue; the
        # order's own "due soonest" is about getting the work done.
        if event.action == "create":
            # A new order has no clocks but those just started (all running): no need to read them back.
            dues = [clock.due_at for clock in started if clock.kind != ClockKind.CALLBACK]
            due = min(dues) if dues else None
        else:
            due = (SlaClock.objects.filter(work_order=order, stopped_at=None, paused_at=None)
                   .exclude(kind=ClockKind.CALLBACK).order_by("due_at").values_list("due_at", flat=True).first())
        if due != order.sla_due_at:
            # Written by the event writer with the order's other row changes, in one UPDATE.
            order_row_update(order, sla_due_at=due)



def _apply_event(*, order, event) -> list[SlaClock]:
    """Start, pause, resume and stop the order's clocks for this event; returns the clocks an
    intake started (inserted in one statement), [] for other events."""
    engine = ClockEngine()
    action = event.action
    now = event.created_at
    if action == "create":
        policy = policy_for(order=order)
        batch: list[SlaClock] = []
        if policy is not None:
            _policy_clocks(engine, order=order, policy=policy, started_at=order.received_at,
                           kinds=[ClockKind.FIRST_RESPONSE, ClockKind.DISPATCH, ClockKind.ARRIVAL,
                                  ClockKind.RESOLUTION], batch=batch)
        if order.promised_at:
            # A new order has no promise to replace (_promise_clock would look for one).
            calendar = policy.calendar if policy else WorkCalendar.objects.filter(always_open=True).first()
            if calendar is not None:
                clock = engine.new_clock(kind=ClockKind.PROMISE, policy=policy, calendar=calendar, business=False,
                                         minutes=None, started_at=order.received_at, due_at=order.promised_at)
                clock.work_order = order
                batch.append(clock)
        return SlaClock.objects.bulk_create(batch) if batch else []

    # Locked (PostgreSQL) so a sweeper firing a step of one of these clocks at this moment is
    # waited for, not overwritten: pause/resume/stop below write next_step_at.
    live_rows = SlaClock.objects.filter(work_order=order, stopped_at=None).select_related("calendar", "policy")
    if connection.features.has_select_for_update:
        live_rows = live_rows.select_for_update(of=("self",))
    live = {c.kind: c for c in live_rows}
    policy = next((c.policy for c in live.values() if c.policy_id), None)
    if action in RESPONSE_ACTIONS or (action == "comment" and not event.internal):
        if ClockKind.FIRST_RESPONSE in live:
            engine.stop(live.pop(ClockKind.FIRST_RESPONSE), now)
    if action == "escalate":
        if event.data.get("team"):  # reassigned by a ladder step (work_order_escalate)
            _follow_team_calendar(engine, team_id=event.data["team"], live=live, now=now)
        return []
    if action == "dispatch":
        if ClockKind.DISPATCH in live:
            engine.stop(live.pop(ClockKind.DISPATCH), now)
        # The order object still holds the team it had before this event.
        _follow_team_calendar(engine, team_id=event.data.get("team"), live=live, now=now)
        promised = event.data.get("promised_at")
        if promised:
            _promise_clock(engine, order=order, policy=policy or policy_for(order=order),
                           promised_at=datetime.fromisoformat(promised), now=now)
    elif action == "start":
        if ClockKind.ARRIVAL in live:
            engine.stop(live.pop(ClockKind.ARRIVAL), now)
    elif action == "hold":
        reasons = policy.pause_reasons if policy else []
        if event.data.get("waiting_for") in reasons:
            for kind, clock in live.items():
                # The promise is a time the customer was given; waiting does not move it.
                if kind != ClockKind.PROMISE and clock.paused_at is None:
                    engine.pause(clock, now)
    elif action == "resume":
        for clock in live.values():
            if clock.paused_at is not None:
                engine.resume(clock, now)
    elif action == "resolve":
        for kind, clock in live.items():
            # Dispatch/arrival never happened for an order solved on the spot: not applicable.
            engine.stop(clock, now, cancelled=kind in (ClockKind.DISPATCH, ClockKind.ARRIVAL))
        # The customer is called back within the policy's callback target after resolution; the
        # callbacks app stops this clock (callback_clock_stop) when the call is done.
        policy = policy or policy_for(order=order)
        if policy is not None:
            _policy_clocks(engine, order=order, policy=policy, started_at=now, kinds=[ClockKind.CALLBACK])
    elif action == "cancel":
        for clock in live.values():
            engine.stop(clock, now, cancelled=True)
    elif action == "reopen":
        if ClockKind.CALLBACK in live:
            # Reopened (often by the callback itself): a new callback is due after the next resolution.
            engine.stop(live.pop(ClockKind.CALLBACK), now, cancelled=True)
        policy = policy or policy_for(order=order)
        if policy is not None and ClockKind.RESOLUTION not in live:
            _policy_clocks(engine, order=order, policy=policy, started_at=now, kinds=[ClockKind.RESOLUTION])
    return []


def callback_clock_stop(*, order, at=None, cancelled: bool = False) -> SlaClock | None:
    """Stop the order's running callback clock (met, or breached if late) when the callback is done
    (the customer reached with an outcome, or given up as unreachable). Returns the clock, or None
    when there is none running. Runs in the caller's transaction.

    `cancelled=True`: no callback is owed after all (a sample rule decides later which orders are
    called back, or a rule says none), so the clock must not breach and escalate."""
    clock = (SlaClock.objects.select_related("calendar", "policy")
             .filter(work_order=order, kind=ClockKind.CALLBACK, stopped_at=None).first())
    if clock is None:
        return None
    ClockEngine().stop(clock, at or timezone.now(), cancelled=cancelled)
    return clock

